// Time source, injected wherever time matters so that tests and the
// simulator can control it.
//
// Thread-safety: all implementations are safe to call from any thread.
#ifndef KAARTNET_COMMON_CLOCK_H_
#define KAARTNET_COMMON_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace kaartnet {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (may jump, e.g. after NTP corrections).
  virtual absl::Time Now() = 0;
  // Monotonic time for measuring durations.
  virtual int64_t MonotonicMicros() = 0;

  // The process-wide real clock.
  static Clock* Real();
};

// Another clock's time shifted by `offset` (clock-skew tests of real
// processes); monotonic time is the other clock's.
class OffsetClock final : public Clock {
 public:
  OffsetClock(Clock* base, absl::Duration offset)
      : base_(base), offset_(offset) {}
  absl::Time Now() override { return base_->Now() + offset_; }
  int64_t MonotonicMicros() override { return base_->MonotonicMicros(); }

 private:
  Clock* const base_;
  const absl::Duration offset_;
};

// A clock that only moves when told to. Starts at `start`.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1767225600))
      : now_micros_(absl::ToUnixMicros(start)) {}

  absl::Time Now() override { return absl::FromUnixMicros(now_micros_.load()); }
  int64_t MonotonicMicros() override { return now_micros_.load(); }

  void Advance(absl::Duration d) {
    now_micros_ += absl::ToInt64Microseconds(d);
  }
  void Set(absl::Time t) { now_micros_ = absl::ToUnixMicros(t); }

 private:
  std::atomic<int64_t> now_micros_;
};

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_CLOCK_H_
