// Hybrid logical clock (Kulkarni et al.): a 64-bit timestamp whose upper 48
// bits are Unix milliseconds and lower 16 bits a logical counter. A node
// never issues a timestamp lower than any it issued or accepted, so versions
// it writes are ordered after everything it has seen.
//
// A remote timestamp more than `max_skew` ahead of this node's physical time
// is still accepted by the caller, but does not drag this clock forward; it
// is counted instead (see replication.md).
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_COMMON_HLC_H_
#define KAARTNET_COMMON_HLC_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"
#include "common/clock.h"

namespace kaartnet {

class HybridLogicalClock {
 public:
  HybridLogicalClock(Clock* clock, absl::Duration max_skew);

  // A new timestamp, strictly greater than every one issued or observed.
  uint64_t Now();
  // A new timestamp strictly greater than `floor` and than Now().
  uint64_t NowAfter(uint64_t floor);
  // Moves the clock past `remote` unless it is more than max_skew ahead of
  // physical time. Returns false when it was too far ahead.
  bool Observe(uint64_t remote);
  // The highest timestamp issued or observed so far (0 at start).
  uint64_t HighWater() const { return last_.load(); }
  // Restores the high-water mark after a restart (never moves backwards).
  void Restore(uint64_t high_water);
  // Remote timestamps refused by Observe because of skew.
  uint64_t skewed_observations() const { return skewed_.load(); }

  static uint64_t Pack(int64_t unix_millis, uint16_t logical) {
    return (static_cast<uint64_t>(unix_millis) << 16) | logical;
  }
  static int64_t Millis(uint64_t hlc) {
    return static_cast<int64_t>(hlc >> 16);
  }
  static absl::Time ToTime(uint64_t hlc) {
    return absl::FromUnixMillis(Millis(hlc));
  }
  static uint64_t FromTime(absl::Time t) {
    return Pack(absl::ToUnixMillis(t), 0);
  }

 private:
  uint64_t Physical() const;
  void AdvanceTo(uint64_t target);

  Clock* const clock_;
  const absl::Duration max_skew_;
  std::atomic<uint64_t> last_{0};
  std::atomic<uint64_t> skewed_{0};
};

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_HLC_H_
