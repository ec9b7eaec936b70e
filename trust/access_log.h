// The access log: one record per reveal of professional contact details
// (NEN 7513 style), append-only and hash-chained so that changing, removing
// or inserting a record is detectable.
//
// Files "access-YYYY-MM.jsonl" in one directory, one JSON object per line:
//   {"seq":7,"time":"2026-11-23T10:00:00Z","subject":"<token id>",
//    "role":"reader","caller_organisation":"","entry":"<entry id>",
//    "entry_organisation":"<org>","purpose":"doorverwijzing",
//    "prev":"<hash of record 6>","hash":"<hash of this record>"}
// where "hash" is the hex SHA-256 of the line up to (not including)
// ,"hash": followed by "}". The first record of a file carries the hash of
// the last record of the file before, so the chain runs across files.
// Files whose month ended more than the retention ago are deleted whole;
// the oldest kept record's "prev" then points at a deleted record.
//
// Thread-safety: Append may be called from any thread.
#ifndef KAARTNET_TRUST_ACCESS_LOG_H_
#define KAARTNET_TRUST_ACCESS_LOG_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "kaartnet/v1/admin.pb.h"
#include "trust/access.h"

namespace kaartnet::trust {

struct AccessRecord {
  Caller caller;
  std::string entry_id;
  std::string entry_organisation;
  std::string purpose;
};

struct AccessLogOptions {
  std::string dir;
  absl::Duration retention = absl::Hours(24 * 365);
  Clock* clock = Clock::Real();
};

class AccessLog {
 public:
  // Creates the directory if needed, drops a torn last line (a record whose
  // write was never acknowledged) and files past the retention.
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(
      AccessLogOptions options);
  ~AccessLog();

  // Appends one record and syncs it to disk before returning; the caller
  // reveals the contacts only after OK.
  absl::Status Append(const AccessRecord& record);

  // Checks the chain of every file in `dir`, oldest first.
  static v1::VerifyAccessLogResponse Verify(const std::string& dir);

 private:
  explicit AccessLog(AccessLogOptions options) : options_(std::move(options)) {}
  // Reads seq, hash and time of the newest record from the files (dropping
  // a torn last line).
  absl::Status LoadHead() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OpenFileFor(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AccessLogOptions options_;
  absl::Mutex mu_;
  std::string current_path_ ABSL_GUARDED_BY(mu_);
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::string head_hash_ ABSL_GUARDED_BY(mu_);  // hex; empty before the first
  absl::Time last_time_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool head_known_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_ACCESS_LOG_H_
