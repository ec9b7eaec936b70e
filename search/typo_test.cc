#include "search/typo.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet::search {
namespace {

TEST(TypoTest, EditDistance) {
  EXPECT_EQ(BoundedEditDistance("jobcoach", "jobcoach", 2), 0);
  EXPECT_EQ(BoundedEditDistance("jobcoch", "jobcoach", 2), 1);    // deletion
  EXPECT_EQ(BoundedEditDistance("jobcoaach", "jobcoach", 2), 1);  // insertion
  EXPECT_EQ(BoundedEditDistance("jobkoach", "jobcoach", 2), 1);  // substitution
  EXPECT_EQ(BoundedEditDistance("pyschose", "psychose", 2),
            2);  // swap = 2 edits
  EXPECT_EQ(BoundedEditDistance("maastricht", "amsterdam", 2),
            3);  // beyond the bound
  EXPECT_EQ(BoundedEditDistance("", "ab", 2), 2);
}

TEST(TypoTest, NeighboursNearestFirst) {
  std::vector<std::pair<std::string, std::string>> vocabulary = {
      {"ervaringsdeskundige", "ervaringsdeskund"},
      {"ervaringsdeskundigen", "ervaringsdeskund"},
      {"jobcoach", "jobcoach"},
      {"jobcoaching", "jobcoaching"}};
  auto found = TypoNeighbours(vocabulary, "ervaringsdeskundge", 2, 10);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].first.first, "ervaringsdeskundige");
  EXPECT_EQ(found[0].second, 1);
  EXPECT_EQ(found[1].second, 2);
  EXPECT_TRUE(TypoNeighbours(vocabulary, "jobcoach", 1, 10).empty());
}

}  // namespace
}  // namespace kaartnet::search
