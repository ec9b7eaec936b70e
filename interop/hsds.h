// Open Referral HSDS 3.0 (Human Services Data Specification): the kaart as
// HSDS JSON for `kaart export --format hsds` and the node's /hsds/...
// endpoints, and HSDS services read back into entries of one organisation
// for `kaart import --format hsds`.
//
// Mapping (entry -> service):
//   id, organization_id     UUIDv5 of the entry id / organisation id, so
//                           the same entry always has the same HSDS id
//   url                     <base>/aanbod/<org>/<slug> when a base is given
//   name, description       title, description
//   status                  "active" (withdrawn entries are not exported)
//   wait_time               "2 weken"
//   assured_date            last_verified (the date it was last checked)
//   last_modified           the version's time
//   accreditations          the quality marks, as text
//   service_areas           one per gemeente / arbeidsmarktregio (name,
//                           extent_type "cbs_gemeentecode" or
//                           "arbeidsmarktregio", extent = the code)
//   service_at_locations    each location with its address (state_province
//                           from the gemeente, country NL) and
//                           external_identifier = gemeentecode
//   contacts, phones        PUBLIC contacts only (PROFESSIONALS contacts
//                           never leave through HSDS)
//   languages, funding      ISO 639-1 codes; funding source labels
//   attributes              kind, interventions, target groups, regelingen,
//                           employer offers and quality marks as terms of
//                           the kaartnet taxonomies (code = enum value name),
//                           and scalar facts (accepting new clients, free
//                           places, employer sector ...) as terms of the
//                           "kaartnet-kenmerk" taxonomy with a value
//
// Reading accepts a service, an array of services, {"services": [...]} or
// an API page {"contents": [...]}; imported contacts get visibility
// PROFESSIONALS unless the contact carries the kaartnet "openbaar" term.
#ifndef KAARTNET_INTEROP_HSDS_H_
#define KAARTNET_INTEROP_HSDS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "nlohmann/json.hpp"

namespace kaartnet::interop {

// RFC 4122 version-5 UUID of `name` in kaartnet's namespace.
std::string StableUuid(absl::string_view name);

// The HSDS id of the service of entry `entry_id`.
std::string HsdsServiceId(absl::string_view entry_id);

// The HSDS organization (without services).
nlohmann::json HsdsOrganization(const v1::Organisation& organisation);

// The HSDS service with its organization (when given), service areas,
// locations, contacts, languages, funding and attributes. `base_url` (may
// be empty) makes the service's url.
nlohmann::json HsdsService(const v1::Entry& entry,
                           const v1::Organisation* organisation,
                           absl::string_view base_url);

// The kaartnet taxonomies and all their terms.
nlohmann::json HsdsTaxonomies();
nlohmann::json HsdsTaxonomyTerms();

// A whole export: {"organizations": [...], "services": [...],
// "taxonomies": [...], "taxonomy_terms": [...]}.
nlohmann::json HsdsDataset(const std::vector<v1::Entry>& entries,
                           const std::vector<v1::Organisation>& organisations,
                           absl::string_view base_url);

struct HsdsProblem {
  std::string where;  // e.g. "services[3].service_areas[0]"
  std::string message;
};

struct HsdsImport {
  struct Item {
    std::string where;  // "services[3]"
    v1::Entry entry;
  };
  std::vector<Item> entries;
  std::vector<HsdsProblem> problems;
};

// Reads services as entries of `organisation_id`.
HsdsImport ParseHsds(absl::string_view json_text,
                     const std::string& organisation_id);

}  // namespace kaartnet::interop

#endif  // KAARTNET_INTEROP_HSDS_H_
