#include "interop/hsds.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"

namespace kaartnet::interop {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

TEST(HsdsTest, StableUuidsAreVersion5AndDeterministic) {
  const std::string a = StableUuid("service:mondriaan/ips-heerlen");
  EXPECT_EQ(a, StableUuid("service:mondriaan/ips-heerlen"));
  EXPECT_NE(a, StableUuid("service:mondriaan/ips-kerkrade"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '5');
  EXPECT_THAT(std::string("89ab"), HasSubstr(std::string(1, a[19])));
}

TEST(HsdsTest, ServiceCarriesTheEntryButNoProfessionalContacts) {
  v1::Entry e = model::testdata::IpsHeerlen();
  e.mutable_version()->set_hlc(uint64_t{1767225600000000} << 16);
  v1::Organisation org;
  org.set_organisation_id("mondriaan");
  org.set_name("Mondriaan");
  org.set_type(v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  org.set_region("AM30");
  Json s = HsdsService(e, &org, "https://kaart.example.nl");
  EXPECT_EQ(s["name"], "IPS-trajectbegeleiding FACT-team Heerlen");
  EXPECT_EQ(s["status"], "active");
  EXPECT_EQ(s["url"], "https://kaart.example.nl/aanbod/mondriaan/ips-heerlen");
  EXPECT_EQ(s["assured_date"], "2026-01-01");
  EXPECT_EQ(s["wait_time"], "2 weken");
  EXPECT_EQ(s["organization"]["name"], "Mondriaan");
  EXPECT_EQ(s["organization_id"], s["organization"]["id"]);
  ASSERT_EQ(s["service_areas"].size(), 3u);
  EXPECT_EQ(s["service_areas"][0]["name"], "Heerlen");
  EXPECT_EQ(s["service_areas"][0]["extent"], "GM0917");
  const Json& address =
      s["service_at_locations"][0]["location"]["addresses"][0];
  EXPECT_EQ(address["address_1"], "Akerstraat 92");
  EXPECT_EQ(address["state_province"], "Limburg");
  EXPECT_EQ(address["country"], "NL");
  ASSERT_EQ(s["contacts"].size(), 1u);  // the PROFESSIONALS one stays home
  EXPECT_EQ(s["contacts"][0]["phones"][0]["number"], "045-1234567");
  EXPECT_EQ(s.dump().find("Sanne Jacobs"), std::string::npos);
  bool kind = false;
  for (const Json& a : s["attributes"]) {
    if (a["taxonomy_term"]["code"] == "ENTRY_KIND_IPS_TRAJECTBEGELEIDER")
      kind = true;
  }
  EXPECT_TRUE(kind);
}

TEST(HsdsTest, ServicesReadBackIntoTheSameEntries) {
  v1::Entry e = model::testdata::IpsHeerlen();
  v1::Entry employer = model::testdata::WerkgeverMaastricht("mondriaan");
  for (v1::Entry* entry : {&e, &employer}) {
    Json s = HsdsService(*entry, nullptr, "https://kaart.example.nl");
    HsdsImport back = ParseHsds(Json::array({s}).dump(), "mondriaan");
    ASSERT_TRUE(back.problems.empty()) << back.problems[0].message;
    ASSERT_EQ(back.entries.size(), 1u);
    // What HSDS does not carry: professionals' contacts, the node's fields.
    v1::Entry want = *entry;
    want.clear_version();
    want.clear_region();
    want.clear_last_verified();
    auto* contacts = want.mutable_contacts();
    for (int i = contacts->size() - 1; i >= 0; --i) {
      if (contacts->Get(i).visibility() != v1::VISIBILITY_PUBLIC)
        contacts->DeleteSubrange(i, 1);
    }
    google::protobuf::util::MessageDifferencer differ;
    differ.set_repeated_field_comparison(
        google::protobuf::util::MessageDifferencer::AS_SET);
    std::string diff;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(want, back.entries[0].entry))
        << entry->id() << ": " << diff;
  }
}

TEST(HsdsTest, ForeignHsdsBecomesEntriesWithCautiousDefaults) {
  const char* kService = R"({"services": [{
    "id": "3f1a2b4c-0000-4000-8000-000000000001",
    "name": "Werkfit traject Kerkrade",
    "description": "Begeleiding naar werk.",
    "status": "active",
    "service_areas": [{"id": "a1", "name": "Kerkrade"},
                      {"id": "a2", "name": "Zuid-Limburg"},
                      {"id": "a3", "name": "Atlantis"}],
    "service_at_locations": [{"id": "s1", "location": {
      "id": "l1", "location_type": "physical", "name": "Kantoor",
      "addresses": [{"id": "ad1", "address_1": "Markt 1", "city": "Kerkrade",
                     "state_province": "Limburg", "postal_code": "6461 EC",
                     "country": "NL", "address_type": "physical"}]}}],
    "contacts": [{"id": "c1", "name": "Piet", "email": "piet@example.nl"}],
    "languages": [{"id": "la", "code": "NL"}],
    "funding": [{"id": "f1", "source": "UWV"}]
  }]})";
  HsdsImport got = ParseHsds(kService, "werkfit");
  ASSERT_EQ(got.entries.size(), 1u);
  ASSERT_EQ(got.problems.size(), 1u);
  EXPECT_EQ(got.problems[0].where, "services[0].service_areas[2]");
  const v1::Entry& e = got.entries[0].entry;
  EXPECT_EQ(e.id(), "werkfit/werkfit-traject-kerkrade");
  EXPECT_EQ(e.service_area().gemeentecodes(0), "GM0928");
  EXPECT_EQ(e.service_area().arbeidsmarktregio_codes(0), "AM30");
  EXPECT_EQ(e.locations(0).street(), "Markt");
  EXPECT_EQ(e.locations(0).house_number(), "1");
  EXPECT_EQ(e.locations(0).gemeentecode(), "GM0928");
  // Not marked public in the source: only professionals see it.
  EXPECT_EQ(e.contacts(0).visibility(), v1::VISIBILITY_PROFESSIONALS);
  EXPECT_EQ(e.languages(0), "nl");
  EXPECT_EQ(e.funding(0), v1::FUNDING_UWV);

  EXPECT_EQ(ParseHsds("{not json", "x").problems.size(), 1u);
  EXPECT_EQ(ParseHsds("42", "x").problems.size(), 1u);
}

TEST(HsdsTest, TaxonomiesCoverEveryValue) {
  Json terms = HsdsTaxonomyTerms();
  Json taxonomies = HsdsTaxonomies();
  std::set<std::string> taxonomy_ids;
  for (const Json& t : taxonomies) taxonomy_ids.insert(t["id"]);
  std::set<std::string> ids;
  for (const Json& t : terms) {
    EXPECT_TRUE(taxonomy_ids.count(t["taxonomy_id"])) << t.dump();
    EXPECT_TRUE(ids.insert(t["id"]).second) << "duplicate " << t.dump();
  }
  EXPECT_GT(terms.size(), 60u);
}

}  // namespace
}  // namespace kaartnet::interop
