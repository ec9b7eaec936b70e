// kaart orgs | status | keygen | admin admit/peers/backup/backups/restore |
// demo-data
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "clients/demo/demo_data.h"
#include "clients/kaart/commands.h"
#include "common/hlc.h"
#include "common/reference_data.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "model/vocabulary.h"
#include "storage/store.h"
#include "trust/keys.h"
#include "trust/signing.h"

namespace kaartnet::cli {
namespace {

absl::StatusOr<absl::Time> ParseDate(const std::string& text) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &error))
    return t;
  if (absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return t;
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a date (YYYY-MM-DD)"));
}

int RunOrgs(const GlobalOptions& options) {
  auto stub = v1::Admin::NewStub(Connect(options));
  auto context = NewContext(options);
  v1::ListOrganisationsResponse response;
  grpc::Status status = stub->ListOrganisations(
      context.get(), v1::ListOrganisationsRequest(), &response);
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  std::cout << Pad("Organisatie", 34) << Pad("Naam", 40) << Pad("Type", 28)
            << Pad("Regio", 7) << Pad("Aanbod", 8) << Pad("Verouderd", 11)
            << "Hier\n";
  for (const auto& info : response.organisations()) {
    const auto& o = info.organisation();
    std::cout << Pad(Fit(o.organisation_id(), 33), 34)
              << Pad(Fit(o.name(), 39), 40)
              << Pad(Fit(model::Label(v1::OrganisationType_descriptor(),
                                      o.type()),
                         27),
                     28)
              << Pad(o.region(), 7) << Pad(absl::StrCat(info.entry_count()), 8)
              << Pad(absl::StrCat(info.stale_count()), 11)
              << (info.hosted_here() ? "ja" : "")
              << (o.revoked() ? " (ingetrokken)" : "") << "\n";
  }
  std::cout << response.organisations_size() << " organisaties\n";
  return 0;
}

std::string SinceText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

void PrintPeers(
    const google::protobuf::RepeatedPtrField<v1::PeerState>& peers) {
  if (peers.empty()) {
    std::cout
        << "geen peers (voeg toe met: kaart admin peers add HOST:POORT)\n";
    return;
  }
  std::cout << Pad("Peer", 24) << Pad("Node", 16) << Pad("Richting", 10)
            << Pad("Verbonden", 11) << Pad("Achterstand", 18)
            << Pad("Verstuurd", 11) << Pad("Ontvangen", 11) << "Geweigerd\n";
  for (const v1::PeerState& peer : peers) {
    std::string lag = absl::StrCat(peer.lag_records());
    if (peer.lag_seconds() > 0)
      absl::StrAppend(&lag, absl::StrFormat(" (%.1f s)", peer.lag_seconds()));
    std::cout << Pad(Fit(peer.address(), 23), 24)
              << Pad(Fit(peer.node_id(), 15), 16)
              << Pad(peer.outbound() ? "uit" : "in", 10)
              << Pad(peer.connected() ? "ja" : "nee", 11) << Pad(lag, 18)
              << Pad(absl::StrCat(peer.records_sent()), 11)
              << Pad(absl::StrCat(peer.records_received()), 11)
              << peer.records_refused()
              << (peer.records_refused() > 0 ? "  (!)" : "") << "\n";
    if (!peer.connected() && !peer.last_error().empty()) {
      std::cout << "    laatste fout " << SinceText(peer.last_error_at())
                << ": " << peer.last_error() << "\n";
    }
    if (!peer.warning().empty())
      std::cout << "    (!) " << peer.warning() << "\n";
  }
}

int RunStatus(const GlobalOptions& options) {
  auto stub = v1::Admin::NewStub(Connect(options));
  auto context = NewContext(options, TokenUse::kNodeAdmin);
  v1::NodeStatus status;
  grpc::Status rpc =
      stub->GetNodeStatus(context.get(), v1::GetNodeStatusRequest(), &status);
  if (!rpc.ok()) return ReportError(rpc);
  if (options.json) {
    std::cout << ToJson(status) << "\n";
    return 0;
  }
  std::cout << "node:          " << status.node_id() << " (kaartnetd "
            << status.version() << ")\n"
            << "regio:         " << status.region() << "\n"
            << "gestart:       "
            << absl::FormatTime(
                   "%Y-%m-%d %H:%M:%S UTC",
                   absl::FromUnixSeconds(status.started_at().seconds()),
                   absl::UTCTimeZone())
            << "\n"
            << "aanbod:        " << status.live_entries() << " ("
            << status.stale_entries() << " verouderd, "
            << status.withdrawn_entries() << " ingetrokken)\n"
            << "organisaties:  " << status.organisations() << "\n"
            << "opslag:        " << status.data_dir() << ", "
            << absl::StrFormat("%.1f MB", status.disk_bytes() / 1e6) << "\n"
            << "klok (HLC):    "
            << absl::FormatTime("%Y-%m-%d %H:%M:%E3S UTC",
                                HybridLogicalClock::ToTime(status.hlc()),
                                absl::UTCTimeZone())
            << "\n"
            << "toestand:      "
            << absl::StrFormat("%016x", status.state_digest())
            << " (gelijk op nodes met dezelfde gegevens)\n"
            << "frontier:\n";
  for (const auto& f : status.frontier()) {
    std::cout << "  " << Pad(f.origin_node_id(), 30) << f.frontier() << "\n";
  }
  if (status.refused_records() > 0 || status.skewed_records() > 0) {
    std::cout << "geweigerd:     " << status.refused_records()
              << " records van peers\n"
              << "klokafwijking: " << status.skewed_records()
              << " records te ver in de toekomst gedateerd\n";
  }
  if (status.tombstones_removed() > 0 || status.entries_pruned() > 0) {
    std::cout << "opgeruimd:     " << status.tombstones_removed()
              << " intrekkingen ouder dan de horizon, "
              << status.entries_pruned()
              << " vermeldingen die een peer niet meer heeft (snapshot)\n";
  }
  std::cout << "peers:\n";
  PrintPeers(status.peers());
  return 0;
}

int RunPeers(const GlobalOptions& options, const std::string& action,
             const std::string& address) {
  auto stub = v1::Admin::NewStub(Connect(options));
  auto context = NewContext(options, TokenUse::kNodeAdmin);
  v1::ListPeersResponse response;
  grpc::Status status;
  if (action == "add") {
    v1::AddPeerRequest request;
    request.set_address(address);
    status = stub->AddPeer(context.get(), request, &response);
  } else if (action == "remove") {
    v1::RemovePeerRequest request;
    request.set_address(address);
    status = stub->RemovePeer(context.get(), request, &response);
  } else {
    status = stub->ListPeers(context.get(), v1::ListPeersRequest(), &response);
  }
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  PrintPeers(response.peers());
  return 0;
}

std::string Megabytes(uint64_t bytes) {
  return absl::StrFormat("%.1f MB", static_cast<double>(bytes) / 1e6);
}

int RunBackup(const GlobalOptions& options, uint32_t keep) {
  auto stub = v1::Admin::NewStub(Connect(options));
  auto context = NewContext(options, TokenUse::kNodeAdmin);
  // A backup of a large node takes longer than an ordinary call.
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(30));
  v1::CreateBackupRequest request;
  request.set_keep(keep);
  v1::CreateBackupResponse response;
  grpc::Status status = stub->CreateBackup(context.get(), request, &response);
  if (!status.ok()) return ReportError(status);
  if (options.json) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  std::cout << "backup " << response.backup_id() << " van "
            << response.node_id() << ": " << response.live_entries()
            << " items, " << Megabytes(response.size_bytes()) << ", in "
            << response.backup_dir() << "\n"
            << "terugzetten (node gestopt): kaart admin restore --dir "
            << response.backup_dir() << " --id " << response.backup_id()
            << " --data-dir DATA_DIR\n";
  return 0;
}

int RunListBackups(const std::string& dir) {
  auto backups = storage::ListBackups(dir);
  if (!backups.ok()) return ReportError(backups.status());
  if (backups->empty()) std::cout << "geen backups in " << dir << "\n";
  for (const storage::BackupInfo& b : *backups) {
    std::cout << absl::StrFormat(
        "%4d  %s  %10s  %s\n", b.id,
        absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", b.created,
                         absl::UTCTimeZone()),
        Megabytes(b.size_bytes), b.metadata);
  }
  return 0;
}

int RunRestore(const std::string& dir, uint32_t id,
               const std::string& data_dir) {
  auto aside = storage::RestoreBackup(dir, id, data_dir, absl::Now());
  if (!aside.ok()) return ReportError(aside.status());
  std::cout << "backup "
            << (id == 0 ? std::string("(nieuwste)") : absl::StrCat(id))
            << " teruggezet in " << data_dir << "\n";
  if (!aside->empty())
    std::cout << "de vorige inhoud staat in " << *aside << "\n";
  std::cout << "start de node: hij haalt bij zijn peers op wat na de backup "
               "is gebeurd en gaat verder onder een nieuwe origin.\n";
  return 0;
}

int RunKeygen(const std::string& prefix) {
  trust::SigningKey key = trust::SigningKey::Generate();
  const std::string secret = prefix + ".key";
  const std::string pub = prefix + ".pub";
  if (auto s = key.WriteSecretFile(secret); !s.ok()) return ReportError(s);
  if (auto s = key.WritePublicFile(pub); !s.ok()) return ReportError(s);
  std::cout << "sleutel " << key.key_id() << "\n  geheim:   " << secret
            << " (bewaar veilig, nooit delen)\n  publiek:  " << pub << "\n"
            << trust::FormatPublicKey(key.public_key()) << "\n";
  return 0;
}

struct AdmitArgs {
  std::string anchor_key;
  std::string organisation_id;
  std::string name;
  std::string type;
  std::vector<std::string> org_keys;
  std::vector<std::string> kinds;
  std::vector<std::string> area;
  std::string region;
  uint64_t version = 1;
  std::string valid_until;
  std::string kvk;
  std::string website;
  bool revoked = false;
  std::string out;
  bool put = false;
};

int RunAdmit(const GlobalOptions& options, const AdmitArgs& args) {
  auto anchor = trust::SigningKey::ReadFile(args.anchor_key);
  if (!anchor.ok()) return ReportError(anchor.status());
  v1::Organisation org;
  org.set_organisation_id(args.organisation_id);
  org.set_name(args.name);
  org.set_kvk_number(args.kvk);
  org.set_website(args.website);
  auto type = model::ParseEnum(v1::OrganisationType_descriptor(), args.type);
  if (!type.ok()) return ReportError(type.status(), "--type");
  org.set_type(static_cast<v1::OrganisationType>(*type));
  org.set_version(args.version);
  org.set_region(args.region);
  org.set_revoked(args.revoked);
  for (const std::string& file : args.org_keys) {
    auto key = trust::ReadPublicKeyFile(file);
    if (!key.ok()) return ReportError(key.status(), "--org-key");
    v1::PublicKey* pk = org.add_public_keys();
    pk->set_key_id(trust::KeyIdFor(*key));
    pk->set_ed25519(*key);
  }
  for (const std::string& list : args.kinds) {
    for (absl::string_view kind :
         absl::StrSplit(list, ',', absl::SkipEmpty())) {
      auto parsed = model::ParseEnum(v1::EntryKind_descriptor(), kind);
      if (!parsed.ok()) return ReportError(parsed.status(), "--kinds");
      org.add_allowed_kinds(static_cast<v1::EntryKind>(*parsed));
    }
  }
  for (const std::string& list : args.area) {
    for (absl::string_view code :
         absl::StrSplit(list, ',', absl::SkipEmpty())) {
      if (absl::StartsWith(code, "AM")) {
        org.mutable_allowed_area()->add_arbeidsmarktregio_codes(
            std::string(code));
      } else {
        org.mutable_allowed_area()->add_gemeentecodes(std::string(code));
      }
    }
  }
  if (!args.valid_until.empty()) {
    auto until = ParseDate(args.valid_until);
    if (!until.ok()) return ReportError(until.status(), "--valid-until");
    org.mutable_valid_until()->set_seconds(absl::ToUnixSeconds(*until));
  }
  const v1::SignedAdmission admission = trust::SignAdmission(org, *anchor);
  if (!args.out.empty()) {
    std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
    out << admission.SerializeAsString();
    if (!out) {
      std::cerr << "kaart: cannot write " << args.out << "\n";
      return 1;
    }
    std::cout << "toelating van " << org.organisation_id() << " (versie "
              << org.version() << ") geschreven naar " << args.out << "\n";
  }
  if (args.put) {
    auto stub = v1::Admin::NewStub(Connect(options));
    auto context = NewContext(options, TokenUse::kRegionAdmin);
    v1::PutAdmissionRequest request;
    *request.mutable_admission() = admission;
    v1::PutAdmissionResponse response;
    grpc::Status status = stub->PutAdmission(context.get(), request, &response);
    if (!status.ok()) return ReportError(status);
    std::cout << "toelating van " << org.organisation_id() << " (versie "
              << org.version() << ") opgeslagen op " << options.node << "\n";
  }
  if (args.out.empty() && !args.put) {
    std::cerr << "kaart: give --out FILE and/or --put\n";
    return 1;
  }
  return 0;
}

int RunDemoData(uint64_t seed, size_t count, const std::string& out,
                const std::string& now) {
  demo::DemoOptions options;
  options.seed = seed;
  options.count = count;
  if (!now.empty()) {
    auto t = ParseDate(now);
    if (!t.ok()) return ReportError(t.status(), "--now");
    options.now = *t;
  } else {
    options.now = absl::Now();
  }
  const demo::DemoData data = demo::Generate(options);
  if (auto s = demo::WriteDemoData(data, out); !s.ok()) return ReportError(s);
  size_t zl = 0;
  for (const auto& e : data.entries) {
    if (e.locations_size() == 0) continue;
    const Gemeente* g =
        ReferenceData::Get().FindGemeente(e.locations(0).gemeentecode());
    if (g != nullptr && g->arbeidsmarktregio_code == "AM30") ++zl;
  }
  std::cout << "demo-data (seed " << seed << ") in " << out << ": "
            << data.entries.size() << " entries (" << zl
            << " in Zuid-Limburg), " << data.organisations.size()
            << " organisations, " << data.regions.size() << " regions\n";
  return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, GlobalOptions& options, int* exit_code) {
  app.add_subcommand("orgs", "List the organisations admitted to the region")
      ->callback([&options, exit_code] { *exit_code = RunOrgs(options); });
  app.add_subcommand("status", "Show the state of the node")
      ->callback([&options, exit_code] { *exit_code = RunStatus(options); });

  auto keygen_prefix = std::make_shared<std::string>();
  CLI::App* keygen = app.add_subcommand(
      "keygen", "Make an Ed25519 key pair (PREFIX.key, .pub)");
  keygen
      ->add_option("--out", *keygen_prefix,
                   "Path prefix, e.g. keys/mijn-organisatie")
      ->required();
  keygen->callback(
      [keygen_prefix, exit_code] { *exit_code = RunKeygen(*keygen_prefix); });

  CLI::App* admin =
      app.add_subcommand("admin", "Region and node administration");
  admin->require_subcommand(1);
  auto a = std::make_shared<AdmitArgs>();
  CLI::App* admit =
      admin->add_subcommand("admit",
                            "Admit an organisation: sign its admission with "
                            "the region's trust anchor");
  admit->add_option("--anchor-key", a->anchor_key, "The region's secret key")
      ->required();
  admit->add_option("--org", a->organisation_id, "Organisation id (slug)")
      ->required();
  admit->add_option("--name", a->name, "Display name")->required();
  admit->add_option("--type", a->type, "e.g. ggz-instelling, rco, werkgever")
      ->required();
  admit
      ->add_option("--org-key", a->org_keys,
                   "Public key file(s) of the organisation")
      ->required();
  admit
      ->add_option("--kinds", a->kinds,
                   "Entry kinds it may publish (comma list)")
      ->required();
  admit
      ->add_option("--area", a->area,
                   "Gemeenten (GMxxxx) and/or regions (AMxx)")
      ->required();
  admit->add_option("--region", a->region, "The anchor's region, e.g. AM30")
      ->required();
  admit->add_option("--version", a->version,
                    "Admission version (increase for every change)");
  admit->add_option("--valid-until", a->valid_until,
                    "End of the admission (YYYY-MM-DD)");
  admit->add_option("--kvk", a->kvk, "KvK number");
  admit->add_option("--website", a->website, "Website");
  admit->add_flag("--revoked", a->revoked,
                  "Remove the organisation from the region");
  admit->add_option("--out", a->out, "Write the signed admission to this file");
  admit->add_flag("--put", a->put, "Send it to the node (region-admin token)");
  admit->callback(
      [&options, a, exit_code] { *exit_code = RunAdmit(options, *a); });

  CLI::App* peers = admin->add_subcommand(
      "peers", "Peers this node replicates with (list, add, remove)");
  peers->require_subcommand(1);
  auto peer_address = std::make_shared<std::string>();
  peers->add_subcommand("list", "Peers with their state")
      ->callback([&options, exit_code] {
        *exit_code = RunPeers(options, "list", "");
      });
  for (const char* action : {"add", "remove"}) {
    CLI::App* sub = peers->add_subcommand(
        action, std::string(action) == "add"
                    ? "Replicate with the node at HOST:PORT (kept across "
                      "restarts)"
                    : "Stop replicating with HOST:PORT; or, given a node "
                      "id, forget a node taken out of the region (it no "
                      "longer holds removals of old withdrawals back)");
    sub->add_option("address", *peer_address,
                    std::string(action) == "add"
                        ? "gRPC address, HOST:PORT"
                        : "gRPC address HOST:PORT, or node id")
        ->required();
    sub->callback([&options, exit_code, peer_address, action] {
      *exit_code = RunPeers(options, action, *peer_address);
    });
  }

  auto keep = std::make_shared<uint32_t>(0);
  CLI::App* backup = admin->add_subcommand(
      "backup",
      "Back up the node's data while it serves (into its backup_dir)");
  backup->add_option("--keep", *keep,
                     "Keep only the newest N backups (default: all)");
  backup->callback(
      [&options, keep, exit_code] { *exit_code = RunBackup(options, *keep); });
  auto backup_dir = std::make_shared<std::string>();
  CLI::App* backups = admin->add_subcommand(
      "backups", "List the backups in a backup directory");
  backups->add_option("--dir", *backup_dir, "Backup directory")->required();
  backups->callback(
      [backup_dir, exit_code] { *exit_code = RunListBackups(*backup_dir); });
  auto restore_id = std::make_shared<uint32_t>(0);
  auto data_dir = std::make_shared<std::string>();
  CLI::App* restore = admin->add_subcommand(
      "restore",
      "Make a backup the node's data directory (stop the node first)");
  restore->add_option("--dir", *backup_dir, "Backup directory")->required();
  restore->add_option("--id", *restore_id, "Backup id (default: the newest)");
  restore->add_option("--data-dir", *data_dir, "The node's data_dir")
      ->required();
  restore->callback([backup_dir, restore_id, data_dir, exit_code] {
    *exit_code = RunRestore(*backup_dir, *restore_id, *data_dir);
  });

  auto seed = std::make_shared<uint64_t>(1);
  auto count = std::make_shared<size_t>(1000);
  auto out = std::make_shared<std::string>();
  auto now = std::make_shared<std::string>();
  CLI::App* demo = app.add_subcommand(
      "demo-data",
      "Generate deterministic demo data (organisations, keys, entries)");
  demo->add_option("--seed", *seed, "Random seed (default 1)");
  demo->add_option("--count", *count, "Number of entries (default 1000)");
  demo->add_option("--out", *out, "Directory to write")->required();
  demo->add_option("--now", *now,
                   "Reference date for last_verified (default today)");
  demo->callback([seed, count, out, now, exit_code] {
    *exit_code = RunDemoData(*seed, *count, *out, *now);
  });
}

}  // namespace kaartnet::cli
