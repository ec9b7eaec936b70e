// A search as words: the parameters of `kaart search` and of
// GET /api/v1/search, turned into a kaartnet.v1.SearchRequest in one place.
// Enum values may be short and loose ("jobcoach", "ips-trajectbegeleider");
// list parameters take several values or comma lists.
#ifndef KAARTNET_MODEL_SEARCH_PARAMS_H_
#define KAARTNET_MODEL_SEARCH_PARAMS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kaartnet/v1/directory.pb.h"

namespace kaartnet::model {

struct SearchParams {
  std::string query;                            // q
  std::vector<std::string> kinds;               // kind
  std::vector<std::string> interventions;       // intervention
  std::vector<std::string> target_groups;       // target_group
  std::vector<std::string> regelingen;          // regeling
  std::vector<std::string> areas;               // area: GMxxxx or AMxx
  std::vector<std::string> organisations;       // org
  std::vector<std::string> organisation_types;  // org_type
  std::vector<std::string> languages;           // language
  std::vector<std::string> funding;             // funding
  std::vector<std::string> quality_marks;       // quality_mark
  std::vector<std::string> sectors;             // sector
  std::vector<std::string> offers;              // offer
  std::vector<std::string> facets;              // facets
  bool accepting = false;                       // accepting
  bool fresh = false;                           // fresh
  std::string near;   // near: postcode, gemeente(code) or "lat,lon"
  double radius = 0;  // radius (km)
  std::string sort;   // sort: relevance (default), distance, verified
  int page_size = 0;  // page_size (0: the node's default)
  std::string page_token;
  bool explain = false;
};

// INVALID_ARGUMENT with one field violation per bad parameter, named as in
// the comments above (e.g. "kind": "\"jobcoch\" is not an EntryKind ...").
absl::StatusOr<v1::SearchRequest> ToSearchRequest(const SearchParams& params);

}  // namespace kaartnet::model

#endif  // KAARTNET_MODEL_SEARCH_PARAMS_H_
