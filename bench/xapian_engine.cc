#include "bench/xapian_engine.h"

#include <xapian.h>

#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "search/analyzer.h"
#include "search/engine.h"

namespace kaartnet::search {
namespace {

// Field weights as within-document frequency multipliers (the real engine
// weighs title 3, labels 2, organisation and places 1.5, description 0.5).
constexpr int kFieldWdf[] = {6, 4, 3, 3, 1};
constexpr Xapian::valueno kQualitySlot = 0;
constexpr Xapian::valueno kPointsSlot = 1;

std::string IdTerm(const std::string& id) { return "Q" + id; }

// Boolean filter terms.
std::string BitTerm(const char* prefix, int bit) {
  return absl::StrCat("X", prefix, bit);
}

// OR of the terms of the set bits of `mask` (empty query for no filter).
Xapian::Query MaskFilter(const char* prefix, uint32_t mask) {
  std::vector<Xapian::Query> terms;
  for (int bit = 0; bit < 32; ++bit) {
    if (HasBit(mask, bit)) terms.emplace_back(BitTerm(prefix, bit));
  }
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

}  // namespace

struct XapianEngine::State {
  std::string directory;
  Options options;
  Xapian::WritableDatabase db;
  mutable std::mutex mu;
};

XapianEngine::XapianEngine(const std::string& directory, Options options)
    : state_(std::make_unique<State>()) {
  std::filesystem::remove_all(directory);
  state_->directory = directory;
  state_->options = options;
  state_->db = Xapian::WritableDatabase(
      directory, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
}

XapianEngine::~XapianEngine() {
  state_->db.close();
  std::error_code ignored;
  std::filesystem::remove_all(state_->directory, ignored);
}

void XapianEngine::Upsert(Document doc,
                          v1::OrganisationType organisation_type) {
  Xapian::Document x;
  const Analyzer& analyzer = Analyzer::Get();
  for (int f = 0; f < static_cast<int>(TextField::kCount); ++f) {
    FieldTerms terms;
    analyzer.AnalyzeField(doc.text[f], &terms);
    for (const auto& [term, tf] : terms.tf) {
      x.add_term(term, tf * kFieldWdf[f]);
    }
  }
  x.add_boolean_term(IdTerm(doc.id));
  x.add_boolean_term(BitTerm("K", doc.kind));
  x.add_boolean_term(BitTerm("O", organisation_type));
  for (int bit = 0; bit < 32; ++bit) {
    if (HasBit(doc.interventions, bit)) x.add_boolean_term(BitTerm("I", bit));
    if (HasBit(doc.target_groups, bit)) x.add_boolean_term(BitTerm("T", bit));
  }
  for (size_t g = 0; g < doc.area.size(); ++g) {
    if (doc.area.test(g)) x.add_boolean_term(BitTerm("A", g));
  }
  for (const std::string& language : doc.languages)
    x.add_boolean_term("XL" + language);
  if (doc.accepting_new_clients) x.add_boolean_term("XACC");
  x.add_value(kQualitySlot,
              Xapian::sortable_serialise(QualityFactor(
                  AvailabilityScore(doc), doc.has_last_verified ? 1.0 : 0.0)));
  Xapian::LatLongCoords coords;
  for (const GeoPoint& p : doc.points)
    coords.append(Xapian::LatLongCoord(p.latitude, p.longitude));
  if (!coords.empty()) x.add_value(kPointsSlot, coords.serialise());
  x.set_data(doc.id);
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->db.replace_document(IdTerm(doc.id), x);
}

void XapianEngine::Remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->db.delete_document(IdTerm(id));
}

void XapianEngine::Compact() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->db.commit();
}

SearchResult XapianEngine::Search(const CompiledQuery& query) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  // Text: every group must match; a group is its stem, its synonym
  // tokens, or (last word) any term starting with what was typed.
  std::vector<Xapian::Query> groups;
  for (const QueryGroup& g : Analyzer::Get().AnalyzeQuery(query.text)) {
    std::vector<Xapian::Query> alternatives;
    if (!g.stem.empty()) alternatives.emplace_back(g.stem);
    for (const std::string& token : g.synonyms)
      alternatives.emplace_back(token);
    if (g.prefix && !g.raw.empty()) {
      alternatives.emplace_back(Xapian::Query::OP_WILDCARD, g.raw, 200,
                                Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    }
    groups.emplace_back(Xapian::Query::OP_OR, alternatives.begin(),
                        alternatives.end());
  }
  Xapian::Query text =
      groups.empty()
          ? Xapian::Query::MatchAll
          : Xapian::Query(Xapian::Query::OP_AND, groups.begin(), groups.end());
  // Availability and freshness as an additive boost.
  Xapian::ValueWeightPostingSource quality(kQualitySlot);
  if (state_->options.quality_boost) {
    text = Xapian::Query(Xapian::Query::OP_AND_MAYBE, text,
                         Xapian::Query(&quality));
  }

  std::vector<Xapian::Query> filters;
  if (query.kinds != 0) filters.push_back(MaskFilter("K", query.kinds));
  if (query.interventions != 0)
    filters.push_back(MaskFilter("I", query.interventions));
  if (query.target_groups != 0)
    filters.push_back(MaskFilter("T", query.target_groups));
  if (query.organisation_types != 0)
    filters.push_back(MaskFilter("O", query.organisation_types));
  if (query.has_area) {
    std::vector<Xapian::Query> area;
    for (size_t g = 0; g < query.area.size(); ++g) {
      if (query.area.test(g)) area.emplace_back(BitTerm("A", g));
    }
    filters.emplace_back(Xapian::Query::OP_OR, area.begin(), area.end());
  }
  if (!query.languages.empty()) {
    std::vector<Xapian::Query> languages;
    for (const std::string& l : query.languages)
      languages.emplace_back("XL" + l);
    filters.emplace_back(Xapian::Query::OP_OR, languages.begin(),
                         languages.end());
  }
  if (query.accepting_new_clients) filters.emplace_back("XACC");
  std::unique_ptr<Xapian::LatLongDistancePostingSource> radius;
  if (query.centre.has_value() && query.radius_km > 0) {
    radius = std::make_unique<Xapian::LatLongDistancePostingSource>(
        kPointsSlot,
        Xapian::LatLongCoords(Xapian::LatLongCoord(query.centre->latitude,
                                                   query.centre->longitude)),
        Xapian::GreatCircleMetric(), query.radius_km * 1000);
    filters.emplace_back(radius.get());
  }
  if (!filters.empty()) {
    text = Xapian::Query(
        Xapian::Query::OP_FILTER, text,
        Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
  }

  Xapian::Enquire enquire(state_->db);
  enquire.set_query(text);
  enquire.set_weighting_scheme(Xapian::BM25Weight());
  const Xapian::doccount check_at_least =
      state_->options.exact_totals ? state_->db.get_doccount() : 0;
  Xapian::MSet mset = enquire.get_mset(0, query.page_size, check_at_least);
  SearchResult result;
  result.total = mset.get_matches_estimated();
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    Hit& hit = result.hits.emplace_back();
    hit.id = it.get_document().get_data();
    hit.score = it.get_weight();
    hit.sort_key = hit.score;
  }
  return result;
}

size_t XapianEngine::size() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->db.get_doccount();
}

size_t XapianEngine::MemoryBytes() const {
  size_t bytes = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(state_->directory)) {
    if (file.is_regular_file()) bytes += file.file_size();
  }
  return bytes;
}

}  // namespace kaartnet::search
