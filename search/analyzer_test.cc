#include "search/analyzer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet::search {
namespace {

using ::testing::ElementsAre;

TEST(TokenizeTest, FoldsCaseAndDiacritics) {
  EXPECT_THAT(Tokenize("Geïnteresseerd in Café-werk"),
              ElementsAre("geinteresseerd", "in", "cafe", "werk"));
}

TEST(TokenizeTest, SplitsPunctuationCompoundsAndPostcodes) {
  EXPECT_THAT(Tokenize("POH-GGZ, 6411AB / 6411 ab"),
              ElementsAre("poh", "ggz", "6411", "ab", "6411", "ab"));
  EXPECT_THAT(Tokenize("werk\u2013leer–traject"),
              ElementsAre("werk", "leer", "traject"));
  EXPECT_THAT(Tokenize("  "), ElementsAre());
}

}  // namespace
}  // namespace kaartnet::search
