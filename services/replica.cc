#include "services/replica.h"

#include "absl/container/flat_hash_set.h"
#include "common/hlc.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace kaartnet::services {

absl::StatusOr<replication::ApplyStats> NodeReplica::Apply(
    const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
    std::vector<std::pair<std::string, uint64_t>> through) {
  replication::ApplyStats stats;
  std::vector<IncomingRecord> incoming;
  incoming.reserve(records.size());
  // Records come grouped by origin: one frontier lookup per run (a copy of
  // the whole frontier per batch cost one slot per origin of the region).
  std::string origin;
  uint64_t held = 0;
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

absl::StatusOr<uint64_t> NodeReplica::Prune(const std::string& peer,
                                            const replication::Manifest& sent) {
  // What an honest peer can send: a withdrawal it removed is older than
  // the horizon (give or take the allowed skew), and its floors lie within
  // its frontier (it sends a snapshot only once it reached them). A peer's
  // bug or a wrong clock must not make this node remove more.
  replication::Manifest snapshot;
  snapshot.frontier = sent.frontier;
  const uint64_t mark_limit = HybridLogicalClock::FromTime(
      context_->clock->Now() - context_->tombstone_horizon +
      context_->max_clock_skew);
  snapshot.floors.tombstone_mark =
      std::min(sent.floors.tombstone_mark, mark_limit);
  for (const auto& [origin, floor] : sent.floors.floors) {
    auto seen = sent.frontier.find(origin);
    const uint64_t limit = seen == sent.frontier.end() ? 0 : seen->second;
    if (std::min(floor, limit) > 0)
      snapshot.floors.floors[origin] = std::min(floor, limit);
  }
  if (snapshot.floors.tombstone_mark < sent.floors.tombstone_mark) {
    KLOG(WARNING) << "replication: the snapshot of peer " << peer
                  << " names removed withdrawals younger than the tombstone "
                     "horizon (its clock or tombstone_horizon_seconds "
                     "differs from this node's); only older ones count";
  }
  const absl::flat_hash_set<absl::string_view> held(sent.ids.begin(),
                                                    sent.ids.end());
  std::vector<storage::Removal> removals;
  absl::Status status = context_->store->ForEachEntryWithId(
      [&](absl::string_view id, const internal::StoredEntry& stored) {
        if (held.contains(id)) return true;
        // Gone at the peer only if the peer has seen this very record and
        // it is not newer than a withdrawal the peer removed.
        auto seen = snapshot.frontier.find(stored.origin_node_id());
        if (seen == snapshot.frontier.end() ||
            stored.origin_seq() > seen->second ||
            stored.version().hlc() > snapshot.floors.tombstone_mark) {
          return true;
        }
        removals.push_back(
            {std::string(id), stored.origin_node_id(), stored.origin_seq()});
        return true;
      });
  if (!status.ok()) return status;
  const size_t candidates = removals.size();
  ASSIGN_OR_RETURN(
      const size_t removed,
      context_->store->Remove(std::move(removals), snapshot.floors));
  context_->entries_pruned += removed;
  // A removed copy may have been erased elsewhere: its content leaves the
  // files too.
  if (removed > 0) context_->ledger->RequestPurge();
  KLOG(INFO) << "replication: snapshot of peer " << peer << " ("
             << sent.ids.size() << " entries): removed " << removed
             << " entries it no longer holds"
             << (removed < candidates ? " (others changed meanwhile)" : "");
  return removed;
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
