#include "search/query.h"

#include "common/field_violations.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet::search {
namespace {

using ::testing::Contains;
using ::testing::Field;

QueryContext Context() {
  QueryContext context;
  context.now = absl::FromUnixSeconds(1767225600);
  context.locate_postcode =
      [](absl::string_view pc4) -> std::optional<GeoPoint> {
    if (pc4 == "6411") return GeoPoint{50.886, 5.980};
    return std::nullopt;
  };
  return context;
}

TEST(CompileQueryTest, AreaCodesExpandRegions) {
  v1::SearchRequest request;
  request.add_area_codes("AM30");
  auto q = CompileQuery(request, Context());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_TRUE(q->has_area);
  EXPECT_EQ(q->area.count(), 16u);
  EXPECT_TRUE(q->area.test(GemeenteIndexOf("GM0935")));
  request.set_area_codes(0, "kerkrade");
  q = CompileQuery(request, Context());
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->area.count(), 1u);
  EXPECT_TRUE(q->area.test(GemeenteIndexOf("GM0928")));
}

TEST(CompileQueryTest, RefusesBadInputWithFieldPaths) {
  v1::SearchRequest request;
  request.add_area_codes("GM9999");
  request.add_kinds(static_cast<v1::EntryKind>(55));
  request.set_page_size(1000);
  request.mutable_near()->set_postcode("9999");
  request.set_page_token("garbage!");
  auto q = CompileQuery(request, Context());
  ASSERT_FALSE(q.ok());
  const auto violations = GetFieldViolations(q.status());
  for (const char* field : {"area_codes[0]", "kinds[0]", "page_size",
                            "near.postcode", "page_token"}) {
    EXPECT_THAT(violations, Contains(Field(&FieldViolation::field, field)))
        << field;
  }
}

TEST(CompileQueryTest, ResolvesCentres) {
  v1::SearchRequest request;
  request.mutable_near()->set_postcode("6411 AB");
  request.mutable_near()->set_radius_km(10);
  auto q = CompileQuery(request, Context());
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_NEAR(q->centre->latitude, 50.886, 1e-9);
  request.mutable_near()->set_gemeentecode("GM0935");
  q = CompileQuery(request, Context());
  ASSERT_TRUE(q.ok());
  EXPECT_NEAR(q->centre->latitude, 50.85, 0.05);
  request.mutable_near()->set_gemeentecode("Maastricht");
  EXPECT_TRUE(CompileQuery(request, Context()).ok());
}

TEST(CompileQueryTest, PageTokenIsBoundToItsQuery) {
  v1::SearchRequest request;
  request.set_query("jobcoach");
  auto q = CompileQuery(request, Context());
  ASSERT_TRUE(q.ok());
  const std::string token = MakePageToken(*q, 1.5, "a/b");
  request.set_page_token(token);
  request.set_page_size(5);  // may change between pages
  auto next = CompileQuery(request, Context());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(next->has_after);
  EXPECT_EQ(next->after_id, "a/b");
  request.set_query("ips");
  EXPECT_FALSE(CompileQuery(request, Context()).ok());
}

TEST(CompileQueryTest, DistanceSortNeedsCentre) {
  v1::SearchRequest request;
  request.set_sort(v1::SORT_ORDER_DISTANCE);
  auto q = CompileQuery(request, Context());
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(GetFieldViolations(q.status()),
              Contains(Field(&FieldViolation::field, "sort")));
}

}  // namespace
}  // namespace kaartnet::search
