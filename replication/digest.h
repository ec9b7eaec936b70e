// State digests for anti-entropy: every stored entry (live or withdrawn)
// adds a stable 64-bit term of (id, version) to the bucket of its id. Two
// nodes holding the same versions of the same ids have equal buckets; a
// differing bucket names the ids to compare. Kept current on every apply
// (sums can subtract the previous version), so a digest costs nothing to
// produce.
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_REPLICATION_DIGEST_H_
#define KAARTNET_REPLICATION_DIGEST_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "kaartnet/v1/entry.pb.h"
#include "storage/store.h"

namespace kaartnet::replication {

inline constexpr uint32_t kDigestBuckets = 1024;

// Bucket of an entry id; the same on every node and every build.
uint32_t DigestBucketOf(absl::string_view id);
// The term an (id, version) adds to its bucket.
uint64_t DigestTermOf(absl::string_view id, const v1::Version& version);
// A hash of `bytes` that is the same in every process and build.
uint64_t StableHashOf(absl::string_view bytes);

class DigestTable final : public storage::ChangeListener {
 public:
  DigestTable() : buckets_(kDigestBuckets, 0) {}

  // Adds every stored entry (call once, before the store changes).
  absl::Status Load(const storage::Store& store);
  void OnChanges(absl::Span<const storage::Change> changes) override;

  std::vector<uint64_t> Buckets() const;
  // One number for the whole state: equal on nodes with equal buckets.
  uint64_t Fingerprint() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<uint64_t> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::replication

#endif  // KAARTNET_REPLICATION_DIGEST_H_
