#include "model/search_params.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/field_violations.h"
#include "model/vocabulary.h"

namespace kaartnet::model {
namespace {

// Each value may itself be a comma list.
std::vector<std::string> Split(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
      part = absl::StripAsciiWhitespace(part);
      if (!part.empty()) out.emplace_back(part);
    }
  }
  return out;
}

template <typename Repeated>
void AddEnums(const std::vector<std::string>& values,
              const google::protobuf::EnumDescriptor* type, const char* name,
              Repeated* out, std::vector<FieldViolation>* violations) {
  for (const std::string& v : Split(values)) {
    auto parsed = ParseEnum(type, v);
    if (parsed.ok()) {
      out->Add(*parsed);
    } else {
      violations->push_back({name, std::string(parsed.status().message())});
    }
  }
}

template <typename Repeated>
void AddStrings(const std::vector<std::string>& values, Repeated* out) {
  for (std::string& v : Split(values)) out->Add(std::move(v));
}

}  // namespace

absl::StatusOr<v1::SearchRequest> ToSearchRequest(const SearchParams& params) {
  v1::SearchRequest request;
  std::vector<FieldViolation> violations;
  request.set_query(params.query);
  AddEnums(params.kinds, v1::EntryKind_descriptor(), "kind",
           request.mutable_kinds(), &violations);
  AddEnums(params.interventions, v1::Intervention_descriptor(), "intervention",
           request.mutable_interventions(), &violations);
  AddEnums(params.target_groups, v1::TargetGroup_descriptor(), "target_group",
           request.mutable_target_groups(), &violations);
  AddEnums(params.regelingen, v1::Regeling_descriptor(), "regeling",
           request.mutable_regelingen(), &violations);
  AddEnums(params.organisation_types, v1::OrganisationType_descriptor(),
           "org_type", request.mutable_organisation_types(), &violations);
  AddEnums(params.funding, v1::Funding_descriptor(), "funding",
           request.mutable_funding(), &violations);
  AddEnums(params.quality_marks, v1::QualityMarkType_descriptor(),
           "quality_mark", request.mutable_quality_marks(), &violations);
  AddEnums(params.offers, v1::EmployerOffer_descriptor(), "offer",
           request.mutable_employer_offers(), &violations);
  AddEnums(params.facets, v1::FacetField_descriptor(), "facets",
           request.mutable_facets(), &violations);
  AddStrings(params.areas, request.mutable_area_codes());
  AddStrings(params.organisations, request.mutable_organisation_ids());
  AddStrings(params.languages, request.mutable_languages());
  AddStrings(params.sectors, request.mutable_employer_sectors());
  request.set_accepting_new_clients(params.accepting);
  request.set_exclude_stale(params.fresh);
  if (!params.near.empty()) {
    v1::Near* near = request.mutable_near();
    std::vector<std::string> parts = absl::StrSplit(params.near, ',');
    double lat, lon;
    std::string digits;
    for (char c : params.near) {
      if (absl::ascii_isdigit(c)) digits += c;
    }
    if (parts.size() == 2 && absl::SimpleAtod(parts[0], &lat) &&
        absl::SimpleAtod(parts[1], &lon)) {
      near->mutable_point()->set_latitude(lat);
      near->mutable_point()->set_longitude(lon);
    } else if (absl::ascii_isdigit(params.near[0]) && digits.size() == 4 &&
               params.near.size() <= 7) {  // 6411, 6411AB, 6411 AB
      near->set_postcode(params.near);
    } else {
      near->set_gemeentecode(params.near);
    }
    near->set_radius_km(params.radius);
  } else if (params.radius != 0) {
    violations.push_back({"radius", "needs near (a postcode or gemeente)"});
  }
  static const auto* kSorts = new std::map<std::string, v1::SortOrder>{
      {"", v1::SORT_ORDER_RELEVANCE},
      {"relevance", v1::SORT_ORDER_RELEVANCE},
      {"distance", v1::SORT_ORDER_DISTANCE},
      {"verified", v1::SORT_ORDER_LAST_VERIFIED}};
  auto sort = kSorts->find(params.sort);
  if (sort == kSorts->end()) {
    violations.push_back(
        {"sort", absl::StrCat("\"", params.sort,
                              "\" is not relevance, distance or verified")});
  } else {
    request.set_sort(sort->second);
  }
  request.set_page_size(params.page_size);
  request.set_page_token(params.page_token);
  request.set_explain(params.explain);
  if (!violations.empty())
    return InvalidArgumentWithViolations("search refused", violations);
  return request;
}

}  // namespace kaartnet::model
