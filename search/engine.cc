#include "search/engine.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "model/vocabulary.h"

namespace kaartnet::search {
namespace {

void CountBits(std::map<std::string, uint64_t>* counts,
               const google::protobuf::EnumDescriptor* type, uint32_t bits) {
  while (bits != 0) {
    const int value = __builtin_ctz(bits);
    bits &= bits - 1;
    if (const auto* v = type->FindValueByNumber(value)) ++(*counts)[v->name()];
  }
}

bool FacetIgnores(v1::FacetField facet, v1::FacetField failed) {
  if (facet == failed) return true;
  // The area filter is the filter of both area facets.
  return failed == v1::FACET_FIELD_GEMEENTE &&
         facet == v1::FACET_FIELD_ARBEIDSMARKTREGIO;
}

}  // namespace

std::string FacetLabel(v1::FacetField field, const std::string& value) {
  const ReferenceData& ref = ReferenceData::Get();
  switch (field) {
    case v1::FACET_FIELD_GEMEENTE:
      if (const Gemeente* g = ref.FindGemeente(value)) return g->naam;
      return value;
    case v1::FACET_FIELD_ARBEIDSMARKTREGIO:
      if (const Arbeidsmarktregio* r = ref.FindRegio(value)) return r->naam;
      return value;
    case v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS:
      return value == "true" ? "Neemt nieuwe cliënten aan"
                             : "Neemt geen nieuwe cliënten aan";
    case v1::FACET_FIELD_LANGUAGE:
      if (const char* name = LanguageName(value)) return name;
      return value;
    case v1::FACET_FIELD_ORGANISATION:
      return value;
    default:
      return model::Label(value);
  }
}

double AvailabilityOf(bool accepting_new_clients, uint32_t wait_weeks) {
  if (!accepting_new_clients) return 0.1;
  return 1.0 - 0.5 * std::min<double>(wait_weeks, 26) / 26.0;
}

double FreshnessOf(bool has_last_verified, int64_t last_verified_seconds,
                   int64_t now_seconds, int64_t freshness_seconds) {
  if (!has_last_verified || freshness_seconds <= 0) return 0;
  const double age = static_cast<double>(now_seconds - last_verified_seconds);
  return std::clamp(1.0 - age / static_cast<double>(freshness_seconds), 0.0,
                    1.0);
}

double FreshnessScore(const CompiledQuery& query, const Document& doc) {
  return FreshnessOf(doc.has_last_verified, doc.last_verified_seconds,
                     query.now_seconds, query.freshness_seconds);
}

double AvailabilityScore(const Document& doc) {
  return AvailabilityOf(doc.accepting_new_clients, doc.wait_weeks);
}

double DistanceScore(std::optional<double> distance_km) {
  if (!distance_km.has_value()) return 1.0;
  return 1.0 / (1.0 + *distance_km / 10.0);
}

double CombineScore(double text, double freshness, double availability,
                    double distance) {
  return text * QualityFactor(availability, freshness) *
         DistanceFactor(distance);
}

double SortKey(const CompiledQuery& query, const Hit& hit,
               const Document& doc) {
  switch (query.sort) {
    case v1::SORT_ORDER_DISTANCE:
      return hit.distance_km.has_value() ? -*hit.distance_km : -1e9;
    case v1::SORT_ORDER_LAST_VERIFIED:
      return doc.has_last_verified
                 ? static_cast<double>(doc.last_verified_seconds)
                 : 0;
    default:
      return hit.score;
  }
}

bool AfterPagePosition(const CompiledQuery& query, double sort_key,
                       const std::string& id) {
  if (!query.has_after) return true;
  return HitBefore(query.after_sort_key, query.after_id, sort_key, id);
}

FacetCounter::FacetCounter(const CompiledQuery& query)
    : query_(query), counts_(query.facets.size()) {}

void FacetCounter::Add(const Document& doc,
                       v1::OrganisationType organisation_type, int failures,
                       v1::FacetField failed) {
  for (size_t i = 0; i < query_.facets.size(); ++i) {
    const v1::FacetField field = query_.facets[i];
    if (failures > 1 || (failures == 1 && !FacetIgnores(field, failed)))
      continue;
    auto& counts = counts_[i];
    switch (field) {
      case v1::FACET_FIELD_KIND:
        CountBits(&counts, v1::EntryKind_descriptor(), 1u << doc.kind);
        break;
      case v1::FACET_FIELD_INTERVENTION:
        CountBits(&counts, v1::Intervention_descriptor(), doc.interventions);
        break;
      case v1::FACET_FIELD_TARGET_GROUP:
        CountBits(&counts, v1::TargetGroup_descriptor(), doc.target_groups);
        break;
      case v1::FACET_FIELD_REGELING:
        CountBits(&counts, v1::Regeling_descriptor(), doc.regelingen);
        break;
      case v1::FACET_FIELD_FUNDING:
        CountBits(&counts, v1::Funding_descriptor(), doc.funding);
        break;
      case v1::FACET_FIELD_QUALITY_MARK:
        CountBits(&counts, v1::QualityMarkType_descriptor(), doc.quality_marks);
        break;
      case v1::FACET_FIELD_ORGANISATION_TYPE:
        CountBits(&counts, v1::OrganisationType_descriptor(),
                  1u << organisation_type);
        break;
      case v1::FACET_FIELD_ORGANISATION:
        ++counts[doc.organisation_id];
        break;
      case v1::FACET_FIELD_LANGUAGE:
        for (const std::string& lang : doc.languages) ++counts[lang];
        break;
      case v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS:
        ++counts[doc.accepting_new_clients ? "true" : "false"];
        break;
      case v1::FACET_FIELD_GEMEENTE: {
        const auto& gemeenten = ReferenceData::Get().gemeenten();
        for (size_t g = doc.area._Find_first(); g < gemeenten.size();
             g = doc.area._Find_next(g)) {
          ++counts[gemeenten[g].code];
        }
        break;
      }
      case v1::FACET_FIELD_ARBEIDSMARKTREGIO: {
        const auto& regio_of = RegioOfGemeente();
        const auto& regios = ReferenceData::Get().regios();
        uint64_t seen = 0;
        for (size_t g = doc.area._Find_first(); g < regio_of.size();
             g = doc.area._Find_next(g)) {
          const int r = regio_of[g];
          if (r >= 0 && !(seen >> r & 1)) {
            seen |= uint64_t{1} << r;
            ++counts[regios[r].code];
          }
        }
        break;
      }
      default:
        break;
    }
  }
}

std::vector<v1::Facet> MakeFacets(const std::vector<v1::FacetField>& fields,
                                  const FacetCounts& counts) {
  std::vector<v1::Facet> out;
  for (size_t i = 0; i < fields.size(); ++i) {
    v1::Facet& facet = out.emplace_back();
    facet.set_field(fields[i]);
    std::vector<std::pair<std::string, uint64_t>> sorted(counts[i].begin(),
                                                         counts[i].end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (const auto& [value, count] : sorted) {
      auto* c = facet.add_counts();
      c->set_value(value);
      c->set_count(count);
      c->set_label(FacetLabel(fields[i], value));
    }
  }
  return out;
}

std::vector<v1::Facet> FacetCounter::Finish() const {
  return MakeFacets(query_.facets, counts_);
}

}  // namespace kaartnet::search
