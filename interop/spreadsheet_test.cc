#include "interop/spreadsheet.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"

namespace kaartnet::interop {
namespace {

using ::testing::HasSubstr;

// What a spreadsheet does not carry: coordinates (the node finds them from
// the postcode), version, region and last_verified (set on publish).
v1::Entry WithoutNodeFields(v1::Entry e) {
  e.clear_version();
  e.clear_region();
  e.clear_last_verified();
  for (auto& l : *e.mutable_locations()) {
    l.clear_latitude();
    l.clear_longitude();
  }
  return e;
}

TEST(SpreadsheetTest, EntriesRoundTrip) {
  v1::Entry ips = model::testdata::IpsHeerlen();
  v1::Contact* team = ips.add_contacts();
  team->set_name("Team");
  team->set_phone("045-7654321");
  team->set_visibility(v1::VISIBILITY_PUBLIC);
  v1::Entry employer = model::testdata::WerkgeverMaastricht("mondriaan");
  // A cell Excel would compute as a formula.
  employer.mutable_contacts(0)->set_phone("+31 43 123 4567");
  employer.set_description("Regel 1; met puntkomma\nen \"aanhalingstekens\"");
  const std::string file = EntriesToSpreadsheet({ips, employer});
  EXPECT_EQ(file.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(file, HasSubstr(";'+31 43 123 4567;"));  // stays text in Excel
  EXPECT_THAT(file, HasSubstr("IPS-trajectbegeleider"));
  EXPECT_THAT(file, HasSubstr("Heerlen | Kerkrade"));

  SpreadsheetImport back = ParseSpreadsheet(file, "mondriaan");
  ASSERT_TRUE(back.problems.empty())
      << back.problems[0].line << " " << back.problems[0].column << ": "
      << back.problems[0].message;
  ASSERT_EQ(back.rows.size(), 2u);
  EXPECT_EQ(back.rows[0].line, 2);
  for (int i = 0; i < 2; ++i) {
    const v1::Entry& want = WithoutNodeFields(i == 0 ? ips : employer);
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(want, back.rows[i].entry)) << diff;
  }
}

TEST(SpreadsheetTest, EveryBadCellIsNamedWithRowAndColumn) {
  const std::string file =
      "id;titel;soort;neemt_nieuwe_clienten_aan;gemeenten;locatie_plaats;"
      "locatie_postcode;organisatie;kleur\n"
      "a;Goed aanbod;Jobcoach;ja;Heerlen;Heerlen;6411 HB;;\n"
      "b;Slecht;Koffiezetter;misschien;Atlantis;Heerlen | Kerkrade;6411 HB;"
      "andere-org;rood\n"
      "a;Dubbel;jobcoach;nee;GM0917;;;;\n";
  SpreadsheetImport got = ParseSpreadsheet(file, "mondriaan");
  std::vector<std::string> problems;
  for (const auto& p : got.problems)
    problems.push_back(absl::StrCat(p.line, " ", p.column));
  EXPECT_THAT(problems, ::testing::UnorderedElementsAre(
                            "1 kleur", "3 soort", "3 neemt_nieuwe_clienten_aan",
                            "3 gemeenten", "3 locatie_postcode",
                            "3 organisatie", "4 id"));
  ASSERT_EQ(got.rows.size(), 3u);
  EXPECT_EQ(got.rows[0].entry.id(), "mondriaan/a");
  EXPECT_EQ(got.rows[0].entry.kind(), v1::ENTRY_KIND_JOBCOACH);
  EXPECT_EQ(got.rows[0].entry.service_area().gemeentecodes(0), "GM0917");
}

TEST(SpreadsheetTest, CommaSeparatedWithCodesAndShortNames) {
  const std::string file =
      "titel,soort,interventies,arbeidsmarktregios,talen\r\n"
      "IPS in Zuid-Limburg,ips-trajectbegeleider,ips | JOBCOACHING,AM30,"
      "nl | en\r\n";
  SpreadsheetImport got = ParseSpreadsheet(file, "mondriaan");
  ASSERT_TRUE(got.problems.empty()) << got.problems[0].message;
  ASSERT_EQ(got.rows.size(), 1u);
  const v1::Entry& e = got.rows[0].entry;
  EXPECT_EQ(e.id(), "mondriaan/ips-in-zuid-limburg");
  EXPECT_EQ(e.kind(), v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER);
  EXPECT_EQ(e.interventions_size(), 2);
  EXPECT_EQ(e.service_area().arbeidsmarktregio_codes(0), "AM30");
  EXPECT_EQ(e.languages_size(), 2);
}

TEST(SpreadsheetTest, BrokenQuotingIsOneProblem) {
  SpreadsheetImport got = ParseSpreadsheet("titel;soort\n\"open;x\n", "m");
  ASSERT_EQ(got.problems.size(), 1u);
  EXPECT_TRUE(got.rows.empty());
}

TEST(SpreadsheetTest, FieldPathsMapToColumns) {
  EXPECT_EQ(ColumnOf("title"), "titel");
  EXPECT_EQ(ColumnOf("locations[1].postcode"), "locatie_postcode (2e waarde)");
  EXPECT_EQ(ColumnOf("contacts[0].email"), "contact_email (1e waarde)");
  EXPECT_EQ(ColumnOf("service_area.gemeentecodes[2]"), "gemeenten (3e waarde)");
  EXPECT_EQ(ColumnOf("service_area"), "gemeenten");
  EXPECT_EQ(ColumnOf("availability.wait_weeks"), "wachttijd_weken");
  EXPECT_EQ(ColumnOf("employer"), "werkgever_sector");
  EXPECT_EQ(ColumnOf("something.else"), "something.else");
  EXPECT_EQ(Slugify("IPS-trajectbegeleiding Café Heerlen!"),
            "ips-trajectbegeleiding-cafe-heerlen");
}

}  // namespace
}  // namespace kaartnet::interop
