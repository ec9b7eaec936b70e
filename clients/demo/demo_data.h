// Deterministic demo and benchmark data: organisations for all 35
// arbeidsmarktregio's (Zuid-Limburg, AM30, richly populated), their keys and
// admissions, and realistic entries in Dutch for every gemeente.
//
// The same seed and options give byte-identical output on every machine
// (own random number generator, no std distributions). Names of
// organisations and people are fictional; places, gemeentecodes and regions
// are real. Postcodes of Zuid-Limburg follow the real PC4 ranges of its
// gemeenten (approximately); elsewhere they are synthetic numbers inside the
// province's range. Demo keys are derived from the seed: never use them for
// a real region.
#ifndef KAARTNET_CLIENTS_DEMO_DEMO_DATA_H_
#define KAARTNET_CLIENTS_DEMO_DEMO_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "trust/keys.h"

namespace kaartnet::demo {

// Deterministic random numbers (SplitMix64).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n).
  uint64_t Uniform(uint64_t n) { return n == 0 ? 0 : Next() % n; }
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Uniform(hi - lo + 1));
  }
  bool Chance(double p) {
    return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p;
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(v.size())];
  }

 private:
  uint64_t state_;
};

struct DemoOrganisation {
  v1::Organisation organisation;  // version 1, with its public key
  std::string key_seed;           // 32 bytes; trust::SigningKey::FromSeed
  // Which demo node hosts it: "node1", "node2" or "node3".
  std::string host;
};

struct DemoRegion {
  std::string region;    // AMxx
  std::string key_seed;  // the trust anchor's seed
};

struct DemoData {
  std::vector<DemoRegion> regions;
  std::vector<DemoOrganisation> organisations;
  std::vector<v1::Entry> entries;  // unsigned, valid, within admissions
};

struct DemoOptions {
  uint64_t seed = 1;
  size_t count = 1000;
  // last_verified values lie before this moment.
  absl::Time now = absl::FromUnixSeconds(1795046400);  // 2026-11-20
  // Share of the entries in Zuid-Limburg (at least 300 when count allows).
  double zuid_limburg_share = 0.05;
};

DemoData Generate(const DemoOptions& options);

// Writes the demo set to `dir`:
//   anchors/<AMxx>.key, .pub        trust anchors (one per region)
//   keys/<organisation>.key, .pub   organisation keys
//   admissions/<organisation>.admission   signed admissions (binary)
//   entries.jsonl                   one Entry per line (proto JSON)
//   organisations.tsv               id, name, type, region, host
//   anchors.textproto               trust_anchors { ... } lines for configs
absl::Status WriteDemoData(const DemoData& data, const std::string& dir);

// The PC4 → coordinate table the generator uses for Zuid-Limburg.
struct PostcodeArea {
  int pc4_first;
  int pc4_last;
  const char* gemeentecode;
  const char* place;
};
const std::vector<PostcodeArea>& ZuidLimburgPostcodes();

}  // namespace kaartnet::demo

#endif  // KAARTNET_CLIENTS_DEMO_DEMO_DATA_H_
