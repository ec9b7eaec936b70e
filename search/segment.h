// An immutable piece of the inverted index: a batch of documents numbered
// 0..size()-1 in order of decreasing static quality (availability and
// freshness), with everything the engine evaluates queries with:
//
//  - postings per term (documents ascending, with a one-byte impact: the
//    BM25F term weight of the document, field-boosted and length-normalised
//    against fixed reference lengths, so impacts never need recomputing);
//  - for terms with many postings a bitset, and per block of 64 documents
//    (one bitset word) the largest impact in the block;
//  - per block the largest static quality and the box around its locations,
//    so a whole block can be skipped when it cannot beat the k-th hit;
//  - bitsets per filter value, per gemeente and per arbeidsmarktregio of
//    the service area, for filters and facet counts by popcount;
//  - a geo grid of location points; docs ordered by last_verified;
//  - the vocabulary (folded word → stem) for prefix and typo expansion.
//
// Deletions are not part of a segment: the engine keeps a live bitset per
// segment beside it.
//
// Thread-safety: immutable after Build/Merge; share freely.
#ifndef KAARTNET_SEARCH_SEGMENT_H_
#define KAARTNET_SEARCH_SEGMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "kaartnet/v1/organisation.pb.h"
#include "search/binary_io.h"
#include "search/bitset.h"
#include "search/document.h"

namespace kaartnet::search {

// Filterable fields with bitsets per value.
enum class FilterField : uint32_t {
  kKind = 1,
  kIntervention,
  kTargetGroup,
  kRegeling,
  kFunding,
  kQualityMark,
  kOrganisationType,
  kEmployerOffer,
  kSector,
  kLanguage,
  kAccepting,
};
inline uint32_t FilterKey(FilterField field, uint32_t value) {
  return (static_cast<uint32_t>(field) << 16) | value;
}
// Index of an ISO 639-1 code in a fixed table (for language bitsets), or -1.
int LanguageIndex(absl::string_view code);
const char* LanguageCode(int index);

// Impacts are stored as one byte: impact = byte / 255 * kMaxImpact.
inline constexpr double kMaxImpact =
    2.2;  // BM25 with k1 = 1.2 saturates at k1 + 1

// Ranking factor that depends on the document only: availability and
// freshness (see engine.h, CombineScore). At `now`; never increases with
// time, so the value at build time bounds it later.
double StaticQuality(const Document& doc, int64_t now_seconds,
                     int64_t freshness_seconds);

struct DocAttributes {
  uint8_t kind = 0;
  uint8_t organisation_type = 0;
  bool accepting_new_clients = false;
  bool has_last_verified = false;
  uint8_t wait_weeks = 0;
  char employer_sector = 0;
  uint32_t interventions = 0;
  uint32_t target_groups = 0;
  uint32_t regelingen = 0;
  uint32_t funding = 0;
  uint32_t quality_marks = 0;
  uint32_t employer_offers = 0;
  int64_t last_verified_seconds = 0;
  uint32_t organisation = 0;  // index into organisation_ids()
  uint32_t points_begin = 0;  // into points()
  uint32_t points_end = 0;
};

// What ranking reads of a doc, packed in 16 bytes (four to a cache line):
// scoring touches many docs, and their full attributes would cost a cache
// line each.
struct RankAttributes {
  int64_t last_verified_seconds = 0;
  uint32_t points_begin = 0;  // into points()
  uint16_t points_count = 0;
  uint8_t wait_weeks = 0;
  uint8_t flags = 0;  // kHasLastVerified | kAccepting
  static constexpr uint8_t kHasLastVerified = 1;
  static constexpr uint8_t kAccepting = 2;
  bool has_last_verified() const { return flags & kHasLastVerified; }
  bool accepting_new_clients() const { return flags & kAccepting; }
};
static_assert(sizeof(RankAttributes) == 16);

struct TermPostings {
  // Sparse and medium terms: documents ascending, with their impacts.
  std::vector<uint32_t> docs;
  std::vector<uint8_t> impacts;
  // Terms in at least a quarter of the documents instead keep one impact
  // byte per document (0 = absent): smaller than the list, and O(1) access.
  std::vector<uint8_t> dense_impacts;
  // Terms with at least size()/64 postings: membership, and the largest
  // impact per block of 64 docs.
  std::unique_ptr<Bitset> bitset;
  std::vector<uint8_t> block_max;
  uint8_t max_impact = 0;
  uint32_t df = 0;

  // Impact of `doc`, 0 when absent. `*cursor` (0 at first) remembers where
  // the last lookup ended, so a walk over ascending docs costs a few steps
  // each; a doc behind the cursor starts the search over.
  uint8_t ImpactFrom(uint32_t doc, size_t* cursor) const;
  // Calls fn(doc, impact) for every posting, docs ascending.
  template <typename Fn>
  void ForEach(Fn fn) const {
    if (!dense_impacts.empty()) {
      bitset->ForEach([&](size_t d) {
        fn(static_cast<uint32_t>(d), dense_impacts[d]);
        return true;
      });
      return;
    }
    for (size_t i = 0; i < docs.size(); ++i) fn(docs[i], impacts[i]);
  }
  size_t MemoryBytes() const;
};

class Segment {
 public:
  struct Input {
    Document doc;
    v1::OrganisationType organisation_type = v1::ORGANISATION_TYPE_UNSPECIFIED;
  };

  // Grid cells for geo: 0.05° latitude × 0.075° longitude (about 5.5 km).
  static inline constexpr double kCellLat = 0.05;
  static inline constexpr double kCellLon = 0.075;

  static std::shared_ptr<const Segment> Build(std::vector<Input> inputs,
                                              int64_t now_seconds,
                                              int64_t freshness_seconds);
  // The live documents of `parts` (live[i] for parts[i]) in one segment.
  // `origin` (when not null) receives for each new doc its (part, doc).
  static std::shared_ptr<const Segment> Merge(
      const std::vector<const Segment*>& parts,
      const std::vector<const Bitset*>& live, int64_t now_seconds,
      int64_t freshness_seconds,
      std::vector<std::pair<uint32_t, uint32_t>>* origin);

  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }
  const std::string& id(uint32_t doc) const { return ids_[doc]; }
  // The result card of a doc (Document::card).
  absl::string_view card(uint32_t doc) const {
    const uint64_t begin = doc == 0 ? 0 : card_ends_[doc - 1];
    return absl::string_view(cards_).substr(begin, card_ends_[doc] - begin);
  }
  // Doc number of an entry id, or -1.
  int64_t Find(absl::string_view id) const;
  const DocAttributes& attributes(uint32_t doc) const {
    return attributes_[doc];
  }
  const RankAttributes& rank(uint32_t doc) const { return rank_[doc]; }
  absl::Span<const GeoPoint> points(uint32_t doc) const {
    const DocAttributes& a = attributes_[doc];
    return absl::MakeConstSpan(points_.data() + a.points_begin,
                               a.points_end - a.points_begin);
  }
  // The same points as unit vectors.
  absl::Span<const UnitVector> units(uint32_t doc) const {
    const RankAttributes& r = rank_[doc];
    return absl::MakeConstSpan(units_.data() + r.points_begin, r.points_count);
  }
  const std::vector<std::string>& organisation_ids() const {
    return organisation_ids_;
  }

  const TermPostings* Postings(const std::string& term) const;
  // Sorted (folded word, stem) pairs.
  const std::vector<std::pair<std::string, std::string>>& vocabulary() const {
    return vocabulary_;
  }

  const Bitset* FilterBitset(uint32_t key) const;
  const Bitset* GemeenteBitset(int gemeente) const;
  const Bitset* RegioBitset(int regio) const;
  const std::vector<uint32_t>* OrganisationDocs(
      absl::string_view organisation_id) const;

  // Docs by decreasing last_verified (doc numbers follow static quality).
  const std::vector<uint32_t>& by_verified() const { return by_verified_; }

  // Per block of 64 docs (doc / 64): the largest static quality, and the
  // box around the block's locations.
  struct Box {
    float min_latitude, max_latitude, min_longitude, max_longitude;
    bool empty;        // no doc of the block has a location
    bool has_nowhere;  // some doc of the block has no location
  };
  float block_quality(size_t block) const { return block_quality_[block]; }
  // The static quality of a doc at build time (an upper bound later), kept
  // apart from its attributes so a walk over many docs reads 4 bytes each.
  float static_quality(uint32_t doc) const { return static_quality_[doc]; }
  const Box& block_box(size_t block) const { return block_boxes_[block]; }

  // Docs without a location.
  const Bitset& nowhere() const { return nowhere_; }
  // Docs with a point in grid cell (row, column), or null.
  const std::vector<uint32_t>* Cell(int row, int column) const;
  static int CellRow(double latitude);
  static int CellColumn(double longitude);

  size_t MemoryBytes() const;

  // The segment in the form of the index file (search_index.h): what Build
  // and Merge produce, without what Finish derives from it. Vocabulary
  // words whose stem has no postings here (words of documents removed
  // before a merge) are left out, so the words of an erased entry are never
  // written.
  void AppendTo(std::string* out) const;
  // A segment from AppendTo's form, finished as it was when built; an error
  // when the bytes are not such a segment.
  static absl::StatusOr<std::shared_ptr<const Segment>> Parse(
      BinaryReader* in, int64_t freshness_seconds);

  // The `now` the static qualities were computed for.
  int64_t built_at_seconds() const { return built_at_seconds_; }
  // Unique in the process: keys what is derived from a segment (its
  // content never changes).
  uint64_t uid() const { return uid_; }

 private:
  Segment() = default;
  void Finish(int64_t now_seconds, int64_t freshness_seconds);

  std::vector<std::string> ids_;
  std::vector<uint32_t> ids_sorted_;  // doc numbers by id
  // The cards of all docs, back to back; card_ends_[d] is where d's ends.
  std::string cards_;
  std::vector<uint64_t> card_ends_;
  std::vector<DocAttributes> attributes_;
  std::vector<RankAttributes> rank_;  // derived from attributes_
  std::vector<GeoPoint> points_;
  std::vector<UnitVector> units_;
  std::vector<std::string> organisation_ids_;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> organisation_docs_;
  absl::flat_hash_map<std::string, TermPostings> terms_;
  std::vector<std::pair<std::string, std::string>> vocabulary_;
  absl::flat_hash_map<uint32_t, Bitset> filters_;
  std::vector<std::unique_ptr<Bitset>> gemeenten_;  // by gemeente index
  std::vector<std::unique_ptr<Bitset>> regios_;     // by regio index
  std::vector<uint32_t> by_verified_;
  std::vector<float> block_quality_;
  std::vector<float> static_quality_;
  int64_t built_at_seconds_ = 0;
  uint64_t uid_ = NextUid();
  static uint64_t NextUid();
  std::vector<Box> block_boxes_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> cells_;
  Bitset nowhere_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_SEGMENT_H_
