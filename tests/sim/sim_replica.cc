#include "tests/sim/sim_replica.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "replication/digest.h"
#include "storage/store.h"

namespace kaartnet::sim {

int CompareRecords(const SimRecord* a, const SimRecord* b) {
  if (a == nullptr || b == nullptr) return (a != nullptr) - (b != nullptr);
  return storage::CompareVersions(a->version, b->version);
}

uint32_t RecordPool::InternId(const std::string& id) {
  auto [it, inserted] =
      id_index_.emplace(id, static_cast<uint32_t>(ids_.size()));
  if (inserted) ids_.push_back(id);
  return it->second;
}

RecordPool::Key RecordPool::KeyOf(const v1::LogRecord& record) {
  // The signature field carries the version's hlc in the simulation, so a
  // wire record is matched without parsing its entry.
  uint64_t hlc = 0;
  const std::string& sig = record.record().signature();
  for (size_t i = 0; i < sig.size() && i < 8; ++i)
    hlc |= static_cast<uint64_t>(static_cast<uint8_t>(sig[i])) << (8 * i);
  return Key{record.origin_node_id(), record.seq(), hlc};
}

const SimRecord* RecordPool::Add(SimRecord record) {
  std::string sig(8, '\0');
  for (int i = 0; i < 8; ++i)
    sig[i] = static_cast<char>((record.version.hlc() >> (8 * i)) & 0xff);
  record.log.mutable_record()->set_signature(sig);
  records_.push_back(std::move(record));
  const SimRecord* stored = &records_.back();
  by_key_[KeyOf(stored->log)] = stored;
  return stored;
}

const SimRecord* RecordPool::Find(const v1::LogRecord& record) const {
  auto it = by_key_.find(KeyOf(record));
  return it == by_key_.end() ? nullptr : it->second;
}

SimReplica::SimReplica(RecordPool* pool, std::string node_id,
                       std::string region, Clock* clock, int index)
    : pool_(pool),
      node_id_(std::move(node_id)),
      region_(std::move(region)),
      clock_(clock),
      index_(index),
      origin_id_(absl::StrCat(node_id_, ".0")),
      hlc_(std::make_unique<HybridLogicalClock>(clock, absl::Minutes(10))),
      digest_(replication::kDigestBuckets, 0) {}

absl::StatusOr<std::vector<v1::LogRecord>> SimReplica::ReadLog(
    const std::string& origin, uint64_t after_seq, size_t limit) const {
  std::vector<v1::LogRecord> out;
  auto log = logs_.find(origin);
  if (log == logs_.end()) return out;
  for (auto it = log->second.upper_bound(after_seq);
       it != log->second.end() && out.size() < limit; ++it) {
    // As in the store: skip a log key another entry took over.
    const v1::LogRecord& log_record = slots_[it->second]->log;
    if (log_record.origin_node_id() != origin || log_record.seq() != it->first)
      continue;
    out.push_back(log_record);
  }
  return out;
}

void SimReplica::Store(const SimRecord* record) {
  if (record->id >= slots_.size()) slots_.resize(pool_->id_count(), nullptr);
  const SimRecord*& slot = slots_[record->id];
  const std::string& id = pool_->IdOf(record->id);
  const uint32_t bucket = replication::DigestBucketOf(id);
  if (slot != nullptr) {
    logs_[slot->log.origin_node_id()].erase(slot->log.seq());
    digest_[bucket] -= replication::DigestTermOf(id, slot->version);
  } else {
    ++entries_;
  }
  slot = record;
  logs_[record->log.origin_node_id()][record->log.seq()] = record->id;
  digest_[bucket] += replication::DigestTermOf(id, record->version);
  ++generation_;
}

absl::StatusOr<replication::ApplyStats> SimReplica::Apply(
    const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
    std::vector<std::pair<std::string, uint64_t>> through) {
  replication::ApplyStats stats;
  for (const v1::LogRecord& wire : records) {
    if (!repair && wire.seq() <= frontier_.Get(wire.origin_node_id())) {
      ++stats.stale;
      continue;
    }
    const SimRecord* record = pool_->Find(wire);
    if (record == nullptr) {
      ++stats.refused;
      continue;
    }
    hlc_->Observe(record->version.hlc());
    const int order = CompareRecords(record, Held(record->id));
    if (ignore_conflict_rule_ ? order < 0 : order > 0) {
      Store(record);
      ++stats.applied;
    } else {
      ++stats.stale;
    }
    if (!repair) frontier_.Raise(wire.origin_node_id(), wire.seq());
  }
  for (const auto& [origin, seq] : through) {
    if (seq > frontier_.Get(origin)) {
      frontier_.Raise(origin, seq);
      ++generation_;
    }
  }
  (void)peer;
  return stats;
}

absl::StatusOr<std::vector<v1::LogRecord>> SimReplica::EntriesInBuckets(
    const std::set<uint32_t>& buckets) const {
  std::vector<v1::LogRecord> out;
  for (const SimRecord* record : slots_) {
    if (record == nullptr) continue;
    if (buckets.count(replication::DigestBucketOf(pool_->IdOf(record->id))))
      out.push_back(record->log);
  }
  return out;
}

absl::StatusOr<replication::Manifest> SimReplica::ReadManifest() const {
  replication::Manifest manifest;
  manifest.frontier = frontier_.ToMap();
  for (const SimRecord* record : slots_) {
    if (record != nullptr) manifest.ids.push_back(pool_->IdOf(record->id));
  }
  return manifest;
}

void SimReplica::RotateOrigin() {
  origin_id_ = absl::StrCat(node_id_, ".", pool_->NewOriginSerial());
  ++generation_;
}

const SimRecord* SimReplica::Publish(const std::string& entry_id,
                                     const std::string& org, bool withdraw,
                                     bool erase, const std::string& payload) {
  const uint32_t id = pool_->InternId(entry_id);
  const SimRecord* current = Held(id);
  SimRecord record;
  record.id = id;
  record.author = index_;
  record.withdrawn = withdraw || erase;
  record.erased = erase;
  record.version.set_hlc(
      hlc_->NowAfter(current == nullptr ? 0 : current->version.hlc()));
  record.version.set_node_id(node_id_);
  const uint64_t seq = frontier_.Get(origin_id_) + 1;
  frontier_.Raise(origin_id_, seq);
  record.log.set_origin_node_id(origin_id_);
  record.log.set_seq(seq);
  v1::Entry entry;
  entry.set_id(entry_id);
  entry.set_organisation_id(org);
  *entry.mutable_version() = record.version;
  entry.set_withdrawn(record.withdrawn);
  entry.set_erased(erase);
  if (!record.withdrawn) entry.set_description(payload);
  record.log.mutable_record()->set_entry(entry.SerializeAsString());
  record.log.mutable_record()->set_key_id(org);
  const SimRecord* stored = pool_->Add(std::move(record));
  Store(stored);
  return stored;
}

uint64_t SimReplica::Fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t b : digest_) h = (h ^ b) * 1099511628211ull;
  return h;
}

size_t SimReplica::log_records() const {
  size_t n = 0;
  for (const auto& [origin, log] : logs_) n += log.size();
  return n;
}

void SimReplica::Restart() {
  const uint64_t high_water = hlc_->HighWater();
  hlc_ = std::make_unique<HybridLogicalClock>(clock_, absl::Minutes(10));
  hlc_->Restore(high_water);
}

std::unique_ptr<SimReplica> SimReplica::Clone() const {
  auto copy =
      std::make_unique<SimReplica>(pool_, node_id_, region_, clock_, index_);
  copy->origin_id_ = origin_id_;
  copy->hlc_->Restore(hlc_->HighWater());
  copy->slots_ = slots_;
  copy->entries_ = entries_;
  copy->logs_ = logs_;
  copy->frontier_ = frontier_;
  copy->digest_ = digest_;
  copy->generation_ = generation_ + 1;
  copy->ignore_conflict_rule_ = ignore_conflict_rule_;
  return copy;
}

}  // namespace kaartnet::sim
