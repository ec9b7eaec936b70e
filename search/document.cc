#include "search/document.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "model/validation.h"
#include "model/vocabulary.h"

namespace kaartnet::search {
namespace {

template <typename Repeated>
uint32_t Bits(const Repeated& values) {
  uint32_t bits = 0;
  for (int v : values) {
    if (v > 0 && v < 32) bits |= 1u << v;
  }
  return bits;
}

void AppendTerms(std::string* out, const google::protobuf::EnumDescriptor* type,
                 int value) {
  const auto* v = type->FindValueByNumber(value);
  if (v == nullptr) return;
  absl::StrAppend(out, model::Label(v->name()), " ",
                  model::SearchTerms(v->name()), " ");
}

}  // namespace

const char* LanguageName(absl::string_view code) {
  static const auto* names = new absl::flat_hash_map<std::string, const char*>{
      {"ar", "Arabisch"},  {"en", "Engels"},
      {"tr", "Turks"},     {"pl", "Pools"},
      {"de", "Duits"},     {"fr", "Frans"},
      {"es", "Spaans"},    {"pt", "Portugees"},
      {"it", "Italiaans"}, {"ru", "Russisch"},
      {"uk", "Oekraiens"}, {"ti", "Tigrinya"},
      {"so", "Somalisch"}, {"fa", "Perzisch Farsi Dari"},
      {"ku", "Koerdisch"}, {"zh", "Chinees"},
      {"ro", "Roemeens"},  {"bg", "Bulgaars"},
      {"hu", "Hongaars"},  {"am", "Amhaars"},
      {"ps", "Pashto"},    {"ur", "Urdu"},
      {"hi", "Hindi"},     {"fy", "Fries"},
      {"li", "Limburgs"},  {"sr", "Servisch"},
      {"bs", "Bosnisch"},  {"hr", "Kroatisch"},
      {"el", "Grieks"},    {"vi", "Vietnamees"},
      {"th", "Thai"},      {"id", "Indonesisch"},
      {"ha", "Hausa"},     {"yo", "Yoruba"},
      {"sw", "Swahili"}};
  auto it = names->find(code);
  return it == names->end() ? nullptr : it->second;
}

UnitVector ToUnitVector(const GeoPoint& p) {
  const double lat = p.latitude * M_PI / 180, lon = p.longitude * M_PI / 180;
  return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon),
          std::sin(lat)};
}

double ChordToKm(double chord) {
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, chord / 2));
}

double KmToChord(double km) {
  return 2 * std::sin(std::min(km / (2 * kEarthRadiusKm), M_PI / 2));
}

const std::vector<int>& RegioOfGemeente() {
  static const std::vector<int>* table = [] {
    const ReferenceData& ref = ReferenceData::Get();
    auto* out = new std::vector<int>(ref.gemeenten().size(), -1);
    for (size_t r = 0; r < ref.regios().size(); ++r) {
      for (const std::string& code : ref.regios()[r].gemeentecodes) {
        (*out)[GemeenteIndexOf(code)] = static_cast<int>(r);
      }
    }
    return out;
  }();
  return *table;
}

int GemeenteIndexOf(absl::string_view code) {
  const ReferenceData& ref = ReferenceData::Get();
  const Gemeente* g = ref.FindGemeente(code);
  if (g == nullptr) return -1;
  return static_cast<int>(g - ref.gemeenten().data());
}

const char* TextFieldName(TextField field) {
  switch (field) {
    case TextField::kTitle:
      return "title";
    case TextField::kInterventions:
      return "interventions";
    case TextField::kOrganisation:
      return "organisation";
    case TextField::kPlaces:
      return "places";
    case TextField::kDescription:
      return "description";
    case TextField::kCount:
      break;
  }
  return "?";
}

Document MakeDocument(
    const v1::Entry& entry, const std::string& organisation_name,
    const std::function<std::optional<GeoPoint>(absl::string_view)>&
        locate_postcode) {
  const ReferenceData& ref = ReferenceData::Get();
  Document doc;
  doc.id = entry.id();
  doc.organisation_id = entry.organisation_id();
  doc.kind = entry.kind();
  doc.interventions = Bits(entry.interventions());
  doc.target_groups = Bits(entry.target_groups());
  doc.regelingen = Bits(entry.regelingen());
  doc.funding = Bits(entry.funding());
  for (const auto& mark : entry.quality_marks()) {
    if (mark.type() > 0 && mark.type() < 32)
      doc.quality_marks |= 1u << mark.type();
  }
  if (entry.has_employer()) {
    doc.employer_offers = Bits(entry.employer().offers());
    if (!entry.employer().sector().empty())
      doc.employer_sector = entry.employer().sector()[0];
  }
  doc.languages.assign(entry.languages().begin(), entry.languages().end());
  if (doc.languages.empty()) doc.languages.push_back("nl");
  doc.accepting_new_clients = entry.availability().accepting_new_clients();
  doc.wait_weeks = entry.availability().wait_weeks();
  doc.has_last_verified = entry.has_last_verified();
  doc.last_verified_seconds = entry.last_verified().seconds();

  for (const std::string& code : model::ExpandArea(entry.service_area())) {
    const int index = GemeenteIndexOf(code);
    if (index >= 0) doc.area.set(index);
  }

  std::string& title = doc.text[static_cast<int>(TextField::kTitle)];
  std::string& interventions =
      doc.text[static_cast<int>(TextField::kInterventions)];
  std::string& organisation =
      doc.text[static_cast<int>(TextField::kOrganisation)];
  std::string& places = doc.text[static_cast<int>(TextField::kPlaces)];
  title = entry.title();
  doc.text[static_cast<int>(TextField::kDescription)] = entry.description();
  organisation = organisation_name;

  AppendTerms(&interventions, v1::EntryKind_descriptor(), entry.kind());
  // Languages by their Dutch name, so "jobcoach arabisch" finds them.
  for (const std::string& language : entry.languages()) {
    if (const char* name = LanguageName(language)) {
      absl::StrAppend(&interventions, name, " ");
    }
  }
  for (int v : entry.interventions())
    AppendTerms(&interventions, v1::Intervention_descriptor(), v);
  for (int v : entry.target_groups())
    AppendTerms(&interventions, v1::TargetGroup_descriptor(), v);
  for (int v : entry.regelingen())
    AppendTerms(&interventions, v1::Regeling_descriptor(), v);
  for (const auto& mark : entry.quality_marks()) {
    AppendTerms(&interventions, v1::QualityMarkType_descriptor(), mark.type());
    if (!mark.name().empty()) absl::StrAppend(&interventions, mark.name(), " ");
  }
  if (entry.has_employer()) {
    for (int v : entry.employer().offers()) {
      AppendTerms(&interventions, v1::EmployerOffer_descriptor(), v);
    }
    absl::StrAppend(&interventions,
                    model::SectorLabel(entry.employer().sector()), " ",
                    model::SectorSearchTerms(entry.employer().sector()), " ");
  }

  for (const std::string& code : entry.service_area().gemeentecodes()) {
    if (const Gemeente* g = ref.FindGemeente(code))
      absl::StrAppend(&places, g->naam, " ");
  }
  for (const std::string& code :
       entry.service_area().arbeidsmarktregio_codes()) {
    if (const Arbeidsmarktregio* r = ref.FindRegio(code))
      absl::StrAppend(&places, r->naam, " ");
  }
  for (const v1::Location& loc : entry.locations()) {
    absl::StrAppend(&places, loc.name(), " ", loc.city(), " ");
    if (!loc.city().empty() && !loc.gemeentecode().empty()) {
      doc.places.emplace_back(loc.city(), loc.gemeentecode());
    }
    const Gemeente* g = ref.FindGemeente(loc.gemeentecode());
    if (g != nullptr && g->naam != loc.city())
      absl::StrAppend(&places, g->naam, " ");
    std::string pc4;
    if (loc.postcode().size() >= 4) {
      pc4 = loc.postcode().substr(0, 4);
      absl::StrAppend(&places, loc.postcode(), " ");
      doc.postcodes.push_back(pc4);
    }
    if (loc.has_latitude() && loc.has_longitude()) {
      doc.points.push_back({loc.latitude(), loc.longitude()});
    } else if (auto p = (!pc4.empty() && locate_postcode) ? locate_postcode(pc4)
                                                          : std::nullopt) {
      doc.points.push_back(*p);
    } else if (g != nullptr) {
      doc.points.push_back({g->latitude, g->longitude});
    }
  }
  return doc;
}

}  // namespace kaartnet::search
