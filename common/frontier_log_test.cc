#include "common/frontier_log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

using Changes = std::vector<std::pair<std::string, uint64_t>>;

Changes Since(const FrontierLog& log, uint64_t since, uint64_t* next) {
  Changes changed;
  *next = log.ChangesSince(since, &changed);
  return changed;
}

TEST(FrontierLogTest, AReaderSeesOnlyWhatMovedSinceItLooked) {
  FrontierLog log;
  log.Raise("a", 3);
  log.Raise("b", 1);
  uint64_t next = 0;
  EXPECT_THAT(Since(log, 0, &next), ElementsAre(Pair("a", 3), Pair("b", 1)));
  EXPECT_EQ(next, log.version());
  EXPECT_THAT(Since(log, next, &next), IsEmpty());

  log.Raise("a", 5);
  log.Raise("c", 2);
  log.Raise("a", 4);  // lower: no change
  const uint64_t before = next;
  EXPECT_THAT(Since(log, before, &next),
              ElementsAre(Pair("a", 5), Pair("c", 2)));
  // An origin that moved twice appears once, at its latest change.
  log.Raise("c", 7);
  log.Raise("c", 9);
  EXPECT_THAT(Since(log, before, &next),
              ElementsAre(Pair("a", 5), Pair("c", 9)));
  EXPECT_EQ(log.Get("c"), 9u);
  EXPECT_EQ(log.Get("unknown"), 0u);
  EXPECT_THAT(log.ToMap(),
              ElementsAre(Pair("a", 5), Pair("b", 1), Pair("c", 9)));
}

TEST(FrontierLogTest, ACopyKeepsItsChangeNumbersAndStandsAlone) {
  FrontierLog log({{"a", 1}, {"b", 2}});
  uint64_t next = 0;
  Since(log, 0, &next);
  FrontierLog copy = log;
  log.Raise("a", 10);
  copy.Raise("b", 20);
  uint64_t unused = 0;
  EXPECT_THAT(Since(log, next, &unused), ElementsAre(Pair("a", 10)));
  EXPECT_THAT(Since(copy, next, &unused), ElementsAre(Pair("b", 20)));
  EXPECT_THAT(copy.ToMap(), ElementsAre(Pair("a", 1), Pair("b", 20)));
}

}  // namespace
}  // namespace kaartnet
