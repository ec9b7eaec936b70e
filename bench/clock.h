// Monotonic time for the benchmark tools.
#ifndef KAARTNET_BENCH_CLOCK_H_
#define KAARTNET_BENCH_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace kaartnet::bench {

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline double NowSeconds() { return static_cast<double>(NowNs()) / 1e9; }

}  // namespace kaartnet::bench

#endif  // KAARTNET_BENCH_CLOCK_H_
