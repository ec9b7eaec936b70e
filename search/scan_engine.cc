#include "search/scan_engine.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <queue>

#include "absl/strings/match.h"
#include "search/analyzer.h"

namespace kaartnet::search {
namespace {

constexpr int kScanFields = static_cast<int>(TextField::kCount);
constexpr double kScanFieldWeight[kScanFields] = {3.0, 2.0, 1.5, 1.5, 1.0};
constexpr double kScanK1 = 1.2;
constexpr double kScanB = 0.75;

bool TermMatches(const std::string& token, const std::string& term,
                 bool prefix) {
  return prefix ? absl::StartsWith(token, term) : token == term;
}

}  // namespace

void ScanEngine::Upsert(Document doc, v1::OrganisationType organisation_type) {
  auto stored = std::make_shared<Stored>();
  for (int f = 0; f < kScanFields; ++f)
    stored->tokens[f] = Tokenize(doc.text[f]);
  stored->organisation_type = organisation_type;
  stored->doc = std::move(doc);
  std::unique_lock lock(mu_);
  auto& slot = docs_[stored->doc.id];
  for (int f = 0; f < kScanFields; ++f) {
    if (slot) total_tokens_[f] -= slot->tokens[f].size();
    total_tokens_[f] += stored->tokens[f].size();
  }
  slot = std::move(stored);
}

void ScanEngine::Remove(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = docs_.find(id);
  if (it == docs_.end()) return;
  for (int f = 0; f < kScanFields; ++f)
    total_tokens_[f] -= it->second->tokens[f].size();
  docs_.erase(it);
}

size_t ScanEngine::size() const {
  std::shared_lock lock(mu_);
  return docs_.size();
}

size_t ScanEngine::MemoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes = 0;
  for (const auto& [id, stored] : docs_) {
    bytes += sizeof(Stored) + id.size() * 2;
    for (int f = 0; f < kScanFields; ++f) {
      bytes += stored->doc.text[f].size();
      for (const auto& t : stored->tokens[f])
        bytes += sizeof(std::string) + t.size();
    }
  }
  return bytes;
}

SearchResult ScanEngine::Search(const CompiledQuery& query) const {
  const std::vector<std::string> terms = Tokenize(query.text);
  std::shared_lock lock(mu_);
  const double n_docs = static_cast<double>(std::max<size_t>(docs_.size(), 1));
  double avg_len[kScanFields];
  for (int f = 0; f < kScanFields; ++f) {
    avg_len[f] = std::max(1.0, static_cast<double>(total_tokens_[f]) / n_docs);
  }
  // Document frequency of each query term over the whole collection.
  std::vector<double> df(terms.size(), 0);
  if (!terms.empty()) {
    for (const auto& [id, stored] : docs_) {
      for (size_t t = 0; t < terms.size(); ++t) {
        const bool prefix = t + 1 == terms.size();
        bool found = false;
        for (int f = 0; f < kScanFields && !found; ++f) {
          for (const auto& token : stored->tokens[f]) {
            if (TermMatches(token, terms[t], prefix)) {
              found = true;
              break;
            }
          }
        }
        if (found) df[t] += 1;
      }
    }
  }

  SearchResult result;
  FacetCounter facets(query);
  auto better = [](const Hit& a, const Hit& b) {
    return HitBefore(a.sort_key, a.id, b.sort_key, b.id);
  };
  // With "better" as the order, the queue's top is the worst hit kept.
  std::priority_queue<Hit, std::vector<Hit>, decltype(better)> top(better);

  for (const auto& [id, stored] : docs_) {
    const Document& doc = stored->doc;
    v1::FacetField failed = v1::FACET_FIELD_UNSPECIFIED;
    const int failures =
        FailedFilterGroups(query, doc, stored->organisation_type, &failed);
    if (failures > 1 || (failures == 1 && !facets.active())) continue;
    // Text: every term must match somewhere.
    double text_score = terms.empty() ? 1.0 : 0.0;
    bool all_terms = true;
    std::vector<v1::TermMatch> matches;
    for (size_t t = 0; t < terms.size() && all_terms; ++t) {
      const bool prefix = t + 1 == terms.size();
      double weighted_tf = 0;
      int best_field = -1;
      std::string best_token;
      for (int f = 0; f < kScanFields; ++f) {
        int tf = 0;
        for (const auto& token : stored->tokens[f]) {
          if (TermMatches(token, terms[t], prefix)) {
            ++tf;
            if (best_field < 0) {
              best_field = f;
              best_token = token;
            }
          }
        }
        if (tf == 0) continue;
        const double norm =
            1.0 + kScanB * (static_cast<double>(stored->tokens[f].size()) /
                                avg_len[f] -
                            1.0);
        weighted_tf += kScanFieldWeight[f] * tf / norm;
      }
      if (best_field < 0) {
        all_terms = false;
        break;
      }
      const double idf = std::log(1.0 + (n_docs - df[t] + 0.5) / (df[t] + 0.5));
      const double term_score =
          idf * weighted_tf * (kScanK1 + 1) / (weighted_tf + kScanK1);
      text_score += term_score;
      if (query.explain) {
        v1::TermMatch& m = matches.emplace_back();
        m.set_query_term(terms[t]);
        m.set_matched_term(best_token);
        m.set_field(TextFieldName(static_cast<TextField>(best_field)));
        m.set_how(best_token == terms[t] ? "exact" : "prefix");
        m.set_score(term_score);
      }
    }
    if (!all_terms) continue;
    facets.Add(doc, stored->organisation_type, failures, failed);
    if (failures > 0) continue;
    ++result.total;

    Hit hit;
    hit.id = doc.id;
    hit.distance_km = DistanceKm(query, doc);
    hit.stale = IsStale(query, doc);
    const double freshness = FreshnessScore(query, doc);
    const double availability = AvailabilityScore(doc);
    const double distance = DistanceScore(hit.distance_km);
    hit.score = CombineScore(text_score, freshness, availability, distance);
    hit.sort_key = SortKey(query, hit, doc);
    if (!AfterPagePosition(query, hit.sort_key, hit.id)) continue;
    if (query.explain) {
      hit.explanation.set_text(text_score);
      hit.explanation.set_freshness(freshness);
      hit.explanation.set_availability(availability);
      hit.explanation.set_distance(distance);
      for (auto& m : matches) *hit.explanation.add_terms() = std::move(m);
    }
    if (static_cast<int>(top.size()) < query.page_size + 1) {
      top.push(std::move(hit));
    } else if (better(hit, top.top())) {
      top.pop();
      top.push(std::move(hit));
    }
  }
  // One extra hit tells whether there is a next page.
  std::vector<Hit> hits;
  while (!top.empty()) {
    hits.push_back(top.top());
    top.pop();
  }
  std::reverse(hits.begin(), hits.end());
  if (static_cast<int>(hits.size()) > query.page_size) {
    hits.resize(query.page_size);
    result.next_page_token =
        MakePageToken(query, hits.back().sort_key, hits.back().id);
  }
  for (Hit& hit : hits) hit.card = docs_.find(hit.id)->second->doc.card;
  result.hits = std::move(hits);
  result.facets = facets.Finish();
  return result;
}

}  // namespace kaartnet::search
