// Reference data of the Netherlands: gemeenten (CBS codes, names,
// arbeidsmarktregio, approximate centroid) and the 35 arbeidsmarktregio's.
// The CSV files in data/ are compiled into the binary, so a node never needs
// files outside its own install. See data/REFERENCE_DATA.md for sources.
//
// Thread-safety: immutable after construction; Get() is safe from any thread.
#ifndef KAARTNET_COMMON_REFERENCE_DATA_H_
#define KAARTNET_COMMON_REFERENCE_DATA_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaartnet {

struct Gemeente {
  std::string code;  // GMxxxx
  std::string naam;
  std::string arbeidsmarktregio_code;  // AMxx
  std::string provincie_code;
  std::string provincie_naam;
  double latitude = 0;
  double longitude = 0;
};

struct Arbeidsmarktregio {
  std::string code;  // AMxx
  std::string naam;
  std::vector<std::string> gemeentecodes;
};

class ReferenceData {
 public:
  // The data compiled into the binary.
  static const ReferenceData& Get();
  // Parses the two CSV files (with header rows) of data/.
  static absl::StatusOr<ReferenceData> Parse(absl::string_view gemeenten_csv,
                                             absl::string_view regios_csv);

  const Gemeente* FindGemeente(absl::string_view code) const;
  const Arbeidsmarktregio* FindRegio(absl::string_view code) const;
  // Matches the official name or a common form of it, ignoring case and
  // diacritics: "den haag" finds 's-Gravenhage, "beek" finds Beek (L.).
  const Gemeente* FindGemeenteByName(absl::string_view name) const;

  const std::vector<Gemeente>& gemeenten() const { return gemeenten_; }
  const std::vector<Arbeidsmarktregio>& regios() const { return regios_; }

 private:
  ReferenceData() = default;

  std::vector<Gemeente> gemeenten_;
  std::vector<Arbeidsmarktregio> regios_;
  absl::flat_hash_map<std::string, size_t> gemeente_by_code_;
  absl::flat_hash_map<std::string, size_t> gemeente_by_name_;
  absl::flat_hash_map<std::string, size_t> regio_by_code_;
};

// Great-circle distance in kilometres.
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

// Lower-cases ASCII and folds common Latin diacritics (é→e, ï→i, â→a, ...)
// of UTF-8 text; other bytes pass unchanged.
std::string FoldForMatching(absl::string_view text);

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_REFERENCE_DATA_H_
