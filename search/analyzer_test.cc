#include "search/analyzer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet::search {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Key;
using ::testing::Not;

const Analyzer& A() { return Analyzer::Get(); }

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

TEST(AnalyzerTest, DutchWordPairsShareAStem) {
  const std::pair<const char*, const char*> pairs[] = {
      {"jobcoaches", "jobcoach"},
      {"ervaringsdeskundigen", "ervaringsdeskundige"},
      {"werkgevers", "werkgever"},
      {"café", "cafe"},
      {"geïnteresseerd", "geinteresseerd"},
      {"trajecten", "traject"},
      {"garantiebanen", "garantiebaan"},
      {"werkervaringsplaatsen", "werkervaringsplaats"},
  };
  for (const auto& [a, b] : pairs) {
    const std::string fa = Tokenize(a)[0], fb = Tokenize(b)[0];
    EXPECT_EQ(A().Stem(fa), A().Stem(fb)) << a << " / " << b;
  }
  // Different words keep different stems.
  EXPECT_NE(A().Stem("werk"), A().Stem("werkgever"));
  EXPECT_NE(A().Stem("psychose"), A().Stem("autisme"));
}

TEST(AnalyzerTest, FieldTermsIncludeCompoundsPostcodesAndSynonyms) {
  FieldTerms terms;
  A().AnalyzeField(
      "POH-GGZ in 6411 AB, Individuele Plaatsing en Steun van de gemeente",
      &terms);
  EXPECT_THAT(terms.tf, Contains(Key(A().Stem("poh"))));
  EXPECT_THAT(terms.tf, Contains(Key(A().Stem("ggz"))));
  EXPECT_THAT(terms.tf, Contains(Key(A().Stem("pohggz"))));
  EXPECT_THAT(terms.tf, Contains(Key("6411ab")));
  EXPECT_THAT(terms.tf, Contains(Key("6411")));
  EXPECT_THAT(terms.tf, Contains(Key("~ips")));
  EXPECT_THAT(terms.tf, Contains(Key("~poh-ggz")));
  EXPECT_THAT(terms.tf, Contains(Key("~ggz")));
  // Stop words are not terms and do not count for the length.
  EXPECT_THAT(terms.tf, Not(Contains(Key("de"))));
  EXPECT_THAT(terms.tf, Not(Contains(Key("van"))));
  // poh ggz 6411 ab individuele plaatsing steun gemeente
  EXPECT_EQ(terms.length, 8u);
}

TEST(AnalyzerTest, AbbreviationsAndFullFormsMeetInOneToken) {
  for (const char* text : {"IPS", "individuele plaatsing en steun"}) {
    FieldTerms terms;
    A().AnalyzeField(text, &terms);
    EXPECT_THAT(terms.tf, Contains(Key("~ips"))) << text;
  }
  for (const char* text : {"ED", "ervaringsdeskundigen"}) {
    FieldTerms terms;
    A().AnalyzeField(text, &terms);
    EXPECT_THAT(terms.tf, Contains(Key("~ervaringsdeskundige"))) << text;
  }
  FieldTerms wsp;
  A().AnalyzeField("WSP Parkstad", &wsp);
  EXPECT_THAT(wsp.tf, Contains(Key("~werkgeversservicepunt")));
}

TEST(AnalyzerTest, ShortAbbreviationsMatchOnlyTheWholeWord) {
  // "ASS" (autismespectrumstoornis) must not turn the town Assen, or the
  // word "assistent", into autism.
  for (const char* text : {"Team Assen", "assistent begeleider"}) {
    FieldTerms terms;
    A().AnalyzeField(text, &terms);
    EXPECT_THAT(terms.tf, Not(Contains(Key("~ass")))) << text;
  }
  FieldTerms ass;
  A().AnalyzeField("jobcoach bij ASS", &ass);
  EXPECT_THAT(ass.tf, Contains(Key("~ass")));
  FieldTerms autisme;
  A().AnalyzeField("autisme", &autisme);
  EXPECT_THAT(autisme.tf, Contains(Key("~ass")));
}

TEST(AnalyzerTest, QueryGroups) {
  auto groups = A().AnalyzeQuery("IPS psychose kerkr");
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].text, "ips");
  EXPECT_THAT(groups[0].synonyms, ElementsAre("~ips"));
  EXPECT_FALSE(groups[0].prefix);
  EXPECT_TRUE(groups[2].prefix);
  EXPECT_EQ(groups[2].raw, "kerkr");

  // A trailing space: the last word is complete.
  EXPECT_FALSE(A().AnalyzeQuery("werk ")[0].prefix);

  // A phrase synonym is one group; stop words inside it stay in it.
  groups = A().AnalyzeQuery("individuele plaatsing en steun bij psychose");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_THAT(groups[0].synonyms, ElementsAre("~ips"));
  EXPECT_EQ(groups[1].text, "psychose");

  // A hyphenated compound is one group on its joined stem.
  groups = A().AnalyzeQuery("re-integratie burn-out");
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].stem, A().Stem("reintegratie"));
  EXPECT_THAT(groups[0].synonyms, Contains("~re-integratie"));
  EXPECT_THAT(groups[1].synonyms, Contains("~burn-out"));

  // Postcodes.
  groups = A().AnalyzeQuery("jobcoach arabisch 6411 AB");
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_TRUE(groups[2].postcode);
  EXPECT_EQ(groups[2].raw, "6411");

  // Stop words go, unless there is nothing else or it is still being typed.
  EXPECT_EQ(A().AnalyzeQuery("werk van de gemeente ").size(), 2u);
  EXPECT_EQ(A().AnalyzeQuery("de").size(), 1u);
}

}  // namespace
}  // namespace kaartnet::search
