#include "search/inverted_index_engine.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <list>
#include <map>
#include <queue>
#include <set>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/reference_data.h"
#include "common/status_macros.h"
#include "model/vocabulary.h"
#include "search/analyzer.h"
#include "search/binary_io.h"
#include "search/embedded_search_data.h"
#include "search/typo.h"

namespace kaartnet::search {
namespace {

// Weights of the ways a group can match.
constexpr double kWeightStem = 1.0;
constexpr double kWeightSynonym = 0.9;
constexpr double kWeightPlace = 0.8;
constexpr double kWeightPrefix = 0.75;
constexpr double kWeightTypo1 = 0.6;
constexpr double kWeightTypo2 = 0.45;
// Impact of an area or postcode match: as one mention in the places field.
constexpr uint8_t kPlaceImpact = 142;
// Score factor for each query word that names a tag (a kind, intervention,
// target group ...) the entry is not tagged with but mentions in its text.
constexpr double kUntaggedFactor = 0.7;
// Prefix completions kept per group (the most frequent).
constexpr size_t kMaxPrefixExpansions = 32;
constexpr size_t kMaxTypoExpansions = 16;
// Words found in fewer documents than this get typo expansions: unknown
// words only ("did you mean").
constexpr uint64_t kTypoBelowDf = 1;
// Candidate sets up to this size are scored exhaustively; larger ones by
// early termination.
constexpr size_t kExhaustiveMax = 256;
// Radius of a postcode typed in the text.
constexpr double kPostcodeRadiusKm = 10.0;

enum class ExpansionKind { kTerm, kArea, kGeo };

struct Expansion {
  ExpansionKind kind = ExpansionKind::kTerm;
  std::string term;  // kTerm
  // kArea: an arbeidsmarktregio (its bitset), or else these gemeenten.
  int regio = -1;
  std::vector<int> gemeenten;
  GeoPoint centre;  // kGeo
  double radius_km = 0;
  double weight = 1;
  double idf = 0;
  // Counts as a place mention wherever it matches, however often.
  bool flat = false;
  const char* how = "stem";
  std::string matched;  // shown by explain
};

struct Group {
  std::string text;
  std::vector<Expansion> expansions;
  // Upper bound of the group's contribution (max over expansions).
  double max_contribution = 0;
  // Filter keys of the tags (kind, intervention, ...) the word names; empty
  // when it names none.
  std::vector<uint32_t> tags;
};

// What a place name in a query stands for.
struct PlaceTarget {
  std::string name;  // as shown by explain
  int regio = -1;    // an arbeidsmarktregio, or else
  std::vector<int> gemeenten;
  std::optional<GeoPoint> centre;  // for distance ranking (one gemeente)
};
using PlaceLookup =
    std::function<std::optional<PlaceTarget>(const std::string&)>;

struct Plan {
  std::vector<Group> groups;
  bool nothing = false;  // a group cannot match anything
  std::optional<GeoPoint> rank_centre;
};

std::string NormalizePlace(absl::string_view name) {
  const std::string folded = FoldForMatching(name);
  std::string out;
  for (char c : folded) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        static_cast<unsigned char>(c) >= 0x80) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

double Idf(uint64_t df, uint64_t n) {
  df = std::min(df, n);
  return std::max(
      0.01, std::log(1.0 + (static_cast<double>(n) - df + 0.5) / (df + 0.5)));
}

double ImpactValue(uint8_t impact) { return impact * (kMaxImpact / 255.0); }

// Index term -> the tags whose label or search words analyse to it, as
// filter keys: "jobcoach" -> kind JOBCOACH, intervention JOBCOACHING.
const absl::flat_hash_map<std::string, std::vector<uint32_t>>& TagsByTerm() {
  static const auto* table = [] {
    auto* out = new absl::flat_hash_map<std::string, std::vector<uint32_t>>();
    const Analyzer& analyzer = Analyzer::Get();
    auto add = [&](const std::string& text, uint32_t key) {
      FieldTerms terms;
      analyzer.AnalyzeField(text, &terms);
      for (const auto& [term, tf] : terms.tf) (*out)[term].push_back(key);
    };
    const std::pair<const google::protobuf::EnumDescriptor*, FilterField>
        enums[] = {
            {v1::EntryKind_descriptor(), FilterField::kKind},
            {v1::Intervention_descriptor(), FilterField::kIntervention},
            {v1::TargetGroup_descriptor(), FilterField::kTargetGroup},
            {v1::Regeling_descriptor(), FilterField::kRegeling},
            {v1::QualityMarkType_descriptor(), FilterField::kQualityMark},
            {v1::EmployerOffer_descriptor(), FilterField::kEmployerOffer}};
    for (const auto& [type, field] : enums) {
      for (int v : model::EnumValues(type)) {
        const std::string name = type->FindValueByNumber(v)->name();
        add(absl::StrCat(model::Label(name), " ", model::SearchTerms(name)),
            FilterKey(field, v));
      }
    }
    for (char letter = 'A'; letter <= 'U'; ++letter) {
      const std::string code(1, letter);
      add(absl::StrCat(model::SectorLabel(code), " ",
                       model::SectorSearchTerms(code)),
          FilterKey(FilterField::kSector, letter));
    }
    for (int i = 0; *LanguageCode(i) != '\0'; ++i) {
      if (const char* name = LanguageName(LanguageCode(i)))
        add(name, FilterKey(FilterField::kLanguage, i));
    }
    return out;
  }();
  return *table;
}

// The contribution of an expansion matching with `impact` (0: no match).
double ExpansionValue(const Expansion& e, uint8_t impact) {
  if (e.flat && impact > 0) impact = kPlaceImpact;
  return e.weight * e.idf * ImpactValue(impact);
}

// Min distance (km) from a point to the rectangle of a grid cell.
double CellDistanceKm(const GeoPoint& p, int row, int column) {
  const double lat0 = row * Segment::kCellLat, lat1 = lat0 + Segment::kCellLat;
  const double lon0 = column * Segment::kCellLon,
               lon1 = lon0 + Segment::kCellLon;
  const double lat = std::clamp(p.latitude, lat0, lat1);
  const double lon = std::clamp(p.longitude, lon0, lon1);
  return HaversineKm(p.latitude, p.longitude, lat, lon);
}

// A distance a little below `km`: bounds that rest on CellDistanceKm (which
// clamps latitude and longitude separately and so overestimates slightly
// to the east and west, by under 1e-3 across the country) or on the float
// coordinates of a block's box stay bounds.
double DistanceLowerBound(double km) {
  return std::max(0.0, km * (1 - 1e-3) - 1e-3);
}

// Max distance (km) from a point to the rectangle of a grid cell: at a
// corner (along a parallel or a meridian the distance has no interior
// maximum).
double CellFarthestKm(const GeoPoint& p, int row, int column) {
  const double lat0 = row * Segment::kCellLat, lat1 = lat0 + Segment::kCellLat;
  const double lon0 = column * Segment::kCellLon,
               lon1 = lon0 + Segment::kCellLon;
  return std::max({HaversineKm(p.latitude, p.longitude, lat0, lon0),
                   HaversineKm(p.latitude, p.longitude, lat0, lon1),
                   HaversineKm(p.latitude, p.longitude, lat1, lon0),
                   HaversineKm(p.latitude, p.longitude, lat1, lon1)});
}

// Smallest squared chord from `centre` to any of the points.
double MinSquaredChord(const UnitVector& centre,
                       absl::Span<const UnitVector> points) {
  double best = INFINITY;
  for (const UnitVector& p : points)
    best = std::min(best, SquaredChord(centre, p));
  return best;
}

// Calls fn(row, column) for every cell at Chebyshev ring `ring` around
// (r0, c0).
template <typename Fn>
void ForEachCellInRing(int r0, int c0, int ring, Fn fn) {
  if (ring == 0) {
    fn(r0, c0);
    return;
  }
  for (int c = c0 - ring; c <= c0 + ring; ++c) {
    fn(r0 - ring, c);
    fn(r0 + ring, c);
  }
  for (int r = r0 - ring + 1; r <= r0 + ring - 1; ++r) {
    fn(r, c0 - ring);
    fn(r, c0 + ring);
  }
}

// The Netherlands spans about 60 × 60 cells; rings beyond cover nothing.
constexpr int kMaxRing = 80;

}  // namespace

// ------------------------------------------------------------------ places

class InvertedIndexEngine::Places {
 public:
  // Names, first come first served: gemeenten (and their short forms),
  // named areas (data/places.txt), arbeidsmarktregio's, provinces.
  Places() {
    const ReferenceData& ref = ReferenceData::Get();
    for (size_t i = 0; i < ref.gemeenten().size(); ++i) {
      const Gemeente& g = ref.gemeenten()[i];
      const int index = static_cast<int>(i);
      names_[NormalizePlace(g.naam)] = OneGemeente(index);
      if (auto pos = g.naam.find(" ("); pos != std::string::npos) {
        names_.emplace(NormalizePlace(g.naam.substr(0, pos)),
                       OneGemeente(index));
      }
    }
    names_.emplace("den haag", OneGemeente(GemeenteIndexOf("GM0518")));
    names_.emplace("den bosch", OneGemeente(GemeenteIndexOf("GM0796")));
    names_.emplace("nuenen", OneGemeente(GemeenteIndexOf("GM0820")));
    for (absl::string_view line : absl::StrSplit(embedded::PlacesTxt(), '\n')) {
      line = absl::StripAsciiWhitespace(line);
      const size_t colon = line.find(':');
      if (line.empty() || line[0] == '#' || colon == line.npos) continue;
      PlaceTarget target;
      target.name =
          std::string(absl::StripAsciiWhitespace(line.substr(0, colon)));
      for (absl::string_view code : absl::StrSplit(line.substr(colon + 1), ',',
                                                   absl::SkipWhitespace())) {
        const int index = GemeenteIndexOf(absl::StripAsciiWhitespace(code));
        if (index >= 0) target.gemeenten.push_back(index);
      }
      names_.emplace(NormalizePlace(target.name), std::move(target));
    }
    for (size_t r = 0; r < ref.regios().size(); ++r) {
      PlaceTarget target;
      target.name = ref.regios()[r].naam;
      target.regio = static_cast<int>(r);
      names_.emplace(NormalizePlace(target.name), std::move(target));
    }
    std::map<std::string, PlaceTarget> provinces;
    for (size_t i = 0; i < ref.gemeenten().size(); ++i) {
      PlaceTarget& target = provinces[ref.gemeenten()[i].provincie_naam];
      target.name = ref.gemeenten()[i].provincie_naam;
      target.gemeenten.push_back(static_cast<int>(i));
    }
    for (auto& [name, target] : provinces) {
      names_.emplace(NormalizePlace(name), target);
      // Common short forms: "Brabant", "Friesland".
      if (name == "Noord-Brabant") names_.emplace("brabant", target);
      if (name == "Fryslân") names_.emplace("friesland", target);
    }
  }

  void Learn(const std::vector<std::pair<std::string, std::string>>& places) {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, code] : places) {
      const int index = GemeenteIndexOf(code);
      if (index >= 0) learned_.emplace(NormalizePlace(name), index);
    }
  }

  void AppendTo(std::string* out) const {
    BinaryWriter w(out);
    absl::MutexLock lock(&mu_);
    w.Put<uint64_t>(learned_.size());
    for (const auto& [name, index] : learned_) {
      w.PutString(name);
      w.Put<int32_t>(index);
    }
  }

  using Learned = absl::flat_hash_map<std::string, int>;
  // Reads what AppendTo wrote; Install puts it in place.
  static bool Parse(BinaryReader* in, Learned* learned) {
    uint64_t n = 0;
    if (!in->GetCount(&n, 12)) return false;
    const int gemeenten =
        static_cast<int>(ReferenceData::Get().gemeenten().size());
    for (uint64_t i = 0; i < n; ++i) {
      std::string name;
      int32_t index = 0;
      if (!in->GetString(&name) || !in->Get(&index) || index < 0 ||
          index >= gemeenten) {
        return false;
      }
      learned->emplace(std::move(name), index);
    }
    return true;
  }
  void Install(Learned learned) {
    absl::MutexLock lock(&mu_);
    learned_ = std::move(learned);
  }

  // What a normalised place name stands for.
  std::optional<PlaceTarget> Find(const std::string& name) const {
    if (auto it = names_.find(name); it != names_.end()) return it->second;
    absl::MutexLock lock(&mu_);
    auto it = learned_.find(name);
    if (it == learned_.end()) return std::nullopt;
    return OneGemeente(it->second);
  }

 private:
  static PlaceTarget OneGemeente(int index) {
    const Gemeente& g = ReferenceData::Get().gemeenten()[index];
    PlaceTarget target;
    target.name = g.naam;
    target.gemeenten = {index};
    target.centre = GeoPoint{g.latitude, g.longitude};
    return target;
  }

  // Const after construction.
  absl::flat_hash_map<std::string, PlaceTarget> names_;
  mutable absl::Mutex mu_;
  // Place names of entry locations (villages: "Hoensbroek") -> gemeente.
  Learned learned_ ABSL_GUARDED_BY(mu_);
};

// ------------------------------------------------------------------ engine

namespace {
// Defined with the search below.
Bitset RadiusSet(const Segment& segment, const GeoPoint& centre,
                 double radius_km);
}  // namespace

// Radius bitsets shared by searches. The circles asked for repeat: they are
// centred on a postcode or a place (a query "near 6411" or "jobcoach
// kerkrade") with one of a few radii, and a segment never changes, so its
// bitset for a circle is built once and kept while it is used (least
// recently used out first, at most `max_bytes`). Keyed by the segment's
// uid: a merged or new segment gets its own.
class RadiusCache {
 public:
  explicit RadiusCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<const Bitset> Get(const Segment& segment,
                                    const GeoPoint& centre, double radius_km) {
    const Key key{segment.uid(), centre.latitude, centre.longitude, radius_km};
    {
      absl::MutexLock lock(&mu_);
      if (auto it = index_.find(key); it != index_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        ++hits_;
        return it->second->second;
      }
    }
    // Built outside the lock: other searches go on meanwhile.
    auto set =
        std::make_shared<const Bitset>(RadiusSet(segment, centre, radius_km));
    const size_t size = set->MemoryBytes();
    absl::MutexLock lock(&mu_);
    ++misses_;
    if (size > max_bytes_ || index_.contains(key)) return set;
    lru_.emplace_front(key, set);
    index_[key] = lru_.begin();
    bytes_ += size;
    while (bytes_ > max_bytes_) {
      bytes_ -= lru_.back().second->MemoryBytes();
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
    return set;
  }

  RadiusCacheStats stats() const {
    absl::MutexLock lock(&mu_);
    return {hits_, misses_, bytes_};
  }

 private:
  struct Key {
    uint64_t segment;
    double latitude;
    double longitude;
    double radius_km;
    bool operator==(const Key&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.segment, k.latitude, k.longitude,
                        k.radius_km);
    }
  };
  // Most recently used first.
  using Lru = std::list<std::pair<Key, std::shared_ptr<const Bitset>>>;

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  Lru lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Key, Lru::iterator> index_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

RadiusCacheStats InvertedIndexEngine::radius_cache_stats() const {
  return radius_cache_ != nullptr ? radius_cache_->stats() : RadiusCacheStats();
}

InvertedIndexEngine::InvertedIndexEngine(Options options)
    : options_(options),
      places_(std::make_unique<Places>()),
      radius_cache_(
          options.radius_cache_bytes > 0
              ? std::make_unique<RadiusCache>(options.radius_cache_bytes)
              : nullptr) {
  snapshot_ = std::make_shared<Snapshot>();
  if (options_.background_merges)
    merge_thread_ = std::thread([this] { MergeLoop(); });
}

InvertedIndexEngine::~InvertedIndexEngine() {
  {
    absl::MutexLock lock(&merge_mu_);
    stopping_ = true;
  }
  if (merge_thread_.joinable()) merge_thread_.join();
}

std::shared_ptr<const InvertedIndexEngine::Snapshot>
InvertedIndexEngine::snapshot() const {
  absl::MutexLock lock(&snapshot_mu_);
  return snapshot_;
}

void InvertedIndexEngine::Publish(std::shared_ptr<const Snapshot> snapshot) {
  absl::MutexLock lock(&snapshot_mu_);
  snapshot_ = std::move(snapshot);
}

void InvertedIndexEngine::Upsert(Document doc,
                                 v1::OrganisationType organisation_type) {
  std::vector<Update> updates(1);
  updates[0].id = doc.id;
  updates[0].doc = std::move(doc);
  updates[0].organisation_type = organisation_type;
  Apply(std::move(updates));
}

void InvertedIndexEngine::Remove(const std::string& id) {
  std::vector<Update> updates(1);
  updates[0].id = id;
  updates[0].remove = true;
  Apply(std::move(updates));
}

void InvertedIndexEngine::Apply(std::vector<Update> updates) {
  if (updates.empty()) return;
  const int64_t now = absl::ToUnixSeconds(options_.clock->Now());
  const int64_t freshness = absl::ToInt64Seconds(options_.freshness);
  // The last update of an id wins within a batch.
  absl::flat_hash_map<std::string, size_t> last;
  for (size_t i = 0; i < updates.size(); ++i) last[updates[i].id] = i;
  std::vector<Segment::Input> inputs;
  for (size_t i = 0; i < updates.size(); ++i) {
    if (updates[i].remove || last[updates[i].id] != i) continue;
    places_->Learn(updates[i].doc.places);
    inputs.push_back({std::move(updates[i].doc), updates[i].organisation_type});
  }
  // Build outside the writer lock: only this batch's documents.
  std::shared_ptr<const Segment> added;
  if (!inputs.empty())
    added = Segment::Build(std::move(inputs), now, freshness);

  absl::MutexLock write_lock(&write_mu_);
  auto current = snapshot();
  auto next = std::make_shared<Snapshot>(*current);
  // Clear the old version of every id in the batch (copy-on-write).
  std::vector<std::shared_ptr<Bitset>> copied(next->segments.size());
  for (const auto& [id, index] : last) {
    for (size_t s = next->segments.size(); s-- > 0;) {
      SegmentRef& ref = next->segments[s];
      const int64_t doc = ref.segment->Find(id);
      if (doc < 0 || !ref.live->Test(doc)) continue;
      if (!copied[s]) {
        copied[s] = std::make_shared<Bitset>(*ref.live);
        ref.live = copied[s];
      }
      copied[s]->Clear(doc);
      --ref.live_count;
      --next->live_docs;
      break;
    }
  }
  if (added != nullptr) {
    SegmentRef ref;
    ref.segment = added;
    ref.live = std::make_shared<Bitset>(added->size(), true);
    ref.live_count = added->size();
    next->live_docs += added->size();
    next->segments.push_back(std::move(ref));
  }
  const bool want_merge = next->segments.size() > options_.max_segments;
  Publish(std::move(next));
  if (options_.background_merges) {
    absl::MutexLock lock(&merge_mu_);
    last_update_at_ = absl::Now();
    if (want_merge) merge_wanted_ = true;
  }
}

void InvertedIndexEngine::MergeLoop() {
  const bool merge_when_idle = options_.idle_merge_after > absl::ZeroDuration();
  absl::Time next_full_merge_at = absl::InfinitePast();
  while (true) {
    bool tiered = false;
    absl::Time last_update;
    {
      absl::MutexLock lock(&merge_mu_);
      merge_mu_.AwaitWithTimeout(
          absl::Condition(
              +[](InvertedIndexEngine* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return self->stopping_ || self->merge_wanted_;
              },
              this),
          merge_when_idle ? options_.idle_merge_after / 2 : absl::Hours(1));
      if (stopping_) return;
      tiered = merge_wanted_;
      merge_wanted_ = false;
      last_update = last_update_at_;
    }
    auto current = snapshot();
    const size_t n = current->segments.size();
    if (!tiered) {
      // Idle: one segment answers a query with the least work.
      const absl::Time now = absl::Now();
      if (!merge_when_idle || n < 2 || now < next_full_merge_at ||
          now - last_update < options_.idle_merge_after) {
        continue;
      }
      MergeRange(0, kToEnd);
      const absl::Duration took = absl::Now() - now;
      next_full_merge_at = now + std::max(absl::Seconds(30), 20 * took);
      absl::MutexLock lock(&merge_mu_);
      ++full_merges_;
      continue;
    }
    // Tiered: merge the newest segments whose combined size is below the
    // one before them, so big segments are rewritten rarely.
    if (n <= options_.max_segments) continue;
    size_t first = n - 2;
    uint64_t tail = current->segments[n - 1].segment->size() +
                    current->segments[n - 2].segment->size();
    while (first > 0 &&
           current->segments[first - 1].segment->size() <= 2 * tail) {
      --first;
      tail += current->segments[first].segment->size();
    }
    MergeRange(first, n - first);
  }
}

void InvertedIndexEngine::MergeRange(size_t first, size_t count) {
  absl::MutexLock merging(&merging_mu_);
  const int64_t now = absl::ToUnixSeconds(options_.clock->Now());
  const int64_t freshness = absl::ToInt64Seconds(options_.freshness);
  auto base = snapshot();
  if (first > base->segments.size()) return;
  if (count == kToEnd) {
    count = base->segments.size() - first;
    // One segment "merged" alone only to drop its removed documents.
    if (count == 1 && base->segments[first].live_count ==
                          base->segments[first].segment->size()) {
      return;
    }
  }
  if (count == 0 || first + count > base->segments.size()) return;
  std::vector<const Segment*> parts;
  std::vector<const Bitset*> live;
  std::vector<std::shared_ptr<const Segment>> keep_alive;
  for (size_t i = first; i < first + count; ++i) {
    parts.push_back(base->segments[i].segment.get());
    live.push_back(base->segments[i].live.get());
    keep_alive.push_back(base->segments[i].segment);
  }
  std::vector<std::pair<uint32_t, uint32_t>> origin;
  auto merged = Segment::Merge(parts, live, now, freshness, &origin);

  absl::MutexLock write_lock(&write_mu_);
  auto current = snapshot();
  // Writers only append segments and clear live bits, and merges take
  // turns: the merged range is still where it was. Docs cleared since the
  // merge started stay cleared.
  for (size_t i = first; i < first + count; ++i) {
    if (i >= current->segments.size() ||
        current->segments[i].segment != base->segments[i].segment) {
      KLOG(ERROR) << "search index: segments moved during a merge; merge "
                     "dropped";
      return;
    }
  }
  auto next = std::make_shared<Snapshot>();
  next->live_docs = current->live_docs;
  for (size_t i = 0; i < first; ++i)
    next->segments.push_back(current->segments[i]);
  SegmentRef ref;
  ref.segment = merged;
  auto bits = std::make_shared<Bitset>(merged->size(), true);
  uint32_t live_count = merged->size();
  for (uint32_t d = 0; d < merged->size(); ++d) {
    const auto [part, old_doc] = origin[d];
    if (!current->segments[first + part].live->Test(old_doc)) {
      bits->Clear(d);
      --live_count;
    }
  }
  ref.live = std::move(bits);
  ref.live_count = live_count;
  next->segments.push_back(std::move(ref));
  for (size_t i = first + count; i < current->segments.size(); ++i) {
    next->segments.push_back(current->segments[i]);
  }
  Publish(std::move(next));
}

void InvertedIndexEngine::MergeAll() {
  const size_t n = segment_count();
  if (n > 1) MergeRange(0, kToEnd);
}

absl::Status InvertedIndexEngine::SaveTo(std::string* out) {
  auto removed = [](const Snapshot& snap) {
    return snap.segments.size() > 1 ||
           (snap.segments.size() == 1 &&
            snap.segments[0].live_count < snap.segments[0].segment->size());
  };
  if (removed(*snapshot())) MergeRange(0, kToEnd);
  auto snap = snapshot();
  if (removed(*snap)) {
    return absl::FailedPreconditionError(
        "search index: changed while it was being saved");
  }
  BinaryWriter w(out);
  w.Put<uint64_t>(snap->segments.size());
  if (!snap->segments.empty()) snap->segments[0].segment->AppendTo(out);
  places_->AppendTo(out);
  return absl::OkStatus();
}

absl::Status InvertedIndexEngine::LoadFrom(absl::string_view data) {
  BinaryReader in(data);
  uint64_t segments = 0;
  if (!in.Get(&segments) || segments > 1)
    return absl::DataLossError("index file: damaged (segment count)");
  auto next = std::make_shared<Snapshot>();
  if (segments == 1) {
    ASSIGN_OR_RETURN(
        std::shared_ptr<const Segment> segment,
        Segment::Parse(&in, absl::ToInt64Seconds(options_.freshness)));
    SegmentRef ref;
    ref.live = std::make_shared<Bitset>(segment->size(), true);
    ref.live_count = segment->size();
    ref.segment = std::move(segment);
    next->live_docs = ref.live_count;
    next->segments.push_back(std::move(ref));
  }
  Places::Learned learned;
  if (!Places::Parse(&in, &learned) || !in.done())
    return absl::DataLossError("index file: damaged (places)");
  absl::MutexLock write_lock(&write_mu_);
  if (!snapshot()->segments.empty()) {
    return absl::FailedPreconditionError(
        "search index: can only be loaded into an empty index");
  }
  places_->Install(std::move(learned));
  Publish(std::move(next));
  return absl::OkStatus();
}

uint64_t InvertedIndexEngine::idle_merges() const {
  absl::MutexLock lock(&merge_mu_);
  return full_merges_;
}

size_t InvertedIndexEngine::segment_count() const {
  return snapshot()->segments.size();
}

size_t InvertedIndexEngine::size() const { return snapshot()->live_docs; }

size_t InvertedIndexEngine::MemoryBytes() const {
  auto snap = snapshot();
  size_t bytes = 0;
  for (const SegmentRef& ref : snap->segments) {
    bytes += ref.segment->MemoryBytes() + ref.live->MemoryBytes();
  }
  return bytes + radius_cache_stats().bytes;
}

// ------------------------------------------------------------------ search

namespace {

// A segment as one search sees it.
struct SegmentView {
  const Segment* segment;
  const Bitset* live;
  bool all_live;  // no doc removed since the segment was built
};
using SegmentRefs = std::vector<SegmentView>;

// Document frequency of a term over the live documents of all segments, so
// scores do not depend on how documents are spread over segments.
uint64_t TermDf(const SegmentRefs& segments, const std::string& term) {
  uint64_t df = 0;
  for (const SegmentView& s : segments) {
    const TermPostings* p = s.segment->Postings(term);
    if (p == nullptr) continue;
    if (s.all_live) {
      df += p->df;
    } else if (p->bitset) {
      df += p->bitset->CountAnd(*s.live);
    } else {
      for (uint32_t d : p->docs) df += s.live->Test(d);
    }
  }
  return df;
}

// Radius bitset over a segment's grid.
Bitset RadiusSet(const Segment& segment, const GeoPoint& centre,
                 double radius_km) {
  Bitset set(segment.size());
  const UnitVector unit = ToUnitVector(centre);
  const double chord = KmToChord(radius_km);
  const double max_squared_chord = chord * chord;
  const double dlat = radius_km / 111.0 + Segment::kCellLat;
  const double dlon =
      radius_km /
          (111.0 * std::max(0.2, std::cos(centre.latitude * M_PI / 180))) +
      Segment::kCellLon;
  const int r0 = Segment::CellRow(centre.latitude - dlat),
            r1 = Segment::CellRow(centre.latitude + dlat);
  const int c0 = Segment::CellColumn(centre.longitude - dlon),
            c1 = Segment::CellColumn(centre.longitude + dlon);
  // A cell whose farthest corner lies inside (with a margin far above
  // rounding) holds only docs inside: no need to measure them one by one.
  const double inside_km = radius_km * (1 - 1e-6) - 1e-6;
  for (int r = r0; r <= r1; ++r) {
    for (int c = c0; c <= c1; ++c) {
      if (DistanceLowerBound(CellDistanceKm(centre, r, c)) > radius_km)
        continue;
      const std::vector<uint32_t>* docs = segment.Cell(r, c);
      if (docs == nullptr) continue;
      if (CellFarthestKm(centre, r, c) < inside_km) {
        for (uint32_t d : *docs) set.Set(d);
        continue;
      }
      for (uint32_t d : *docs) {
        if (!set.Test(d) &&
            MinSquaredChord(unit, segment.units(d)) <= max_squared_chord) {
          set.Set(d);
        }
      }
    }
  }
  return set;
}

// The radius sets one search needs, each taken once per segment and circle
// (the filter is applied again for every facet counted): from the cache,
// or built for this search alone when there is none.
class RadiusSets {
 public:
  explicit RadiusSets(RadiusCache* cache) : cache_(cache) {}

  const Bitset& Get(const Segment& segment, const GeoPoint& centre,
                    double radius_km) {
    for (const Item& item : items_) {
      if (item.segment == &segment && item.centre.latitude == centre.latitude &&
          item.centre.longitude == centre.longitude &&
          item.radius_km == radius_km) {
        return *item.set;
      }
    }
    items_.push_back({&segment, centre, radius_km,
                      cache_ != nullptr
                          ? cache_->Get(segment, centre, radius_km)
                          : std::make_shared<const Bitset>(
                                RadiusSet(segment, centre, radius_km))});
    return *items_.back().set;
  }

 private:
  struct Item {
    const Segment* segment;
    GeoPoint centre;
    double radius_km;
    std::shared_ptr<const Bitset> set;
  };
  RadiusCache* const cache_;
  std::vector<Item> items_;
};

// The docs of a segment serving an area: a bitset of the segment, or the
// union of several built in *scratch; null when none.
const Bitset* AreaSet(const Segment& segment, const Expansion& e,
                      Bitset* scratch) {
  if (e.regio >= 0) return segment.RegioBitset(e.regio);
  if (e.gemeenten.size() == 1) return segment.GemeenteBitset(e.gemeenten[0]);
  *scratch = Bitset(segment.size());
  for (int g : e.gemeenten) {
    if (const Bitset* b = segment.GemeenteBitset(g)) *scratch |= *b;
  }
  return scratch;
}

uint64_t GroupDf(const SegmentRefs& segments, const Expansion& e,
                 RadiusSets* radius_sets) {
  switch (e.kind) {
    case ExpansionKind::kTerm:
      return TermDf(segments, e.term);
    case ExpansionKind::kArea: {
      uint64_t df = 0;
      Bitset scratch;
      for (const SegmentView& s : segments) {
        if (const Bitset* b = AreaSet(*s.segment, e, &scratch))
          df += b->CountAnd(*s.live);
      }
      return df;
    }
    case ExpansionKind::kGeo: {
      uint64_t df = 0;
      for (const SegmentView& s : segments) {
        df += radius_sets->Get(*s.segment, e.centre, e.radius_km)
                  .CountAnd(*s.live);
      }
      return df;
    }
  }
  return 0;
}

void AddExpansion(Group* group, Expansion e) {
  for (const Expansion& existing : group->expansions) {
    if (existing.kind == e.kind && existing.term == e.term &&
        existing.regio == e.regio && existing.gemeenten == e.gemeenten &&
        existing.kind != ExpansionKind::kGeo) {
      return;
    }
  }
  group->expansions.push_back(std::move(e));
}

}  // namespace

namespace {

// Everything one search needs, shared by the segments it visits.
class SearchRun {
 public:
  SearchRun(const CompiledQuery& query, const SegmentRefs& segments,
            uint64_t live_docs, const PlaceLookup& place_of,
            bool force_exhaustive, RadiusCache* radius_cache)
      : query_(query),
        segments_(segments),
        live_docs_(std::max<uint64_t>(live_docs, 1)),
        force_exhaustive_(force_exhaustive),
        radius_sets_(radius_cache) {
    MakePlan(place_of);
  }

  SearchResult Run();

 private:
  struct Candidate {
    double sort_key;
    const std::string* id;  // the segment's, alive for the search
    double score;
    double text;
    double freshness;
    double availability;
    double distance_score;
    double tag_match;
    std::optional<double> distance_km;
    bool stale;
    const Segment* segment;
    uint32_t doc;
  };
  struct Better {
    bool operator()(const Candidate& a, const Candidate& b) const {
      return HitBefore(a.sort_key, *a.id, b.sort_key, *b.id);
    }
  };

  void MakePlan(const PlaceLookup& place_of);
  // Filters of the query except `skip` (FACET_FIELD_UNSPECIFIED: none),
  // AND-ed into `set`.
  void ApplyFilters(const Segment& segment, v1::FacetField skip,
                    Bitset* set) const;
  // Docs matching group g in the resolved segment (set has its size).
  void GroupSet(size_t g, Bitset* set) const;
  // Points the expansions at a segment's postings and sets.
  void Resolve(const Segment& segment);
  // Group contribution (weight × idf × impact, max over expansions) of a doc
  // of the resolved segment.
  double GroupScore(size_t group, uint32_t doc, const Expansion** best) const;
  // Scores a doc and offers it to the heap. `text_bound` bounds the doc's
  // text score (its block's bound): with the cheap parts of the score
  // known first, a doc that cannot win is dropped before its text is
  // scored.
  void Offer(const Segment& segment, uint32_t doc, double text_bound);
  bool Full() const { return heap_.size() >= need_; }
  double Threshold() const { return Full() ? heap_.top().sort_key : -INFINITY; }
  // True when no doc whose score is at most `bound` can enter the heap:
  // strictly below the k-th (an equal score with a smaller id would still
  // win the tie), with a margin for rounding.
  bool CannotBeat(double bound) const {
    return Full() && bound * (1 + 1e-6) < Threshold();
  }

  void TopExhaustive(const Segment& segment, const Bitset& candidates);
  // Upper bound of the text score of any doc in a block of the resolved
  // segment.
  double BlockTextBound(size_t block) const;
  void TopByBlocks(const Segment& segment, const Bitset& candidates);
  // What a doc's static quality may fall short of its quality at the
  // query's time (for queries dated before the segment was built).
  double QualitySlack(const Segment& segment) const;
  // True when doc `d` cannot enter the heap given `bound`, a bound of its
  // score without the quality and tag factors: those are taken from the
  // doc itself (static quality plus `slack`, its tags) before its
  // attributes are read.
  bool CannotWin(const Segment& segment, uint32_t d, double bound,
                 double slack) const {
    return CannotBeat(bound * std::min(1.0, segment.static_quality(d) + slack) *
                      TagMatch(d));
  }
  void TopByVerified(const Segment& segment, const Bitset& candidates);
  void TopByRings(const Segment& segment, const Bitset& candidates,
                  bool by_distance);
  void CountFacets(const Segment& segment, const Bitset& live,
                   const Bitset& text);

  const CompiledQuery& query_;
  const SegmentRefs& segments_;
  const uint64_t live_docs_;
  const bool force_exhaustive_;
  Plan plan_;
  // Best possible text score of any doc (1 without text): the sum of the
  // groups' largest contributions.
  double text_max_ = 1.0;
  UnitVector rank_unit_;
  size_t need_ = 0;
  std::priority_queue<Candidate, std::vector<Candidate>, Better> heap_;
  uint64_t total_ = 0;
  FacetCounts facet_counts_;
  mutable RadiusSets radius_sets_;
  // Per segment: sets of multi-gemeente kArea expansions (by group,
  // expansion).
  std::map<std::pair<size_t, size_t>, Bitset> computed_sets_;
  struct Resolved {
    const TermPostings* postings = nullptr;
    const Bitset* set = nullptr;
    // Where the last lookup in the postings ended (ImpactFrom).
    mutable size_t cursor = 0;
    // Where BlockTextBound's last look at sparse postings ended.
    mutable size_t block_cursor = 0;
  };
  std::vector<std::vector<Resolved>> resolved_;  // [group][expansion]
  // Per group: (largest value in the resolved segment, expansion), largest
  // first.
  std::vector<std::vector<std::pair<double, size_t>>> by_bound_;
  // Impact of expansion i of group g for a doc of the resolved segment.
  uint8_t ImpactIn(size_t g, size_t i, uint32_t doc) const;
  // Per group: the docs tagged with what the word names (null: the word
  // names no tag); unions built in tag_scratch_.
  std::vector<const Bitset*> tag_sets_;
  std::vector<Bitset> tag_scratch_;
  // kUntaggedFactor for each tag group of `doc` it is not tagged with.
  double TagMatch(uint32_t doc) const;
};

void SearchRun::MakePlan(const PlaceLookup& place_of) {
  const Analyzer& analyzer = Analyzer::Get();
  std::vector<QueryGroup> words = analyzer.AnalyzeQuery(query_.text);
  // Places of several words ("bergen op zoom", "sittard geleen") become
  // one group.
  std::vector<QueryGroup> merged;
  for (size_t i = 0; i < words.size(); ++i) {
    bool joined = false;
    for (size_t length = std::min<size_t>(4, words.size() - i);
         length >= 2 && !joined; --length) {
      std::vector<std::string> parts;
      for (size_t k = i; k < i + length; ++k) {
        for (const auto& w : words[k].words) parts.push_back(w);
      }
      const std::string name = absl::StrJoin(parts, " ");
      if (place_of(name).has_value()) {
        QueryGroup group;
        group.text = name;
        group.words = parts;
        group.prefix = words[i + length - 1].prefix;
        merged.push_back(std::move(group));
        i += length - 1;
        joined = true;
      }
    }
    if (!joined) merged.push_back(words[i]);
  }

  const SegmentRefs& segments = segments_;
  for (const QueryGroup& word : merged) {
    Group group;
    group.text = word.text;
    if (!word.stem.empty()) {
      Expansion e;
      e.term = word.stem;
      e.weight = kWeightStem;
      e.how = "stem";
      e.matched = word.stem;
      AddExpansion(&group, std::move(e));
    }
    for (const std::string& token : word.synonyms) {
      Expansion e;
      e.term = token;
      e.weight = kWeightSynonym;
      e.how = "synonym";
      e.matched = token.substr(1);
      AddExpansion(&group, std::move(e));
    }
    // A place: its gemeente's service area (and where it lies, for ranking).
    const std::string place_name = absl::StrJoin(word.words, " ");
    bool locality = false;
    if (auto place = place_of(place_name)) {
      Expansion e;
      e.kind = ExpansionKind::kArea;
      e.regio = place->regio;
      e.gemeenten = place->gemeenten;
      e.weight = kWeightPlace;
      e.how = "place";
      e.matched = place->name;
      AddExpansion(&group, std::move(e));
      locality = true;
      if (!plan_.rank_centre) plan_.rank_centre = place->centre;
    }
    // A postcode: the 10 km around it.
    if (word.postcode && query_.locate_postcode) {
      if (auto point = query_.locate_postcode(word.raw)) {
        Expansion e;
        e.kind = ExpansionKind::kGeo;
        e.centre = *point;
        e.radius_km = kPostcodeRadiusKm;
        e.weight = kWeightPlace;
        e.how = "postcode";
        e.matched = absl::StrCat(word.raw, " + ", kPostcodeRadiusKm, " km");
        AddExpansion(&group, std::move(e));
        locality = true;
        if (!plan_.rank_centre) plan_.rank_centre = *point;
      }
    }
    // The last word may still be typed: its completions.
    if (word.prefix && word.raw.size() >= 2) {
      std::map<std::string, uint64_t> stems;  // stem -> df
      std::set<std::string> words_seen;
      for (const SegmentView& s : segments) {
        const auto& vocabulary = s.segment->vocabulary();
        auto it = std::lower_bound(vocabulary.begin(), vocabulary.end(),
                                   std::make_pair(word.raw, std::string()));
        for (; it != vocabulary.end() &&
               it->first.compare(0, word.raw.size(), word.raw) == 0;
             ++it) {
          stems.emplace(it->second, 0);
        }
      }
      std::vector<std::pair<uint64_t, std::string>> ranked;
      for (const auto& [stem, zero] : stems) {
        const uint64_t df = TermDf(segments, stem);
        if (df > 0) ranked.emplace_back(df, stem);
      }
      std::sort(ranked.begin(), ranked.end(), std::greater<>());
      if (ranked.size() > kMaxPrefixExpansions)
        ranked.resize(kMaxPrefixExpansions);
      for (const auto& [df, stem] : ranked) {
        Expansion e;
        e.term = stem;
        e.weight = stem == word.stem ? kWeightStem : kWeightPrefix;
        e.how = stem == word.stem ? "stem" : "prefix";
        e.matched = stem;
        AddExpansion(&group, std::move(e));
      }
    }
    // Unknown words of 5+ letters: close spellings. A word still being
    // typed gets them only when nothing starts with it.
    const bool has_completions =
        word.prefix &&
        std::any_of(
            group.expansions.begin(), group.expansions.end(),
            [](const Expansion& e) { return std::string(e.how) == "prefix"; });
    if (!word.stem.empty() && word.raw.size() >= 5 && !word.postcode &&
        !has_completions && TermDf(segments, word.stem) < kTypoBelowDf) {
      const int max_distance = word.raw.size() >= 9 ? 2 : 1;
      std::map<std::string, int> found;  // stem -> distance
      for (const SegmentView& s : segments) {
        for (const auto& [neighbour, distance] :
             TypoNeighbours(s.segment->vocabulary(), word.raw, max_distance,
                            kMaxTypoExpansions)) {
          auto [it, inserted] = found.emplace(neighbour.second, distance);
          if (!inserted) it->second = std::min(it->second, distance);
        }
      }
      for (const auto& [stem, distance] : found) {
        Expansion e;
        e.term = stem;
        e.weight = distance == 1 ? kWeightTypo1 : kWeightTypo2;
        e.how = "typo";
        e.matched = stem;
        AddExpansion(&group, std::move(e));
      }
    }
    // IDF and bounds; drop expansions that match nothing. Completions of
    // the word being typed share one IDF, that of all of them together
    // (estimated by the sum of their document frequencies): a short prefix
    // is unspecific, and a rare completion should not outweigh the rest.
    // The word itself counts as one of the completions (a rare word that
    // happens to equal the typed letters, "tr", must not dominate).
    //
    // A place (or postcode) says where, not what: every way it matches (the
    // area served, the radius, the name in the text) counts the same, with
    // the IDF of all of them, and distance ranks within it. Otherwise an
    // entry naming "Kerkrade" three times would outrank the right service
    // next door.
    auto shares_prefix_idf = [&](const Expansion& e) {
      const std::string how = e.how;
      return locality || how == "prefix" || (word.prefix && how == "stem");
    };
    std::vector<uint64_t> dfs(group.expansions.size());
    uint64_t prefix_df = 0;
    for (size_t i = 0; i < group.expansions.size(); ++i) {
      dfs[i] = GroupDf(segments, group.expansions[i], &radius_sets_);
      if (shares_prefix_idf(group.expansions[i])) prefix_df += dfs[i];
    }
    std::vector<Expansion> kept;
    for (size_t i = 0; i < group.expansions.size(); ++i) {
      Expansion& e = group.expansions[i];
      const uint64_t df = dfs[i];
      if (df == 0) continue;
      e.idf = Idf(shares_prefix_idf(e) ? prefix_df : df, live_docs_);
      if (locality) {
        e.flat = true;
        e.weight = kWeightPlace;
      }
      // The largest impact the expansion has anywhere: the text bound of
      // the group, so the engine can stop at the first block that cannot win.
      uint8_t max_impact = kPlaceImpact;
      if (e.kind == ExpansionKind::kTerm) {
        max_impact = 0;
        for (const SegmentView& s : segments) {
          if (const TermPostings* p = s.segment->Postings(e.term)) {
            max_impact = std::max(max_impact, p->max_impact);
          }
        }
      }
      group.max_contribution =
          std::max(group.max_contribution, ExpansionValue(e, max_impact));
      kept.push_back(std::move(e));
    }
    group.expansions = std::move(kept);
    if (group.expansions.empty()) plan_.nothing = true;
    if (!locality) {
      for (const Expansion& e : group.expansions) {
        if (e.kind != ExpansionKind::kTerm) continue;
        auto it = TagsByTerm().find(e.term);
        if (it == TagsByTerm().end()) continue;
        group.tags.insert(group.tags.end(), it->second.begin(),
                          it->second.end());
      }
      std::sort(group.tags.begin(), group.tags.end());
      group.tags.erase(std::unique(group.tags.begin(), group.tags.end()),
                       group.tags.end());
    }
    plan_.groups.push_back(std::move(group));
  }
  if (!plan_.groups.empty()) {
    text_max_ = 0;
    for (const Group& g : plan_.groups) text_max_ += g.max_contribution;
  }
  if (query_.centre.has_value()) plan_.rank_centre = query_.centre;
  if (plan_.rank_centre.has_value())
    rank_unit_ = ToUnitVector(*plan_.rank_centre);
}

namespace {

using BitsetRefs = absl::InlinedVector<const Bitset*, 8>;

// ANDs the union of `parts` into `set`; no parts: nothing matches. One part
// is AND-ed directly, without building the union.
void AndUnion(const BitsetRefs& parts, Bitset* set) {
  if (parts.empty()) {
    set->ClearAll();
    return;
  }
  if (parts.size() == 1) {
    *set &= *parts[0];
    return;
  }
  ScratchBitset any(*parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) *any |= *parts[i];
  *set &= *any;
}

// The gemeenten of each arbeidsmarktregio.
const std::vector<GemeenteSet>& GemeentenOfRegio() {
  static const std::vector<GemeenteSet> sets = [] {
    std::vector<GemeenteSet> out(ReferenceData::Get().regios().size());
    const std::vector<int>& regio_of = RegioOfGemeente();
    for (size_t g = 0; g < regio_of.size(); ++g) {
      if (regio_of[g] >= 0) out[regio_of[g]].set(g);
    }
    return out;
  }();
  return sets;
}

}  // namespace

void SearchRun::ApplyFilters(const Segment& segment, v1::FacetField skip,
                             Bitset* set) const {
  const size_t n = segment.size();
  auto field = [&](v1::FacetField facet, FilterField filter, uint32_t mask) {
    // Filters without a facet of their own (UNSPECIFIED) always apply.
    if (mask == 0 || (facet != v1::FACET_FIELD_UNSPECIFIED && facet == skip))
      return;
    BitsetRefs parts;
    while (mask) {
      const int v = __builtin_ctz(mask);
      mask &= mask - 1;
      if (const Bitset* b = segment.FilterBitset(FilterKey(filter, v)))
        parts.push_back(b);
    }
    AndUnion(parts, set);
  };
  field(v1::FACET_FIELD_KIND, FilterField::kKind, query_.kinds);
  field(v1::FACET_FIELD_INTERVENTION, FilterField::kIntervention,
        query_.interventions);
  field(v1::FACET_FIELD_TARGET_GROUP, FilterField::kTargetGroup,
        query_.target_groups);
  field(v1::FACET_FIELD_REGELING, FilterField::kRegeling, query_.regelingen);
  field(v1::FACET_FIELD_FUNDING, FilterField::kFunding, query_.funding);
  field(v1::FACET_FIELD_QUALITY_MARK, FilterField::kQualityMark,
        query_.quality_marks);
  field(v1::FACET_FIELD_ORGANISATION_TYPE, FilterField::kOrganisationType,
        query_.organisation_types);
  field(v1::FACET_FIELD_UNSPECIFIED, FilterField::kEmployerOffer,
        query_.employer_offers);
  if (!query_.employer_sectors.empty()) {
    BitsetRefs parts;
    for (char sector : query_.employer_sectors) {
      if (const Bitset* b =
              segment.FilterBitset(FilterKey(FilterField::kSector, sector)))
        parts.push_back(b);
    }
    AndUnion(parts, set);
  }
  if (!query_.languages.empty() && skip != v1::FACET_FIELD_LANGUAGE) {
    BitsetRefs parts;
    for (const std::string& language : query_.languages) {
      const int index = LanguageIndex(language);
      if (index < 0) continue;
      if (const Bitset* b =
              segment.FilterBitset(FilterKey(FilterField::kLanguage, index)))
        parts.push_back(b);
    }
    AndUnion(parts, set);
  }
  if (query_.accepting_new_clients &&
      skip != v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS) {
    if (const Bitset* b =
            segment.FilterBitset(FilterKey(FilterField::kAccepting, 1))) {
      *set &= *b;
    } else {
      set->ClearAll();
    }
  }
  if (!query_.organisation_ids.empty() &&
      skip != v1::FACET_FIELD_ORGANISATION) {
    ScratchBitset any(n);
    for (const std::string& org : query_.organisation_ids) {
      if (const auto* docs = segment.OrganisationDocs(org)) {
        for (uint32_t d : *docs) any->Set(d);
      }
    }
    *set &= *any;
  }
  if (query_.has_area && skip != v1::FACET_FIELD_GEMEENTE &&
      skip != v1::FACET_FIELD_ARBEIDSMARKTREGIO) {
    // A whole arbeidsmarktregio in the area is one bitset (the union of
    // its gemeenten's), not one per gemeente.
    BitsetRefs parts;
    GemeenteSet rest = query_.area;
    const std::vector<GemeenteSet>& regios = GemeentenOfRegio();
    for (size_t r = 0; r < regios.size() && rest.any(); ++r) {
      if (regios[r].none() || (rest & regios[r]) != regios[r]) continue;
      rest &= ~regios[r];
      if (const Bitset* b = segment.RegioBitset(static_cast<int>(r)))
        parts.push_back(b);
    }
    const size_t gemeenten = ReferenceData::Get().gemeenten().size();
    for (size_t g = rest._Find_first(); g < gemeenten; g = rest._Find_next(g)) {
      if (const Bitset* b = segment.GemeenteBitset(static_cast<int>(g)))
        parts.push_back(b);
    }
    AndUnion(parts, set);
  }
  if (query_.exclude_stale) {
    const int64_t cutoff = query_.now_seconds - query_.freshness_seconds;
    ScratchBitset fresh(n);
    for (uint32_t d : segment.by_verified()) {
      const RankAttributes& a = segment.rank(d);
      if (!a.has_last_verified() || a.last_verified_seconds < cutoff) break;
      fresh->Set(d);
    }
    *set &= *fresh;
  }
  if (query_.centre.has_value() && query_.radius_km > 0) {
    *set &= radius_sets_.Get(segment, *query_.centre, query_.radius_km);
  }
}

void SearchRun::GroupSet(size_t g, Bitset* set) const {
  set->ClearAll();
  for (const Resolved& r : resolved_[g]) {
    if (r.postings != nullptr) {
      if (r.postings->bitset) {
        *set |= *r.postings->bitset;
      } else {
        for (uint32_t d : r.postings->docs) set->Set(d);
      }
    } else if (r.set != nullptr) {
      *set |= *r.set;
    }
  }
}

void SearchRun::Resolve(const Segment& segment) {
  computed_sets_.clear();
  resolved_.assign(plan_.groups.size(), {});
  by_bound_.resize(plan_.groups.size());
  tag_sets_.assign(plan_.groups.size(), nullptr);
  tag_scratch_.resize(plan_.groups.size());
  for (size_t g = 0; g < plan_.groups.size(); ++g) {
    const Group& group = plan_.groups[g];
    if (group.tags.size() == 1) {
      tag_sets_[g] = segment.FilterBitset(group.tags[0]);
      // Tagged nowhere in this segment: every doc is untagged.
      if (tag_sets_[g] == nullptr) {
        tag_scratch_[g] = Bitset(segment.size());
        tag_sets_[g] = &tag_scratch_[g];
      }
    } else if (!group.tags.empty()) {
      tag_scratch_[g] = Bitset(segment.size());
      for (uint32_t key : group.tags) {
        if (const Bitset* b = segment.FilterBitset(key)) tag_scratch_[g] |= *b;
      }
      tag_sets_[g] = &tag_scratch_[g];
    }
    resolved_[g].resize(group.expansions.size());
    for (size_t i = 0; i < group.expansions.size(); ++i) {
      const Expansion& e = group.expansions[i];
      Resolved& r = resolved_[g][i];
      switch (e.kind) {
        case ExpansionKind::kTerm:
          r.postings = segment.Postings(e.term);
          break;
        case ExpansionKind::kArea:
          r.set = AreaSet(segment, e, &computed_sets_[{g, i}]);
          break;
        case ExpansionKind::kGeo:
          r.set = &radius_sets_.Get(segment, e.centre, e.radius_km);
          break;
      }
    }
    // Largest possible value first; expansions absent here left out.
    auto& order = by_bound_[g];
    order.clear();
    for (size_t i = 0; i < group.expansions.size(); ++i) {
      const Resolved& r = resolved_[g][i];
      const uint8_t most = r.postings != nullptr ? r.postings->max_impact
                           : r.set != nullptr    ? kPlaceImpact
                                                 : 0;
      const double bound = ExpansionValue(group.expansions[i], most);
      if (bound > 0) order.emplace_back(bound, i);
    }
    std::sort(order.begin(), order.end(), std::greater<>());
  }
}

uint8_t SearchRun::ImpactIn(size_t g, size_t i, uint32_t doc) const {
  const Resolved& r = resolved_[g][i];
  if (r.postings != nullptr) {
    if (!r.postings->bitset || r.postings->bitset->Test(doc))
      return r.postings->ImpactFrom(doc, &r.cursor);
  } else if (r.set != nullptr && r.set->Test(doc)) {
    return kPlaceImpact;
  }
  return 0;
}

double SearchRun::GroupScore(size_t g, uint32_t doc,
                             const Expansion** best) const {
  const Group& group = plan_.groups[g];
  double score = 0;
  if (best == nullptr) {
    // The max over expansions, stopping where no later one can exceed it.
    for (const auto& [bound, i] : by_bound_[g]) {
      if (bound <= score) break;
      score = std::max(
          score, ExpansionValue(group.expansions[i], ImpactIn(g, i, doc)));
    }
    return score;
  }
  // Explained: every expansion, the first of equal values named.
  for (size_t i = 0; i < group.expansions.size(); ++i) {
    const double value =
        ExpansionValue(group.expansions[i], ImpactIn(g, i, doc));
    if (value > score) {
      score = value;
      *best = &group.expansions[i];
    }
  }
  return score;
}

double SearchRun::TagMatch(uint32_t doc) const {
  double factor = 1.0;
  for (const Bitset* tagged : tag_sets_) {
    if (tagged != nullptr && !tagged->Test(doc)) factor *= kUntaggedFactor;
  }
  return factor;
}

void SearchRun::Offer(const Segment& segment, uint32_t doc, double text_bound) {
  const RankAttributes& a = segment.rank(doc);
  const double freshness =
      FreshnessOf(a.has_last_verified(), a.last_verified_seconds,
                  query_.now_seconds, query_.freshness_seconds);
  const double availability =
      AvailabilityOf(a.accepting_new_clients(), a.wait_weeks);
  const double tag_match = TagMatch(doc);
  const bool by_score = query_.sort != v1::SORT_ORDER_DISTANCE &&
                        query_.sort != v1::SORT_ORDER_LAST_VERIFIED;
  // The distance factor is at most 1: most docs lose before it is needed.
  if (by_score &&
      CannotBeat(CombineScore(text_bound, freshness, availability, 1.0) *
                 tag_match)) {
    return;
  }
  std::optional<double> distance_km;
  if (plan_.rank_centre.has_value() && a.points_count > 0) {
    distance_km =
        ChordToKm(std::sqrt(MinSquaredChord(rank_unit_, segment.units(doc))));
  }
  const double distance_score = DistanceScore(distance_km);
  if (by_score && distance_km.has_value() &&
      CannotBeat(
          CombineScore(text_bound, freshness, availability, distance_score) *
          tag_match)) {
    return;
  }
  double text = 1.0;
  if (!plan_.groups.empty()) {
    text = 0;
    for (size_t g = 0; g < plan_.groups.size(); ++g)
      text += GroupScore(g, doc, nullptr);
  }
  const double score =
      CombineScore(text, freshness, availability, distance_score) * tag_match;
  double sort_key = score;
  if (query_.sort == v1::SORT_ORDER_DISTANCE) {
    sort_key = distance_km.has_value() ? -*distance_km : -1e9;
  } else if (query_.sort == v1::SORT_ORDER_LAST_VERIFIED) {
    sort_key = a.has_last_verified()
                   ? static_cast<double>(a.last_verified_seconds)
                   : 0;
  }
  // Most docs lose to the k-th hit: decide before copying anything.
  const std::string& id = segment.id(doc);
  if (Full()) {
    const Candidate& worst = heap_.top();
    if (sort_key < worst.sort_key ||
        (sort_key == worst.sort_key && !(id < *worst.id)))
      return;
  }
  if (query_.has_after && !AfterPagePosition(query_, sort_key, id)) return;
  Candidate c;
  c.segment = &segment;
  c.doc = doc;
  c.id = &id;
  c.text = text;
  c.freshness = freshness;
  c.availability = availability;
  c.tag_match = tag_match;
  c.stale =
      !a.has_last_verified() ||
      query_.now_seconds - a.last_verified_seconds > query_.freshness_seconds;
  c.distance_km = distance_km;
  c.distance_score = distance_score;
  c.score = score;
  c.sort_key = sort_key;
  if (Full()) heap_.pop();
  heap_.push(c);
}

void SearchRun::TopExhaustive(const Segment& segment,
                              const Bitset& candidates) {
  // Forced exhaustive search (the reference in tests) bounds nothing.
  const double text_bound = force_exhaustive_ ? INFINITY : text_max_;
  candidates.ForEach([&](size_t d) {
    Offer(segment, static_cast<uint32_t>(d), text_bound);
    return true;
  });
}

void SearchRun::TopByVerified(const Segment& segment,
                              const Bitset& candidates) {
  for (uint32_t d : segment.by_verified()) {
    const RankAttributes& a = segment.rank(d);
    const double key = a.has_last_verified()
                           ? static_cast<double>(a.last_verified_seconds)
                           : 0;
    if (Full() && key < Threshold()) return;
    if (candidates.Test(d)) Offer(segment, d, text_max_);
  }
}

double SearchRun::BlockTextBound(size_t block) const {
  const uint32_t first = static_cast<uint32_t>(block * 64);
  double text = 0;
  for (size_t g = 0; g < plan_.groups.size(); ++g) {
    const Group& group = plan_.groups[g];
    double best = 0;
    // Largest possible value first, as in GroupScore.
    for (const auto& [bound, i] : by_bound_[g]) {
      if (bound <= best) break;
      const Resolved& r = resolved_[g][i];
      uint8_t impact = 0;
      if (r.postings != nullptr && !r.postings->block_max.empty()) {
        impact = r.postings->block_max[block];
      } else if (r.postings != nullptr) {
        // A sparse term: the largest impact among its docs in the block
        // (blocks come in ascending order; the cursor starts over if not).
        const std::vector<uint32_t>& docs = r.postings->docs;
        size_t at = r.block_cursor;
        if (at > docs.size() || (at > 0 && docs[at - 1] >= first)) at = 0;
        at = std::lower_bound(docs.begin() + at, docs.end(), first) -
             docs.begin();
        r.block_cursor = at;
        for (; at < docs.size() && docs[at] < first + 64; ++at)
          impact = std::max(impact, r.postings->impacts[at]);
      } else if (r.set != nullptr && r.set->words()[block] != 0) {
        impact = kPlaceImpact;
      }
      best = std::max(best, ExpansionValue(group.expansions[i], impact));
    }
    text += best;
  }
  return text;
}

double SearchRun::QualitySlack(const Segment& segment) const {
  // Queries dated before the segment was built (pages of an older search)
  // may see fresher scores than the segment's stored quality.
  if (query_.now_seconds >= segment.built_at_seconds() ||
      query_.freshness_seconds <= 0)
    return 0.0;
  return 0.15 *
         static_cast<double>(segment.built_at_seconds() - query_.now_seconds) /
         query_.freshness_seconds;
}

void SearchRun::TopByBlocks(const Segment& segment, const Bitset& candidates) {
  // Docs are numbered by decreasing static quality; each bitset word is a
  // block of 64 docs with known maxima. A block is scored only when its
  // bound (text × quality × distance) can beat the k-th hit, and once a
  // block's quality alone cannot, no later block can either.
  const double slack = QualitySlack(segment);
  const auto& words = candidates.words();
  for (size_t b = 0; b < words.size(); ++b) {
    uint64_t word = words[b];
    if (word == 0) continue;
    const double quality = std::min(1.0, segment.block_quality(b) + slack);
    if (CannotBeat(text_max_ * quality)) return;
    const double text_bound = plan_.groups.empty() ? 1.0 : BlockTextBound(b);
    // Bound without the quality and tag factors.
    double base = text_bound;
    // A word of the query names a tag no doc of the block carries: every
    // doc there gets the untagged factor for it.
    double tag_factor = 1.0;
    for (const Bitset* tagged : tag_sets_) {
      if (tagged != nullptr && tagged->words()[b] == 0)
        tag_factor *= kUntaggedFactor;
    }
    if (plan_.rank_centre.has_value()) {
      const Segment::Box& box = segment.block_box(b);
      if (!box.has_nowhere && !box.empty) {
        const GeoPoint& c = *plan_.rank_centre;
        const double lat =
            std::clamp(c.latitude, static_cast<double>(box.min_latitude),
                       static_cast<double>(box.max_latitude));
        const double lon =
            std::clamp(c.longitude, static_cast<double>(box.min_longitude),
                       static_cast<double>(box.max_longitude));
        base *= DistanceFactor(DistanceScore(DistanceLowerBound(
            HaversineKm(c.latitude, c.longitude, lat, lon))));
      }
    }
    if (CannotBeat(base * quality * tag_factor)) continue;
    // The same bound with each doc's own quality and tags instead of the
    // block's: most docs of a block lose here, before their attributes are
    // read.
    while (word) {
      const uint32_t d = static_cast<uint32_t>(b * 64 + __builtin_ctzll(word));
      word &= word - 1;
      if (CannotWin(segment, d, base, slack)) continue;
      Offer(segment, d, text_bound);
    }
  }
}

void SearchRun::TopByRings(const Segment& segment, const Bitset& candidates,
                           bool by_distance) {
  const GeoPoint centre = *plan_.rank_centre;
  const double slack = QualitySlack(segment);
  ScratchBitset seen(segment.size());
  const int r0 = Segment::CellRow(centre.latitude),
            c0 = Segment::CellColumn(centre.longitude);
  for (int ring = 0; ring <= kMaxRing; ++ring) {
    // Every path from the centre to a later ring crosses this one: its
    // nearest cell bounds the distance of every doc not seen yet.
    double nearest = INFINITY;
    ForEachCellInRing(r0, c0, ring, [&](int r, int c) {
      nearest =
          std::min(nearest, DistanceLowerBound(CellDistanceKm(centre, r, c)));
    });
    const double bound = text_max_ * DistanceFactor(DistanceScore(nearest));
    if (by_distance ? Full() && -nearest < Threshold() : CannotBeat(bound))
      break;
    ForEachCellInRing(r0, c0, ring, [&](int r, int c) {
      const std::vector<uint32_t>* docs = segment.Cell(r, c);
      if (docs == nullptr) return;
      for (uint32_t d : *docs) {
        if (seen->Test(d) || !candidates.Test(d)) continue;
        seen->Set(d);
        // Cannot win even at this ring's distance: nor further out.
        if (!by_distance && CannotWin(segment, d, bound, slack)) continue;
        Offer(segment, d, text_max_);
      }
    });
  }
  // Docs without a location: no distance.
  ScratchBitset nowhere(candidates);
  *nowhere &= segment.nowhere();
  nowhere->ForEach([&](size_t d) {
    Offer(segment, static_cast<uint32_t>(d), text_max_);
    return true;
  });
}

void SearchRun::CountFacets(const Segment& segment, const Bitset& live,
                            const Bitset& text) {
  const ReferenceData& ref = ReferenceData::Get();
  for (size_t f = 0; f < query_.facets.size(); ++f) {
    const v1::FacetField field = query_.facets[f];
    ScratchBitset scratch(live);
    Bitset& base = *scratch;
    base &= text;
    ApplyFilters(segment, field, &base);
    auto& counts = facet_counts_[f];
    auto count_enum = [&](FilterField filter,
                          const google::protobuf::EnumDescriptor* type) {
      for (int i = 0; i < type->value_count(); ++i) {
        const int v = type->value(i)->number();
        if (v == 0 || v >= 32) continue;
        if (const Bitset* b = segment.FilterBitset(FilterKey(filter, v))) {
          if (const size_t n = base.CountAnd(*b))
            counts[type->value(i)->name()] += n;
        }
      }
    };
    switch (field) {
      case v1::FACET_FIELD_KIND:
        count_enum(FilterField::kKind, v1::EntryKind_descriptor());
        break;
      case v1::FACET_FIELD_INTERVENTION:
        count_enum(FilterField::kIntervention, v1::Intervention_descriptor());
        break;
      case v1::FACET_FIELD_TARGET_GROUP:
        count_enum(FilterField::kTargetGroup, v1::TargetGroup_descriptor());
        break;
      case v1::FACET_FIELD_REGELING:
        count_enum(FilterField::kRegeling, v1::Regeling_descriptor());
        break;
      case v1::FACET_FIELD_FUNDING:
        count_enum(FilterField::kFunding, v1::Funding_descriptor());
        break;
      case v1::FACET_FIELD_QUALITY_MARK:
        count_enum(FilterField::kQualityMark, v1::QualityMarkType_descriptor());
        break;
      case v1::FACET_FIELD_ORGANISATION_TYPE:
        count_enum(FilterField::kOrganisationType,
                   v1::OrganisationType_descriptor());
        break;
      case v1::FACET_FIELD_LANGUAGE:
        for (int index = 0; LanguageCode(index)[0] != '\0'; ++index) {
          if (const Bitset* b = segment.FilterBitset(
                  FilterKey(FilterField::kLanguage, index))) {
            if (const size_t n = base.CountAnd(*b))
              counts[LanguageCode(index)] += n;
          }
        }
        break;
      case v1::FACET_FIELD_ACCEPTING_NEW_CLIENTS: {
        const size_t all = base.Count();
        size_t yes = 0;
        if (const Bitset* b =
                segment.FilterBitset(FilterKey(FilterField::kAccepting, 1))) {
          yes = base.CountAnd(*b);
        }
        if (yes) counts["true"] += yes;
        if (all > yes) counts["false"] += all - yes;
        break;
      }
      case v1::FACET_FIELD_GEMEENTE:
        for (size_t g = 0; g < ref.gemeenten().size(); ++g) {
          if (const Bitset* b = segment.GemeenteBitset(static_cast<int>(g))) {
            if (const size_t n = base.CountAnd(*b))
              counts[ref.gemeenten()[g].code] += n;
          }
        }
        break;
      case v1::FACET_FIELD_ARBEIDSMARKTREGIO:
        for (size_t r = 0; r < ref.regios().size(); ++r) {
          if (const Bitset* b = segment.RegioBitset(static_cast<int>(r))) {
            if (const size_t n = base.CountAnd(*b))
              counts[ref.regios()[r].code] += n;
          }
        }
        break;
      case v1::FACET_FIELD_ORGANISATION:
        base.ForEach([&](size_t d) {
          ++counts
              [segment.organisation_ids()
                   [segment.attributes(static_cast<uint32_t>(d)).organisation]];
          return true;
        });
        break;
      default:
        break;
    }
  }
}

SearchResult SearchRun::Run() {
  SearchResult result;
  need_ = static_cast<size_t>(query_.page_size) + 1;
  facet_counts_.resize(query_.facets.size());
  if (!plan_.nothing) {
    // Segments with the most docs first: they set a good threshold early.
    std::vector<size_t> order(segments_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return segments_[a].segment->size() > segments_[b].segment->size();
    });
    for (size_t index : order) {
      const Segment& segment = *segments_[index].segment;
      const Bitset& live = *segments_[index].live;
      Resolve(segment);
      ScratchBitset text_scratch(segment.size(), true);
      Bitset& text = *text_scratch;
      ScratchBitset group(segment.size());
      for (size_t g = 0; g < plan_.groups.size(); ++g) {
        GroupSet(g, &*group);
        text &= *group;
      }
      ScratchBitset candidates_scratch(live);
      Bitset& candidates = *candidates_scratch;
      candidates &= text;
      ApplyFilters(segment, v1::FACET_FIELD_UNSPECIFIED, &candidates);
      const size_t count = candidates.Count();
      total_ += count;
      if (!query_.facets.empty()) CountFacets(segment, live, text);
      if (count == 0) continue;
      if (force_exhaustive_) {
        TopExhaustive(segment, candidates);
      } else if (query_.sort == v1::SORT_ORDER_DISTANCE) {
        TopByRings(segment, candidates, /*by_distance=*/true);
      } else if (query_.sort == v1::SORT_ORDER_LAST_VERIFIED) {
        TopByVerified(segment, candidates);
      } else if (count <= kExhaustiveMax) {
        TopExhaustive(segment, candidates);
      } else if (plan_.rank_centre.has_value() && query_.radius_km > 0) {
        // All candidates lie within the radius: nearest cells first.
        TopByRings(segment, candidates, /*by_distance=*/false);
      } else {
        TopByBlocks(segment, candidates);
      }
    }
  }
  result.total = total_;
  std::vector<Candidate> hits;
  while (!heap_.empty()) {
    hits.push_back(heap_.top());
    heap_.pop();
  }
  std::reverse(hits.begin(), hits.end());
  if (hits.size() > static_cast<size_t>(query_.page_size)) {
    hits.resize(query_.page_size);
    result.next_page_token =
        MakePageToken(query_, hits.back().sort_key, *hits.back().id);
  }
  for (Candidate& c : hits) {
    Hit& hit = result.hits.emplace_back();
    hit.id = *c.id;
    hit.score = c.score;
    hit.sort_key = c.sort_key;
    hit.distance_km = c.distance_km;
    hit.stale = c.stale;
    if (c.segment != nullptr) hit.card = std::string(c.segment->card(c.doc));
    if (query_.explain) {
      hit.explanation.set_text(c.text);
      hit.explanation.set_freshness(c.freshness);
      hit.explanation.set_availability(c.availability);
      hit.explanation.set_tag_match(c.tag_match);
      hit.explanation.set_distance(c.distance_score);
      if (c.segment != nullptr) {
        Resolve(*c.segment);
        for (size_t g = 0; g < plan_.groups.size(); ++g) {
          const Group& group = plan_.groups[g];
          const Expansion* best = nullptr;
          const double score = GroupScore(g, c.doc, &best);
          v1::TermMatch* m = hit.explanation.add_terms();
          m->set_query_term(group.text);
          m->set_score(score);
          if (best != nullptr) {
            m->set_matched_term(best->matched);
            m->set_how(best->how);
            const bool tagged =
                tag_sets_[g] != nullptr && tag_sets_[g]->Test(c.doc);
            m->set_field(tagged                               ? "kenmerk"
                         : best->kind == ExpansionKind::kTerm ? "tekst"
                         : best->kind == ExpansionKind::kArea ? "werkgebied"
                                                              : "locatie");
          }
        }
      }
    }
  }
  result.facets = MakeFacets(query_.facets, facet_counts_);
  return result;
}

}  // namespace

SearchResult InvertedIndexEngine::Search(const CompiledQuery& query) const {
  auto snap = snapshot();
  SegmentRefs segments;
  for (const SegmentRef& ref : snap->segments) {
    segments.push_back({ref.segment.get(), ref.live.get(),
                        ref.live_count == ref.segment->size()});
  }
  SearchRun run(
      query, segments, snap->live_docs,
      [this](const std::string& name) { return places_->Find(name); },
      options_.force_exhaustive, radius_cache_.get());
  return run.Run();
}

}  // namespace kaartnet::search
