// The node as the replication protocol sees it: reads from the store,
// applies through the ledger (which verifies every record), admissions
// through the registry.
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_SERVICES_REPLICA_H_
#define KAARTNET_SERVICES_REPLICA_H_

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "replication/digest.h"
#include "replication/pending_snapshots.h"
#include "replication/session.h"
#include "services/directory_core.h"

namespace kaartnet::services {

class NodeReplica final : public replication::Replica {
 public:
  NodeReplica(NodeContext* context, const replication::DigestTable* digest)
      : context_(context), digest_(digest) {}

  const std::string& node_id() const override { return context_->node_id; }
  const std::string& region() const override { return context_->region; }
  std::string origin_id() const override {
    return context_->store->origin_id();
  }
  void RotateOrigin() override;
  replication::Frontier GetFrontier() const override {
    return context_->store->Frontier();
  }
  uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const override {
    return context_->store->FrontierChanges(since, changed);
  }
  absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(
      const std::string& origin, uint64_t after_seq,
      size_t limit) const override {
    return context_->store->ReadLog(origin, after_seq, limit);
  }
  absl::StatusOr<replication::ApplyStats> Apply(
      const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
      std::vector<std::pair<std::string, uint64_t>> through) override;
  uint64_t AdmissionsGeneration() const override {
    return context_->admissions_generation.load();
  }
  std::vector<v1::SignedAdmission> Admissions() const override;
  size_t InstallAdmissions(
      const std::string& peer,
      const std::vector<v1::SignedAdmission>& admissions) override;
  std::vector<uint64_t> Digest() const override { return digest_->Buckets(); }
  replication::Frontier Floors() const override {
    return context_->store->GetFloors().floors;
  }
  uint64_t FloorsVersion() const override {
    return context_->store->FloorsVersion();
  }
  absl::StatusOr<replication::Manifest> ReadManifest() const override {
    return context_->store->ReadManifest();
  }
  absl::StatusOr<uint64_t> Prune(const std::string& peer,
                                 replication::Manifest snapshot) override;
  std::optional<replication::Frontier> CatchingUp() override;
  // Takes up the snapshots a restart interrupted (stored by Prune).
  absl::Status LoadPendingSnapshots();
  absl::StatusOr<std::vector<v1::LogRecord>> EntriesInBuckets(
      const std::set<uint32_t>& buckets) const override;

 private:
  // now − horizon + twice the allowed skew (see PendingSnapshots).
  uint64_t MarkLimit() const;
  // Removes the entries `snapshot` shows gone, judged with `mark_limit`.
  absl::StatusOr<size_t> RemoveGone(
      const replication::PendingSnapshot& snapshot, uint64_t mark_limit);

  // Locks, in name order, the apply lock of every origin of `records`;
  // the caller unlocks them in reverse order.
  std::vector<absl::Mutex*> LockOrigins(
      const std::vector<v1::LogRecord>& records);

  NodeContext* const context_;
  const replication::DigestTable* const digest_;
  // One stream at a time applies an origin's records. When two streams carry
  // the same records (after a partition heals, relays race the origin's own
  // stream), the second waits, then finds them held and skips their
  // signature checks instead of verifying every copy at the same time.
  absl::Mutex origins_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<absl::Mutex>> apply_mu_
      ABSL_GUARDED_BY(origins_mu_);
  replication::PendingSnapshots pending_;
  // One adoption at a time (CatchingUp runs in every session's poll).
  absl::Mutex adopt_mu_;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_REPLICA_H_
