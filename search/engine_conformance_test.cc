// One suite, run against every SearchEngine implementation.
#include <functional>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"
#include "search/engine.h"
#include "search/inverted_index_engine.h"
#include "search/scan_engine.h"

namespace kaartnet::search {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

struct EngineFactory {
  const char* name;
  std::function<std::unique_ptr<SearchEngine>()> make;
};

void PrintTo(const EngineFactory& factory, std::ostream* os) {
  *os << factory.name;
}

const absl::Time kNow = absl::FromUnixSeconds(1767225600 + 10 * 86400);

class EngineConformanceTest : public ::testing::TestWithParam<EngineFactory> {
 protected:
  void SetUp() override {
    engine_ = GetParam().make();
    // ips-heerlen: IPS, psychose, Heerlen+Kerkrade+AM30, accepting, nl/en.
    Add(model::testdata::IpsHeerlen(), "Mondriaan",
        v1::ORGANISATION_TYPE_GGZ_INSTELLING);
    // werkgever in Maastricht.
    Add(model::testdata::WerkgeverMaastricht(), "Maastricht UMC+",
        v1::ORGANISATION_TYPE_WERKGEVER);
    // A jobcoach in Sittard, not accepting, speaks Arabic, stale.
    v1::Entry jobcoach =
        model::testdata::IpsHeerlen("werkpad", "jobcoach-sittard");
    jobcoach.set_kind(v1::ENTRY_KIND_JOBCOACH);
    jobcoach.set_title("Jobcoach voor werknemers met autisme");
    jobcoach.set_description("Begeleiding op de werkplek in Sittard-Geleen.");
    jobcoach.clear_interventions();
    jobcoach.add_interventions(v1::INTERVENTION_JOBCOACHING);
    jobcoach.clear_target_groups();
    jobcoach.add_target_groups(v1::TARGET_GROUP_AUTISME);
    jobcoach.mutable_service_area()->Clear();
    jobcoach.mutable_service_area()->add_gemeentecodes("GM1883");
    jobcoach.mutable_locations(0)->set_city("Sittard");
    jobcoach.mutable_locations(0)->set_gemeentecode("GM1883");
    jobcoach.mutable_locations(0)->set_latitude(51.0);
    jobcoach.mutable_locations(0)->set_longitude(5.87);
    jobcoach.mutable_availability()->set_accepting_new_clients(false);
    jobcoach.clear_languages();
    jobcoach.add_languages("ar");
    jobcoach.mutable_last_verified()->set_seconds(1767225600 - 400 * 86400);
    Add(jobcoach, "Werkpad", v1::ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF);
    // An ervaringsdeskundige in Groningen (far away, other region).
    v1::Entry ed = model::testdata::IpsHeerlen("rco-groningen", "ed");
    ed.set_kind(v1::ENTRY_KIND_ERVARINGSDESKUNDIGE);
    ed.set_title("Ervaringsdeskundige herstelcoach");
    ed.mutable_service_area()->Clear();
    ed.mutable_service_area()->add_arbeidsmarktregio_codes("AM01");
    ed.mutable_locations(0)->set_city("Groningen");
    ed.mutable_locations(0)->set_gemeentecode("GM0014");
    ed.mutable_locations(0)->set_latitude(53.22);
    ed.mutable_locations(0)->set_longitude(6.57);
    Add(ed, "RCO Groningen", v1::ORGANISATION_TYPE_RCO);
  }

  void Add(const v1::Entry& entry, const std::string& org_name,
           v1::OrganisationType type) {
    engine_->Upsert(MakeDocument(entry, org_name), type);
  }

  SearchResult Run(const v1::SearchRequest& request) {
    QueryContext context;
    context.now = kNow;
    auto q = CompileQuery(request, context);
    EXPECT_TRUE(q.ok()) << q.status();
    return engine_->Search(*q);
  }

  std::vector<std::string> Ids(const v1::SearchRequest& request) {
    std::vector<std::string> ids;
    for (const Hit& h : Run(request).hits) ids.push_back(h.id);
    return ids;
  }

  std::unique_ptr<SearchEngine> engine_;
};

TEST_P(EngineConformanceTest, EmptyQueryReturnsEverything) {
  v1::SearchRequest request;
  EXPECT_EQ(Run(request).total, 4u);
  EXPECT_EQ(engine_->size(), 4u);
}

TEST_P(EngineConformanceTest, TextTermsMustAllMatch) {
  v1::SearchRequest request;
  request.set_query("jobcoach autisme");
  EXPECT_THAT(Ids(request), ElementsAre("werkpad/jobcoach-sittard"));
  request.set_query("jobcoach astronaut");
  EXPECT_THAT(Ids(request), ElementsAre());
}

TEST_P(EngineConformanceTest, MatchesOrganisationNameAndPlaces) {
  v1::SearchRequest request;
  request.set_query("mondriaan");
  EXPECT_THAT(Ids(request), ElementsAre("mondriaan/ips-heerlen"));
  request.set_query("groningen");
  EXPECT_THAT(Ids(request), ElementsAre("rco-groningen/ed"));
}

TEST_P(EngineConformanceTest, LastWordMatchesAsPrefix) {
  v1::SearchRequest request;
  request.set_query("ervaringsdesk");
  EXPECT_THAT(Ids(request), ElementsAre("rco-groningen/ed"));
}

TEST_P(EngineConformanceTest, FiltersCombine) {
  v1::SearchRequest request;
  request.add_area_codes("GM0928");  // Kerkrade, inside AM30
  EXPECT_THAT(Ids(request), ElementsAre("mondriaan/ips-heerlen"));
  request.clear_area_codes();
  request.add_area_codes("AM30");
  EXPECT_EQ(Run(request).total, 3u);
  request.set_accepting_new_clients(true);
  EXPECT_EQ(Run(request).total, 2u);
  request.add_kinds(v1::ENTRY_KIND_WERKGEVER);
  EXPECT_THAT(Ids(request), ElementsAre("azm/garantiebanen"));
  request.add_employer_offers(v1::EMPLOYER_OFFER_STAGE);
  EXPECT_THAT(Ids(request), ElementsAre());
}

TEST_P(EngineConformanceTest, EveryFilterField) {
  auto only = [&](std::function<void(v1::SearchRequest*)> set) {
    v1::SearchRequest request;
    set(&request);
    return Ids(request);
  };
  EXPECT_THAT(
      only([](auto* r) { r->add_target_groups(v1::TARGET_GROUP_AUTISME); }),
      ElementsAre("werkpad/jobcoach-sittard"));
  EXPECT_THAT(
      only([](auto* r) { r->add_interventions(v1::INTERVENTION_IPS); }),
      UnorderedElementsAre("mondriaan/ips-heerlen", "rco-groningen/ed"));
  EXPECT_THAT(only([](auto* r) { r->add_languages("ar"); }),
              ElementsAre("werkpad/jobcoach-sittard"));
  EXPECT_THAT(only([](auto* r) {
                r->add_organisation_types(v1::ORGANISATION_TYPE_RCO);
              }),
              ElementsAre("rco-groningen/ed"));
  EXPECT_THAT(only([](auto* r) { r->add_organisation_ids("azm"); }),
              ElementsAre("azm/garantiebanen"));
  EXPECT_THAT(only([](auto* r) { r->add_employer_sectors("q"); }),
              ElementsAre("azm/garantiebanen"));
  EXPECT_THAT(only([](auto* r) { r->add_regelingen(v1::REGELING_WAJONG); }),
              ElementsAre("azm/garantiebanen"));
  EXPECT_THAT(only([](auto* r) { r->add_funding(v1::FUNDING_UWV); }),
              ElementsAre());
  EXPECT_THAT(only([](auto* r) {
                r->add_quality_marks(v1::QUALITY_MARK_TYPE_IPS_FIDELITY);
              }).size(),
              3u);
  EXPECT_EQ(only([](auto* r) { r->set_exclude_stale(true); }).size(), 3u);
}

TEST_P(EngineConformanceTest, RadiusAndDistanceSort) {
  v1::SearchRequest request;
  request.mutable_near()->mutable_point()->set_latitude(50.886);  // Heerlen
  request.mutable_near()->mutable_point()->set_longitude(5.98);
  request.set_sort(v1::SORT_ORDER_DISTANCE);
  auto result = Run(request);
  ASSERT_EQ(result.hits.size(), 4u);
  EXPECT_EQ(result.hits[0].id, "mondriaan/ips-heerlen");
  EXPECT_EQ(result.hits[3].id, "rco-groningen/ed");
  EXPECT_LT(*result.hits[0].distance_km, 1.0);
  request.mutable_near()->set_radius_km(20);
  EXPECT_THAT(Ids(request),
              ElementsAre("mondriaan/ips-heerlen", "werkpad/jobcoach-sittard"));
}

TEST_P(EngineConformanceTest, FacetsIgnoreTheirOwnFilter) {
  v1::SearchRequest request;
  request.add_kinds(v1::ENTRY_KIND_JOBCOACH);
  request.add_facets(v1::FACET_FIELD_KIND);
  request.add_facets(v1::FACET_FIELD_ARBEIDSMARKTREGIO);
  auto result = Run(request);
  EXPECT_EQ(result.total, 1u);
  ASSERT_EQ(result.facets.size(), 2u);
  // The kind facet counts every kind (its own filter ignored).
  EXPECT_EQ(result.facets[0].counts_size(), 4);
  // The region facet counts only the jobcoach (kind filter applies).
  ASSERT_EQ(result.facets[1].counts_size(), 1);
  EXPECT_EQ(result.facets[1].counts(0).value(), "AM30");
  EXPECT_EQ(result.facets[1].counts(0).label(), "Zuid-Limburg");
  EXPECT_EQ(result.facets[1].counts(0).count(), 1u);
}

TEST_P(EngineConformanceTest, PagingIsStableUnderConcurrentWrites) {
  v1::SearchRequest request;
  request.set_page_size(2);
  auto first = Run(request);
  ASSERT_EQ(first.hits.size(), 2u);
  ASSERT_FALSE(first.next_page_token.empty());
  // A new entry that sorts first appears meanwhile; page 2 continues where
  // page 1 ended instead of shifting.
  v1::Entry fresh = model::testdata::IpsHeerlen("zzz", "new");
  Add(fresh, "ZZZ", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  request.set_page_token(first.next_page_token);
  auto second = Run(request);
  std::set<std::string> seen;
  for (const auto& h : first.hits) seen.insert(h.id);
  for (const auto& h : second.hits) {
    EXPECT_TRUE(seen.insert(h.id).second) << h.id << " repeated";
  }
}

TEST_P(EngineConformanceTest, RemoveAndReplace) {
  engine_->Remove("azm/garantiebanen");
  v1::SearchRequest request;
  request.set_query("garantiebanen");
  EXPECT_THAT(Ids(request), ElementsAre());
  v1::Entry changed = model::testdata::IpsHeerlen();
  changed.set_title("Volledig nieuwe titel");
  Add(changed, "Mondriaan", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  request.set_query("volledig nieuwe");
  EXPECT_THAT(Ids(request), ElementsAre("mondriaan/ips-heerlen"));
  EXPECT_EQ(engine_->size(), 3u);
}

TEST_P(EngineConformanceTest, ExplainShowsScoreParts) {
  v1::SearchRequest request;
  request.set_query("ips");
  request.set_explain(true);
  auto result = Run(request);
  ASSERT_FALSE(result.hits.empty());
  const auto& explanation = result.hits[0].explanation;
  EXPECT_GT(explanation.text(), 0);
  ASSERT_GE(explanation.terms_size(), 1);
  EXPECT_EQ(explanation.terms(0).query_term(), "ips");
}

TEST_P(EngineConformanceTest, TiesBreakById) {
  v1::SearchRequest request;
  request.set_sort(v1::SORT_ORDER_LAST_VERIFIED);
  auto a = Ids(request);
  auto b = Ids(request);
  EXPECT_EQ(a, b);
  // ips-heerlen, garantiebanen and ed share last_verified: id order.
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], "azm/garantiebanen");
  EXPECT_EQ(a[1], "mondriaan/ips-heerlen");
  EXPECT_EQ(a[2], "rco-groningen/ed");
}

const EngineFactory kEngines[] = {
    {"Scan", [] { return std::make_unique<ScanEngine>(); }},
    {"InvertedIndex",
     [] {
       // Never advanced, so every engine can share it; static storage
       // outlives the engines.
       static FakeClock clock(kNow);
       InvertedIndexEngine::Options options;
       options.clock = &clock;
       return std::make_unique<InvertedIndexEngine>(options);
     }},
};

INSTANTIATE_TEST_SUITE_P(Engines, EngineConformanceTest,
                         ::testing::ValuesIn(kEngines),
                         [](const auto& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace kaartnet::search
