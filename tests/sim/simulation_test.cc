#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sim/simulator.h"

namespace kaartnet::sim {
namespace {

using ::testing::HasSubstr;

// Seeds 1..200 in shards; node counts 10–50 follow from the seed.
SimOptions SweepOptions(uint64_t seed) {
  SimOptions options;
  options.seed = seed;
  options.nodes = 10 + static_cast<int>(seed * 7919 % 41);
  options.clusters = 1 + static_cast<int>(seed % 3);
  options.entries = 150;
  options.organisations = 15;
  options.writes_per_second = 5;
  options.active = absl::Seconds(90);
  options.payload_bytes = 64;
  return options;
}

class SeedSweep : public ::testing::TestWithParam<int> {};

TEST_P(SeedSweep, EveryInvariantHolds) {
  constexpr int kSeedsPerShard = 25;
  for (int i = 0; i < kSeedsPerShard; ++i) {
    const uint64_t seed =
        static_cast<uint64_t>(GetParam() * kSeedsPerShard + i + 1);
    SimReport report = RunSimulation(SweepOptions(seed));
    ASSERT_TRUE(report.ok) << report.violation;
    EXPECT_GT(report.writes, 0u);
    EXPECT_GT(report.faults, 0u);
    EXPECT_GT(report.records_sent, 0u);
    EXPECT_GE(report.simulated_seconds, 90);
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, SeedSweep, ::testing::Range(0, 8));

TEST(SimulationTest, SameSeedSameRun) {
  SimOptions options = SweepOptions(42);
  SimReport first = RunSimulation(options);
  SimReport second = RunSimulation(options);
  ASSERT_TRUE(first.ok) << first.violation;
  EXPECT_EQ(first.messages, second.messages);
  EXPECT_EQ(first.bytes, second.bytes);
  EXPECT_EQ(first.writes, second.writes);
  EXPECT_EQ(first.heal_converged, second.heal_converged);
  EXPECT_EQ(first.simulated_seconds, second.simulated_seconds);
  options.seed = 43;
  EXPECT_NE(RunSimulation(options).bytes, first.bytes);
}

TEST(SimulationTest, RestoresFromOldBackupsAreCaughtUp) {
  SimOptions options = SweepOptions(7);
  options.restores_per_minute = 6;
  options.crashes_per_minute = 0;
  SimReport report = RunSimulation(options);
  ASSERT_TRUE(report.ok) << report.violation;
  EXPECT_GT(report.origin_rotations, 0u);
}

TEST(SimulationTest, ABrokenConflictRuleIsCaughtWithItsSeed) {
  SimOptions options = SweepOptions(3);
  options.sabotage_conflict_rule = true;
  SimReport report = RunSimulation(options);
  ASSERT_FALSE(report.ok);
  EXPECT_THAT(report.violation, HasSubstr("seed 3 "));
  EXPECT_THAT(report.violation, HasSubstr("no convergence"));
  EXPECT_THAT(report.violation, HasSubstr("faults so far"));
}

TEST(SimulationTest, RegionScaleRunConverges) {
  SimOptions options;
  options.seed = 1;
  options.scale = true;
  options.faults = false;
  options.nodes = 60;
  options.clusters = 3;
  options.entries = 3000;
  options.organisations = 100;
  options.divergent_writes = 300;
  options.load_window = absl::Seconds(20);
  SimReport report = RunSimulation(options);
  ASSERT_TRUE(report.ok) << report.violation;
  EXPECT_GT(report.burst_converged, absl::ZeroDuration());
  EXPECT_LT(report.burst_converged, absl::Seconds(10));
  EXPECT_LT(report.heal_converged, absl::Seconds(10));
  std::printf("%s\n", report.Summary().c_str());
}

}  // namespace
}  // namespace kaartnet::sim
