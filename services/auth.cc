#include "services/auth.h"

#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace kaartnet::services {
namespace {

// "<size>/<mtime ns>/<inode>" of a file; empty when it does not exist.
std::string StampOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "";
  return absl::StrCat(st.st_size, "/", st.st_mtim.tv_sec, ".",
                      st.st_mtim.tv_nsec, "/", st.st_ino);
}

constexpr absl::string_view kAnonymousKey = "(anonymous)";

}  // namespace

bool RateLimiter::Allow(absl::string_view key, int64_t now_micros) {
  const double burst = 2 * rate_;
  absl::MutexLock lock(&mu_);
  // Forget full buckets now and then so the map stays small.
  if (buckets_.size() > 10000) {
    absl::erase_if(buckets_, [&](const auto& kv) {
      return kv.second.tokens +
                 (now_micros - kv.second.at_micros) * rate_ / 1e6 >=
             burst;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst, now_micros});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(
        burst, b.tokens + std::max<int64_t>(0, now_micros - b.at_micros) *
                              rate_ / 1e6);
    b.at_micros = now_micros;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

absl::StatusOr<std::unique_ptr<TokenAuthenticator>> TokenAuthenticator::Open(
    TokenAuthenticatorOptions options) {
  std::unique_ptr<TokenAuthenticator> auth(
      new TokenAuthenticator(std::move(options)));
  absl::MutexLock lock(&auth->mu_);
  RETURN_IF_ERROR(auth->Reload());
  auth->checked_at_micros_ = auth->options_.clock->MonotonicMicros();
  return auth;
}

absl::Status TokenAuthenticator::Reload() {
  const std::string stamp = StampOf(options_.tokens_file);
  if (table_ != nullptr && (stamp == file_stamp_ || stamp == failed_stamp_))
    return absl::OkStatus();
  failed_stamp_ = stamp;  // until it loads
  auto file = trust::ReadTokenFile(options_.tokens_file);
  if (!file.ok()) return file.status();
  auto table = trust::TokenTable::Build(*file);
  if (!table.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tokens file ", options_.tokens_file, ": ", table.status().message()));
  }
  const bool first = table_ == nullptr;
  table_ = std::make_shared<const trust::TokenTable>(*std::move(table));
  file_stamp_ = stamp;
  failed_stamp_.clear();
  KLOG(INFO) << (first ? "tokens: " : "tokens: re-read ")
             << options_.tokens_file << ", " << table_->size() << " token(s)"
             << (options_.allow_anonymous ? ", anonymous search allowed" : "");
  return absl::OkStatus();
}

std::shared_ptr<const trust::TokenTable> TokenAuthenticator::Current() {
  absl::MutexLock lock(&mu_);
  const int64_t now = options_.clock->MonotonicMicros();
  if (now - checked_at_micros_ >= 1'000'000) {
    checked_at_micros_ = now;
    if (absl::Status s = Reload(); !s.ok()) {
      KLOG(ERROR) << s.message() << "; keeping the tokens read before";
    }
  }
  return table_;
}

size_t TokenAuthenticator::token_count() { return Current()->size(); }

absl::Status TokenAuthenticator::Recheck(const trust::Caller& caller) {
  if (caller.subject.empty()) return absl::OkStatus();  // anonymous
  return Current()->StillValid(caller.subject, options_.clock->Now());
}

absl::StatusOr<trust::Caller> TokenAuthenticator::Authenticate(
    absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  trust::Caller caller;
  if (authorization.empty()) {
    if (!options_.allow_anonymous) {
      return absl::UnauthenticatedError(
          "this node needs a bearer token (send \"authorization: Bearer "
          "<token>\"; `kaart --token` or KAARTNET_TOKEN)");
    }
    caller = trust::Caller::Anonymous();
  } else {
    constexpr absl::string_view kBearer = "bearer ";
    if (authorization.size() <= kBearer.size() ||
        !absl::EqualsIgnoreCase(authorization.substr(0, kBearer.size()),
                                kBearer)) {
      return absl::UnauthenticatedError(
          "the authorization header must be \"Bearer <token>\"");
    }
    ASSIGN_OR_RETURN(caller,
                     Current()->Check(absl::StripLeadingAsciiWhitespace(
                                          authorization.substr(kBearer.size())),
                                      options_.clock->Now()));
  }
  const absl::string_view key =
      caller.subject.empty() ? kAnonymousKey : caller.subject;
  if (!limiter_.Allow(key, options_.clock->MonotonicMicros())) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many calls for ",
        caller.subject.empty() ? "anonymous callers"
                               : absl::StrCat("token ", caller.subject),
        " (at most ", options_.rate_per_second,
        " per second); wait a moment and try again"));
  }
  return caller;
}

}  // namespace kaartnet::services
