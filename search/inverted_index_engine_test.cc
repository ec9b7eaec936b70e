// Tests of kaartnet's engine beyond the conformance suite: Dutch analysis
// in queries, places and postcodes, segments and merges, and the
// early-terminating strategies against exhaustive scoring on demo data.
#include "search/inverted_index_engine.h"

#include <atomic>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "clients/demo/demo_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"
#include "search/scan_engine.h"

namespace kaartnet::search {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kIndexNow = absl::FromUnixSeconds(1795046400);  // 2026-11-20

InvertedIndexEngine::Options TestOptions(bool exhaustive = false) {
  static FakeClock* clock = new FakeClock(kIndexNow);
  InvertedIndexEngine::Options options;
  options.clock = clock;
  options.background_merges = false;
  options.force_exhaustive = exhaustive;
  return options;
}

CompiledQuery Compile(const v1::SearchRequest& request,
                      std::function<std::optional<GeoPoint>(absl::string_view)>
                          locate = nullptr) {
  QueryContext context;
  context.now = kIndexNow;
  context.locate_postcode = std::move(locate);
  auto q = CompileQuery(request, context);
  EXPECT_TRUE(q.ok()) << q.status();
  return *q;
}

std::vector<std::string> Ids(const SearchResult& result) {
  std::vector<std::string> ids;
  for (const Hit& h : result.hits) ids.push_back(h.id);
  return ids;
}

v1::SearchRequest Text(const std::string& text, int page_size = 20) {
  v1::SearchRequest r;
  r.set_query(text);
  r.set_page_size(page_size);
  return r;
}

class SmallIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::Entry ips = model::testdata::IpsHeerlen();
    ips.mutable_service_area()->Clear();
    ips.mutable_service_area()->add_arbeidsmarktregio_codes("AM30");
    ips.set_title("IPS-trajectbegeleiding");
    ips.set_description(
        "Begeleiding naar betaald werk voor mensen met een psychose.");
    ips.clear_interventions();
    ips.add_interventions(v1::INTERVENTION_IPS);
    ips.clear_target_groups();
    ips.add_target_groups(v1::TARGET_GROUP_PSYCHOSE);
    Add(ips, "GGZ Zuid", v1::ORGANISATION_TYPE_GGZ_INSTELLING);
    ips_ = ips;

    v1::Entry coach = model::testdata::IpsHeerlen("werkpad", "coach");
    coach.set_kind(v1::ENTRY_KIND_JOBCOACH);
    coach.set_title("Onze jobcoaches in Maastricht (zonnebloem)");
    coach.clear_quality_marks();
    coach.set_description("Werkplekbegeleiding, ook in het Arabisch.");
    coach.clear_interventions();
    coach.add_interventions(v1::INTERVENTION_JOBCOACHING);
    coach.clear_target_groups();
    coach.add_target_groups(v1::TARGET_GROUP_AUTISME);
    coach.clear_languages();
    coach.add_languages("ar");
    coach.mutable_service_area()->Clear();
    coach.mutable_service_area()->add_gemeentecodes("GM0935");
    coach.mutable_locations(0)->set_city("Maastricht");
    coach.mutable_locations(0)->set_gemeentecode("GM0935");
    coach.mutable_locations(0)->set_postcode("6211 AB");
    coach.mutable_locations(0)->set_latitude(50.851);
    coach.mutable_locations(0)->set_longitude(5.691);
    Add(coach, "Werkpad", v1::ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF);
    coach_ = coach;

    v1::Entry ed = model::testdata::IpsHeerlen("rco", "ed");
    ed.set_kind(v1::ENTRY_KIND_ERVARINGSDESKUNDIGE);
    ed.set_title("ED-inzet bij herstel");
    ed.set_description("Lotgenotencontact in Geleen.");
    ed.clear_quality_marks();
    ed.clear_interventions();
    ed.add_interventions(v1::INTERVENTION_PEER_SUPPORT);
    ed.clear_target_groups();
    ed.add_target_groups(v1::TARGET_GROUP_ANGST_STEMMING);
    ed.mutable_service_area()->Clear();
    ed.mutable_service_area()->add_gemeentecodes("GM1883");
    ed.mutable_locations(0)->set_city("Geleen");
    ed.mutable_locations(0)->set_gemeentecode("GM1883");
    ed.mutable_locations(0)->set_latitude(50.97);
    ed.mutable_locations(0)->set_longitude(5.83);
    Add(ed, "RCO", v1::ORGANISATION_TYPE_RCO);
  }

  void Add(const v1::Entry& entry, const std::string& org,
           v1::OrganisationType type) {
    engine_.Upsert(MakeDocument(entry, org), type);
  }

  std::vector<std::string> Find(const std::string& text) {
    return Ids(engine_.Search(Compile(Text(text))));
  }

  InvertedIndexEngine engine_{TestOptions()};
  v1::Entry ips_, coach_;
};

TEST_F(SmallIndexTest, StemsMeetPluralAndSingular) {
  EXPECT_THAT(Find("jobcoach "), ElementsAre("werkpad/coach"));
  EXPECT_THAT(Find("jobcoaches "), ElementsAre("werkpad/coach"));
}

TEST_F(SmallIndexTest, SynonymsAndAbbreviations) {
  // The IPS entry says "IPS-trajectbegeleiding": the full name finds it.
  EXPECT_THAT(Find("individuele plaatsing en steun "),
              ElementsAre("mondriaan/ips-heerlen"));
  // "ED" in a title is an ervaringsdeskundige.
  EXPECT_THAT(Find("ervaringsdeskundige "), ElementsAre("rco/ed"));
}

TEST_F(SmallIndexTest, PrefixOfThePlaceNotStemmed) {
  // Snowball would turn "maas" into "mas"; the typed prefix still finds
  // Maastricht.
  EXPECT_THAT(Find("maas"), ElementsAre("werkpad/coach"));
  EXPECT_THAT(Find("jobco"), ElementsAre("werkpad/coach"));
}

TEST_F(SmallIndexTest, TyposOfRareWords) {
  EXPECT_THAT(Find("jobcoch "), ElementsAre("werkpad/coach"));
  EXPECT_THAT(Find("lotgenotencontakt "), ElementsAre("rco/ed"));
  EXPECT_THAT(Find("xqzwrt "), IsEmpty());
}

TEST_F(SmallIndexTest, PlacesMatchTheServiceArea) {
  // The IPS entry serves all of AM30 and never names Kerkrade.
  EXPECT_THAT(Find("ips kerkrade "), ElementsAre("mondriaan/ips-heerlen"));
  // Geleen is a place learned from locations; it lies in Sittard-Geleen.
  EXPECT_THAT(Find("geleen "), Contains("rco/ed"));
  // A gemeente name of two words.
  EXPECT_THAT(Find("sittard-geleen "), Contains("rco/ed"));
}

TEST_F(SmallIndexTest, LanguagesByTheirDutchName) {
  EXPECT_THAT(Find("jobcoach arabisch "), ElementsAre("werkpad/coach"));
}

TEST_F(SmallIndexTest, PostcodeInTheText) {
  auto locate = [](absl::string_view pc4) -> std::optional<GeoPoint> {
    if (pc4 == "6211") return GeoPoint{50.85, 5.69};
    return std::nullopt;
  };
  auto result = engine_.Search(Compile(Text("jobcoach 6211 "), locate));
  EXPECT_THAT(Ids(result), ElementsAre("werkpad/coach"));
  ASSERT_TRUE(result.hits[0].distance_km.has_value());
  EXPECT_LT(*result.hits[0].distance_km, 1.0);
}

TEST_F(SmallIndexTest, ExplainNamesHowEachWordMatched) {
  v1::SearchRequest request = Text("ips kerkrade ");
  request.set_explain(true);
  auto result = engine_.Search(Compile(request));
  ASSERT_EQ(result.hits.size(), 1u);
  const auto& x = result.hits[0].explanation;
  ASSERT_EQ(x.terms_size(), 2);
  EXPECT_EQ(x.terms(1).query_term(), "kerkrade");
  EXPECT_EQ(x.terms(1).how(), "place");
  EXPECT_EQ(x.terms(1).field(), "werkgebied");
}

TEST_F(SmallIndexTest, UpdatesRemovesAndMerges) {
  v1::Entry changed = coach_;
  changed.set_title("Volledig andere titel");
  Add(changed, "Werkpad", v1::ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF);
  EXPECT_THAT(Find("zonnebloem "), IsEmpty());
  EXPECT_THAT(Find("volledig andere "), ElementsAre("werkpad/coach"));
  EXPECT_EQ(engine_.size(), 3u);
  engine_.Remove("rco/ed");
  EXPECT_EQ(engine_.size(), 2u);
  EXPECT_THAT(Find("lotgenotencontact "), IsEmpty());
  EXPECT_GE(engine_.segment_count(), 4u);
  engine_.MergeAll();
  EXPECT_EQ(engine_.segment_count(), 1u);
  EXPECT_EQ(engine_.size(), 2u);
  EXPECT_THAT(Find("volledig andere "), ElementsAre("werkpad/coach"));
  EXPECT_THAT(Find("lotgenotencontact "), IsEmpty());
  EXPECT_THAT(Find("psychose "), ElementsAre("mondriaan/ips-heerlen"));
}

// ------------------------------------------------------- on demo data

class DemoIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo::DemoOptions options;
    options.count = 6000;
    options.seed = 3;
    options.now = kIndexNow;
    data_ = new demo::DemoData(demo::Generate(options));
  }
  static void TearDownTestSuite() { delete data_; }

  // Loads the demo entries in batches (several segments), optionally
  // updating some of them afterwards.
  static void Load(SearchEngine* engine, bool with_updates) {
    std::map<std::string, std::pair<std::string, v1::OrganisationType>> orgs;
    for (const auto& o : data_->organisations) {
      orgs[o.organisation.organisation_id()] = {o.organisation.name(),
                                                o.organisation.type()};
    }
    std::vector<SearchEngine::Update> batch;
    for (size_t i = 0; i < data_->entries.size(); ++i) {
      const v1::Entry& e = data_->entries[i];
      SearchEngine::Update u;
      u.id = e.id();
      u.doc = MakeDocument(e, orgs[e.organisation_id()].first);
      u.organisation_type = orgs[e.organisation_id()].second;
      batch.push_back(std::move(u));
      if (batch.size() == 1000) engine->Apply(std::move(batch)), batch.clear();
    }
    engine->Apply(std::move(batch));
    if (with_updates) {
      for (size_t i = 0; i < data_->entries.size(); i += 7) {
        v1::Entry e = data_->entries[i];
        e.set_title(e.title() + " bijgewerkt");
        engine->Upsert(MakeDocument(e, orgs[e.organisation_id()].first),
                       orgs[e.organisation_id()].second);
      }
      for (size_t i = 3; i < data_->entries.size(); i += 50)
        engine->Remove(data_->entries[i].id());
    }
  }

  // Every request of the mix finds the same entries in the same order.
  static void ExpectSameResults(const SearchEngine& a, const SearchEngine& b) {
    for (const v1::SearchRequest& request : Requests()) {
      const CompiledQuery q = Compile(request);
      EXPECT_EQ(Ids(a.Search(q)), Ids(b.Search(q)))
          << request.ShortDebugString();
    }
  }

  static std::vector<v1::SearchRequest> Requests() {
    std::vector<v1::SearchRequest> out;
    for (const char* text :
         {"werk", "begeleiding werk", "jobcoach", "ips psychose", "wer",
          "maastricht", "jobcoach autisme jongeren", "herstel", "garantiebaan",
          "ervaringsdeskundige herstel depressie", "kerkrade", "zorg",
          "werkervaringsplaats horeca", "re-integratie", "jobcoach 6411",
          "ips 6221 psychose", "werk 1012"}) {
      out.push_back(Text(text, 10));
    }
    for (int i = 0; i < 6; ++i) {
      v1::SearchRequest r = Text(i % 2 ? "jobcoach" : "", 10);
      r.add_area_codes(i < 3 ? "AM30" : "GM0363");
      if (i % 3 == 0) r.set_accepting_new_clients(true);
      out.push_back(r);
    }
    for (int i = 0; i < 6; ++i) {
      v1::SearchRequest r = Text(i % 2 ? "werk" : "", 10);
      r.mutable_near()->set_gemeentecode(i < 3 ? "GM0917" : "GM0599");
      if (i % 3 == 1) r.mutable_near()->set_radius_km(15);
      if (i % 3 == 2) r.set_sort(v1::SORT_ORDER_DISTANCE);
      out.push_back(r);
    }
    v1::SearchRequest verified = Text("jobcoach", 10);
    verified.set_sort(v1::SORT_ORDER_LAST_VERIFIED);
    out.push_back(verified);
    return out;
  }

  static inline demo::DemoData* data_ = nullptr;
};

TEST_F(DemoIndexTest, EarlyTerminationGivesTheExhaustiveResult) {
  InvertedIndexEngine fast(TestOptions());
  InvertedIndexEngine exhaustive(TestOptions(/*exhaustive=*/true));
  Load(&fast, /*with_updates=*/true);
  Load(&exhaustive, /*with_updates=*/true);
  for (const v1::SearchRequest& request : Requests()) {
    const CompiledQuery q = Compile(request);
    const SearchResult a = fast.Search(q);
    const SearchResult b = exhaustive.Search(q);
    EXPECT_EQ(a.total, b.total) << request.ShortDebugString();
    ASSERT_EQ(Ids(a), Ids(b)) << request.ShortDebugString();
    for (size_t i = 0; i < a.hits.size(); ++i) {
      EXPECT_DOUBLE_EQ(a.hits[i].score, b.hits[i].score);
    }
  }
}

TEST_F(DemoIndexTest, SegmentsAndMergesDoNotChangeResults) {
  InvertedIndexEngine many(TestOptions());
  Load(&many, /*with_updates=*/true);
  ASSERT_GT(many.segment_count(), 3u);
  InvertedIndexEngine merged(TestOptions());
  Load(&merged, /*with_updates=*/true);
  merged.MergeAll();
  ASSERT_EQ(merged.segment_count(), 1u);
  EXPECT_EQ(many.size(), merged.size());
  ExpectSameResults(many, merged);
}

// Radius bitsets kept across searches answer as those built per search,
// also after updates add segments and a merge replaces them, and the cache
// stays within its bytes.
TEST_F(DemoIndexTest, RadiusBitsetsKeptAcrossSearchesGiveTheSameResults) {
  auto with_cache = [](size_t bytes) {
    InvertedIndexEngine::Options options = TestOptions();
    options.radius_cache_bytes = bytes;
    return options;
  };
  InvertedIndexEngine cached(TestOptions());
  InvertedIndexEngine uncached(with_cache(0));
  Load(&cached, /*with_updates=*/true);
  Load(&uncached, /*with_updates=*/true);

  ExpectSameResults(cached, uncached);
  const RadiusCacheStats first = cached.radius_cache_stats();
  EXPECT_GT(first.misses, 0u);
  EXPECT_GT(first.bytes, 0u);
  EXPECT_EQ(uncached.radius_cache_stats().misses, 0u);
  ExpectSameResults(cached, uncached);
  const RadiusCacheStats second = cached.radius_cache_stats();
  EXPECT_EQ(second.misses, first.misses);
  EXPECT_GT(second.hits, first.hits);

  // New versions land in a new segment: its circles are built anew.
  Load(&cached, /*with_updates=*/true);
  Load(&uncached, /*with_updates=*/true);
  ExpectSameResults(cached, uncached);
  EXPECT_GT(cached.radius_cache_stats().misses, second.misses);
  cached.MergeAll();
  ExpectSameResults(cached, uncached);

  InvertedIndexEngine tiny(with_cache(4096));
  Load(&tiny, /*with_updates=*/false);
  Load(&uncached, /*with_updates=*/false);
  ExpectSameResults(tiny, uncached);
  EXPECT_LE(tiny.radius_cache_stats().bytes, 4096u);
}

TEST_F(DemoIndexTest, ASavedIndexLoadsWithTheSameResults) {
  InvertedIndexEngine many(TestOptions());
  Load(&many, /*with_updates=*/true);
  ASSERT_GT(many.segment_count(), 3u);
  std::string bytes;
  ASSERT_TRUE(many.SaveTo(&bytes).ok());
  InvertedIndexEngine loaded(TestOptions());
  ASSERT_TRUE(loaded.LoadFrom(bytes).ok());
  EXPECT_EQ(loaded.segment_count(), 1u);
  EXPECT_EQ(loaded.size(), many.size());
  ExpectSameResults(many, loaded);
  // Place names learned from the entries came along ("near" a village).
  const CompiledQuery village = Compile(Text("hoensbroek", 10));
  EXPECT_EQ(Ids(loaded.Search(village)), Ids(many.Search(village)));

  // The loaded index goes on taking updates.
  v1::Entry entry = data_->entries[1];
  entry.set_title("Zwemcoach voor werkzoekenden");
  loaded.Upsert(MakeDocument(entry, "Org"), v1::ORGANISATION_TYPE_GEMEENTE);
  EXPECT_EQ(Ids(loaded.Search(Compile(Text("zwemcoach", 10)))),
            std::vector<std::string>{entry.id()});
  // Only into an empty index.
  EXPECT_EQ(loaded.LoadFrom(bytes).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(DemoIndexTest, ASavedIndexHoldsNothingOfRemovedEntries) {
  InvertedIndexEngine engine(TestOptions());
  Load(&engine, /*with_updates=*/false);
  v1::Entry entry = data_->entries[5];
  entry.set_description(entry.description() + " Qzwyxkanarie.");
  engine.Upsert(MakeDocument(entry, "Org"), v1::ORGANISATION_TYPE_GEMEENTE);
  std::string before;
  ASSERT_TRUE(engine.SaveTo(&before).ok());
  EXPECT_TRUE(absl::StrContains(before, "qzwyx"));
  engine.Remove(entry.id());
  std::string after;
  ASSERT_TRUE(engine.SaveTo(&after).ok());
  EXPECT_FALSE(absl::StrContains(after, "qzwyx"));
  EXPECT_FALSE(absl::StrContains(after, "Qzwyx"));
  EXPECT_FALSE(absl::StrContains(after, entry.id()));
}

TEST_F(DemoIndexTest, ADamagedIndexFileIsAnErrorNotACrash) {
  InvertedIndexEngine engine(TestOptions());
  Load(&engine, /*with_updates=*/false);
  std::string bytes;
  ASSERT_TRUE(engine.SaveTo(&bytes).ok());
  for (size_t cut :
       {size_t{0}, size_t{5}, bytes.size() / 3, bytes.size() - 1}) {
    InvertedIndexEngine loaded(TestOptions());
    EXPECT_FALSE(loaded.LoadFrom(bytes.substr(0, cut)).ok()) << cut;
    EXPECT_EQ(loaded.size(), 0u);
  }
  // A count far beyond the data (the document count after the segment
  // count and the build time).
  std::string huge = bytes;
  huge[16 + 7] = '\x7f';
  InvertedIndexEngine loaded(TestOptions());
  EXPECT_FALSE(loaded.LoadFrom(huge).ok());
}

// The background thread merges while MergeAll (after a bulk load) and
// SaveTo (at a stop) merge too: merges take turns, nothing is lost.
TEST_F(DemoIndexTest, MergesFromSeveralThreadsTakeTurns) {
  InvertedIndexEngine::Options options = TestOptions();
  options.background_merges = true;
  options.max_segments = 2;  // tiered merges after almost every batch
  InvertedIndexEngine engine(options);
  std::atomic<bool> stop{false};
  std::thread merger([&] {
    std::string saved;
    while (!stop) {
      engine.MergeAll();
      saved.clear();
      (void)engine.SaveTo(&saved);
    }
  });
  Load(&engine, /*with_updates=*/true);
  stop = true;
  merger.join();
  InvertedIndexEngine reference(TestOptions());
  Load(&reference, /*with_updates=*/true);
  EXPECT_EQ(engine.size(), reference.size());
  ExpectSameResults(reference, engine);
}

TEST_F(DemoIndexTest, AnIdleIndexBecomesOneSegment) {
  InvertedIndexEngine::Options options = TestOptions();
  options.background_merges = true;
  options.max_segments = 64;  // no tiered merges: only the idle one
  options.idle_merge_after = absl::Milliseconds(500);
  InvertedIndexEngine idle(options);
  Load(&idle, /*with_updates=*/true);
  InvertedIndexEngine many(TestOptions());
  Load(&many, /*with_updates=*/true);
  ASSERT_GT(many.segment_count(), 3u);
  // The merge thread counts the merge just after publishing it. Waits up
  // to a minute: under a sanitizer, beside other tests on two cores, the
  // merge has taken more than ten seconds.
  for (int i = 0;
       i < 6000 && (idle.segment_count() > 1 || idle.idle_merges() == 0); ++i)
    absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ(idle.segment_count(), 1u);
  EXPECT_EQ(idle.idle_merges(), 1u);
  EXPECT_EQ(idle.size(), many.size());
  ExpectSameResults(idle, many);
  // A later update adds a segment; the next full merge waits its turn (at
  // most one per 30 s), so the index stays at two segments for now.
  SearchEngine::Update u;
  u.id = data_->entries[0].id();
  u.doc = MakeDocument(data_->entries[0], "x");
  std::vector<SearchEngine::Update> batch;
  batch.push_back(std::move(u));
  idle.Apply(std::move(batch));
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(idle.segment_count(), 2u);
  EXPECT_EQ(idle.idle_merges(), 1u);
}

TEST_F(DemoIndexTest, FiltersAgreeWithTheScanningEngine) {
  InvertedIndexEngine engine(TestOptions());
  ScanEngine scan;
  Load(&engine, /*with_updates=*/true);
  Load(&scan, /*with_updates=*/true);
  demo::Random rng(11);
  for (int i = 0; i < 60; ++i) {
    v1::SearchRequest r;
    r.set_page_size(10);
    if (rng.Chance(0.6))
      r.add_kinds(static_cast<v1::EntryKind>(rng.Between(1, 11)));
    if (rng.Chance(0.3))
      r.add_kinds(static_cast<v1::EntryKind>(rng.Between(1, 11)));
    if (rng.Chance(0.4))
      r.add_target_groups(static_cast<v1::TargetGroup>(rng.Between(1, 10)));
    if (rng.Chance(0.4)) {
      r.add_area_codes(
          rng.Chance(0.5)
              ? "AM30"
              : ReferenceData::Get().gemeenten()[rng.Uniform(342)].code);
      // A second area: a whole regio and a gemeente inside or outside it.
      if (rng.Chance(0.5))
        r.add_area_codes(
            rng.Chance(0.5)
                ? "AM19"
                : ReferenceData::Get().gemeenten()[rng.Uniform(342)].code);
    }
    if (rng.Chance(0.3)) r.set_accepting_new_clients(true);
    if (rng.Chance(0.2)) r.add_languages(rng.Chance(0.5) ? "en" : "ar");
    if (rng.Chance(0.2)) r.set_exclude_stale(true);
    if (rng.Chance(0.2))
      r.add_funding(static_cast<v1::Funding>(rng.Between(1, 6)));
    if (rng.Chance(0.2)) {
      r.mutable_near()->set_gemeentecode("GM0917");
      r.mutable_near()->set_radius_km(rng.Between(5, 40));
    }
    if (rng.Chance(0.3)) {
      r.add_facets(v1::FACET_FIELD_KIND);
      r.add_facets(v1::FACET_FIELD_ARBEIDSMARKTREGIO);
      r.add_facets(v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS);
    }
    const CompiledQuery q = Compile(r);
    const SearchResult a = engine.Search(q);
    const SearchResult b = scan.Search(q);
    EXPECT_EQ(a.total, b.total) << r.ShortDebugString();
    EXPECT_EQ(Ids(a), Ids(b)) << r.ShortDebugString();
    ASSERT_EQ(a.facets.size(), b.facets.size());
    for (size_t f = 0; f < a.facets.size(); ++f) {
      EXPECT_EQ(a.facets[f].ShortDebugString(), b.facets[f].ShortDebugString())
          << r.ShortDebugString();
    }
  }
}

TEST_F(DemoIndexTest, PagesTileTheResult) {
  InvertedIndexEngine engine(TestOptions());
  Load(&engine, /*with_updates=*/false);
  for (const char* text : {"jobcoach", "werk", ""}) {
    v1::SearchRequest all = Text(text, 100);
    all.add_area_codes("AM30");
    const SearchResult one = engine.Search(Compile(all));
    std::vector<std::string> paged;
    v1::SearchRequest page = all;
    page.set_page_size(7);
    for (int n = 0; n < 20; ++n) {
      const SearchResult result = engine.Search(Compile(page));
      for (const Hit& h : result.hits) paged.push_back(h.id);
      if (result.next_page_token.empty()) break;
      page.set_page_token(result.next_page_token);
    }
    std::vector<std::string> expected = Ids(one);
    expected.resize(std::min<size_t>(expected.size(), paged.size()));
    EXPECT_EQ(std::vector<std::string>(paged.begin(),
                                       paged.begin() + expected.size()),
              expected)
        << text;
  }
}

TEST_F(DemoIndexTest, SearchesRunWhileWritersWrite) {
  InvertedIndexEngine::Options options = TestOptions();
  options.background_merges = true;
  options.max_segments = 3;
  InvertedIndexEngine engine(options);
  Load(&engine, /*with_updates=*/false);
  const size_t size = engine.size();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 0; round < 40 && !stop; ++round) {
      std::vector<SearchEngine::Update> batch;
      for (size_t i = round; i < data_->entries.size(); i += 97) {
        SearchEngine::Update u;
        u.id = data_->entries[i].id();
        u.doc = MakeDocument(data_->entries[i], "x");
        batch.push_back(std::move(u));
      }
      engine.Apply(std::move(batch));
    }
  });
  const CompiledQuery q = Compile(Text("", 10));
  for (int i = 0; i < 200; ++i) {
    // Updates replace entries; the number of entries never changes.
    EXPECT_EQ(engine.Search(q).total, size);
  }
  stop = true;
  writer.join();
  EXPECT_EQ(engine.size(), size);
}

}  // namespace
}  // namespace kaartnet::search
