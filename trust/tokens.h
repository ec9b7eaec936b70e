// Bearer tokens of end users: "kn_<id>_<secret>", random, stored as a
// SHA-256 hash of the secret together with role, organisation and expiry
// (kaartnet.v1.TokenFile). The id is public (logs, access log); the secret
// is shown once, when the token is made.
//
// Thread-safety: TokenTable is immutable after Build.
#ifndef KAARTNET_TRUST_TOKENS_H_
#define KAARTNET_TRUST_TOKENS_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaartnet/v1/config.pb.h"
#include "trust/access.h"

namespace kaartnet::trust {

struct NewToken {
  std::string token;  // give to the user; not stored anywhere
  v1::StoredToken stored;
};

// A fresh token. `organisation_id` is required for publishers and refused
// for other roles; `expires` may be absl::InfiniteFuture().
absl::StatusOr<NewToken> MakeToken(Role role, absl::string_view organisation_id,
                                   absl::Time expires, absl::string_view name,
                                   absl::Time now);

// Reads a tokens file; a missing file is an empty one.
absl::StatusOr<v1::TokenFile> ReadTokenFile(const std::string& path);
// Replaces the file atomically, readable by its owner only.
absl::Status WriteTokenFile(const std::string& path,
                            const v1::TokenFile& tokens);

class TokenTable {
 public:
  // INVALID_ARGUMENT naming the token (by index and id) that is malformed:
  // unknown role, publisher without organisation, bad hash, duplicate id.
  static absl::StatusOr<TokenTable> Build(const v1::TokenFile& tokens);

  // The caller a presented token stands for; UNAUTHENTICATED when it is
  // malformed, unknown, wrong or expired (the message says which, never
  // echoing the secret).
  absl::StatusOr<Caller> Check(absl::string_view token, absl::Time now) const;

  // OK while the token with this id is in the table and not expired (for
  // long calls that were authenticated at their start).
  absl::Status StillValid(absl::string_view id, absl::Time now) const;

  size_t size() const { return tokens_.size(); }

 private:
  struct Entry {
    Role role;
    std::string organisation_id;
    absl::Time expires;
    std::string secret_sha256;  // raw 32 bytes
  };
  absl::flat_hash_map<std::string, Entry> tokens_;  // by id
};

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_TOKENS_H_
