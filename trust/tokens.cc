#include "trust/tokens.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "model/validation.h"
#include "trust/keys.h"

namespace kaartnet::trust {
namespace {

constexpr absl::string_view kTokenPrefix = "kn_";
constexpr size_t kIdBytes = 8;       // 16 hex digits
constexpr size_t kSecretBytes = 32;  // 64 hex digits

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<NewToken> MakeToken(Role role, absl::string_view organisation_id,
                                   absl::Time expires, absl::string_view name,
                                   absl::Time now) {
  if (role == Role::kAnonymous)
    return absl::InvalidArgumentError("anonymous callers have no token");
  if (role == Role::kPublisher) {
    if (!model::IsOrganisationId(organisation_id)) {
      return absl::InvalidArgumentError(
          "a publisher token needs the organisation it publishes for "
          "(--organisation, e.g. ggz-zuid-limburg)");
    }
  } else if (!organisation_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("only publisher tokens name an organisation, not ",
                     RoleName(role), " tokens"));
  }
  if (expires <= now)
    return absl::InvalidArgumentError("the expiry lies in the past");
  const std::string id = absl::BytesToHexString(RandomBytes(kIdBytes));
  const std::string secret = absl::BytesToHexString(RandomBytes(kSecretBytes));
  NewToken out;
  out.token = absl::StrCat(kTokenPrefix, id, "_", secret);
  v1::StoredToken& stored = out.stored;
  stored.set_id(id);
  stored.set_role(RoleName(role));
  stored.set_organisation_id(std::string(organisation_id));
  stored.set_expires_unix(
      expires == absl::InfiniteFuture() ? 0 : absl::ToUnixSeconds(expires));
  stored.set_secret_sha256(absl::BytesToHexString(Sha256(secret)));
  stored.set_name(std::string(name));
  stored.set_created_unix(absl::ToUnixSeconds(now));
  return out;
}

absl::StatusOr<v1::TokenFile> ReadTokenFile(const std::string& path) {
  v1::TokenFile tokens;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return tokens;
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read tokens file ", path, ": ", std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (!google::protobuf::TextFormat::ParseFromString(ss.str(), &tokens)) {
    return absl::InvalidArgumentError(
        absl::StrCat("tokens file ", path,
                     " is not a kaartnet.v1.TokenFile in text format"));
  }
  return tokens;
}

absl::Status WriteTokenFile(const std::string& path,
                            const v1::TokenFile& tokens) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(tokens, &text);
  return ReplaceFile(path,
                     absl::StrCat("# kaartnet bearer tokens (hashed); manage "
                                  "with `kaart admin tokens`\n",
                                  text),
                     0600);
}

absl::StatusOr<TokenTable> TokenTable::Build(const v1::TokenFile& tokens) {
  TokenTable table;
  for (int i = 0; i < tokens.tokens_size(); ++i) {
    const v1::StoredToken& t = tokens.tokens(i);
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens[", i, "] (id \"", t.id(), "\"): ", why));
    };
    if (t.id().size() != 2 * kIdBytes || !IsLowerHex(t.id()))
      return bad("id must be 16 lower-case hex digits");
    auto role = ParseRole(t.role());
    if (!role.ok()) return bad(role.status().message());
    if (*role == Role::kPublisher &&
        !model::IsOrganisationId(t.organisation_id()))
      return bad("a publisher token needs organisation_id");
    if (*role != Role::kPublisher && !t.organisation_id().empty())
      return bad("only publisher tokens name an organisation");
    if (t.secret_sha256().size() != 64 || !IsLowerHex(t.secret_sha256()))
      return bad("secret_sha256 must be 64 lower-case hex digits");
    Entry entry;
    entry.role = *role;
    entry.organisation_id = t.organisation_id();
    entry.expires = t.expires_unix() == 0
                        ? absl::InfiniteFuture()
                        : absl::FromUnixSeconds(t.expires_unix());
    entry.secret_sha256 = absl::HexStringToBytes(t.secret_sha256());
    if (!table.tokens_.emplace(t.id(), std::move(entry)).second)
      return bad("the same id appears twice");
  }
  return table;
}

absl::Status TokenTable::StillValid(absl::string_view id,
                                    absl::Time now) const {
  auto it = tokens_.find(id);
  if (it == tokens_.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", id, " was revoked"));
  }
  if (now >= it->second.expires)
    return absl::UnauthenticatedError(absl::StrCat("token ", id, " expired"));
  return absl::OkStatus();
}

absl::StatusOr<Caller> TokenTable::Check(absl::string_view token,
                                         absl::Time now) const {
  // kn_<16 hex>_<64 hex>
  const size_t expected =
      kTokenPrefix.size() + 2 * kIdBytes + 1 + 2 * kSecretBytes;
  if (token.size() != expected || !absl::StartsWith(token, kTokenPrefix) ||
      token[kTokenPrefix.size() + 2 * kIdBytes] != '_') {
    return absl::UnauthenticatedError(
        "the bearer token is malformed (expected kn_<id>_<secret> as made by "
        "`kaart admin tokens create`)");
  }
  const absl::string_view id = token.substr(kTokenPrefix.size(), 2 * kIdBytes);
  const absl::string_view secret =
      token.substr(kTokenPrefix.size() + 2 * kIdBytes + 1);
  auto it = tokens_.find(id);
  // Hash even for an unknown id, so both cases take the same time.
  const std::string hash = Sha256(secret);
  if (it == tokens_.end() ||
      !ConstantTimeEquals(hash, it->second.secret_sha256)) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", id,
                     " is not known on this node (revoked, or "
                     "made for another node)"));
  }
  if (now >= it->second.expires) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", id, " expired at ",
                     absl::FormatTime("%Y-%m-%d %H:%M UTC", it->second.expires,
                                      absl::UTCTimeZone())));
  }
  Caller caller;
  caller.role = it->second.role;
  caller.organisation_id = it->second.organisation_id;
  caller.subject = std::string(id);
  return caller;
}

}  // namespace kaartnet::trust
