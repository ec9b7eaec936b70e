// The tombstone horizon: a withdrawal (or erasure) older than the horizon
// that every peer this node exchanges with holds is removed from the store
// altogether, raising the store's floor for its origin. A new (or
// forgotten) peer below a floor gets a snapshot instead
// (docs/replication.md), so removed withdrawals never bring entries back.
//
// Thread-safety: the sweeper runs on its own thread; Stop is idempotent.
#ifndef KAARTNET_SERVICES_TOMBSTONES_H_
#define KAARTNET_SERVICES_TOMBSTONES_H_

#include <atomic>
#include <cstddef>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "replication/peer_acks.h"
#include "storage/store.h"

namespace kaartnet::services {

struct SweepResult {
  // Withdrawals removed.
  size_t removed = 0;
  // Older than the horizon, but some peer does not hold them
  // yet.
  size_t held_back = 0;
};

// One sweep at `now`.
absl::StatusOr<SweepResult> SweepTombstones(storage::Store* store,
                                            const replication::PeerAcks& acks,
                                            absl::Time now,
                                            absl::Duration horizon);

struct TombstoneSweeperOptions {
  absl::Duration horizon = absl::Hours(24 * 30);
  absl::Duration interval = absl::Minutes(10);
  Clock* clock = Clock::Real();
  // Counts the withdrawals removed (not owned; may be null).
  std::atomic<uint64_t>* removed_total = nullptr;
};

// Stores the peer acknowledgements and sweeps every `interval` (and once
// more, storing only, on Stop).
class TombstoneSweeper {
 public:
  TombstoneSweeper(storage::Store* store, replication::PeerAcks* acks,
                   TombstoneSweeperOptions options);
  ~TombstoneSweeper();
  TombstoneSweeper(const TombstoneSweeper&) = delete;
  TombstoneSweeper& operator=(const TombstoneSweeper&) = delete;

  void Stop();

 private:
  void Run();

  storage::Store* const store_;
  replication::PeerAcks* const acks_;
  const TombstoneSweeperOptions options_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_TOMBSTONES_H_
