#include "model/vocabulary.h"

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"

namespace kaartnet::model {
namespace {

TEST(VocabularyTest, LabelsAndShortNames) {
  EXPECT_EQ(Label("ENTRY_KIND_IPS_TRAJECTBEGELEIDER"), "IPS-trajectbegeleider");
  EXPECT_EQ(Label(v1::TargetGroup_descriptor(), v1::TARGET_GROUP_PSYCHOSE),
            "Psychose");
  EXPECT_EQ(ShortName(v1::EntryKind_descriptor(),
                      v1::ENTRY_KIND_RE_INTEGRATIETRAJECT),
            "re-integratietraject");
}

TEST(VocabularyTest, ParsesLooseForms) {
  EXPECT_EQ(*ParseEnum(v1::EntryKind_descriptor(), "jobcoach"),
            v1::ENTRY_KIND_JOBCOACH);
  EXPECT_EQ(*ParseEnum(v1::EntryKind_descriptor(), "ENTRY_KIND_JOBCOACH"),
            v1::ENTRY_KIND_JOBCOACH);
  EXPECT_EQ(*ParseEnum(v1::EntryKind_descriptor(), "ips-trajectbegeleider"),
            v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER);
  EXPECT_EQ(*ParseEnum(v1::OrganisationType_descriptor(), "ggz instelling"),
            v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  auto bad = ParseEnum(v1::EntryKind_descriptor(), "loodgieter");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("jobcoach"), std::string::npos);
  EXPECT_FALSE(ParseEnum(v1::EntryKind_descriptor(), "unspecified").ok());
}

TEST(VocabularyTest, EveryEnumValueHasADutchLabel) {
  for (const auto* type :
       {v1::EntryKind_descriptor(), v1::Intervention_descriptor(),
        v1::TargetGroup_descriptor(), v1::Regeling_descriptor(),
        v1::Funding_descriptor(), v1::QualityMarkType_descriptor(),
        v1::EmployerOffer_descriptor(), v1::OrganisationType_descriptor(),
        v1::Visibility_descriptor()}) {
    for (int value : EnumValues(type)) {
      const std::string name = type->FindValueByNumber(value)->name();
      EXPECT_NE(Label(name), absl::AsciiStrToLower(name))
          << name << " has no label";
    }
  }
}

}  // namespace
}  // namespace kaartnet::model
