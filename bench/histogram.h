// A latency histogram with bounded relative error (HdrHistogram-style
// log-linear buckets): values below 256 are exact, above that each power of
// two is split into 128 buckets, so a reported value is within 0.8% of the
// true one. Values are in nanoseconds.
//
// Thread-safety: none; merge per-thread histograms.
#ifndef KAARTNET_BENCH_HISTOGRAM_H_
#define KAARTNET_BENCH_HISTOGRAM_H_

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kaartnet::bench {

class Histogram {
 public:
  Histogram() : counts_(kBuckets, 0) {}

  void Record(uint64_t value) {
    ++counts_[Index(value)];
    ++total_;
    sum_ += value;
    max_ = std::max(max_, value);
    min_ = std::min(min_, value);
  }

  void Merge(const Histogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
  }

  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return total_ ? min_ : 0; }
  double mean() const {
    return total_ ? static_cast<double>(sum_) / total_ : 0;
  }

  // The value at quantile q in [0, 1] (midpoint of its bucket).
  uint64_t Percentile(double q) const {
    if (total_ == 0) return 0;
    const uint64_t rank =
        std::max<uint64_t>(1, static_cast<uint64_t>(q * total_ + 0.5));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(Midpoint(i), max_);
    }
    return max_;
  }

  // For tests: the bucket of a value and its bounds.
  static size_t Index(uint64_t v) {
    if (v < 256) return v;
    const int e = 63 - __builtin_clzll(v) - 7;  // v >> e in [128, 255]
    return 256 + (e - 1) * 128 + ((v >> e) - 128);
  }
  static uint64_t LowerBound(size_t index) {
    if (index < 256) return index;
    const size_t e = (index - 256) / 128 + 1;
    const uint64_t sub = (index - 256) % 128 + 128;
    return sub << e;
  }
  static uint64_t Midpoint(size_t index) {
    if (index < 256) return index;
    const size_t e = (index - 256) / 128 + 1;
    return LowerBound(index) + ((uint64_t{1} << e) >> 1);
  }

 private:
  static constexpr size_t kBuckets = 256 + 57 * 128;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace kaartnet::bench

#endif  // KAARTNET_BENCH_HISTOGRAM_H_
