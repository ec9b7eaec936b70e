// kaart export | import: the kaart as a spreadsheet (CSV) or as Open
// Referral HSDS 3.0 JSON, and an organisation's entries read back from
// either, checked in full before anything is stored.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/kaart/commands.h"
#include "interop/hsds.h"
#include "interop/spreadsheet.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "model/search_params.h"

namespace kaartnet::cli {
namespace {

struct ExportArgs {
  std::string format = "csv";
  std::string output;
  std::vector<std::string> organisations;
  std::vector<std::string> areas;
  std::vector<std::string> kinds;
  bool contacts = false;
  std::string base_url;
};

struct ImportArgs {
  std::string file;
  std::string format;
  std::string organisation;
  bool dry_run = false;
  int parallel = 8;
};

absl::StatusOr<std::string> ReadFile(const std::string& file) {
  std::stringstream ss;
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", file));
    ss << in.rdbuf();
  }
  return ss.str();
}

// Every entry matching the filters, whole (FULL view); with `contacts`
// each is read again with its contacts for professionals (a publisher's
// own entries; logged by the node with purpose "beheer").
int CollectEntries(const GlobalOptions& options, const ExportArgs& args,
                   std::vector<v1::Entry>* entries) {
  model::SearchParams params;
  params.organisations = args.organisations;
  params.areas = args.areas;
  params.kinds = args.kinds;
  params.sort = "verified";
  params.page_size = 100;
  auto request = model::ToSearchRequest(params);
  if (!request.ok()) return ReportError(request.status());
  request->set_view(v1::ENTRY_VIEW_FULL);
  auto stub = v1::Directory::NewStub(Connect(options));
  while (true) {
    v1::SearchResponse response;
    grpc::Status status = RetryWhenOverloaded([&] {
      auto context = NewContext(options);
      return stub->Search(context.get(), *request, &response);
    });
    if (!status.ok()) return ReportError(status, "search");
    for (const auto& hit : response.hits()) entries->push_back(hit.entry());
    if (response.next_page_token().empty()) break;
    request->set_page_token(response.next_page_token());
  }
  if (!args.contacts) return 0;
  std::mutex mu;
  int failed = 0;
  ForEachParallel(entries->size(), 8, [&](size_t i) {
    v1::Entry& entry = (*entries)[i];
    v1::GetRequest get;
    get.set_id(entry.id());
    get.set_reveal_contacts(true);
    get.set_purpose("beheer");
    v1::GetResponse got;
    grpc::Status status = RetryWhenOverloaded([&] {
      auto context =
          NewContext(options, TokenUse::kPublish, entry.organisation_id());
      return stub->Get(context.get(), get, &got);
    });
    std::lock_guard<std::mutex> lock(mu);
    if (!status.ok()) {
      if (failed++ == 0) ReportError(status, entry.id());
      return;
    }
    entry = got.entry();
  });
  return failed == 0 ? 0 : 1;
}

int RunExport(const GlobalOptions& options, const ExportArgs& args) {
  if (args.format != "csv" && args.format != "hsds") {
    std::cerr << "kaart: --format is csv or hsds\n";
    return 1;
  }
  if (args.contacts && args.organisations.size() != 1) {
    std::cerr << "kaart: --contacts needs exactly one --org (a publisher "
                 "reads its own contacts for professionals)\n";
    return 1;
  }
  std::vector<v1::Entry> entries;
  if (int code = CollectEntries(options, args, &entries); code != 0)
    return code;
  std::string out;
  if (args.format == "csv") {
    out = interop::EntriesToSpreadsheet(entries);
  } else {
    auto admin = v1::Admin::NewStub(Connect(options));
    auto context = NewContext(options);
    v1::ListOrganisationsResponse orgs;
    grpc::Status status = admin->ListOrganisations(
        context.get(), v1::ListOrganisationsRequest(), &orgs);
    if (!status.ok()) return ReportError(status, "organisations");
    std::vector<v1::Organisation> organisations;
    for (const auto& info : orgs.organisations())
      organisations.push_back(info.organisation());
    out = interop::HsdsDataset(entries, organisations, args.base_url)
              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    out += "\n";
  }
  if (args.output.empty() || args.output == "-") {
    std::cout << out;
  } else {
    std::ofstream file(args.output, std::ios::binary);
    file << out;
    if (!file.good()) {
      std::cerr << "kaart: cannot write " << args.output << "\n";
      return 1;
    }
    std::cerr << entries.size() << " aanbod geschreven naar " << args.output
              << "\n";
  }
  return 0;
}

// An entry read from the file, where it came from, and how to name a
// field of it for the reader of the report.
struct ImportItem {
  std::string where;
  v1::Entry entry;
};

int RunImport(const GlobalOptions& options, const ImportArgs& args) {
  auto text = ReadFile(args.file);
  if (!text.ok()) return ReportError(text.status());
  std::string format = args.format;
  if (format.empty()) {
    format = absl::EndsWith(args.file, ".json") ? "hsds" : "csv";
  }
  const bool csv = format == "csv";
  std::vector<ImportItem> items;
  std::vector<std::string> problems;
  if (csv) {
    interop::SpreadsheetImport parsed =
        interop::ParseSpreadsheet(*text, args.organisation);
    for (const auto& p : parsed.problems) {
      problems.push_back(absl::StrCat("regel ", p.line,
                                      p.column.empty() ? "" : ", kolom ",
                                      p.column, ": ", p.message));
    }
    for (auto& row : parsed.rows)
      items.push_back({absl::StrCat("regel ", row.line), std::move(row.entry)});
  } else if (format == "hsds") {
    interop::HsdsImport parsed = interop::ParseHsds(*text, args.organisation);
    for (const auto& p : parsed.problems)
      problems.push_back(absl::StrCat(p.where, ": ", p.message));
    for (auto& item : parsed.entries)
      items.push_back({item.where, std::move(item.entry)});
  } else {
    std::cerr << "kaart: --format is csv or hsds\n";
    return 1;
  }

  // Check every entry with the node (validation, admission, rights) before
  // storing any: all or nothing.
  auto channel = Connect(options);
  std::mutex mu;
  ForEachParallel(items.size(), args.parallel, [&](size_t i) {
    auto stub = v1::Directory::NewStub(channel);
    // A file without the contacts for professionals an entry has (exported
    // without --contacts) would delete them: refuse that row.
    int professionals = 0;
    for (const auto& c : items[i].entry.contacts())
      professionals += c.visibility() == v1::VISIBILITY_PROFESSIONALS;
    if (professionals == 0) {
      v1::GetRequest get;
      get.set_id(items[i].entry.id());
      v1::GetResponse stored;
      grpc::Status got = RetryWhenOverloaded([&] {
        auto context =
            NewContext(options, TokenUse::kPublish, args.organisation);
        return stub->Get(context.get(), get, &stored);
      });
      if (got.ok() && !stored.entry().withdrawn() &&
          stored.status().hidden_contacts() > 0) {
        std::lock_guard<std::mutex> lock(mu);
        problems.push_back(absl::StrCat(
            items[i].where, ", ",
            csv ? "kolom contact_zichtbaarheid" : "contacts", ": ",
            items[i].entry.id(), " heeft ", stored.status().hidden_contacts(),
            " contactperso",
            stored.status().hidden_contacts() == 1 ? "on" : "nen",
            " voor professionals die niet in het bestand staan; zij zouden "
            "verdwijnen (exporteer met --contacts)"));
        return;
      }
    }
    v1::PublishRequest request;
    *request.mutable_entry() = items[i].entry;
    request.set_validate_only(true);
    v1::PublishResponse response;
    grpc::Status status = RetryWhenOverloaded([&] {
      auto context = NewContext(options, TokenUse::kPublish, args.organisation);
      return stub->Publish(context.get(), request, &response);
    });
    if (status.ok()) return;
    std::lock_guard<std::mutex> lock(mu);
    auto violations = FieldViolationsOf(status);
    if (violations.empty()) {
      problems.push_back(absl::StrCat(items[i].where, " (", items[i].entry.id(),
                                      "): ", status.error_message()));
    }
    for (const auto& [field, description] : violations) {
      problems.push_back(
          absl::StrCat(items[i].where, ", ",
                       csv ? absl::StrCat("kolom ", interop::ColumnOf(field))
                           : (field.empty() ? std::string("(aanbod)") : field),
                       ": ", description));
    }
  });
  if (!problems.empty()) {
    std::sort(problems.begin(), problems.end());
    for (const std::string& p : problems) std::cerr << p << "\n";
    std::cerr << "niet geïmporteerd: " << problems.size()
              << (problems.size() == 1 ? " probleem" : " problemen") << " in "
              << args.file << "; er is niets opgeslagen\n";
    return 1;
  }
  if (args.dry_run) {
    std::cout << "in orde: " << items.size()
              << " aanbod gecontroleerd, niets opgeslagen (--dry-run)\n";
    return 0;
  }
  std::atomic<size_t> created{0}, updated{0};
  std::vector<std::string> failures;
  ForEachParallel(items.size(), args.parallel, [&](size_t i) {
    auto stub = v1::Directory::NewStub(channel);
    v1::PublishRequest request;
    *request.mutable_entry() = items[i].entry;
    v1::PublishResponse response;
    grpc::Status status = RetryWhenOverloaded([&] {
      auto context = NewContext(options, TokenUse::kPublish, args.organisation);
      return stub->Publish(context.get(), request, &response);
    });
    if (status.ok()) {
      (response.created() ? created : updated)++;
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    failures.push_back(absl::StrCat(items[i].where, " (", items[i].entry.id(),
                                    "): ", status.error_message()));
  });
  for (const std::string& f : failures) std::cerr << f << "\n";
  std::cout << "geïmporteerd: " << created.load() << " nieuw, "
            << updated.load() << " bijgewerkt";
  if (!failures.empty()) {
    std::cout << ", " << failures.size()
              << " niet (de node was onbereikbaar of een nieuwere versie "
                 "kwam ertussen; opnieuw importeren is veilig)";
  }
  std::cout << "\n";
  return failures.empty() ? 0 : 2;
}

}  // namespace

void AddInteropCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  auto e = std::make_shared<ExportArgs>();
  CLI::App* exp = app.add_subcommand(
      "export", "Write the kaart (or part of it) as a spreadsheet or HSDS");
  exp->add_option("--format", e->format, "csv (default) or hsds")
      ->check(CLI::IsMember({"csv", "hsds"}));
  exp->add_option("-o,--output", e->output, "File to write (default stdout)");
  exp->add_option("--org", e->organisations, "Only these organisations");
  exp->add_option("--area", e->areas, "Only entries serving GMxxxx / AMxx");
  exp->add_option("--kind", e->kinds, "Only these kinds");
  exp->add_flag("--contacts", e->contacts,
                "Include contacts for professionals (own --org only; the "
                "node logs each read with purpose beheer)");
  exp->add_option("--base-url", e->base_url,
                  "HSDS: the web address of the node, for each service's url");
  exp->callback(
      [&options, e, exit_code] { *exit_code = RunExport(options, *e); });

  auto i = std::make_shared<ImportArgs>();
  CLI::App* imp = app.add_subcommand(
      "import",
      "Publish an organisation's entries from a spreadsheet or HSDS JSON: "
      "every row is checked by the node first; one problem and nothing is "
      "stored");
  imp->add_option("file", i->file, "CSV or JSON file (- for stdin)")
      ->required();
  imp->add_option("--format", i->format,
                  "csv or hsds (default: hsds for .json, else csv)")
      ->check(CLI::IsMember({"csv", "hsds"}));
  imp->add_option("--org", i->organisation,
                  "The organisation the entries are of")
      ->required();
  imp->add_flag("--dry-run", i->dry_run,
                "Check every row and report every problem; store nothing");
  imp->add_option("--parallel", i->parallel, "Concurrent requests (default 8)");
  imp->callback(
      [&options, i, exit_code] { *exit_code = RunImport(options, *i); });
}

}  // namespace kaartnet::cli
