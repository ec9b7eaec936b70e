// kaart publish | get | withdraw | search | watch
#include <atomic>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/kaart/commands.h"
#include "common/hlc.h"
#include "common/reference_data.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "model/search_params.h"
#include "model/validation.h"
#include "model/vocabulary.h"
#include "nlohmann/json.hpp"
#include "trust/keys.h"
#include "trust/signing.h"

namespace kaartnet::cli {
namespace {

using google::protobuf::EnumDescriptor;

// ------------------------------------------------------------ input files

struct SourcedEntry {
  std::string source;  // "file:line"
  v1::Entry entry;
};

// Reads entries from JSON files: one object, an array of objects, or one
// object per line (.jsonl).
absl::StatusOr<std::vector<SourcedEntry>> ReadEntries(
    const std::vector<std::string>& files) {
  std::vector<SourcedEntry> out;
  for (const std::string& file : files) {
    std::string text;
    if (file == "-") {
      std::stringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else {
      std::ifstream in(file);
      if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
    if (trimmed.empty()) continue;
    if (trimmed.front() == '[') {
      nlohmann::json array =
          nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
      if (!array.is_array()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": not a valid JSON array"));
      }
      for (size_t i = 0; i < array.size(); ++i) {
        v1::Entry entry;
        const std::string source = absl::StrCat(file, "[", i, "]");
        absl::Status status = FromJson(array[i].dump(), &entry);
        if (!status.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(source, ": ", status.message()));
        }
        out.push_back({source, std::move(entry)});
      }
      continue;
    }
    v1::Entry single;
    if (FromJson(std::string(trimmed), &single).ok()) {
      out.push_back({file, std::move(single)});
      continue;
    }
    int line_number = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      ++line_number;
      line = absl::StripAsciiWhitespace(line);
      if (line.empty() || line.front() == '#') continue;
      v1::Entry entry;
      absl::Status status = FromJson(std::string(line), &entry);
      const std::string source = absl::StrCat(file, ":", line_number);
      if (!status.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": ", status.message()));
      }
      out.push_back({source, std::move(entry)});
    }
  }
  return out;
}

// ------------------------------------------------------------ signing

// Signs entries locally for organisations whose node does not hold their
// key. The version is this machine's clock (with a logical counter).
class LocalSigner {
 public:
  LocalSigner(const GlobalOptions& options, std::string key_file,
              std::string keys_dir)
      : options_(options),
        key_file_(std::move(key_file)),
        keys_dir_(std::move(keys_dir)),
        hlc_(Clock::Real(), absl::Minutes(10)) {}

  bool active() const { return !key_file_.empty() || !keys_dir_.empty(); }

  absl::StatusOr<v1::SignedRecord> Sign(v1::Entry entry,
                                        uint64_t after_hlc = 0) {
    std::shared_ptr<trust::SigningKey> key;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = keys_.find(entry.organisation_id());
      if (it == keys_.end()) {
        const std::string path =
            !key_file_.empty()
                ? key_file_
                : absl::StrCat(keys_dir_, "/", entry.organisation_id(), ".key");
        auto loaded = trust::SigningKey::ReadFile(path);
        if (!loaded.ok()) return loaded.status();
        it = keys_
                 .emplace(
                     entry.organisation_id(),
                     std::make_shared<trust::SigningKey>(std::move(*loaded)))
                 .first;
      }
      key = it->second;
    }
    auto region = RegionOf(entry.organisation_id());
    if (!region.ok()) return region.status();
    entry.set_region(*region);
    entry.mutable_version()->set_hlc(hlc_.NowAfter(after_hlc));
    entry.mutable_version()->set_node_id("kaart");
    return trust::SignEntry(entry, *key);
  }

 private:
  absl::StatusOr<std::string> RegionOf(const std::string& organisation_id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (regions_.empty()) {
      auto stub = v1::Admin::NewStub(Connect(options_));
      auto context = NewContext(options_);
      v1::ListOrganisationsResponse response;
      grpc::Status status = stub->ListOrganisations(
          context.get(), v1::ListOrganisationsRequest(), &response);
      if (!status.ok()) {
        return absl::UnavailableError(absl::StrCat(
            "cannot list organisations on the node: ", status.error_message()));
      }
      for (const auto& info : response.organisations()) {
        regions_[info.organisation().organisation_id()] =
            info.organisation().region();
      }
    }
    auto it = regions_.find(organisation_id);
    if (it == regions_.end()) {
      return absl::NotFoundError(
          absl::StrCat("organisation \"", organisation_id,
                       "\" is not admitted on the node"));
    }
    return it->second;
  }

  const GlobalOptions& options_;
  const std::string key_file_;
  const std::string keys_dir_;
  HybridLogicalClock hlc_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<trust::SigningKey>> keys_;
  std::map<std::string, std::string> regions_;
};

// ------------------------------------------------------------ output

std::string KindLabel(int kind) {
  return model::Label(v1::EntryKind_descriptor(), kind);
}

std::string FormatDate(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string AreaText(const v1::ServiceArea& area) {
  const ReferenceData& ref = ReferenceData::Get();
  std::vector<std::string> names;
  for (const auto& code : area.arbeidsmarktregio_codes()) {
    const Arbeidsmarktregio* r = ref.FindRegio(code);
    names.push_back(r ? absl::StrCat("regio ", r->naam) : code);
  }
  for (const auto& code : area.gemeentecodes()) {
    const Gemeente* g = ref.FindGemeente(code);
    names.push_back(g ? g->naam : code);
  }
  return absl::StrJoin(names, ", ");
}

void PrintEntry(const v1::Entry& entry, const v1::EntryStatus* status) {
  if (entry.withdrawn()) {
    std::cout << entry.id() << "  (ingetrokken"
              << (entry.erased() ? " en gewist" : "") << ")\n";
    return;
  }
  std::cout << entry.title() << "\n";
  std::cout << "  id:            " << entry.id() << "\n";
  std::cout << "  soort:         " << KindLabel(entry.kind()) << "\n";
  std::cout << "  organisatie:   "
            << (status && !status->organisation_name().empty()
                    ? status->organisation_name()
                    : entry.organisation_id())
            << "\n";
  std::cout << "  werkgebied:    " << AreaText(entry.service_area()) << "\n";
  auto list = [](const auto& values, const EnumDescriptor* type) {
    std::vector<std::string> labels;
    for (int v : values) labels.push_back(model::Label(type, v));
    return absl::StrJoin(labels, ", ");
  };
  if (!entry.interventions().empty()) {
    std::cout << "  interventies:  "
              << list(entry.interventions(), v1::Intervention_descriptor())
              << "\n";
  }
  if (!entry.target_groups().empty()) {
    std::cout << "  doelgroepen:   "
              << list(entry.target_groups(), v1::TargetGroup_descriptor())
              << "\n";
  }
  if (!entry.regelingen().empty()) {
    std::cout << "  regelingen:    "
              << list(entry.regelingen(), v1::Regeling_descriptor()) << "\n";
  }
  if (!entry.funding().empty()) {
    std::cout << "  financiering:  "
              << list(entry.funding(), v1::Funding_descriptor()) << "\n";
  }
  std::cout << "  beschikbaar:   "
            << (entry.availability().accepting_new_clients()
                    ? "neemt nieuwe cliënten aan"
                    : "neemt geen nieuwe cliënten aan");
  if (entry.availability().wait_weeks() > 0) {
    std::cout << ", wachttijd " << entry.availability().wait_weeks()
              << " weken";
  }
  std::cout << "\n";
  for (const auto& mark : entry.quality_marks()) {
    std::cout << "  keurmerk:      "
              << model::Label(v1::QualityMarkType_descriptor(), mark.type());
    if (mark.fidelity_score())
      std::cout << " (score " << mark.fidelity_score() << ")";
    if (!mark.name().empty()) std::cout << " " << mark.name();
    std::cout << "\n";
  }
  if (!entry.languages().empty()) {
    std::cout << "  talen:         " << absl::StrJoin(entry.languages(), ", ")
              << "\n";
  }
  for (const auto& loc : entry.locations()) {
    std::cout << "  locatie:       " << loc.name() << ", " << loc.street()
              << " " << loc.house_number() << ", " << loc.postcode() << " "
              << loc.city() << "\n";
  }
  for (const auto& c : entry.contacts()) {
    std::cout << "  contact:       "
              << (c.name().empty() ? "" : c.name() + ", ") << c.role();
    if (!c.phone().empty()) std::cout << ", " << c.phone();
    if (!c.email().empty()) std::cout << ", " << c.email();
    if (c.visibility() == v1::VISIBILITY_PROFESSIONALS)
      std::cout << " (alleen professionals)";
    std::cout << "\n";
  }
  if (status && status->hidden_contacts() > 0) {
    std::cout << "  (" << status->hidden_contacts()
              << " contact(en) alleen voor professionals; toon met --reveal)\n";
  }
  std::cout << "  gecontroleerd: " << FormatDate(entry.last_verified())
            << (status && status->stale() ? "  (verouderd)" : "") << "\n";
  if (!entry.description().empty()) {
    std::cout << "\n  "
              << absl::StrJoin(absl::StrSplit(entry.description(), '\n'),
                               "\n  ")
              << "\n";
  }
}

// ------------------------------------------------------------ publish

struct PublishArgs {
  std::vector<std::string> files;
  std::string key_file;
  std::string keys_dir;
  bool create_only = false;
  bool validate_only = false;
  int parallel = 8;
  bool quiet = false;
};

int RunPublish(const GlobalOptions& options, const PublishArgs& args) {
  auto entries = ReadEntries(args.files);
  if (!entries.ok()) return ReportError(entries.status());
  if (entries->empty()) {
    std::cerr << "kaart: no entries in " << absl::StrJoin(args.files, ", ")
              << "\n";
    return 1;
  }
  LocalSigner signer(options, args.key_file, args.keys_dir);
  auto channel = Connect(options);
  std::atomic<size_t> created{0}, updated{0}, failed{0};
  std::mutex out_mu;
  std::vector<std::string> failures;
  const bool single = entries->size() == 1;
  v1::PublishResponse last_response;
  const absl::Time start = absl::Now();
  ForEachParallel(entries->size(), args.parallel, [&](size_t i) {
    auto stub = v1::Directory::NewStub(channel);
    {
      SourcedEntry& item = (*entries)[i];
      v1::PublishRequest request;
      request.set_create_only(args.create_only);
      request.set_validate_only(args.validate_only);
      grpc::Status status;
      if (signer.active()) {
        model::Normalize(&item.entry);
        if (!item.entry.has_last_verified()) {
          item.entry.mutable_last_verified()->set_seconds(
              absl::ToUnixSeconds(absl::Now()));
        }
        auto signed_record = signer.Sign(item.entry);
        if (!signed_record.ok()) {
          failed++;
          std::lock_guard<std::mutex> lock(out_mu);
          failures.push_back(absl::StrCat(item.source, ": ",
                                          signed_record.status().message()));
          return;
        }
        *request.mutable_signed_record() = std::move(*signed_record);
      } else {
        *request.mutable_entry() = item.entry;
      }
      v1::PublishResponse response;
      auto context =
          NewContext(options, TokenUse::kPublish, item.entry.organisation_id());
      status = stub->Publish(context.get(), request, &response);
      if (status.ok()) {
        (response.created() ? created : updated)++;
        if (single) last_response = response;
        return;
      }
      failed++;
      std::lock_guard<std::mutex> lock(out_mu);
      if (single) {
        ReportError(status, item.source);
      } else {
        std::ostringstream message;
        std::streambuf* old = std::cerr.rdbuf(message.rdbuf());
        ReportError(status,
                    absl::StrCat(item.source, " (", item.entry.id(), ")"));
        std::cerr.rdbuf(old);
        failures.push_back(message.str());
      }
    }
  });
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  for (size_t i = 0; i < failures.size() && i < 20; ++i)
    std::cerr << failures[i];
  if (failures.size() > 20)
    std::cerr << "... and " << failures.size() - 20 << " more\n";
  if (single && failed == 0) {
    if (options.json) {
      std::cout << ToJson(last_response) << "\n";
    } else {
      std::cout << (args.validate_only
                        ? "in orde (niet opgeslagen): "
                        : (last_response.created() ? "gepubliceerd: "
                                                   : "bijgewerkt: "))
                << last_response.entry().id() << "\n";
    }
  } else if (!single && !args.quiet) {
    std::cout << (args.validate_only ? "gecontroleerd: " : "gepubliceerd: ")
              << created.load() << " nieuw, " << updated.load()
              << " bijgewerkt, " << failed.load() << " geweigerd, in "
              << absl::StrFormat("%.1f", seconds) << " s ("
              << static_cast<int>((created + updated) / std::max(seconds, 1e-3))
              << "/s)\n";
  }
  return failed == 0 ? 0 : 1;
}

// ------------------------------------------------------------ get / withdraw

int RunGet(const GlobalOptions& options, const std::string& id, bool reveal,
           const std::string& purpose) {
  auto stub = v1::Directory::NewStub(Connect(options));
  auto context = NewContext(options);
  v1::GetRequest request;
  request.set_id(id);
  request.set_reveal_contacts(reveal);
  request.set_purpose(purpose);
  v1::GetResponse response;
  grpc::Status status = stub->Get(context.get(), request, &response);
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    PrintEntry(response.entry(), &response.status());
  }
  return 0;
}

int RunWithdraw(const GlobalOptions& options, const std::string& id, bool erase,
                const std::string& key_file) {
  auto stub = v1::Directory::NewStub(Connect(options));
  v1::WithdrawRequest request;
  request.set_id(id);
  request.set_erase(erase);
  if (!key_file.empty()) {
    // Sign the tombstone here, newer than the stored version.
    auto get_context = NewContext(options);
    v1::GetRequest get;
    get.set_id(id);
    v1::GetResponse current;
    grpc::Status status = stub->Get(get_context.get(), get, &current);
    if (!status.ok()) return ReportError(status);
    v1::Entry tombstone;
    tombstone.set_id(id);
    tombstone.set_organisation_id(current.entry().organisation_id());
    tombstone.set_withdrawn(true);
    tombstone.set_erased(erase);
    LocalSigner signer(options, key_file, "");
    auto signed_record =
        signer.Sign(tombstone, current.entry().version().hlc());
    if (!signed_record.ok()) return ReportError(signed_record.status());
    *request.mutable_signed_record() = std::move(*signed_record);
  }
  auto context =
      NewContext(options, TokenUse::kPublish, id.substr(0, id.find('/')));
  v1::WithdrawResponse response;
  grpc::Status status = stub->Withdraw(context.get(), request, &response);
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << (response.entry().erased() ? "ingetrokken en gewist: "
                                            : "ingetrokken: ")
              << id << "\n";
  }
  return 0;
}

// ------------------------------------------------------------ search

struct SearchArgs {
  std::vector<std::string> words;
  model::SearchParams params;
};

int RunSearch(const GlobalOptions& options, const SearchArgs& args) {
  model::SearchParams params = args.params;
  params.query = absl::StrJoin(args.words, " ");
  auto parsed = model::ToSearchRequest(params);
  if (!parsed.ok()) return ReportError(parsed.status());
  const v1::SearchRequest& request = *parsed;

  auto stub = v1::Directory::NewStub(Connect(options));
  auto context = NewContext(options);
  v1::SearchResponse response;
  grpc::Status status = stub->Search(context.get(), request, &response);
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  const int width = TerminalWidth();
  const bool with_distance = request.has_near();
  const int fixed = 4 + 24 + 22 + 16 + (with_distance ? 9 : 0) + 8 + 12;
  const int title_width = std::max(20, width - fixed);
  std::cout << Pad("#", 4) << Pad("Soort", 24) << Pad("Titel", title_width)
            << Pad("Organisatie", 22) << Pad("Plaats", 16)
            << (with_distance ? Pad("Afstand", 9) : "") << Pad("Wacht", 8)
            << "Gecontroleerd\n";
  int n = 0;
  for (const v1::SearchHit& hit : response.hits()) {
    const v1::Entry& e = hit.entry();
    std::string place = e.locations().empty() ? AreaText(e.service_area())
                                              : e.locations(0).city();
    std::string wait =
        e.availability().accepting_new_clients()
            ? (e.availability().wait_weeks()
                   ? absl::StrCat(e.availability().wait_weeks(), " wk")
                   : "direct")
            : "vol";
    std::cout << Pad(absl::StrCat(++n), 4)
              << Pad(Fit(KindLabel(e.kind()), 23), 24)
              << Pad(Fit(e.title(), title_width - 1), title_width)
              << Pad(Fit(hit.organisation_name(), 21), 22)
              << Pad(Fit(place, 15), 16)
              << (with_distance
                      ? Pad(hit.has_distance_km()
                                ? absl::StrFormat("%.1f km", hit.distance_km())
                                : "-",
                            9)
                      : "")
              << Pad(wait, 8) << FormatDate(e.last_verified())
              << (hit.stale() ? " (verouderd)" : "") << "\n";
    if (args.params.explain) {
      const auto& x = hit.explanation();
      std::cout << "      score " << absl::StrFormat("%.3f", hit.score())
                << " = tekst " << absl::StrFormat("%.3f", x.text())
                << ", afstand " << absl::StrFormat("%.2f", x.distance())
                << ", actueel " << absl::StrFormat("%.2f", x.freshness())
                << ", beschikbaar " << absl::StrFormat("%.2f", x.availability())
                << "\n";
      for (const auto& t : x.terms()) {
        std::cout << "        " << t.query_term() << " -> " << t.matched_term()
                  << " in " << t.field() << " (" << t.how() << ", "
                  << absl::StrFormat("%.3f", t.score()) << ")\n";
      }
    }
  }
  std::cout << "\n" << response.total_size() << " resultaten";
  if (!response.next_page_token().empty()) {
    std::cout << "; volgende pagina: --page-token "
              << response.next_page_token();
  }
  std::cout << "\n";
  for (const v1::Facet& facet : response.facets()) {
    std::cout << "\n"
              << model::Label(v1::FacetField_descriptor(), facet.field())
              << ":\n";
    int shown = 0;
    for (const auto& c : facet.counts()) {
      if (++shown > 15) break;
      std::cout << "  " << Pad(Fit(c.label(), 40), 42) << c.count() << "\n";
    }
  }
  return 0;
}

// ------------------------------------------------------------ watch

int RunWatch(const GlobalOptions& options, const std::string& cursor,
             bool follow, const std::vector<std::string>& organisations) {
  auto stub = v1::Directory::NewStub(Connect(options));
  auto context = NewContext(options, TokenUse::kRead, "", /*streaming=*/true);
  v1::WatchChangesRequest request;
  request.set_cursor(cursor);
  request.set_follow(follow);
  for (const auto& org : organisations) request.add_organisation_ids(org);
  auto reader = stub->WatchChanges(context.get(), request);
  v1::ChangeEvent event;
  while (reader->Read(&event)) {
    if (options.json) {
      std::cout << ToJson(event, /*pretty=*/false) << std::endl;
    } else {
      const v1::Entry& e = event.entry();
      std::cout << event.cursor() << "  " << e.id() << "  "
                << (e.withdrawn() ? "(ingetrokken)" : e.title()) << std::endl;
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportError(status);
  return 0;
}

}  // namespace

void AddDirectoryCommands(CLI::App& app, GlobalOptions& options,
                          int* exit_code) {
  auto publish_args = std::make_shared<PublishArgs>();
  CLI::App* publish = app.add_subcommand(
      "publish",
      "Publish entries from JSON files (one entry, or one per line)");
  publish
      ->add_option("files", publish_args->files,
                   "JSON or JSON-lines files, - for stdin")
      ->required();
  publish->add_option("--key", publish_args->key_file,
                      "Sign with this organisation key (for organisations the "
                      "node does not host)");
  publish->add_option("--keys-dir", publish_args->keys_dir,
                      "Sign each entry with <dir>/<organisation_id>.key");
  publish->add_flag("--create-only", publish_args->create_only,
                    "Refuse entries that exist");
  publish->add_flag("--validate-only", publish_args->validate_only,
                    "Check, store nothing");
  publish->add_option("--parallel", publish_args->parallel,
                      "Concurrent publishes (default 8)");
  publish->add_flag("--quiet", publish_args->quiet, "No summary line");
  publish->callback([&options, publish_args, exit_code] {
    *exit_code = RunPublish(options, *publish_args);
  });

  auto get_id = std::make_shared<std::string>();
  auto get_reveal = std::make_shared<bool>(false);
  auto get_purpose = std::make_shared<std::string>("doorverwijzing");
  CLI::App* get = app.add_subcommand("get", "Show one entry");
  get->add_option("id", *get_id, "Entry id, e.g. ggz-zuid-limburg/ips-heerlen")
      ->required();
  get->add_flag(
      "--reveal", *get_reveal,
      "Show contacts for professionals (needs a reader token; logged)");
  get->add_option("--purpose", *get_purpose,
                  "doorverwijzing, afstemming, overzicht or beheer");
  get->callback([&options, get_id, get_reveal, get_purpose, exit_code] {
    *exit_code = RunGet(options, *get_id, *get_reveal, *get_purpose);
  });

  auto withdraw_id = std::make_shared<std::string>();
  auto withdraw_erase = std::make_shared<bool>(false);
  auto withdraw_key = std::make_shared<std::string>();
  CLI::App* withdraw = app.add_subcommand("withdraw", "Withdraw an entry");
  withdraw->add_option("id", *withdraw_id, "Entry id")->required();
  withdraw->add_flag(
      "--erase", *withdraw_erase,
      "Also erase its content from every node's files (AVG art. 17)");
  withdraw->add_option("--key", *withdraw_key,
                       "Sign with this organisation key");
  withdraw->callback(
      [&options, withdraw_id, withdraw_erase, withdraw_key, exit_code] {
        *exit_code =
            RunWithdraw(options, *withdraw_id, *withdraw_erase, *withdraw_key);
      });

  auto s = std::make_shared<SearchArgs>();
  s->params.page_size = 10;
  CLI::App* search = app.add_subcommand("search", "Search the kaart");
  search->add_option("words", s->words, "Free text, e.g. ips psychose");
  search->add_option("--kind", s->params.kinds,
                     "e.g. jobcoach, ips-trajectbegeleider (comma list)");
  search->add_option("--intervention", s->params.interventions,
                     "e.g. ips, jobcarving");
  search->add_option("--target-group", s->params.target_groups,
                     "e.g. psychose, autisme");
  search->add_option("--regeling", s->params.regelingen,
                     "e.g. participatiewet, wajong");
  search->add_option("--area", s->params.areas,
                     "Gemeente (GM0935 or Maastricht) or region (AM30)");
  search->add_option("--org", s->params.organisations, "Organisation id");
  search->add_option("--org-type", s->params.organisation_types,
                     "e.g. ggz-instelling, rco");
  search->add_option("--language", s->params.languages, "ISO code, e.g. ar");
  search->add_option("--funding", s->params.funding, "e.g. uwv, gemeente");
  search->add_option("--quality-mark", s->params.quality_marks,
                     "e.g. blik-op-werk, ips-fidelity");
  search->add_option("--sector", s->params.sectors,
                     "Employer SBI section letter, e.g. Q");
  search->add_option("--offer", s->params.offers,
                     "Employer offer, e.g. garantiebaan");
  search->add_flag("--accepting", s->params.accepting,
                   "Only offers accepting new clients");
  search->add_flag("--fresh", s->params.fresh, "Leave out stale entries");
  search->add_option("--near", s->params.near,
                     "Postcode (6411 AB), gemeente, or lat,lon");
  search->add_option("--radius", s->params.radius, "Kilometres around --near");
  search->add_option("--sort", s->params.sort,
                     "relevance, distance or verified");
  search->add_option("--limit", s->params.page_size,
                     "Results per page (1-100, default 10)");
  search->add_option("--page-token", s->params.page_token,
                     "Continue with the next page");
  search->add_flag("--explain", s->params.explain,
                   "Show how each result was scored");
  search->add_option("--facets", s->params.facets,
                     "Count per field, e.g. kind,gemeente");
  search->callback(
      [&options, s, exit_code] { *exit_code = RunSearch(options, *s); });

  auto watch_cursor = std::make_shared<std::string>();
  auto watch_follow = std::make_shared<bool>(false);
  auto watch_orgs = std::make_shared<std::vector<std::string>>();
  CLI::App* watch = app.add_subcommand(
      "watch", "Print changes in the order the node applied them");
  watch->add_option("--cursor", *watch_cursor, "Continue after this cursor");
  watch->add_flag("--follow,-f", *watch_follow,
                  "Keep running and print new changes");
  watch->add_option("--org", *watch_orgs, "Only these organisations");
  watch->callback([&options, watch_cursor, watch_follow, watch_orgs,
                   exit_code] {
    *exit_code = RunWatch(options, *watch_cursor, *watch_follow, *watch_orgs);
  });
}

}  // namespace kaartnet::cli
