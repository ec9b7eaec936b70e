#include "search/query.h"

#include <algorithm>
#include <cmath>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/field_violations.h"
#include "common/utf8.h"
#include "kaartnet/internal/search.pb.h"
#include "model/validation.h"

namespace kaartnet::search {
namespace {

template <typename Repeated, typename IsValid>
uint32_t MaskOf(const Repeated& values, IsValid is_valid,
                const std::string& field,
                std::vector<FieldViolation>* violations) {
  uint32_t mask = 0;
  for (int i = 0; i < values.size(); ++i) {
    const int v = values[i];
    if (v <= 0 || v >= 32 || !is_valid(v)) {
      violations->push_back(
          {absl::StrCat(field, "[", i, "]"), "is not a known value"});
      continue;
    }
    mask |= 1u << v;
  }
  return mask;
}

uint64_t RequestHash(const v1::SearchRequest& request) {
  v1::SearchRequest copy = request;
  copy.clear_page_token();
  copy.clear_page_size();
  copy.clear_explain();
  copy.clear_facets();
  std::string bytes;
  copy.SerializeToString(&bytes);
  return absl::HashOf(bytes);
}

std::optional<GeoPoint> ResolveCentre(const v1::Near& near,
                                      const QueryContext& context,
                                      std::vector<FieldViolation>* violations) {
  const ReferenceData& ref = ReferenceData::Get();
  switch (near.centre_case()) {
    case v1::Near::kPoint: {
      const double lat = near.point().latitude();
      const double lon = near.point().longitude();
      if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
        violations->push_back(
            {"near.point", "latitude/longitude out of range"});
        return std::nullopt;
      }
      return GeoPoint{lat, lon};
    }
    case v1::Near::kPostcode: {
      std::string digits;
      for (char c : near.postcode()) {
        if (absl::ascii_isdigit(c)) digits += c;
      }
      if (digits.size() != 4 || digits[0] == '0') {
        violations->push_back(
            {"near.postcode",
             absl::StrCat("\"", near.postcode(),
                          "\" is not a Dutch postcode (6411 AB or 6411)")});
        return std::nullopt;
      }
      auto p = context.locate_postcode ? context.locate_postcode(digits)
                                       : std::nullopt;
      if (!p.has_value()) {
        violations->push_back(
            {"near.postcode",
             absl::StrCat(
                 "postcode area ", digits,
                 " is unknown to this node; search near a gemeente instead")});
        return std::nullopt;
      }
      return *p;
    }
    case v1::Near::kGemeentecode: {
      const Gemeente* g =
          ref.FindGemeente(absl::AsciiStrToUpper(near.gemeentecode()));
      if (g == nullptr) g = ref.FindGemeenteByName(near.gemeentecode());
      if (g == nullptr) {
        violations->push_back(
            {"near.gemeentecode",
             absl::StrCat("\"", near.gemeentecode(),
                          "\" is not a current Dutch gemeente")});
        return std::nullopt;
      }
      return GeoPoint{g->latitude, g->longitude};
    }
    case v1::Near::CENTRE_NOT_SET:
      break;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<CompiledQuery> CompileQuery(const v1::SearchRequest& request,
                                           const QueryContext& context) {
  std::vector<FieldViolation> violations;
  CompiledQuery q;
  if (!IsValidUtf8(request.query())) {
    violations.push_back({"query", "is not valid UTF-8"});
  } else if (CodePointCount(request.query()) > kMaxQueryChars) {
    violations.push_back(
        {"query", absl::StrCat("at most ", kMaxQueryChars, " characters")});
  } else {
    q.text = request.query();
  }
  q.kinds =
      MaskOf(request.kinds(), v1::EntryKind_IsValid, "kinds", &violations);
  q.interventions = MaskOf(request.interventions(), v1::Intervention_IsValid,
                           "interventions", &violations);
  q.target_groups = MaskOf(request.target_groups(), v1::TargetGroup_IsValid,
                           "target_groups", &violations);
  q.regelingen = MaskOf(request.regelingen(), v1::Regeling_IsValid,
                        "regelingen", &violations);
  q.funding =
      MaskOf(request.funding(), v1::Funding_IsValid, "funding", &violations);
  q.quality_marks = MaskOf(request.quality_marks(), v1::QualityMarkType_IsValid,
                           "quality_marks", &violations);
  q.organisation_types =
      MaskOf(request.organisation_types(), v1::OrganisationType_IsValid,
             "organisation_types", &violations);
  q.employer_offers =
      MaskOf(request.employer_offers(), v1::EmployerOffer_IsValid,
             "employer_offers", &violations);
  for (const std::string& id : request.organisation_ids())
    q.organisation_ids.insert(id);
  for (int i = 0; i < request.languages_size(); ++i) {
    q.languages.insert(absl::AsciiStrToLower(request.languages(i)));
  }
  for (int i = 0; i < request.employer_sectors_size(); ++i) {
    const std::string sector =
        absl::AsciiStrToUpper(request.employer_sectors(i));
    if (sector.size() != 1 || sector[0] < 'A' || sector[0] > 'U') {
      violations.push_back(
          {absl::StrCat("employer_sectors[", i, "]"),
           absl::StrCat("\"", request.employer_sectors(i),
                        "\" is not an SBI section letter (A–U)")});
    } else {
      q.employer_sectors += sector;
    }
  }
  const ReferenceData& ref = ReferenceData::Get();
  for (int i = 0; i < request.area_codes_size(); ++i) {
    const std::string code = absl::AsciiStrToUpper(request.area_codes(i));
    q.has_area = true;
    if (const Arbeidsmarktregio* regio = ref.FindRegio(code)) {
      for (const std::string& g : regio->gemeentecodes)
        q.area.set(GemeenteIndexOf(g));
    } else if (int index = GemeenteIndexOf(code); index >= 0) {
      q.area.set(index);
    } else if (const Gemeente* g =
                   ref.FindGemeenteByName(request.area_codes(i))) {
      q.area.set(GemeenteIndexOf(g->code));
    } else {
      violations.push_back(
          {absl::StrCat("area_codes[", i, "]"),
           absl::StrCat("\"", request.area_codes(i),
                        "\" is not a gemeentecode (GMxxxx), "
                        "arbeidsmarktregio (AMxx) or gemeente name")});
    }
  }
  q.accepting_new_clients = request.accepting_new_clients();
  q.exclude_stale = request.exclude_stale();
  if (request.has_near()) {
    q.centre = ResolveCentre(request.near(), context, &violations);
    q.radius_km = request.near().radius_km();
    if (!(q.radius_km >= 0 && q.radius_km <= 500)) {
      violations.push_back({"near.radius_km", "must be between 0 and 500 km"});
    }
  }
  q.sort = request.sort();
  if (!v1::SortOrder_IsValid(q.sort)) {
    violations.push_back({"sort", "is not a known sort order"});
  } else if (q.sort == v1::SORT_ORDER_DISTANCE && !request.has_near()) {
    violations.push_back({"sort", "sorting by distance needs `near`"});
  }
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    violations.push_back(
        {"page_size",
         absl::StrCat("must be between 1 and ", kMaxPageSize, " (0 = 20)")});
  } else if (request.page_size() > 0) {
    q.page_size = request.page_size();
  }
  q.explain = request.explain();
  for (int i = 0; i < request.facets_size(); ++i) {
    const auto field = request.facets(i);
    if (field == v1::FACET_FIELD_UNSPECIFIED ||
        !v1::FacetField_IsValid(field)) {
      violations.push_back(
          {absl::StrCat("facets[", i, "]"), "is not a facet field"});
    } else if (std::find(q.facets.begin(), q.facets.end(), field) ==
               q.facets.end()) {
      q.facets.push_back(field);
    }
  }
  q.request_hash = RequestHash(request);
  q.locate_postcode = context.locate_postcode;
  q.now_seconds = absl::ToUnixSeconds(context.now);
  q.freshness_seconds = absl::ToInt64Seconds(context.freshness);
  if (!request.page_token().empty()) {
    std::string bytes;
    internal::PageToken token;
    if (!absl::WebSafeBase64Unescape(request.page_token(), &bytes) ||
        !token.ParseFromString(bytes)) {
      violations.push_back({"page_token", "is not a page token of this node"});
    } else if (token.request_hash() != q.request_hash) {
      violations.push_back(
          {"page_token",
           "belongs to another query; send the same query and filters"});
    } else {
      q.has_after = true;
      q.after_sort_key = token.last_sort_key();
      q.after_id = token.last_id();
      q.now_seconds = token.now_seconds();
    }
  }
  if (!violations.empty())
    return InvalidArgumentWithViolations("search refused", violations);
  return q;
}

std::string MakePageToken(const CompiledQuery& query, double sort_key,
                          const std::string& id) {
  internal::PageToken token;
  token.set_request_hash(query.request_hash);
  token.set_now_seconds(query.now_seconds);
  token.set_last_sort_key(sort_key);
  token.set_last_id(id);
  return absl::WebSafeBase64Escape(token.SerializeAsString());
}

bool IsStale(const CompiledQuery& query, const Document& doc) {
  if (!doc.has_last_verified) return true;
  return query.now_seconds - doc.last_verified_seconds >
         query.freshness_seconds;
}

std::optional<double> DistanceKm(const CompiledQuery& query,
                                 const Document& doc) {
  if (!query.centre.has_value() || doc.points.empty()) return std::nullopt;
  double best = INFINITY;
  for (const GeoPoint& p : doc.points) {
    best = std::min(best,
                    HaversineKm(query.centre->latitude, query.centre->longitude,
                                p.latitude, p.longitude));
  }
  return best;
}

int FailedFilterGroups(const CompiledQuery& q, const Document& doc,
                       v1::OrganisationType organisation_type,
                       v1::FacetField* failed) {
  int failures = 0;
  auto fail = [&](v1::FacetField field) {
    ++failures;
    *failed = field;
  };
  if (q.kinds && !HasBit(q.kinds, doc.kind)) fail(v1::FACET_FIELD_KIND);
  if (q.interventions && !(q.interventions & doc.interventions)) {
    fail(v1::FACET_FIELD_INTERVENTION);
  }
  if (q.target_groups && !(q.target_groups & doc.target_groups)) {
    fail(v1::FACET_FIELD_TARGET_GROUP);
  }
  if (q.regelingen && !(q.regelingen & doc.regelingen))
    fail(v1::FACET_FIELD_REGELING);
  if (q.funding && !(q.funding & doc.funding)) fail(v1::FACET_FIELD_FUNDING);
  if (q.quality_marks && !(q.quality_marks & doc.quality_marks)) {
    fail(v1::FACET_FIELD_QUALITY_MARK);
  }
  if (q.organisation_types &&
      !HasBit(q.organisation_types, organisation_type)) {
    fail(v1::FACET_FIELD_ORGANISATION_TYPE);
  }
  if (!q.organisation_ids.empty() &&
      !q.organisation_ids.contains(doc.organisation_id)) {
    fail(v1::FACET_FIELD_ORGANISATION);
  }
  if (!q.languages.empty() &&
      std::none_of(
          doc.languages.begin(), doc.languages.end(),
          [&](const std::string& l) { return q.languages.contains(l); })) {
    fail(v1::FACET_FIELD_LANGUAGE);
  }
  if (q.has_area && (q.area & doc.area).none()) fail(v1::FACET_FIELD_GEMEENTE);
  if (q.accepting_new_clients && !doc.accepting_new_clients) {
    fail(v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS);
  }
  // Filters without a facet of their own.
  if (q.employer_offers && !(q.employer_offers & doc.employer_offers)) {
    fail(v1::FACET_FIELD_UNSPECIFIED);
  }
  if (!q.employer_sectors.empty() &&
      (doc.employer_sector == 0 ||
       q.employer_sectors.find(doc.employer_sector) == std::string::npos)) {
    fail(v1::FACET_FIELD_UNSPECIFIED);
  }
  if (q.exclude_stale && IsStale(q, doc)) fail(v1::FACET_FIELD_UNSPECIFIED);
  if (q.centre.has_value() && q.radius_km > 0) {
    const auto d = DistanceKm(q, doc);
    if (!d.has_value() || *d > q.radius_km) fail(v1::FACET_FIELD_UNSPECIFIED);
  }
  return failures;
}

bool PassesFilters(const CompiledQuery& query, const Document& doc,
                   v1::OrganisationType organisation_type) {
  v1::FacetField failed;
  return FailedFilterGroups(query, doc, organisation_type, &failed) == 0;
}

}  // namespace kaartnet::search
