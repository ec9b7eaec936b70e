// A simulated node's state behind the production replication::Replica
// interface, kept in memory so that hundreds of nodes with 10^5 entries fit
// in one process. It follows the store's contract (storage/store.h) and uses
// its pieces where they are pure: the conflict rule (CompareVersions), the
// digest terms and buckets (replication/digest.h) and the hybrid logical
// clock (common/hlc.h). Like the store it compacts eagerly: each origin log
// holds only records that are still an entry's current version.
//
// Records are immutable and shared by every node through a RecordPool, the
// way equal bytes would sit on every node's disk; a node holds pointers.
#ifndef KAARTNET_TESTS_SIM_SIM_REPLICA_H_
#define KAARTNET_TESTS_SIM_SIM_REPLICA_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/frontier_log.h"
#include "common/hlc.h"
#include "replication/session.h"

namespace kaartnet::sim {

struct SimRecord {
  v1::LogRecord log;  // as it travels
  uint32_t id = 0;    // interned entry id
  v1::Version version;
  bool withdrawn = false;
  bool erased = false;
  int author = -1;  // node index where it was acknowledged
};

// Compares the versions of two records by the conflict rule (nullptr is
// older than everything).
int CompareRecords(const SimRecord* a, const SimRecord* b);

class RecordPool {
 public:
  uint32_t InternId(const std::string& id);
  const std::string& IdOf(uint32_t id) const { return ids_[id]; }
  size_t id_count() const { return ids_.size(); }

  // Stores a new record and returns it (stable address).
  const SimRecord* Add(SimRecord record);
  // The pooled record a wire record stands for; nullptr when unknown.
  const SimRecord* Find(const v1::LogRecord& record) const;
  size_t record_count() const { return records_.size(); }
  // A number never handed out before (stands in for the random part of a
  // new origin id).
  uint64_t NewOriginSerial() { return ++origin_serial_; }

 private:
  struct Key {
    std::string origin;
    uint64_t seq;
    uint64_t hlc;
    bool operator==(const Key& o) const {
      return seq == o.seq && hlc == o.hlc && origin == o.origin;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.origin, k.seq, k.hlc);
    }
  };
  static Key KeyOf(const v1::LogRecord& record);

  std::vector<std::string> ids_;
  absl::flat_hash_map<std::string, uint32_t> id_index_;
  std::deque<SimRecord> records_;
  absl::flat_hash_map<Key, const SimRecord*> by_key_;
  uint64_t origin_serial_ = 0;
};

class SimReplica final : public replication::Replica {
 public:
  SimReplica(RecordPool* pool, std::string node_id, std::string region,
             Clock* clock, int index);

  // --- replication::Replica
  const std::string& node_id() const override { return node_id_; }
  const std::string& region() const override { return region_; }
  std::string origin_id() const override { return origin_id_; }
  replication::Frontier GetFrontier() const override {
    return frontier_.ToMap();
  }
  uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const override {
    return frontier_.ChangesSince(since, changed);
  }
  absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(
      const std::string& origin, uint64_t after_seq,
      size_t limit) const override;
  absl::StatusOr<replication::ApplyStats> Apply(
      const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
      std::vector<std::pair<std::string, uint64_t>> through) override;
  uint64_t AdmissionsGeneration() const override { return 0; }
  std::vector<v1::SignedAdmission> Admissions() const override { return {}; }
  size_t InstallAdmissions(const std::string&,
                           const std::vector<v1::SignedAdmission>&) override {
    return 0;
  }
  std::vector<uint64_t> Digest() const override { return digest_; }
  absl::StatusOr<std::vector<v1::LogRecord>> EntriesInBuckets(
      const std::set<uint32_t>& buckets) const override;
  void RotateOrigin() override;
  // Simulated nodes keep every withdrawal (no tombstone horizon), so they
  // have no floors and never send or receive a snapshot.
  replication::Frontier Floors() const override { return {}; }
  uint64_t FloorsVersion() const override { return 0; }
  std::optional<replication::Frontier> CatchingUp() override {
    return std::nullopt;
  }
  absl::StatusOr<replication::Manifest> ReadManifest() const override;
  absl::StatusOr<uint64_t> Prune(const std::string& peer,
                                 replication::Manifest) override {
    return absl::UnimplementedError(
        "simulated nodes keep every withdrawal and never get a snapshot");
  }
  // For testing the checker: keep the older version instead of the newer.
  void set_ignore_conflict_rule(bool ignore) { ignore_conflict_rule_ = ignore; }

  // --- the simulator's side
  // An organisation writes through this node: a new version of `entry_id`
  // (a withdrawal or erasure when asked) after the one this node holds.
  // `payload` pads the entry to a realistic size.
  const SimRecord* Publish(const std::string& entry_id, const std::string& org,
                           bool withdraw, bool erase,
                           const std::string& payload);
  // The record this node holds for an interned id (nullptr: none).
  const SimRecord* Held(uint32_t id) const {
    return id < slots_.size() ? slots_[id] : nullptr;
  }
  uint64_t Fingerprint() const;
  // Changes whenever the state changes (sessions then have work).
  uint64_t generation() const { return generation_; }
  // Records in all logs; with eager compaction at most one per entry.
  size_t log_records() const;
  size_t entries() const { return entries_; }
  // A process restart: the clock restarts from the persisted high water.
  void Restart();
  // A copy of the durable state (a backup).
  std::unique_ptr<SimReplica> Clone() const;
  // Remote versions too far ahead of this node's clock to move it.
  uint64_t skewed_observations() const { return hlc_->skewed_observations(); }

 private:
  void Store(const SimRecord* record);

  RecordPool* const pool_;
  const std::string node_id_;
  const std::string region_;
  Clock* const clock_;
  const int index_;
  std::string origin_id_;
  std::unique_ptr<HybridLogicalClock> hlc_;
  std::vector<const SimRecord*> slots_;
  size_t entries_ = 0;
  std::map<std::string, absl::btree_map<uint64_t, uint32_t>> logs_;
  FrontierLog frontier_;
  std::vector<uint64_t> digest_;
  uint64_t generation_ = 0;
  bool ignore_conflict_rule_ = false;
};

}  // namespace kaartnet::sim

#endif  // KAARTNET_TESTS_SIM_SIM_REPLICA_H_
