#include "search/hit_card.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kaartnet/internal/search.pb.h"
#include "model/testdata_entries.h"

namespace kaartnet::search {
namespace {

v1::Entry EntryWithHiddenContact() {
  v1::Entry entry = model::testdata::IpsHeerlen();
  int hidden = 0;
  for (const v1::Contact& c : entry.contacts())
    hidden += c.visibility() != v1::VISIBILITY_PUBLIC;
  EXPECT_GT(hidden, 0) << "the test entry needs a contact for professionals";
  EXPECT_FALSE(entry.description().empty());
  return entry;
}

TEST(HitCardTest, BasicCardLeavesOutDescriptionAndContacts) {
  const v1::Entry entry = EntryWithHiddenContact();
  const std::string card =
      MakeHitCard(entry, "Mondriaan", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  v1::SearchHit hit;
  ASSERT_TRUE(hit.ParseFromString(card));
  EXPECT_EQ(hit.entry().id(), entry.id());
  EXPECT_EQ(hit.entry().title(), entry.title());
  EXPECT_EQ(hit.entry().locations_size(), entry.locations_size());
  EXPECT_TRUE(hit.entry().description().empty());
  EXPECT_EQ(hit.entry().contacts_size(), 0);
  EXPECT_EQ(hit.hidden_contacts(), 1u);
  EXPECT_EQ(hit.organisation_name(), "Mondriaan");
  EXPECT_EQ(hit.organisation_type(), v1::ORGANISATION_TYPE_GGZ_INSTELLING);
}

TEST(HitCardTest, FullCardKeepsOnlyPublicContacts) {
  const v1::Entry entry = EntryWithHiddenContact();
  v1::SearchHit hit;
  ASSERT_TRUE(hit.ParseFromString(MakeHitCard(
      entry, "", v1::ORGANISATION_TYPE_UNSPECIFIED, v1::ENTRY_VIEW_FULL)));
  EXPECT_EQ(hit.entry().description(), entry.description());
  EXPECT_EQ(hit.entry().contacts_size(), entry.contacts_size() - 1);
  for (const v1::Contact& c : hit.entry().contacts())
    EXPECT_EQ(c.visibility(), v1::VISIBILITY_PUBLIC);
  EXPECT_EQ(hit.hidden_contacts(), 1u);
}

TEST(HitCardTest, DetailsAppendToTheCard) {
  const v1::Entry entry = EntryWithHiddenContact();
  Hit details;
  details.score = 3.25;
  details.distance_km = 4.5;
  details.stale = true;
  details.explanation.set_text(2.5);
  details.explanation.add_terms()->set_query_term("ips");
  std::string bytes =
      MakeHitCard(entry, "Mondriaan", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  AppendHitDetails(details, &bytes);
  v1::SearchHit hit;
  ASSERT_TRUE(hit.ParseFromString(bytes));
  EXPECT_EQ(hit.entry().id(), entry.id());
  EXPECT_EQ(hit.organisation_name(), "Mondriaan");
  EXPECT_DOUBLE_EQ(hit.score(), 3.25);
  ASSERT_TRUE(hit.has_distance_km());
  EXPECT_DOUBLE_EQ(hit.distance_km(), 4.5);
  EXPECT_TRUE(hit.stale());
  EXPECT_DOUBLE_EQ(hit.explanation().text(), 2.5);
  EXPECT_EQ(hit.explanation().terms(0).query_term(), "ips");

  // Without distance or explanation those stay unset.
  Hit plain;
  plain.score = 1;
  std::string plain_bytes =
      MakeHitCard(entry, "Mondriaan", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  AppendHitDetails(plain, &plain_bytes);
  ASSERT_TRUE(hit.ParseFromString(plain_bytes));
  EXPECT_FALSE(hit.has_distance_km());
  EXPECT_FALSE(hit.has_explanation());
  EXPECT_FALSE(hit.stale());
}

TEST(HitCardTest, EncodedResponseReadsAsSearchResponse) {
  const v1::Entry a = model::testdata::IpsHeerlen();
  const v1::Entry b = model::testdata::WerkgeverMaastricht();
  internal::EncodedSearchResponse encoded;
  for (const v1::Entry* entry : {&a, &b}) {
    Hit details;
    details.score = entry == &a ? 2 : 1;
    std::string bytes =
        MakeHitCard(*entry, "org", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
    AppendHitDetails(details, &bytes);
    encoded.add_hits(std::move(bytes));
  }
  encoded.set_total_size(17);
  encoded.set_next_page_token("next");
  v1::Facet* facet = encoded.add_facets();
  facet->set_field(v1::FACET_FIELD_KIND);
  facet->add_counts()->set_count(3);

  v1::SearchResponse response;
  ASSERT_TRUE(response.ParseFromString(encoded.SerializeAsString()));
  ASSERT_EQ(response.hits_size(), 2);
  EXPECT_EQ(response.hits(0).entry().id(), a.id());
  EXPECT_DOUBLE_EQ(response.hits(0).score(), 2);
  EXPECT_EQ(response.hits(1).entry().id(), b.id());
  EXPECT_EQ(response.total_size(), 17u);
  EXPECT_EQ(response.next_page_token(), "next");
  ASSERT_EQ(response.facets_size(), 1);
  EXPECT_EQ(response.facets(0).counts(0).count(), 3u);
}

}  // namespace
}  // namespace kaartnet::search
