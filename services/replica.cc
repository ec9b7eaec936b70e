#include "services/replica.h"

#include "absl/container/flat_hash_set.h"
#include "common/hlc.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace kaartnet::services {

std::vector<absl::Mutex*> NodeReplica::LockOrigins(
    const std::vector<v1::LogRecord>& records) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  std::set<std::string> origins;
  for (const v1::LogRecord& record : records)
    origins.insert(record.origin_node_id());
  std::vector<absl::Mutex*> locks;
  {
    absl::MutexLock lock(&origins_mu_);
    for (const std::string& origin : origins) {
      auto& mu = apply_mu_[origin];
      if (mu == nullptr) mu = std::make_unique<absl::Mutex>();
      locks.push_back(mu.get());
    }
  }
  for (absl::Mutex* mu : locks) mu->Lock();
  return locks;
}

absl::StatusOr<replication::ApplyStats> NodeReplica::Apply(
    const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
    std::vector<std::pair<std::string, uint64_t>> through) {
  // Repairs are not in log order and are not checked against the frontier.
  struct Unlock {
    std::vector<absl::Mutex*> locks;
    ~Unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->Unlock();
    }
  } locked{repair ? std::vector<absl::Mutex*>() : LockOrigins(records)};
  replication::ApplyStats stats;
  std::vector<IncomingRecord> incoming;
  incoming.reserve(records.size());
  // Records come grouped by origin: one frontier lookup per run (a copy of
  // the whole frontier per batch cost one slot per origin of the region).
  std::string origin;
  uint64_t held = 0;
  const bool filter = !pending_.empty();
  const uint64_t mark_limit = filter ? MarkLimit() : 0;
  for (v1::LogRecord& record : records) {
    // Already held (sent by another peer first): skip the signature check.
    if (!repair) {
      if (origin.empty() || origin != record.origin_node_id()) {
        origin = record.origin_node_id();
        held = context_->store->FrontierOf(origin);
      }
      if (record.seq() <= held) {
        ++stats.stale;
        continue;
      }
    }
    // Gone by a snapshot not yet caught up with (see PendingSnapshots); the
    // frontier still moves past it.
    if (filter) {
      v1::Entry entry;
      if (entry.ParseFromString(record.record().entry()) &&
          pending_.Gone(entry.id(), record.origin_node_id(), record.seq(),
                        entry.version().hlc(), mark_limit)) {
        ++stats.stale;
        if (!repair)
          through.emplace_back(record.origin_node_id(), record.seq());
        continue;
      }
    }
    IncomingRecord& in = incoming.emplace_back();
    in.record = std::move(*record.mutable_record());
    in.origin_node_id = record.origin_node_id();
    in.origin_seq = record.seq();
    in.in_log_order = !repair;
  }
  if (incoming.empty() && through.empty()) return stats;
  auto outcomes =
      context_->ledger->Apply(std::move(incoming), std::move(through));
  if (!outcomes.ok()) return outcomes.status();
  for (const RecordOutcome& outcome : *outcomes) {
    if (!outcome.status.ok()) {
      ++stats.refused;
      const size_t reason =
          static_cast<size_t>(trust::RejectReasonOf(outcome.status));
      if (reason < context_->refused_by_reason.size())
        ++context_->refused_by_reason[reason];
    } else if (outcome.result.outcome == storage::ApplyOutcome::kApplied) {
      ++stats.applied;
    } else {
      ++stats.stale;
    }
  }
  if (stats.refused > 0) {
    context_->refused_records += stats.refused;
    KLOG(WARNING) << "replication: refused " << stats.refused << " of "
                  << outcomes->size() << " records from peer " << peer
                  << " (see the lines above for why)";
  }
  return stats;
}

void NodeReplica::RotateOrigin() {
  const std::string old_origin = context_->store->origin_id();
  absl::Status status = context_->store->RotateOrigin();
  if (!status.ok()) {
    KLOG(ERROR) << "replication: cannot move to a new origin: " << status;
    return;
  }
  KLOG(WARNING) << "replication: peers hold more of origin " << old_origin
                << " than this node (restored from a backup?); new records "
                   "are numbered under origin "
                << context_->store->origin_id();
}

std::vector<v1::SignedAdmission> NodeReplica::Admissions() const {
  auto admissions = context_->store->ListAdmissions();
  if (!admissions.ok()) {
    KLOG(ERROR) << "replication: cannot list admissions: "
                << admissions.status();
    return {};
  }
  return std::move(*admissions);
}

size_t NodeReplica::InstallAdmissions(
    const std::string& peer,
    const std::vector<v1::SignedAdmission>& admissions) {
  auto installed = services::InstallAdmissions(context_, admissions);
  if (!installed.ok()) {
    KLOG(ERROR) << "replication: cannot store admissions from peer " << peer
                << ": " << installed.status();
    return admissions.size();
  }
  size_t refused = 0;
  for (const absl::StatusOr<bool>& result : *installed) {
    if (result.ok() || trust::RejectReasonOf(result.status()) ==
                           trust::RejectReason::kAdmissionRollback) {
      continue;
    }
    ++refused;
    KLOG(WARNING) << "replication: refused an admission from peer " << peer
                  << ": " << result.status().message();
  }
  return refused;
}

uint64_t NodeReplica::MarkLimit() const {
  return HybridLogicalClock::FromTime(context_->clock->Now() -
                                      context_->tombstone_horizon +
                                      2 * context_->max_clock_skew);
}

absl::StatusOr<size_t> NodeReplica::RemoveGone(
    const replication::PendingSnapshot& snapshot, uint64_t mark_limit) {
  std::vector<storage::Removal> removals;
  RETURN_IF_ERROR(context_->store->ForEachEntryWithId(
      [&](absl::string_view id, const internal::StoredEntry& stored) {
        if (snapshot.Gone(id, stored.origin_node_id(), stored.origin_seq(),
                          stored.version().hlc(), mark_limit)) {
          removals.push_back(
              {std::string(id), stored.origin_node_id(), stored.origin_seq()});
        }
        return true;
      }));
  if (removals.empty()) return 0;
  ASSIGN_OR_RETURN(const size_t removed,
                   context_->store->Remove(std::move(removals), {}));
  context_->entries_pruned += removed;
  // A removed copy may have been erased elsewhere: its content leaves the
  // files too.
  if (removed > 0) context_->ledger->RequestPurge();
  return removed;
}

namespace {
constexpr absl::string_view kPendingPrefix = "pending_snapshot/";
}  // namespace

absl::StatusOr<uint64_t> NodeReplica::Prune(const std::string& peer,
                                            replication::Manifest snapshot) {
  const size_t listed = snapshot.ids.size();
  const absl::Time started = absl::Now();
  ++context_->snapshots_received;
  // Records of what is gone are refused from here on (Apply), before the
  // store is scanned: nothing slips in between. Stored, so a restart before
  // the node has caught up keeps refusing them.
  std::shared_ptr<const replication::PendingSnapshot> pending;
  {
    // Not while an adoption of this peer's earlier snapshot runs (it
    // deletes the stored copy).
    absl::MutexLock lock(&adopt_mu_);
    pending = pending_.Add(peer, std::move(snapshot));
    RETURN_IF_ERROR(context_->store->PutMeta(
        absl::StrCat(kPendingPrefix, peer),
        replication::PendingSnapshots::Serialize(*pending)));
  }
  ASSIGN_OR_RETURN(const size_t removed, RemoveGone(*pending, MarkLimit()));
  KLOG(INFO) << "replication: snapshot of peer " << peer << " (" << listed
             << " entries): removed " << removed
             << " entries it no longer holds ("
             << absl::ToInt64Milliseconds(absl::Now() - started) << " ms)";
  CatchingUp();
  return removed;
}

absl::Status NodeReplica::LoadPendingSnapshots() {
  ASSIGN_OR_RETURN(auto stored, context_->store->ListMeta(kPendingPrefix));
  for (const auto& [key, bytes] : stored) {
    std::string peer;
    replication::Manifest snapshot;
    if (!replication::PendingSnapshots::Parse(bytes, &peer, &snapshot)) {
      return absl::DataLossError(
          absl::StrCat("stored snapshot ", key, " does not parse"));
    }
    KLOG(INFO) << "replication: still catching up with the snapshot of peer "
               << peer << " (" << snapshot.ids.size() << " entries)";
    pending_.Add(peer, std::move(snapshot));
  }
  return absl::OkStatus();
}

std::optional<replication::Frontier> NodeReplica::CatchingUp() {
  if (pending_.empty()) return std::nullopt;
  absl::MutexLock lock(&adopt_mu_);
  const uint64_t mark_limit = MarkLimit();
  for (const auto& caught_up : pending_.CaughtUp(
           [this](const std::string& origin) {
             return context_->store->FrontierOf(origin);
           },
           mark_limit)) {
    // Its floors and mark first (the store then refuses repairs of what is
    // gone), then once more what is gone with the whole mark, and only
    // then does it stop filtering records.
    absl::Status status =
        context_->store->Remove({}, caught_up->manifest.floors).status();
    if (status.ok()) status = RemoveGone(*caught_up, mark_limit).status();
    if (status.ok()) {
      status = context_->store->DeleteMeta(
          absl::StrCat(kPendingPrefix, caught_up->peer));
    }
    if (!status.ok()) {
      KLOG(ERROR) << "replication: cannot take over the floors of peer "
                  << caught_up->peer << "'s snapshot (tried again): " << status;
      continue;
    }
    pending_.Erase(caught_up.get());
    KLOG(INFO) << "replication: caught up with the snapshot of peer "
               << caught_up->peer << "; its floors apply here now";
  }
  if (pending_.empty()) return std::nullopt;
  return pending_.Floors();
}

absl::StatusOr<std::vector<v1::LogRecord>> NodeReplica::EntriesInBuckets(
    const std::set<uint32_t>& buckets) const {
  std::vector<v1::LogRecord> out;
  absl::Status status = context_->store->ForEachEntryWithId(
      [&](absl::string_view id, const internal::StoredEntry& stored) {
        if (buckets.count(replication::DigestBucketOf(id))) {
          v1::LogRecord& record = out.emplace_back();
          record.set_origin_node_id(stored.origin_node_id());
          record.set_seq(stored.origin_seq());
          *record.mutable_record() = stored.record();
        }
        return true;
      });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kaartnet::services
