#include "common/hlc.h"

#include <algorithm>

namespace kaartnet {

HybridLogicalClock::HybridLogicalClock(Clock* clock, absl::Duration max_skew)
    : clock_(clock), max_skew_(max_skew) {}

uint64_t HybridLogicalClock::Physical() const {
  return Pack(absl::ToUnixMillis(clock_->Now()), 0);
}

uint64_t HybridLogicalClock::Now() { return NowAfter(0); }

uint64_t HybridLogicalClock::NowAfter(uint64_t floor) {
  const uint64_t physical = Physical();
  uint64_t last = last_.load();
  while (true) {
    const uint64_t next = std::max({physical, last + 1, floor + 1});
    if (last_.compare_exchange_weak(last, next)) return next;
  }
}

bool HybridLogicalClock::Observe(uint64_t remote) {
  const uint64_t limit =
      Pack(absl::ToUnixMillis(clock_->Now() + max_skew_), 0xffff);
  if (remote > limit) {
    skewed_.fetch_add(1);
    return false;
  }
  AdvanceTo(remote);
  return true;
}

void HybridLogicalClock::Restore(uint64_t high_water) { AdvanceTo(high_water); }

void HybridLogicalClock::AdvanceTo(uint64_t target) {
  uint64_t last = last_.load();
  while (last < target && !last_.compare_exchange_weak(last, target)) {
  }
}

}  // namespace kaartnet
