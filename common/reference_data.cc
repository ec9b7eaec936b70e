#include "common/reference_data.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/csv.h"
#include "common/embedded_data.h"
#include "common/log.h"

namespace kaartnet {
namespace {

absl::StatusOr<double> ParseDouble(const std::string& s, int line) {
  double v;
  if (!absl::SimpleAtod(s, &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": not a number: \"", s, "\""));
  }
  return v;
}

// Names a klantmanager might type for gemeenten whose CBS name differs.
std::vector<std::string> NameVariants(const std::string& naam) {
  std::vector<std::string> out = {FoldForMatching(naam)};
  const std::string folded = out[0];
  // "Beek (L.)" -> "beek"
  if (auto pos = folded.find(" ("); pos != std::string::npos) {
    out.push_back(folded.substr(0, pos));
  }
  if (folded == "'s-gravenhage") out.push_back("den haag");
  if (folded == "'s-hertogenbosch") out.push_back("den bosch");
  if (folded == "nuenen, gerwen en nederwetten") out.push_back("nuenen");
  return out;
}

}  // namespace

std::string FoldForMatching(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x80) {
      out += absl::ascii_tolower(c);
      continue;
    }
    // Two-byte sequences U+00C0..U+00FF (Latin-1 Supplement letters).
    if (c == 0xC3 && i + 1 < text.size()) {
      const unsigned char d = static_cast<unsigned char>(text[i + 1]);
      const int cp = 0xC0 + (d & 0x3F);
      static const char* kFold =
          // C0..DF
          "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
          // E0..FF
          "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
      const char f = kFold[cp - 0xC0];
      if (f != '*' && f != '/') {
        if (cp == 0xC6 || cp == 0xE6) {
          out += "ae";
        } else if (cp == 0xDF) {
          out += "ss";
        } else {
          out += f;
        }
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  return out;
}

absl::StatusOr<ReferenceData> ReferenceData::Parse(
    absl::string_view gemeenten_csv, absl::string_view regios_csv) {
  ReferenceData data;
  auto rows = ParseCsv(regios_csv);
  if (!rows.ok()) return rows.status();
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    if (row.fields.size() < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "arbeidsmarktregios.csv line ", row.line, ": too few columns"));
    }
    data.regio_by_code_[row.fields[0]] = data.regios_.size();
    data.regios_.push_back({row.fields[0], row.fields[1], {}});
  }
  rows = ParseCsv(gemeenten_csv);
  if (!rows.ok()) return rows.status();
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    if (row.fields.size() < 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("gemeenten.csv line ", row.line, ": too few columns"));
    }
    Gemeente g;
    g.code = row.fields[0];
    g.naam = row.fields[1];
    g.arbeidsmarktregio_code = row.fields[2];
    g.provincie_code = row.fields[4];
    g.provincie_naam = row.fields[5];
    auto lat = ParseDouble(row.fields[8], row.line);
    if (!lat.ok()) return lat.status();
    auto lon = ParseDouble(row.fields[9], row.line);
    if (!lon.ok()) return lon.status();
    g.latitude = *lat;
    g.longitude = *lon;
    auto regio = data.regio_by_code_.find(g.arbeidsmarktregio_code);
    if (regio == data.regio_by_code_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "gemeenten.csv line ", row.line, ": unknown arbeidsmarktregio ",
          g.arbeidsmarktregio_code));
    }
    data.regios_[regio->second].gemeentecodes.push_back(g.code);
    const size_t index = data.gemeenten_.size();
    data.gemeente_by_code_[g.code] = index;
    for (const std::string& variant : NameVariants(g.naam)) {
      data.gemeente_by_name_.emplace(variant, index);
    }
    data.gemeenten_.push_back(std::move(g));
  }
  return data;
}

const ReferenceData& ReferenceData::Get() {
  static const ReferenceData* data = [] {
    auto parsed =
        Parse(embedded::GemeentenCsv(), embedded::ArbeidsmarktregiosCsv());
    if (!parsed.ok()) {
      KLOG(ERROR) << "compiled-in reference data is broken: "
                  << parsed.status();
      std::abort();
    }
    return new ReferenceData(std::move(*parsed));
  }();
  return *data;
}

const Gemeente* ReferenceData::FindGemeente(absl::string_view code) const {
  auto it = gemeente_by_code_.find(code);
  return it == gemeente_by_code_.end() ? nullptr : &gemeenten_[it->second];
}

const Arbeidsmarktregio* ReferenceData::FindRegio(
    absl::string_view code) const {
  auto it = regio_by_code_.find(code);
  return it == regio_by_code_.end() ? nullptr : &regios_[it->second];
}

const Gemeente* ReferenceData::FindGemeenteByName(
    absl::string_view name) const {
  std::string key = FoldForMatching(absl::StripAsciiWhitespace(name));
  auto it = gemeente_by_name_.find(key);
  return it == gemeente_by_name_.end() ? nullptr : &gemeenten_[it->second];
}

double HaversineKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRad = M_PI / 180.0;
  const double dlat = (lat2 - lat1) * kRad;
  const double dlon = (lon2 - lon1) * kRad;
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace kaartnet
