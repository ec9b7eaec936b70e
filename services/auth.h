// Turns the credentials of a request into a trust::Caller, in one place for
// gRPC and HTTP.
//
// Thread-safety: Authenticate may be called from any thread.
#ifndef KAARTNET_SERVICES_AUTH_H_
#define KAARTNET_SERVICES_AUTH_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "trust/access.h"
#include "trust/tokens.h"

namespace kaartnet::services {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the value of the "authorization" header/metadata
  // ("Bearer <token>"), empty when absent. UNAUTHENTICATED for a bad token,
  // RESOURCE_EXHAUSTED when the caller is over its rate.
  virtual absl::StatusOr<trust::Caller> Authenticate(
      absl::string_view authorization) = 0;
  // For long calls (streams): UNAUTHENTICATED once the caller's token has
  // been revoked or has expired since the call began.
  virtual absl::Status Recheck(const trust::Caller& caller) {
    return absl::OkStatus();
  }
};

// Development mode: every caller is trusted. Only for nodes that listen on
// loopback and have no tokens configured.
class OpenAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<trust::Caller> Authenticate(absl::string_view) override {
    return trust::Caller::Trusted();
  }
};

// Token buckets by key: `rate` per second with bursts of 2 × rate.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : rate_(rate) {}
  // Takes one unit from `key`'s bucket; false when it is empty.
  bool Allow(absl::string_view key, int64_t now_micros);

 private:
  struct Bucket {
    double tokens;
    int64_t at_micros;
  };
  const double rate_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

struct TokenAuthenticatorOptions {
  std::string tokens_file;
  bool allow_anonymous = false;
  double rate_per_second = 50;
  Clock* clock = Clock::Real();
};

// Bearer tokens from a tokens file (trust/tokens.h). The file is read again
// when it changes (checked at most once a second), so `kaart admin tokens
// create/revoke` take effect without a restart; a file that no longer
// parses is logged and the tokens read before stay in force.
class TokenAuthenticator final : public Authenticator {
 public:
  // FAILED_PRECONDITION/INVALID_ARGUMENT when the file cannot be read or
  // parsed at start.
  static absl::StatusOr<std::unique_ptr<TokenAuthenticator>> Open(
      TokenAuthenticatorOptions options);

  absl::StatusOr<trust::Caller> Authenticate(
      absl::string_view authorization) override;
  absl::Status Recheck(const trust::Caller& caller) override;

  size_t token_count();

 private:
  explicit TokenAuthenticator(TokenAuthenticatorOptions options)
      : options_(std::move(options)), limiter_(options_.rate_per_second) {}
  // Reads the file again when its size or time changed.
  absl::Status Reload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<const trust::TokenTable> Current();

  const TokenAuthenticatorOptions options_;
  RateLimiter limiter_;
  absl::Mutex mu_;
  std::shared_ptr<const trust::TokenTable> table_ ABSL_GUARDED_BY(mu_);
  std::string file_stamp_ ABSL_GUARDED_BY(mu_);
  // The stamp of a file that failed to load (logged once).
  std::string failed_stamp_ ABSL_GUARDED_BY(mu_);
  int64_t checked_at_micros_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_AUTH_H_
