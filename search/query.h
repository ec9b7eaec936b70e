// A SearchRequest checked and compiled into the form every engine evaluates:
// bit masks for the enum filters, a gemeente set for the area, a centre for
// geo, and the keyset position for paging.
#ifndef KAARTNET_SEARCH_QUERY_H_
#define KAARTNET_SEARCH_QUERY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaartnet/v1/directory.pb.h"
#include "search/document.h"

namespace kaartnet::search {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;
inline constexpr size_t kMaxQueryChars = 500;

struct QueryContext {
  absl::Time now;
  absl::Duration freshness = absl::Hours(24 * 180);
  // PC4 -> coordinate; may be null.
  std::function<std::optional<GeoPoint>(absl::string_view pc4)> locate_postcode;
};

struct CompiledQuery {
  std::string text;  // the free text as typed
  // Filters; a zero mask / empty set means "no filter".
  uint32_t kinds = 0;
  uint32_t interventions = 0;
  uint32_t target_groups = 0;
  uint32_t regelingen = 0;
  uint32_t funding = 0;
  uint32_t quality_marks = 0;
  uint32_t organisation_types = 0;
  uint32_t employer_offers = 0;
  absl::flat_hash_set<std::string> organisation_ids;
  absl::flat_hash_set<std::string> languages;
  std::string employer_sectors;  // letters
  bool has_area = false;
  GemeenteSet area;
  bool accepting_new_clients = false;
  bool exclude_stale = false;

  std::optional<GeoPoint> centre;
  double radius_km = 0;

  v1::SortOrder sort = v1::SORT_ORDER_RELEVANCE;
  int page_size = kDefaultPageSize;
  bool explain = false;
  std::vector<v1::FacetField> facets;

  // Time for freshness and staleness; fixed across the pages of a search.
  int64_t now_seconds = 0;
  int64_t freshness_seconds = 0;
  // Keyset paging: continue after (after_sort_key, after_id).
  bool has_after = false;
  double after_sort_key = 0;
  std::string after_id;
  uint64_t request_hash = 0;
  // PC4 -> coordinate, for postcodes typed in the text; may be null.
  std::function<std::optional<GeoPoint>(absl::string_view pc4)> locate_postcode;
};

// Checks and compiles. INVALID_ARGUMENT with field violations for bad codes,
// an unknown postcode or gemeente, page sizes out of range, or a page token
// from another query.
absl::StatusOr<CompiledQuery> CompileQuery(const v1::SearchRequest& request,
                                           const QueryContext& context);

// The opaque token for continuing after a hit with this sort key and id.
std::string MakePageToken(const CompiledQuery& query, double sort_key,
                          const std::string& id);

// Whether a document passes every filter (text aside).
bool PassesFilters(const CompiledQuery& query, const Document& doc,
                   v1::OrganisationType organisation_type);

// Filters grouped by facet field, for facet counts that ignore a field's own
// filter: returns how many filter groups the document fails and, in
// *failed, the facet field of the last one (FACET_FIELD_UNSPECIFIED for
// filters without a facet; FACET_FIELD_GEMEENTE for the area).
int FailedFilterGroups(const CompiledQuery& query, const Document& doc,
                       v1::OrganisationType organisation_type,
                       v1::FacetField* failed);

// Distance in km from the query centre to the nearest point of the
// document; nullopt without centre or points.
std::optional<double> DistanceKm(const CompiledQuery& query,
                                 const Document& doc);

bool IsStale(const CompiledQuery& query, const Document& doc);

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_QUERY_H_
