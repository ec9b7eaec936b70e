#include "model/validation.h"

#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"

namespace kaartnet::model {
namespace {

using ::kaartnet::v1::Entry;
using ::testing::Contains;
using ::testing::Field;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1767225600 + 86400);

struct RuleCase {
  const char* name;
  std::function<void(Entry*)> mutate;
  // Empty when the mutation must stay valid.
  const char* expected_field;
};

void PrintTo(const RuleCase& rule, std::ostream* os) { *os << rule.name; }

class ValidationRuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(ValidationRuleTest, AppliesRule) {
  Entry entry = testdata::IpsHeerlen();
  GetParam().mutate(&entry);
  const auto violations = ValidateEntry(entry, EntryOrigin::kUnsigned, kNow);
  if (std::string(GetParam().expected_field).empty()) {
    EXPECT_THAT(violations, IsEmpty()) << ToStatus(violations);
  } else {
    EXPECT_THAT(violations, Contains(Field(&FieldViolation::field,
                                           GetParam().expected_field)))
        << ToStatus(violations);
  }
}

// Each rule: one passing and one failing case.
const RuleCase kRuleCases[] = {
    {"BaseEntryIsValid", [](Entry*) {}, ""},
    {"IdWithOrganisationPrefix", [](Entry* e) { e->set_id("mondriaan/x-1"); },
     ""},
    {"IdMissing", [](Entry* e) { e->clear_id(); }, "id"},
    {"IdUpperCase", [](Entry* e) { e->set_id("mondriaan/IPS"); }, "id"},
    {"IdOtherOrganisation", [](Entry* e) { e->set_id("other/ips"); }, "id"},
    {"OrganisationIdKvk",
     [](Entry* e) {
       e->set_organisation_id("12345678");
       e->set_id("12345678/ips");
     },
     ""},
    {"OrganisationIdBad",
     [](Entry* e) { e->set_organisation_id("Mondriaan GGZ"); },
     "organisation_id"},
    {"KindMissing", [](Entry* e) { e->clear_kind(); }, "kind"},
    {"KindUnknownNumber",
     [](Entry* e) { e->set_kind(static_cast<v1::EntryKind>(99)); }, "kind"},
    {"TitleShort", [](Entry* e) { e->set_title("IP"); }, "title"},
    {"TitleThreeChars", [](Entry* e) { e->set_title("IPS"); }, ""},
    {"TitleTooLong", [](Entry* e) { e->set_title(std::string(201, 'a')); },
     "title"},
    {"TitleNewline", [](Entry* e) { e->set_title("twee\nregels"); }, "title"},
    {"TitleBadUtf8", [](Entry* e) { e->set_title("caf\xC3"); }, "title"},
    {"DescriptionNewlinesAllowed",
     [](Entry* e) { e->set_description("a\nb\n"); }, ""},
    {"DescriptionTab", [](Entry* e) { e->set_description("a\tb"); },
     "description"},
    {"Description4000",
     [](Entry* e) { e->set_description(std::string(4000, 'e')); }, ""},
    {"Description4001",
     [](Entry* e) { e->set_description(std::string(4001, 'e')); },
     "description"},
    {"DescriptionCountsCharactersNotBytes",
     [](Entry* e) {
       std::string s;
       for (int i = 0; i < 4000; ++i) s += "\xC3\xAB";  // ë
       e->set_description(s);
     },
     ""},
    {"InterventionUnspecified",
     [](Entry* e) { e->add_interventions(v1::INTERVENTION_UNSPECIFIED); },
     "interventions[2]"},
    {"InterventionTwice",
     [](Entry* e) { e->add_interventions(v1::INTERVENTION_IPS); },
     "interventions[2]"},
    {"TargetGroupUnknown",
     [](Entry* e) { e->add_target_groups(static_cast<v1::TargetGroup>(77)); },
     "target_groups[2]"},
    {"RegelingTwice", [](Entry* e) { e->add_regelingen(v1::REGELING_WIA); },
     "regelingen[2]"},
    {"FundingUnspecified",
     [](Entry* e) { e->add_funding(v1::FUNDING_UNSPECIFIED); }, "funding[2]"},
    {"ServiceAreaEmpty", [](Entry* e) { e->clear_service_area(); },
     "service_area"},
    {"ServiceAreaOnlyRegion",
     [](Entry* e) { e->mutable_service_area()->clear_gemeentecodes(); }, ""},
    {"GemeentecodeUnknown",
     [](Entry* e) { e->mutable_service_area()->add_gemeentecodes("GM9999"); },
     "service_area.gemeentecodes[2]"},
    {"GemeentecodeShape",
     [](Entry* e) { e->mutable_service_area()->add_gemeentecodes("0935"); },
     "service_area.gemeentecodes[2]"},
    {"GemeentecodeTwice",
     [](Entry* e) { e->mutable_service_area()->add_gemeentecodes("GM0917"); },
     "service_area.gemeentecodes[2]"},
    {"RegioUnused",
     [](Entry* e) {
       e->mutable_service_area()->add_arbeidsmarktregio_codes("AM04");
     },
     "service_area.arbeidsmarktregio_codes[1]"},
    {"PostcodeFiveDigits",
     [](Entry* e) { e->mutable_locations(0)->set_postcode("12345"); },
     "locations[0].postcode"},
    {"PostcodeForbiddenLetters",
     [](Entry* e) { e->mutable_locations(0)->set_postcode("6411 SS"); },
     "locations[0].postcode"},
    {"PostcodeOptional",
     [](Entry* e) { e->mutable_locations(0)->clear_postcode(); }, ""},
    {"LocationCityRequired",
     [](Entry* e) { e->mutable_locations(0)->clear_city(); },
     "locations[0].city"},
    {"LocationGemeenteRequired",
     [](Entry* e) { e->mutable_locations(0)->clear_gemeentecode(); },
     "locations[0].gemeentecode"},
    {"LocationHouseNumberNeedsStreet",
     [](Entry* e) { e->mutable_locations(0)->clear_street(); },
     "locations[0].street"},
    {"LocationLatitudeOutsideNl",
     [](Entry* e) { e->mutable_locations(0)->set_latitude(48.85); },
     "locations[0].latitude"},
    {"LocationLatitudeWithoutLongitude",
     [](Entry* e) { e->mutable_locations(0)->clear_longitude(); },
     "locations[0].longitude"},
    {"LocationsAtMost50",
     [](Entry* e) {
       for (int i = 0; i < 50; ++i) *e->add_locations() = e->locations(0);
     },
     "locations"},
    {"Locations50Allowed",
     [](Entry* e) {
       for (int i = 0; i < 49; ++i) *e->add_locations() = e->locations(0);
     },
     ""},
    {"ContactNeedsPhoneOrEmail",
     [](Entry* e) {
       e->mutable_contacts(0)->clear_phone();
       e->mutable_contacts(0)->clear_email();
     },
     "contacts[0]"},
    {"ContactBadEmail",
     [](Entry* e) {
       e->mutable_contacts(0)->set_email("aanmelding at example.nl");
     },
     "contacts[0].email"},
    {"ContactBadPhone",
     [](Entry* e) { e->mutable_contacts(0)->set_phone("12345"); },
     "contacts[0].phone"},
    {"ContactInternationalPhone",
     [](Entry* e) { e->mutable_contacts(0)->set_phone("+31 6 1234 5678"); },
     ""},
    {"ContactVisibilityRequired",
     [](Entry* e) { e->mutable_contacts(1)->clear_visibility(); },
     "contacts[1].visibility"},
    {"ContactsAtMost50",
     [](Entry* e) {
       for (int i = 0; i < 50; ++i) *e->add_contacts() = e->contacts(0);
     },
     "contacts"},
    {"WaitWeeksTooLong",
     [](Entry* e) { e->mutable_availability()->set_wait_weeks(200); },
     "availability.wait_weeks"},
    {"FidelityScoreOutOfRange",
     [](Entry* e) { e->mutable_quality_marks(0)->set_fidelity_score(130); },
     "quality_marks[0].fidelity_score"},
    {"OtherMarkNeedsName",
     [](Entry* e) {
       e->add_quality_marks()->set_type(v1::QUALITY_MARK_TYPE_OTHER);
     },
     "quality_marks[1].name"},
    {"OtherMarkWithName",
     [](Entry* e) {
       auto* m = e->add_quality_marks();
       m->set_type(v1::QUALITY_MARK_TYPE_OTHER);
       m->set_name("PSO-keurmerk");
     },
     ""},
    {"LanguageUnknown", [](Entry* e) { e->add_languages("xx"); },
     "languages[2]"},
    {"LanguageArabic", [](Entry* e) { e->add_languages("ar"); }, ""},
    {"EmployerOnlyForWerkgever",
     [](Entry* e) { e->mutable_employer()->set_sector("Q"); }, "employer"},
    {"WerkgeverNeedsEmployer",
     [](Entry* e) { e->set_kind(v1::ENTRY_KIND_WERKGEVER); }, "employer"},
    {"WerkgeverSectorLetter",
     [](Entry* e) {
       e->set_kind(v1::ENTRY_KIND_WERKGEVER);
       e->mutable_employer()->set_sector("Z");
     },
     "employer.sector"},
    {"WerkgeverValid",
     [](Entry* e) {
       e->set_kind(v1::ENTRY_KIND_WERKGEVER);
       e->mutable_employer()->set_sector("Q");
       e->mutable_employer()->add_offers(v1::EMPLOYER_OFFER_GARANTIEBAAN);
     },
     ""},
    {"LastVerifiedInFuture",
     [](Entry* e) {
       e->mutable_last_verified()->set_seconds(absl::ToUnixSeconds(kNow) +
                                               7 * 86400);
     },
     "last_verified"},
    {"VersionSetByNode", [](Entry* e) { e->mutable_version()->set_hlc(5); },
     "version"},
    {"WithdrawnViaWithdraw", [](Entry* e) { e->set_withdrawn(true); },
     "withdrawn"},
    {"TooLarge",
     [](Entry* e) {
       for (int i = 0; i < 40; ++i) {
         auto* loc = e->add_locations();
         *loc = e->locations(0);
         loc->set_name(std::string(190, 'x'));
         loc->set_street(std::string(190, 'y'));
         loc->set_city(std::string(99, 'z'));
       }
       e->set_description(std::string(4000, 'd'));
       for (int i = 0; i < 40; ++i) {
         auto* c = e->add_contacts();
         *c = e->contacts(0);
         c->set_name(std::string(99, 'n'));
         c->set_role(std::string(99, 'r'));
       }
     },
     ""},
};

INSTANTIATE_TEST_SUITE_P(Rules, ValidationRuleTest,
                         ::testing::ValuesIn(kRuleCases),
                         [](const auto& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(ValidationTest, TooLargeEntryNamesTheSize) {
  // Within every per-field limit, but 3-byte characters push the
  // serialized entry past 64 KiB.
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";
  Entry entry = testdata::IpsHeerlen();
  for (int i = 0; i < 49; ++i) {
    auto* loc = entry.add_locations();
    *loc = entry.locations(0);
    loc->set_name(euros);
    loc->set_street(euros);
    loc->set_city(euros.substr(0, 300));
  }
  ASSERT_GT(entry.ByteSizeLong(), kMaxEntryBytes);
  const auto violations = ValidateEntry(entry, EntryOrigin::kUnsigned, kNow);
  ASSERT_EQ(violations.size(), 1u) << ToStatus(violations);
  EXPECT_EQ(violations[0].field, "");
  EXPECT_THAT(violations[0].description, ::testing::HasSubstr("65536"));
}

TEST(ValidationTest, ReportsEveryProblemAtOnce) {
  Entry entry = testdata::IpsHeerlen();
  entry.set_title("");
  entry.mutable_locations(0)->set_postcode("12345");
  entry.add_languages("xx");
  const absl::Status status =
      ToStatus(ValidateEntry(entry, EntryOrigin::kUnsigned, kNow));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(status).size(), 3u);
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("locations[0].postcode: \"12345\" is not a "
                                   "Dutch postcode (1234 AB)"));
}

TEST(ValidationTest, SignedRecordNeedsVersionAndRegion) {
  Entry entry = testdata::IpsHeerlen();
  auto violations = ValidateEntry(entry, EntryOrigin::kSigned, kNow);
  EXPECT_THAT(violations,
              Contains(Field(&FieldViolation::field, "version.hlc")));
  EXPECT_THAT(violations, Contains(Field(&FieldViolation::field, "region")));
  entry.mutable_version()->set_hlc(1);
  entry.mutable_version()->set_node_id("node1");
  entry.set_region("AM30");
  EXPECT_THAT(ValidateEntry(entry, EntryOrigin::kSigned, kNow), IsEmpty());
}

TEST(ValidationTest, TombstoneCarriesNoContent) {
  Entry tombstone;
  tombstone.set_id("mondriaan/ips-heerlen");
  tombstone.set_organisation_id("mondriaan");
  tombstone.mutable_version()->set_hlc(7);
  tombstone.mutable_version()->set_node_id("node1");
  tombstone.set_region("AM30");
  tombstone.set_withdrawn(true);
  EXPECT_THAT(ValidateTombstone(tombstone), IsEmpty());
  tombstone.set_title("nog een titel");
  EXPECT_THAT(ValidateTombstone(tombstone),
              Contains(Field(&FieldViolation::field, "")));
}

TEST(ValidationTest, NormalizeTidiesWithoutChangingMeaning) {
  Entry entry = testdata::IpsHeerlen();
  entry.set_title("  IPS Heerlen  ");
  entry.mutable_locations(0)->set_postcode("6411hb");
  entry.mutable_service_area()->set_gemeentecodes(0, "gm0917");
  entry.set_description("regel 1\r\nregel 2");
  Normalize(&entry);
  EXPECT_EQ(entry.title(), "IPS Heerlen");
  EXPECT_EQ(entry.locations(0).postcode(), "6411 HB");
  EXPECT_EQ(entry.service_area().gemeentecodes(0), "GM0917");
  EXPECT_EQ(entry.description(), "regel 1\nregel 2");
  EXPECT_THAT(ValidateEntry(entry, EntryOrigin::kUnsigned, kNow), IsEmpty());
}

TEST(ValidationTest, PostcodeForms) {
  EXPECT_EQ(NormalizePostcode("6411ab"), "6411 AB");
  EXPECT_EQ(NormalizePostcode(" 6411 AB "), "6411 AB");
  EXPECT_EQ(NormalizePostcode("0411AB"), "");
  EXPECT_EQ(NormalizePostcode("6411A"), "");
  EXPECT_TRUE(IsDutchPostcode("6411 AB"));
  EXPECT_FALSE(IsDutchPostcode("6411AB"));
}

TEST(ValidationTest, ExpandAreaAndStale) {
  v1::ServiceArea area;
  area.add_arbeidsmarktregio_codes("AM30");
  area.add_gemeentecodes("GM0014");
  EXPECT_EQ(ExpandArea(area).size(), 17u);
  Entry entry = testdata::IpsHeerlen();
  EXPECT_FALSE(IsStale(entry, kNow, absl::Hours(24 * 180)));
  EXPECT_TRUE(
      IsStale(entry, kNow + absl::Hours(24 * 181), absl::Hours(24 * 180)));
}

}  // namespace
}  // namespace kaartnet::model
