#include "common/hlc.h"

#include "gtest/gtest.h"

namespace kaartnet {
namespace {

TEST(HlcTest, FollowsPhysicalTimeAndNeverRepeats) {
  FakeClock clock;
  HybridLogicalClock hlc(&clock, absl::Minutes(10));
  const uint64_t a = hlc.Now();
  const uint64_t b = hlc.Now();
  EXPECT_GT(b, a);
  EXPECT_EQ(HybridLogicalClock::Millis(a), absl::ToUnixMillis(clock.Now()));
  clock.Advance(absl::Seconds(1));
  const uint64_t c = hlc.Now();
  EXPECT_EQ(HybridLogicalClock::Millis(c), absl::ToUnixMillis(clock.Now()));
  EXPECT_GT(c, b);
}

TEST(HlcTest, NeverGoesBackwardsWhenWallClockDoes) {
  FakeClock clock;
  HybridLogicalClock hlc(&clock, absl::Minutes(10));
  const uint64_t before = hlc.Now();
  clock.Advance(-absl::Hours(1));
  EXPECT_GT(hlc.Now(), before);
}

TEST(HlcTest, ObserveMovesPastRemoteWithinSkew) {
  FakeClock clock;
  HybridLogicalClock hlc(&clock, absl::Minutes(10));
  const uint64_t remote =
      HybridLogicalClock::FromTime(clock.Now() + absl::Minutes(5));
  EXPECT_TRUE(hlc.Observe(remote));
  EXPECT_GT(hlc.Now(), remote);
  EXPECT_EQ(hlc.skewed_observations(), 0u);
}

TEST(HlcTest, ObserveRefusesToBeDraggedBeyondSkew) {
  FakeClock clock;
  HybridLogicalClock hlc(&clock, absl::Minutes(10));
  const uint64_t remote =
      HybridLogicalClock::FromTime(clock.Now() + absl::Minutes(11));
  EXPECT_FALSE(hlc.Observe(remote));
  EXPECT_LT(hlc.Now(), remote);
  EXPECT_EQ(hlc.skewed_observations(), 1u);
}

TEST(HlcTest, NowAfterAndRestore) {
  FakeClock clock;
  HybridLogicalClock hlc(&clock, absl::Minutes(10));
  const uint64_t far =
      HybridLogicalClock::FromTime(clock.Now() + absl::Hours(2));
  EXPECT_GT(hlc.NowAfter(far), far);
  HybridLogicalClock restarted(&clock, absl::Minutes(10));
  restarted.Restore(far + 5);
  EXPECT_GT(restarted.Now(), far + 5);
}

}  // namespace
}  // namespace kaartnet
