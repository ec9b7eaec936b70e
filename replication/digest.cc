#include "replication/digest.h"

namespace kaartnet::replication {
namespace {

// FNV-1a over the bytes, then the splitmix64 finaliser: stable across
// processes and builds (absl::Hash is seeded per process).
uint64_t Mix(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

uint64_t Fnv(absl::string_view bytes, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

uint64_t StableHashOf(absl::string_view bytes) { return Mix(Fnv(bytes)); }

uint32_t DigestBucketOf(absl::string_view id) {
  return static_cast<uint32_t>(Mix(Fnv(id)) % kDigestBuckets);
}

uint64_t DigestTermOf(absl::string_view id, const v1::Version& version) {
  uint64_t h = Fnv(id);
  h = Fnv(absl::string_view("\0", 1), h);
  char hlc[8];
  for (int i = 0; i < 8; ++i)
    hlc[i] = static_cast<char>(version.hlc() >> (8 * i));
  h = Fnv(absl::string_view(hlc, 8), h);
  h = Fnv(version.node_id(), h);
  return Mix(h);
}

absl::Status DigestTable::Load(const storage::Store& store) {
  std::vector<uint64_t> buckets(kDigestBuckets, 0);
  absl::Status status = store.ForEachEntryWithId(
      [&](absl::string_view id, const internal::StoredEntry& stored) {
        buckets[DigestBucketOf(id)] += DigestTermOf(id, stored.version());
        return true;
      });
  if (!status.ok()) return status;
  absl::MutexLock lock(&mu_);
  buckets_ = std::move(buckets);
  return absl::OkStatus();
}

void DigestTable::OnChanges(absl::Span<const storage::Change> changes) {
  absl::MutexLock lock(&mu_);
  for (const storage::Change& change : changes) {
    const std::string& id = change.entry->id();
    uint64_t& bucket = buckets_[DigestBucketOf(id)];
    if (change.previous_version != nullptr)
      bucket -= DigestTermOf(id, *change.previous_version);
    if (!change.removed) bucket += DigestTermOf(id, change.entry->version());
  }
}

std::vector<uint64_t> DigestTable::Buckets() const {
  absl::MutexLock lock(&mu_);
  return buckets_;
}

uint64_t DigestTable::Fingerprint() const {
  absl::MutexLock lock(&mu_);
  uint64_t fingerprint = 0;
  for (uint64_t bucket : buckets_)
    fingerprint = fingerprint * 0x100000001b3ULL + bucket;
  return fingerprint;
}

}  // namespace kaartnet::replication
