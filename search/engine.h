// The interface of a search engine over Documents, and what engines share:
// ranking, facet counting and the hit order.
//
// Thread-safety: implementations allow concurrent Search calls, and
// Upsert/Remove concurrently with them; searches never wait for writes.
#ifndef KAARTNET_SEARCH_ENGINE_H_
#define KAARTNET_SEARCH_ENGINE_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kaartnet/v1/directory.pb.h"
#include "search/document.h"
#include "search/query.h"

namespace kaartnet::search {

struct Hit {
  std::string id;
  double score = 0;
  // What the results are ordered by (score, -distance or verified time).
  double sort_key = 0;
  std::optional<double> distance_km;
  bool stale = false;
  v1::ScoreExplanation explanation;  // filled when the query asks
  // Document::card of the entry (may be empty).
  std::string card;
};

struct SearchResult {
  std::vector<Hit> hits;
  uint64_t total = 0;
  std::vector<v1::Facet> facets;
  std::string next_page_token;
};

class SearchEngine {
 public:
  // One change for Apply.
  struct Update {
    std::string id;
    bool remove = false;
    Document doc;  // when not remove
    v1::OrganisationType organisation_type = v1::ORGANISATION_TYPE_UNSPECIFIED;
  };

  virtual ~SearchEngine() = default;
  // Applies a batch of changes in order; the default calls Upsert/Remove.
  virtual void Apply(std::vector<Update> updates) {
    for (Update& u : updates) {
      if (u.remove) {
        Remove(u.id);
      } else {
        Upsert(std::move(u.doc), u.organisation_type);
      }
    }
  }
  // Adds or replaces the document with doc.id.
  virtual void Upsert(Document doc, v1::OrganisationType organisation_type) = 0;
  virtual void Remove(const std::string& id) = 0;
  virtual SearchResult Search(const CompiledQuery& query) const = 0;
  // Reorganises after a bulk load (e.g. merges segments); optional.
  virtual void Compact() {}
  // Whether the engine keeps an index worth saving (search_index.h); the
  // scanning engine does not: it has nothing to rebuild.
  virtual bool saveable() const { return false; }
  // The index as bytes for the index file, and back into an empty engine.
  // Only what live documents need is written. Called only when saveable().
  virtual absl::Status SaveTo(std::string* out) {
    (void)out;
    return absl::FailedPreconditionError("the engine keeps no index file");
  }
  virtual absl::Status LoadFrom(absl::string_view data) {
    (void)data;
    return absl::FailedPreconditionError("the engine keeps no index file");
  }
  virtual size_t size() const = 0;
  // Approximate heap bytes held.
  virtual size_t MemoryBytes() const = 0;
  virtual const char* name() const = 0;
};

// --- Ranking shared by the engines -------------------------------------

// Non-text score parts, each in [0, 1].
double AvailabilityOf(bool accepting_new_clients, uint32_t wait_weeks);
double FreshnessOf(bool has_last_verified, int64_t last_verified_seconds,
                   int64_t now_seconds, int64_t freshness_seconds);
double FreshnessScore(const CompiledQuery& query, const Document& doc);
double AvailabilityScore(const Document& doc);
double DistanceScore(std::optional<double> distance_km);

// The score is text × QualityFactor × DistanceFactor; both factors are at
// most 1, so a bound on the text part bounds the whole score.
inline double QualityFactor(double availability, double freshness) {
  return 0.6 + 0.25 * availability + 0.15 * freshness;
}
inline double DistanceFactor(double distance) { return 0.4 + 0.6 * distance; }

// Combines the parts. `text` is 1 for queries without text.
double CombineScore(double text, double freshness, double availability,
                    double distance);

// Sort key for the query's order (higher first) given a scored hit.
double SortKey(const CompiledQuery& query, const Hit& hit, const Document& doc);

// True when `a` comes before `b`: higher sort key first, then id.
inline bool HitBefore(double key_a, const std::string& id_a, double key_b,
                      const std::string& id_b) {
  if (key_a != key_b) return key_a > key_b;
  return id_a < id_b;
}

// True when the hit lies after the keyset position of the query's page.
bool AfterPagePosition(const CompiledQuery& query, double sort_key,
                       const std::string& id);

// Dutch display label of a facet value.
std::string FacetLabel(v1::FacetField field, const std::string& value);

// Value -> count of each requested facet field.
using FacetCounts = std::vector<std::map<std::string, uint64_t>>;
// The facets of `counts` (one per field of `fields`): values by decreasing
// count, then by value, with their Dutch labels.
std::vector<v1::Facet> MakeFacets(const std::vector<v1::FacetField>& fields,
                                  const FacetCounts& counts);

// Accumulates facet counts over matching documents.
class FacetCounter {
 public:
  explicit FacetCounter(const CompiledQuery& query);
  // `failures`/`failed` from FailedFilterGroups.
  void Add(const Document& doc, v1::OrganisationType organisation_type,
           int failures, v1::FacetField failed);
  std::vector<v1::Facet> Finish() const;
  bool active() const { return !query_.facets.empty(); }

 private:
  const CompiledQuery& query_;
  // Per requested facet: value -> count.
  FacetCounts counts_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_ENGINE_H_
