#include "services/tombstones.h"

#include <map>
#include <string>
#include <vector>

#include "common/hlc.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace kaartnet::services {

absl::StatusOr<SweepResult> SweepTombstones(storage::Store* store,
                                            const replication::PeerAcks& acks,
                                            absl::Time now,
                                            absl::Duration horizon) {
  const absl::Time cutoff = now - horizon;
  SweepResult result;
  std::vector<storage::Removal> removals;
  // What every peer that counts holds, per origin (asked once per origin).
  std::map<std::string, uint64_t> held;
  RETURN_IF_ERROR(store->ForEachEntryWithId(
      [&](absl::string_view id, const internal::StoredEntry& stored) {
        if (!stored.withdrawn() ||
            HybridLogicalClock::ToTime(stored.version().hlc()) >= cutoff) {
          return true;
        }
        auto it = held.find(stored.origin_node_id());
        if (it == held.end()) {
          it = held.emplace(stored.origin_node_id(),
                            acks.HeldByAll(stored.origin_node_id()))
                   .first;
        }
        if (it->second < stored.origin_seq()) {
          ++result.held_back;
          return true;
        }
        removals.push_back(
            {std::string(id), stored.origin_node_id(), stored.origin_seq()});
        return true;
      }));
  if (removals.empty()) return result;
  ASSIGN_OR_RETURN(result.removed,
                   store->Remove(std::move(removals), storage::Floors()));
  return result;
}

TombstoneSweeper::TombstoneSweeper(storage::Store* store,
                                   replication::PeerAcks* acks,
                                   TombstoneSweeperOptions options)
    : store_(store), acks_(acks), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

TombstoneSweeper::~TombstoneSweeper() { Stop(); }

void TombstoneSweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void TombstoneSweeper::Run() {
  for (;;) {
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval);
      stopping = stopping_;
    }
    // What peers hold is stored first: a sweep trusts it after a restart.
    absl::Status stored = acks_->Save(store_);
    if (!stored.ok()) {
      KLOG(WARNING) << "tombstones: cannot store what peers hold: " << stored;
    }
    if (stopping) return;
    auto swept = SweepTombstones(store_, *acks_, options_.clock->Now(),
                                 options_.horizon);
    if (!swept.ok()) {
      KLOG(WARNING) << "tombstones: sweep failed (tried again in "
                    << absl::FormatDuration(options_.interval)
                    << "): " << swept.status();
      continue;
    }
    if (options_.removed_total != nullptr)
      *options_.removed_total += swept->removed;
    if (swept->removed > 0 || swept->held_back > 0) {
      KLOG(INFO) << "tombstones: removed " << swept->removed
                 << " withdrawals older than "
                 << absl::FormatDuration(options_.horizon) << "; "
                 << swept->held_back
                 << " wait for peers that have not acknowledged them";
    }
  }
}

}  // namespace kaartnet::services
