#include "bench/histogram.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace kaartnet::bench {
namespace {

TEST(HistogramTest, ExactBelow256AndWithinOnePercentAbove) {
  for (uint64_t v : {0ull, 1ull, 255ull})
    EXPECT_EQ(Histogram::Midpoint(Histogram::Index(v)), v);
  for (uint64_t v = 256; v < (uint64_t{1} << 40); v = v * 3 / 2 + 7) {
    const size_t i = Histogram::Index(v);
    const uint64_t lo = Histogram::LowerBound(i);
    EXPECT_LE(lo, v);
    EXPECT_GT(Histogram::LowerBound(i + 1), v);
    const double error =
        std::abs(static_cast<double>(Histogram::Midpoint(i)) - v) / v;
    EXPECT_LT(error, 0.01) << v;
  }
}

TEST(HistogramTest, PercentilesOfAKnownDistribution) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1 µs .. 100 ms
  EXPECT_EQ(h.count(), 100000u);
  auto near = [](double got, double want) {
    return std::abs(got - want) / want < 0.01;
  };
  EXPECT_TRUE(near(h.Percentile(0.5), 50e6)) << h.Percentile(0.5);
  EXPECT_TRUE(near(h.Percentile(0.99), 99e6)) << h.Percentile(0.99);
  EXPECT_TRUE(near(h.Percentile(0.999), 99.9e6)) << h.Percentile(0.999);
  EXPECT_EQ(h.max(), 100000000u);
  Histogram other;
  other.Record(5);
  h.Merge(other);
  EXPECT_EQ(h.min(), 5u);
  EXPECT_EQ(h.count(), 100001u);
}

}  // namespace
}  // namespace kaartnet::bench
