// kaart admin tokens create/list/revoke | admin audit verify
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "clients/kaart/commands.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "trust/access_log.h"
#include "trust/tokens.h"

namespace kaartnet::cli {
namespace {

struct TokenArgs {
  std::string file;
  std::string role;
  std::vector<std::string> organisations;
  std::string name;
  std::string expires;  // YYYY-MM-DD
  int days = 0;
  std::string id;
};

std::string DateText(int64_t unix_seconds) {
  if (unix_seconds == 0) return "nooit";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

// Holds an exclusive lock on "<file>.lock" so that two `kaart admin tokens`
// commands do not undo each other's change.
class FileLock {
 public:
  explicit FileLock(const std::string& file)
      : fd_(::open((file + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                   0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

int RunTokensCreate(const TokenArgs& args) {
  FileLock lock(args.file);
  auto role = trust::ParseRole(args.role);
  if (!role.ok()) return ReportError(role.status(), "--role");
  const absl::Time now = absl::Now();
  absl::Time expires = absl::InfiniteFuture();
  if (args.days < 0) {
    return ReportError(
        absl::InvalidArgumentError("--days must be 1 or more (leave it out "
                                   "for a token that does not expire)"));
  }
  if (!args.expires.empty()) {
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", args.expires, absl::UTCTimeZone(),
                         &expires, &error)) {
      return ReportError(absl::InvalidArgumentError(absl::StrCat(
                             "\"", args.expires, "\" is not YYYY-MM-DD")),
                         "--expires");
    }
    expires += absl::Hours(24);  // valid through that whole day (UTC)
  } else if (args.days > 0) {
    expires = now + absl::Hours(24) * args.days;
  }
  auto file = trust::ReadTokenFile(args.file);
  if (!file.ok()) return ReportError(file.status());
  // One token per organisation (one without organisation for other roles).
  std::vector<std::string> organisations = args.organisations;
  if (organisations.empty()) organisations.emplace_back();
  std::vector<trust::NewToken> made;
  for (const std::string& organisation : organisations) {
    auto token = trust::MakeToken(*role, organisation, expires, args.name, now);
    if (!token.ok()) return ReportError(token.status());
    *file->add_tokens() = token->stored;
    made.push_back(*std::move(token));
  }
  // Refuse to write a file the node would not load.
  if (auto table = trust::TokenTable::Build(*file); !table.ok())
    return ReportError(table.status());
  if (absl::Status s = trust::WriteTokenFile(args.file, *file); !s.ok())
    return ReportError(s);
  std::cerr << made.size() << " token(s) " << args.role << ", verloopt "
            << DateText(made[0].stored.expires_unix()) << ", toegevoegd aan "
            << args.file << "; de node leest ze binnen een seconde.\n"
            << "Geef het token aan de gebruiker; het staat nergens anders"
            << (made.size() > 1 ? " (per regel: organisatie token)" : "")
            << ":\n";
  for (const trust::NewToken& token : made) {
    if (made.size() > 1) std::cout << token.stored.organisation_id() << " ";
    std::cout << token.token << "\n";
  }
  return 0;
}

int RunTokensList(const GlobalOptions& options, const TokenArgs& args) {
  auto file = trust::ReadTokenFile(args.file);
  if (!file.ok()) return ReportError(file.status());
  if (options.json) {
    std::cout << ToJson(*file) << "\n";
    return 0;
  }
  std::cout << absl::StrFormat("%-16s  %-12s  %-24s  %-10s  %s\n", "id", "rol",
                               "organisatie", "verloopt", "naam");
  for (const v1::StoredToken& t : file->tokens()) {
    const bool expired = t.expires_unix() != 0 &&
                         absl::FromUnixSeconds(t.expires_unix()) <= absl::Now();
    std::cout << absl::StrFormat(
        "%-16s  %-12s  %-24s  %-10s  %s%s\n", t.id(), t.role(),
        t.organisation_id().empty() ? "-" : t.organisation_id(),
        DateText(t.expires_unix()), t.name(), expired ? " (verlopen)" : "");
  }
  return 0;
}

int RunTokensRevoke(const TokenArgs& args) {
  FileLock lock(args.file);
  auto file = trust::ReadTokenFile(args.file);
  if (!file.ok()) return ReportError(file.status());
  auto* tokens = file->mutable_tokens();
  const int before = tokens->size();
  for (int i = tokens->size() - 1; i >= 0; --i) {
    if (tokens->Get(i).id() == args.id) tokens->DeleteSubrange(i, 1);
  }
  if (tokens->size() == before) {
    return ReportError(absl::NotFoundError(
        absl::StrCat("no token with id ", args.id, " in ", args.file,
                     " (`kaart admin tokens list --file ", args.file, "`)")));
  }
  if (absl::Status s = trust::WriteTokenFile(args.file, *file); !s.ok())
    return ReportError(s);
  std::cout << "token " << args.id
            << " ingetrokken; de node weigert het binnen een seconde.\n";
  return 0;
}

int RunAuditVerify(const GlobalOptions& options, const std::string& dir) {
  v1::VerifyAccessLogResponse result;
  if (!dir.empty()) {
    result = trust::AccessLog::Verify(dir);
  } else {
    auto stub = v1::Admin::NewStub(Connect(options));
    auto context = NewContext(options, TokenUse::kNodeAdmin);
    grpc::Status status = stub->VerifyAccessLog(
        context.get(), v1::VerifyAccessLogRequest(), &result);
    if (!status.ok()) return ReportError(status);
  }
  if (options.json) {
    std::cout << ToJson(result) << "\n";
  } else if (result.intact()) {
    std::cout << "toegangslog intact: " << result.records() << " records in "
              << result.files() << " bestand(en)";
    if (result.records() > 0) {
      std::cout << ", van "
                << absl::FormatTime(
                       "%Y-%m-%d %H:%M",
                       absl::FromUnixSeconds(result.first_record().seconds()),
                       absl::UTCTimeZone())
                << " tot "
                << absl::FormatTime(
                       "%Y-%m-%d %H:%M UTC",
                       absl::FromUnixSeconds(result.last_record().seconds()),
                       absl::UTCTimeZone())
                << "\nlaatste hash: " << result.head_hash();
    }
    std::cout << "\n";
  } else {
    std::cout << "toegangslog NIET intact: " << result.problem() << "\n"
              << "(" << result.records() << " records ervoor zijn in orde)\n";
  }
  return result.intact() ? 0 : 4;
}

}  // namespace

void AddSecurityCommands(CLI::App& admin, GlobalOptions& options,
                         int* exit_code) {
  auto t = std::make_shared<TokenArgs>();
  CLI::App* tokens = admin.add_subcommand(
      "tokens", "Bearer tokens of this node's users (create, list, revoke)");
  tokens->require_subcommand(1);
  CLI::App* create = tokens->add_subcommand(
      "create", "Make a token; prints it once (only its hash is stored)");
  create->add_option("--file", t->file, "The node's tokens_file")->required();
  create
      ->add_option("--role", t->role,
                   "reader, publisher, region-admin or node-admin")
      ->required();
  create
      ->add_option("--organisation", t->organisations,
                   "The organisation a publisher publishes for; several "
                   "(comma list) make one token each, printed as "
                   "\"organisation token\" lines")
      ->delimiter(',');
  create->add_option("--name", t->name,
                     "Whose token, e.g. \"klantmanager Heerlen\"");
  create->add_option("--days", t->days, "Valid for this many days");
  create->add_option("--expires", t->expires, "Valid until YYYY-MM-DD");
  create->callback([t, exit_code] { *exit_code = RunTokensCreate(*t); });
  CLI::App* list = tokens->add_subcommand("list", "The tokens in the file");
  list->add_option("--file", t->file, "The node's tokens_file")->required();
  list->callback(
      [&options, t, exit_code] { *exit_code = RunTokensList(options, *t); });
  CLI::App* revoke =
      tokens->add_subcommand("revoke", "Remove a token (by its id)");
  revoke->add_option("--file", t->file, "The node's tokens_file")->required();
  revoke->add_option("id", t->id, "Token id (16 hex digits)")->required();
  revoke->callback([t, exit_code] { *exit_code = RunTokensRevoke(*t); });

  auto dir = std::make_shared<std::string>();
  CLI::App* audit = admin.add_subcommand(
      "audit", "The access log of contact reveals (hash-chained)");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Check the hash chain; exit code 4 when it is broken. Asks the node "
      "(node-admin or region-admin token), or reads --dir directly");
  verify->add_option("--dir", *dir,
                     "An access-log directory (default: ask the node)");
  verify->callback([&options, dir, exit_code] {
    *exit_code = RunAuditVerify(options, *dir);
  });
}

}  // namespace kaartnet::cli
