#include "model/search_params.h"

#include "common/field_violations.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet::model {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(SearchParamsTest, LooseNamesListsAndNear) {
  SearchParams p;
  p.query = "ips psychose";
  p.kinds = {"jobcoach,ips-trajectbegeleider"};
  p.target_groups = {"psychose"};
  p.areas = {"GM0935", " AM30 "};
  p.facets = {"kind", "gemeente"};
  p.near = "6411 AB";
  p.radius = 15;
  p.sort = "distance";
  p.accepting = true;
  p.page_size = 5;
  auto request = ToSearchRequest(p);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->query(), "ips psychose");
  EXPECT_THAT(request->kinds(),
              ElementsAre(v1::ENTRY_KIND_JOBCOACH,
                          v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER));
  EXPECT_THAT(request->target_groups(), ElementsAre(v1::TARGET_GROUP_PSYCHOSE));
  EXPECT_THAT(request->area_codes(), ElementsAre("GM0935", "AM30"));
  EXPECT_THAT(request->facets(),
              ElementsAre(v1::FACET_FIELD_KIND, v1::FACET_FIELD_GEMEENTE));
  EXPECT_EQ(request->near().postcode(), "6411 AB");
  EXPECT_EQ(request->near().radius_km(), 15);
  EXPECT_EQ(request->sort(), v1::SORT_ORDER_DISTANCE);
  EXPECT_TRUE(request->accepting_new_clients());
  EXPECT_EQ(request->page_size(), 5);

  p.near = "50.88,5.98";
  request = ToSearchRequest(p);
  ASSERT_TRUE(request.ok());
  EXPECT_NEAR(request->near().point().latitude(), 50.88, 1e-9);
  p.near = "GM0917";
  request = ToSearchRequest(p);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->near().gemeentecode(), "GM0917");
}

TEST(SearchParamsTest, EveryBadParameterIsNamed) {
  SearchParams p;
  p.kinds = {"jobcoch"};
  p.facets = {"kleur"};
  p.sort = "alfabet";
  p.radius = 10;  // without near
  auto request = ToSearchRequest(p);
  ASSERT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : GetFieldViolations(request.status()))
    fields.push_back(v.field);
  EXPECT_THAT(fields, UnorderedElementsAre("kind", "facets", "sort", "radius"));
}

}  // namespace
}  // namespace kaartnet::model
