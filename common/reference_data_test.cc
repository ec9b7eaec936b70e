#include "common/reference_data.h"

#include "gtest/gtest.h"

namespace kaartnet {
namespace {

TEST(ReferenceDataTest, HasAllGemeentenAndRegions) {
  const ReferenceData& data = ReferenceData::Get();
  EXPECT_EQ(data.gemeenten().size(), 342u);
  EXPECT_EQ(data.regios().size(), 35u);
  const Gemeente* maastricht = data.FindGemeente("GM0935");
  ASSERT_NE(maastricht, nullptr);
  EXPECT_EQ(maastricht->naam, "Maastricht");
  EXPECT_EQ(maastricht->arbeidsmarktregio_code, "AM30");
  const Arbeidsmarktregio* zl = data.FindRegio("AM30");
  ASSERT_NE(zl, nullptr);
  EXPECT_EQ(zl->naam, "Zuid-Limburg");
  EXPECT_EQ(zl->gemeentecodes.size(), 16u);
  EXPECT_EQ(data.FindGemeente("GM9999"), nullptr);
  EXPECT_EQ(data.FindRegio("AM04"), nullptr);
}

TEST(ReferenceDataTest, EveryRegionCountMatchesItsGemeenten) {
  size_t total = 0;
  for (const auto& regio : ReferenceData::Get().regios()) {
    EXPECT_FALSE(regio.gemeentecodes.empty()) << regio.code;
    total += regio.gemeentecodes.size();
  }
  EXPECT_EQ(total, 342u);
}

TEST(ReferenceDataTest, FindsGemeenteByCommonName) {
  const ReferenceData& data = ReferenceData::Get();
  ASSERT_NE(data.FindGemeenteByName("den haag"), nullptr);
  EXPECT_EQ(data.FindGemeenteByName("den haag")->code, "GM0518");
  ASSERT_NE(data.FindGemeenteByName("Beek"), nullptr);
  EXPECT_EQ(data.FindGemeenteByName("Beek")->code, "GM0888");
  ASSERT_NE(data.FindGemeenteByName("SUDWEST-FRYSLAN"), nullptr);
  EXPECT_EQ(data.FindGemeenteByName("nowhere"), nullptr);
}

TEST(ReferenceDataTest, FoldsDiacritics) {
  EXPECT_EQ(FoldForMatching("Café Geïnteresseerd ÉÉN"),
            "cafe geinteresseerd een");
  EXPECT_EQ(FoldForMatching("Súdwest-Fryslân"), "sudwest-fryslan");
}

TEST(ReferenceDataTest, HaversineMaastrichtHeerlen) {
  const ReferenceData& data = ReferenceData::Get();
  const Gemeente* a = data.FindGemeente("GM0935");
  const Gemeente* b = data.FindGemeente("GM0917");
  const double km =
      HaversineKm(a->latitude, a->longitude, b->latitude, b->longitude);
  EXPECT_GT(km, 15);
  EXPECT_LT(km, 25);
}

}  // namespace
}  // namespace kaartnet
