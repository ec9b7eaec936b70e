// The relevance test set: realistic klantmanager queries on the seeded demo
// data (search/testdata/relevance.json), each judged by rules on the
// entries' structured fields, not by the engine:
//
//   need      what the client actually needs (kind, target group, place,
//             language ...): the relevant entries R. When |R| <= 5 all of
//             them must be in the top 5; otherwise the top 5 must all come
//             from R.
//   evidence  one group per query word: the forms in which an entry can
//             carry that word (a text fragment, a service area, a distance).
//             An entry without evidence for some word has no business in
//             the results at all; `must_not` lists the closest such entries
//             and every result is checked against the rule.
//
// The ids in the file are what the rules give on the demo data; the test
// checks they still agree (the demo generator may not drift silently). To
// rewrite them after a deliberate change of the rules or the generator:
//   KAARTNET_UPDATE_RELEVANCE=1 build/search/relevance_test
//
// Atoms (in need and evidence): kind:X, intervention:X, target:X, offer:X,
// language:xx, sector:X, serves:GMxxxx|AMxx, near:PC4|GMxxxx:km,
// accepting, word:fragment (folded substring of the entry's text).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/demo/demo_data.h"
#include "common/reference_data.h"
#include "common/utf8.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "model/validation.h"
#include "nlohmann/json.hpp"
#include "search/inverted_index_engine.h"
#include "search/search_index.h"

namespace kaartnet::search {
namespace {

constexpr char kSpecPath[] = "search/testdata/relevance.json";
constexpr size_t kMaxMustNot = 20;
constexpr int kMaxResults = 1000;

using Json = nlohmann::ordered_json;

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  const double r = 6371.0, to_rad = M_PI / 180;
  const double dlat = (lat2 - lat1) * to_rad, dlon = (lon2 - lon1) * to_rad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * to_rad) * std::cos(lat2 * to_rad) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * r * std::asin(std::sqrt(a));
}

// One demo entry as the judge sees it.
struct Judged {
  const v1::Entry* entry;
  std::string text;                 // folded searchable text
  std::set<std::string> gemeenten;  // service area, expanded
};

class Judge {
 public:
  explicit Judge(const demo::DemoData& data) {
    std::map<std::string, std::string> names;
    for (const auto& o : data.organisations)
      names[o.organisation.organisation_id()] = o.organisation.name();
    for (const v1::Entry& e : data.entries) {
      for (const v1::Location& loc : e.locations()) {
        if (loc.postcode().size() >= 4 && loc.has_latitude()) {
          auto& [lat, lon, n] = pc4_[loc.postcode().substr(0, 4)];
          lat += loc.latitude();
          lon += loc.longitude();
          ++n;
        }
      }
    }
    for (const v1::Entry& e : data.entries) {
      Judged j;
      j.entry = &e;
      // The text fields as indexed (title, description, organisation name,
      // labels of the enums, languages, places), folded; matching here is
      // plain substring search, independent of the analyzer.
      const Document doc = MakeDocument(e, names[e.organisation_id()]);
      j.text = FoldForMatching(absl::StrJoin(doc.text, " | "));
      for (const std::string& code : model::ExpandArea(e.service_area()))
        j.gemeenten.insert(code);
      entries_.push_back(std::move(j));
    }
  }

  const std::vector<Judged>& entries() const { return entries_; }

  // Whether `j` satisfies one atom; a malformed atom fails the test.
  bool Holds(const Judged& j, const std::string& atom) const {
    const v1::Entry& e = *j.entry;
    const size_t colon = atom.find(':');
    const std::string name = atom.substr(0, colon);
    const std::string arg =
        colon == std::string::npos ? "" : atom.substr(colon + 1);
    if (name == "accepting") return e.availability().accepting_new_clients();
    if (name == "word")
      return j.text.find(FoldForMatching(arg)) != std::string::npos;
    if (name == "kind")
      return e.kind() == Enum(v1::EntryKind_descriptor(), "ENTRY_KIND_" + arg);
    if (name == "intervention")
      return Contains(e.interventions(), Enum(v1::Intervention_descriptor(),
                                              "INTERVENTION_" + arg));
    if (name == "target")
      return Contains(e.target_groups(), Enum(v1::TargetGroup_descriptor(),
                                              "TARGET_GROUP_" + arg));
    if (name == "offer")
      return e.has_employer() && Contains(e.employer().offers(),
                                          Enum(v1::EmployerOffer_descriptor(),
                                               "EMPLOYER_OFFER_" + arg));
    if (name == "sector")
      return e.has_employer() && e.employer().sector() == arg;
    if (name == "language")
      return std::find(e.languages().begin(), e.languages().end(), arg) !=
             e.languages().end();
    if (name == "serves") {
      if (absl::StartsWith(arg, "AM")) {
        for (const std::string& g : j.gemeenten) {
          const Gemeente* gemeente = ReferenceData::Get().FindGemeente(g);
          if (gemeente != nullptr && gemeente->arbeidsmarktregio_code == arg)
            return true;
        }
        return false;
      }
      return j.gemeenten.count(arg) > 0;
    }
    if (name == "near") {
      const std::vector<std::string> parts = absl::StrSplit(arg, ':');
      double km = 0, lat = 0, lon = 0;
      EXPECT_TRUE(parts.size() == 2 && absl::SimpleAtod(parts[1], &km)) << atom;
      if (absl::StartsWith(parts[0], "GM")) {
        const Gemeente* g = ReferenceData::Get().FindGemeente(parts[0]);
        EXPECT_NE(g, nullptr) << atom;
        if (g == nullptr) return false;
        lat = g->latitude;
        lon = g->longitude;
      } else {
        auto it = pc4_.find(parts[0]);
        EXPECT_NE(it, pc4_.end())
            << atom << ": no demo location has this postcode";
        if (it == pc4_.end()) return false;
        const auto& [sum_lat, sum_lon, n] = it->second;
        lat = sum_lat / n;
        lon = sum_lon / n;
      }
      for (const v1::Location& loc : e.locations()) {
        if (loc.has_latitude() &&
            DistanceKm(lat, lon, loc.latitude(), loc.longitude()) <= km)
          return true;
      }
      return false;
    }
    ADD_FAILURE() << "unknown atom " << atom;
    return false;
  }

  // AND over groups, OR within a group.
  bool All(const Judged& j, const Json& groups) const {
    for (const Json& group : groups) {
      if (Count(j, group) == 0) return false;
    }
    return true;
  }
  int Count(const Judged& j, const Json& group) const {
    int n = 0;
    for (const Json& atom : group) n += Holds(j, atom.get<std::string>());
    return n;
  }

 private:
  static int Enum(const google::protobuf::EnumDescriptor* type,
                  const std::string& name) {
    const auto* value = type->FindValueByName(name);
    EXPECT_NE(value, nullptr) << name;
    return value == nullptr ? -1 : value->number();
  }
  template <typename Repeated>
  static bool Contains(const Repeated& values, int v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  }

  std::vector<Judged> entries_;
  std::map<std::string, std::tuple<double, double, int>> pc4_;
};

struct Judgement {
  std::vector<std::string> relevant;
  std::vector<std::string> must_not;
};

Judgement JudgeQuery(const Judge& judge, const Json& spec) {
  Judgement out;
  struct Miss {
    int evidence, need;
    std::string id;
  };
  std::vector<Miss> misses;
  for (const Judged& j : judge.entries()) {
    const bool relevant = judge.All(j, spec["need"]);
    if (relevant) out.relevant.push_back(j.entry->id());
    int evidence = 0;
    for (const Json& group : spec["evidence"])
      evidence += judge.Count(j, group) > 0;
    if (evidence == static_cast<int>(spec["evidence"].size())) continue;
    EXPECT_FALSE(relevant)
        << spec["query"] << ": relevant entry " << j.entry->id()
        << " lacks evidence; the rules contradict each other";
    int need = 0;
    for (const Json& group : spec["need"]) need += judge.Count(j, group) > 0;
    misses.push_back({evidence, need, j.entry->id()});
  }
  // The closest misses: most words evidenced, then most of the need met.
  std::sort(misses.begin(), misses.end(), [](const Miss& a, const Miss& b) {
    if (a.evidence != b.evidence) return a.evidence > b.evidence;
    if (a.need != b.need) return a.need > b.need;
    return a.id < b.id;
  });
  for (size_t i = 0; i < misses.size() && i < kMaxMustNot; ++i)
    out.must_not.push_back(misses[i].id);
  std::sort(out.relevant.begin(), out.relevant.end());
  std::sort(out.must_not.begin(), out.must_not.end());
  return out;
}

class RelevanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(kSpecPath);
    ASSERT_TRUE(in) << "cannot read " << kSpecPath
                    << " (run from the source root)";
    spec_ = new Json(Json::parse(in));
    demo::DemoOptions options;
    options.seed = (*spec_)["demo"]["seed"].get<uint64_t>();
    options.count = (*spec_)["demo"]["count"].get<size_t>();
    std::string error;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full,
                                (*spec_)["demo"]["now"].get<std::string>(),
                                &options.now, &error))
        << error;
    data_ = new demo::DemoData(demo::Generate(options));
    clock_ = new FakeClock(options.now);
    std::map<std::string, OrganisationInfo> organisations;
    for (const auto& o : data_->organisations) {
      organisations[o.organisation.organisation_id()] = {o.organisation.name(),
                                                         o.organisation.type()};
    }
    InvertedIndexEngine::Options engine_options;
    engine_options.clock = clock_;
    index_ = new SearchIndex(
        std::make_unique<InvertedIndexEngine>(engine_options),
        [organisations](
            absl::string_view id) -> std::optional<OrganisationInfo> {
          auto it = organisations.find(std::string(id));
          if (it == organisations.end()) return std::nullopt;
          return it->second;
        },
        clock_, absl::Hours(24 * 365));
    std::vector<storage::Change> changes;
    for (const v1::Entry& e : data_->entries) {
      storage::Change change;
      change.entry = &e;
      changes.push_back(change);
    }
    index_->OnChanges(changes);
    index_->Flush();
  }

  static Json* spec_;
  static demo::DemoData* data_;
  static FakeClock* clock_;
  static SearchIndex* index_;
};
Json* RelevanceTest::spec_ = nullptr;
demo::DemoData* RelevanceTest::data_ = nullptr;
FakeClock* RelevanceTest::clock_ = nullptr;
SearchIndex* RelevanceTest::index_ = nullptr;

// The result ids of a query, all pages up to kMaxResults.
std::vector<std::string> RunQuery(const SearchIndex& index, const Json& spec) {
  v1::SearchRequest request;
  if (spec.contains("request")) {
    const auto status = google::protobuf::util::JsonStringToMessage(
        spec["request"].dump(), &request);
    EXPECT_TRUE(status.ok()) << spec["query"] << ": " << status.ToString();
  }
  request.set_query(spec["query"].get<std::string>());
  request.set_page_size(50);
  std::vector<std::string> ids;
  while (ids.size() < kMaxResults) {
    auto result = index.Search(request);
    EXPECT_TRUE(result.ok()) << spec["query"] << ": " << result.status();
    if (!result.ok()) break;
    for (const Hit& hit : result->hits) ids.push_back(hit.id);
    if (result->next_page_token.empty()) break;
    request.set_page_token(result->next_page_token);
  }
  return ids;
}

// Writes the spec with one line per id list, so the file stays readable.
std::string Render(const Json& spec) {
  std::ostringstream out;
  out << "{\n";
  bool first_key = true;
  for (const auto& [key, value] : spec.items()) {
    if (!first_key) out << ",\n";
    first_key = false;
    out << "  " << Json(key).dump() << ": ";
    if (key != "queries") {
      out << value.dump();
      continue;
    }
    out << "[\n";
    for (size_t q = 0; q < value.size(); ++q) {
      out << "    {\n";
      bool first = true;
      for (const auto& [field, v] : value[q].items()) {
        if (!first) out << ",\n";
        first = false;
        out << "      " << Json(field).dump() << ": " << v.dump();
      }
      out << "\n    }" << (q + 1 < value.size() ? "," : "") << "\n";
    }
    out << "  ]";
  }
  out << "\n}\n";
  return out.str();
}

// KAARTNET_RELEVANCE_EXPLAIN="<query>" prints the top 10 of that query with
// the engine's explanation, to see why something ranks where it does.
TEST_F(RelevanceTest, Explain) {
  const char* query = std::getenv("KAARTNET_RELEVANCE_EXPLAIN");
  if (query == nullptr) GTEST_SKIP() << "set KAARTNET_RELEVANCE_EXPLAIN";
  v1::SearchRequest request;
  request.set_query(query);
  request.set_explain(true);
  request.set_page_size(10);
  auto result = index_->Search(request);
  ASSERT_TRUE(result.ok()) << result.status();
  std::printf("%llu matches\n", static_cast<unsigned long long>(result->total));
  for (const Hit& hit : result->hits) {
    std::printf("%-50s %.4f\n  %s\n", hit.id.c_str(), hit.score,
                hit.explanation.ShortDebugString().c_str());
  }
}

TEST_F(RelevanceTest, SpecIsWellFormed) {
  ASSERT_GE((*spec_)["queries"].size(), 40u);
  std::set<std::string> seen;
  for (const Json& q : (*spec_)["queries"]) {
    EXPECT_TRUE(
        seen.insert(q["query"].dump() + q.value("request", Json()).dump())
            .second)
        << "duplicate query " << q["query"];
    EXPECT_TRUE(q.contains("need") && q["need"].is_array() &&
                !q["need"].empty())
        << q["query"];
    EXPECT_TRUE(q.contains("evidence") && q["evidence"].is_array())
        << q["query"];
  }
}

TEST_F(RelevanceTest, JudgementsMatchTheRules) {
  const bool update = std::getenv("KAARTNET_UPDATE_RELEVANCE") != nullptr;
  Judge judge(*data_);
  Json updated = *spec_;
  for (Json& q : updated["queries"]) {
    const Judgement j = JudgeQuery(judge, q);
    EXPECT_FALSE(j.relevant.empty())
        << q["query"] << ": no relevant entry in the demo data";
    if (update) {
      q["relevant"] = j.relevant;
      q["must_not"] = j.must_not;
      continue;
    }
    EXPECT_EQ(q.value("relevant", std::vector<std::string>()), j.relevant)
        << q["query"] << ": the relevant ids in " << kSpecPath
        << " differ from the rules; if the change is deliberate, rewrite them "
           "with "
           "KAARTNET_UPDATE_RELEVANCE=1";
    EXPECT_EQ(q.value("must_not", std::vector<std::string>()), j.must_not)
        << q["query"];
  }
  if (update) {
    std::ofstream(kSpecPath) << Render(updated);
    std::printf("rewrote %s\n", kSpecPath);
  }
}

TEST_F(RelevanceTest, EngineMeetsTheJudgements) {
  Judge judge(*data_);
  std::map<std::string, const Judged*> by_id;
  for (const Judged& j : judge.entries()) by_id[j.entry->id()] = &j;
  double precision_sum = 0, recall_sum = 0;
  int queries = 0, failed = 0;
  std::printf("%-45s %5s %5s %6s %6s\n", "query", "|R|", "hits", "P@5",
              "recall");
  for (const Json& q : (*spec_)["queries"]) {
    const std::string name =
        q["query"].get<std::string>() +
        (q.contains("request") ? " " + q["request"].dump() : "");
    const auto relevant_list = q.value("relevant", std::vector<std::string>());
    const std::set<std::string> relevant(relevant_list.begin(),
                                         relevant_list.end());
    const std::vector<std::string> ids = RunQuery(*index_, q);
    const size_t top = std::min<size_t>(5, ids.size());
    size_t good_top = 0, found = 0;
    for (size_t i = 0; i < top; ++i) good_top += relevant.count(ids[i]);
    for (const std::string& id : ids) found += relevant.count(id);
    const double precision =
        static_cast<double>(good_top) / std::min<size_t>(5, relevant.size());
    const double recall =
        relevant.empty() ? 1 : static_cast<double>(found) / relevant.size();
    precision_sum += precision;
    recall_sum += recall;
    ++queries;
    std::printf("%-45s %5zu %5zu %6.2f %6.2f\n", name.substr(0, 45).c_str(),
                relevant.size(), ids.size(), precision, recall);

    bool ok = true;
    // Top 5: all relevant ones when there are at most 5, else only relevant.
    if (relevant.size() <= 5) {
      for (const std::string& id : relevant) {
        const bool in_top =
            std::find(ids.begin(), ids.begin() + top, id) != ids.begin() + top;
        EXPECT_TRUE(in_top)
            << name << ": relevant " << id << " is not in the top 5";
        ok &= in_top;
      }
    } else {
      for (size_t i = 0; i < 5; ++i) {
        const bool good = i < ids.size() && relevant.count(ids[i]) > 0;
        EXPECT_TRUE(good) << name << ": result " << i + 1 << " ("
                          << (i < ids.size() ? ids[i] : "missing")
                          << ") is not relevant";
        ok &= good;
      }
    }
    // Must not: the listed ones, and by rule anything without evidence.
    const std::set<std::string> results(ids.begin(), ids.end());
    for (const std::string& id :
         q.value("must_not", std::vector<std::string>())) {
      EXPECT_EQ(results.count(id), 0u)
          << name << ": " << id << " must not appear";
      ok &= results.count(id) == 0;
    }
    for (const std::string& id : ids) {
      const Judged& j = *by_id.at(id);
      for (const Json& group : q["evidence"]) {
        const bool has = judge.Count(j, group) > 0;
        EXPECT_TRUE(has) << name << ": " << id << " has none of "
                         << group.dump();
        ok &= has;
      }
    }
    failed += !ok;
  }
  std::printf(
      "\n%d queries: mean precision@5 %.3f, mean recall %.3f, %d failing\n",
      queries, precision_sum / queries, recall_sum / queries, failed);
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace kaartnet::search
