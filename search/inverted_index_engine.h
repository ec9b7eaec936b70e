// kaartnet's search engine: an in-memory inverted index of immutable
// segments (see segment.h) with Dutch analysis (analyzer.h).
//
// Evaluation: filters, the text of the query and geo radius are bitsets per
// segment (value bitsets OR-ed within a field, AND-ed across fields), so the
// number of matches and every facet count are popcounts and never walk a
// posting list of a frequent term. The top k are found by early
// termination: postings of frequent terms are kept in order of their best
// possible score (impact × static quality), and a threshold algorithm stops
// as soon as no unseen document can beat the k-th best; small candidate sets
// are scored exhaustively; distance ordering scans a geo grid ring by ring.
// A radius bitset (a segment and a circle) is kept across searches, since
// circles repeat (they are centred on a postcode or a place) and segments
// never change.
//
// Query words become groups that documents must all match (AND); a group
// matches its stem, its synonyms, completions of the last word (prefix),
// close spellings of rare words (typos), and, for places and postcodes, the
// gemeente's service area or the 10 km around the postcode.
//
// Updates: each batch of changes becomes a new small segment; replaced and
// removed documents are cleared in their segment's live bitset
// (copy-on-write); a background thread merges small segments. Searches run
// on an immutable snapshot (a list of segments and live bitsets) and never
// wait for writers.
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_SEARCH_INVERTED_INDEX_ENGINE_H_
#define KAARTNET_SEARCH_INVERTED_INDEX_ENGINE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "search/engine.h"
#include "search/segment.h"

namespace kaartnet::search {

// Radius bitsets kept across searches (inverted_index_engine.cc).
class RadiusCache;
struct RadiusCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  size_t bytes = 0;
};

class InvertedIndexEngine final : public SearchEngine {
 public:
  struct Options {
    // Freshness limit used for the static quality of segments.
    absl::Duration freshness = absl::Hours(24 * 180);
    Clock* clock = Clock::Real();
    // Merge when there are more segments than this.
    size_t max_segments = 8;
    // Run merges on a background thread (tests may merge synchronously).
    bool background_merges = true;
    // With background merges: once no update came for this long, merge
    // every segment into one (a query then walks one set of postings).
    // A full merge rewrites the whole index, so it runs at most once per
    // 30 s and at most 1/20 of the time. Zero: never.
    absl::Duration idle_merge_after = absl::Seconds(2);
    // Score every candidate instead of stopping early (tests compare the
    // early-terminating strategies against it).
    bool force_exhaustive = false;
    // Radius bitsets of (segment, circle) kept across searches, at most
    // this many bytes; zero: built for each search.
    size_t radius_cache_bytes = 16 << 20;
  };

  explicit InvertedIndexEngine(Options options);
  InvertedIndexEngine() : InvertedIndexEngine(Options()) {}
  ~InvertedIndexEngine() override;

  void Upsert(Document doc, v1::OrganisationType organisation_type) override;
  void Remove(const std::string& id) override;
  void Apply(std::vector<Update> updates) override;
  SearchResult Search(const CompiledQuery& query) const override;
  size_t size() const override;
  size_t MemoryBytes() const override;
  const char* name() const override { return "inverted-index"; }

  // Merges every segment into one now (tests, after a bulk load).
  void MergeAll();
  // Merges of every segment into one done by the background thread when
  // the index was idle.
  uint64_t idle_merges() const;
  void Compact() override { MergeAll(); }
  // Saves one segment without removed documents (merging first); call when
  // no updates come (FAILED_PRECONDITION when one came meanwhile).
  bool saveable() const override { return true; }
  absl::Status SaveTo(std::string* out) override;
  absl::Status LoadFrom(absl::string_view data) override;
  size_t segment_count() const;
  RadiusCacheStats radius_cache_stats() const;

 private:
  struct SegmentRef {
    std::shared_ptr<const Segment> segment;
    std::shared_ptr<const Bitset> live;
    uint32_t live_count = 0;
  };
  struct Snapshot {
    std::vector<SegmentRef> segments;  // oldest (largest) first
    uint64_t live_docs = 0;
  };
  // Where place names and postcodes point; learned from indexed entries.
  class Places;

  std::shared_ptr<const Snapshot> snapshot() const;
  void Publish(std::shared_ptr<const Snapshot> snapshot);
  void MergeLoop();
  // Merges `count` segments starting at `first` of the current snapshot;
  // kToEnd: every segment from `first` on when the merge starts, and only
  // if that is more than one or a removed document is among them. One
  // merge at a time (the background thread, MergeAll and SaveTo may ask at
  // once), so each publishes over the segment list it started from.
  static constexpr size_t kToEnd = SIZE_MAX;
  void MergeRange(size_t first, size_t count) ABSL_LOCKS_EXCLUDED(merging_mu_);

  const Options options_;
  std::unique_ptr<Places> places_;
  std::unique_ptr<RadiusCache> radius_cache_;

  mutable absl::Mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(snapshot_mu_);

  // Serialises writers (Apply and merge publication).
  absl::Mutex write_mu_;
  // Held for a whole merge.
  absl::Mutex merging_mu_;

  mutable absl::Mutex merge_mu_;
  bool merge_wanted_ ABSL_GUARDED_BY(merge_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(merge_mu_) = false;
  // Real time (not options_.clock) of the last update, for idle merges.
  absl::Time last_update_at_ ABSL_GUARDED_BY(merge_mu_) = absl::InfinitePast();
  uint64_t full_merges_ ABSL_GUARDED_BY(merge_mu_) = 0;
  std::thread merge_thread_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_INVERTED_INDEX_ENGINE_H_
