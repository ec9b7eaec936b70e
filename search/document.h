// What the search engines know of an entry: its filterable attributes in a
// compact form, its places, and its text per field.
//
// Thread-safety: plain values.
#ifndef KAARTNET_SEARCH_DOCUMENT_H_
#define KAARTNET_SEARCH_DOCUMENT_H_

#include <bitset>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/reference_data.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"

namespace kaartnet::search {

// Index of a gemeente in ReferenceData::gemeenten() (0..341).
using GemeenteIndex = uint16_t;
inline constexpr size_t kMaxGemeenten = 512;
using GemeenteSet = std::bitset<kMaxGemeenten>;

// Dutch name of a language (ISO 639-1), for search; null when unknown.
const char* LanguageName(absl::string_view code);

// The gemeente index of a code, or -1.
int GemeenteIndexOf(absl::string_view code);
// Arbeidsmarktregio (index into ReferenceData::regios()) of each gemeente
// index; -1 for a gemeente in none.
const std::vector<int>& RegioOfGemeente();

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// A point on the unit sphere. The straight-line (chord) distance between
// two of them gives the great-circle distance without trigonometry per
// comparison: the engine compares chords and converts only what it reports.
struct UnitVector {
  double x = 0, y = 0, z = 0;
};
inline constexpr double kEarthRadiusKm = 6371.0088;
UnitVector ToUnitVector(const GeoPoint& p);
inline double SquaredChord(const UnitVector& a, const UnitVector& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return dx * dx + dy * dy + dz * dz;
}
// Great-circle km <-> chord length on the unit sphere.
double ChordToKm(double chord);
double KmToChord(double km);

// Text fields, in decreasing weight.
enum class TextField : uint8_t {
  kTitle = 0,
  kInterventions,  // labels of kind, interventions, target groups, offers
  kOrganisation,   // organisation name
  kPlaces,         // city names, gemeente names, postcodes of locations
  kDescription,
  kCount
};
const char* TextFieldName(TextField field);

struct Document {
  std::string id;
  std::string organisation_id;
  v1::EntryKind kind = v1::ENTRY_KIND_UNSPECIFIED;
  // Bit n set when enum value n is present.
  uint32_t interventions = 0;
  uint32_t target_groups = 0;
  uint32_t regelingen = 0;
  uint32_t funding = 0;
  uint32_t quality_marks = 0;
  uint32_t employer_offers = 0;
  char employer_sector = 0;
  std::vector<std::string> languages;  // "nl" when the entry lists none
  bool accepting_new_clients = false;
  uint32_t wait_weeks = 0;
  bool has_last_verified = false;
  int64_t last_verified_seconds = 0;
  // Gemeenten the service area covers (regions expanded).
  GemeenteSet area;
  // Locations with coordinates (from the location, else its postcode or
  // gemeente); empty when the entry has no locations.
  std::vector<GeoPoint> points;
  // PC4 digits of the locations' postcodes.
  std::vector<std::string> postcodes;
  // Place names of the locations with their gemeentecode, so a query for
  // "Geleen" can be understood as a place in GM1883.
  std::vector<std::pair<std::string, std::string>> places;
  std::string text[static_cast<int>(TextField::kCount)];
  // What a result list shows of the entry, ready to send: a serialized
  // v1.SearchHit with the basic view of the entry and its organisation
  // (see hit_card.h). Empty when the index was given none.
  std::string card;
};

// Builds the document of a live entry. `organisation_name` comes from the
// admission; `locate_postcode` maps a PC4 to a coordinate when a location
// has a postcode but no coordinates (may be null).
Document MakeDocument(
    const v1::Entry& entry, const std::string& organisation_name,
    const std::function<std::optional<GeoPoint>(absl::string_view pc4)>&
        locate_postcode = nullptr);

inline bool HasBit(uint32_t bits, int value) {
  return value >= 0 && value < 32 && (bits >> value) & 1u;
}

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_DOCUMENT_H_
