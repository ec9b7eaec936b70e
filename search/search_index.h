// Keeps a SearchEngine current with the store: rebuilt from RocksDB at start,
// then updated on every applied change (local or replicated), and answers
// SearchRequests. Also learns where postcode areas (PC4) lie from the
// coordinates of entry locations, for "near 6411".
//
// Thread-safety: safe for concurrent use; searches do not wait for writes
// beyond what the engine needs.
#ifndef KAARTNET_SEARCH_SEARCH_INDEX_H_
#define KAARTNET_SEARCH_SEARCH_INDEX_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "kaartnet/v1/organisation.pb.h"
#include "search/binary_io.h"
#include "search/engine.h"
#include "storage/store.h"

namespace kaartnet::search {

class PostcodeTable {
 public:
  PostcodeTable();
  // Learns from a location with coordinates.
  void Learn(absl::string_view pc4, double latitude, double longitude);
  // Coordinate of a PC4 area (mean of the locations seen there).
  std::optional<GeoPoint> Find(absl::string_view pc4) const;

  void AppendTo(std::string* out) const;
  // Replaces the table with what AppendTo wrote; false when damaged.
  bool Parse(BinaryReader* in);

 private:
  struct Sum {
    double latitude = 0;
    double longitude = 0;
    int n = 0;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Sum> sums_ ABSL_GUARDED_BY(mu_);
};

// What the index needs to know of an entry's organisation.
struct OrganisationInfo {
  std::string name;
  v1::OrganisationType type = v1::ORGANISATION_TYPE_UNSPECIFIED;
};
// Looks up an organisation by id; nullopt when unknown (the id is then
// indexed as its name).
using OrganisationLookup =
    std::function<std::optional<OrganisationInfo>(absl::string_view)>;

class SearchIndex final : public storage::ChangeListener {
 public:
  SearchIndex(std::unique_ptr<SearchEngine> engine,
              OrganisationLookup organisations, Clock* clock,
              absl::Duration freshness);
  // Indexes what is queued, then stops the indexing thread.
  ~SearchIndex() override;

  // Indexes every live entry of the store (call before serving).
  absl::Status Rebuild(const storage::Store& store);

  // The index file: a node saves its index when it stops and loads it at
  // the next start instead of rebuilding (seconds at 10^5 entries). It
  // holds one segment of the live entries (nothing of removed or erased
  // ones), the learned places and postcodes, and a stamp of the state it
  // reflects: the store's origin, last change and counts, the engine and
  // format, plus `stamp` from the caller (the organisations, the version).
  //
  // Writes the file (a temporary file, synced, then renamed). Call when no
  // more changes come; FAILED_PRECONDITION when the index has not seen
  // every change of the store.
  absl::Status Save(const storage::Store& store, const std::string& path,
                    absl::string_view stamp);
  // Loads the file when it was saved from this store in its present state
  // with the same `stamp`, into an index that has nothing yet. Otherwise
  // returns false, with the reason in `why` when there was a file (another
  // state, damaged; empty when there is none), and the caller rebuilds. The
  // file is removed either way: it is valid only until the next change, and it
  // holds the text of entries that may be erased later. An error only when it
  // cannot be removed.
  absl::StatusOr<bool> Load(const storage::Store& store,
                            const std::string& path, absl::string_view stamp,
                            std::string* why);
  // Re-indexes the entries of one organisation (its name or type changed),
  // in turn with the queued changes; returns once done (a store that
  // cannot be read is logged).
  absl::Status ReindexOrganisation(const storage::Store& store,
                                   const std::string& organisation_id);

  // Changes are indexed in order on the index's own thread, so the writer
  // (a replication stream, the group commit) goes on with its next batch
  // meanwhile; batches that queue up are indexed together, in larger
  // segments. OnChanges only queues a copy of the entries.
  void OnChanges(absl::Span<const storage::Change> changes) override;
  // Returns once every change handed to OnChanges before is searchable
  // (a local publish waits for this before it answers).
  void Flush();

  absl::StatusOr<SearchResult> Search(const v1::SearchRequest& request) const;

  const SearchEngine& engine() const { return *engine_; }
  const PostcodeTable& postcodes() const { return postcodes_; }
  absl::Duration freshness() const { return freshness_; }

 private:
  SearchEngine::Update MakeUpdate(const v1::Entry& entry);

  // Const after construction.
  std::unique_ptr<SearchEngine> engine_;
  const OrganisationLookup organisations_;
  Clock* const clock_;
  const absl::Duration freshness_;

  // The store's state as far as the index file's stamp goes.
  std::string StoreStamp(const storage::Store& store,
                         absl::string_view stamp) const;

  void IndexLoop();

  PostcodeTable postcodes_;
  // The last change of the store the index has seen.
  std::atomic<uint64_t> change_seq_{0};
  // A re-index could not read the store: the index must not be saved.
  std::atomic<bool> reindex_failed_{false};

  // Changes waiting for the indexing thread: entries with their change.
  // Or, with `store` set: re-read and index the entries of organisation
  // `reindex` there, in turn with the changes before and after it.
  struct Queued {
    v1::Entry entry;
    uint64_t change_seq = 0;
    const storage::Store* store = nullptr;
    std::string reindex;
  };
  // The live entries of `organisation_id` in `store`, as updates.
  absl::Status ReadOrganisation(const storage::Store& store,
                                const std::string& organisation_id,
                                std::vector<SearchEngine::Update>* updates);
  absl::Mutex queue_mu_;
  std::vector<Queued> queue_ ABSL_GUARDED_BY(queue_mu_);
  // OnChanges calls queued / indexed so far.
  uint64_t queued_batches_ ABSL_GUARDED_BY(queue_mu_) = 0;
  uint64_t indexed_batches_ ABSL_GUARDED_BY(queue_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::thread indexer_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_SEARCH_INDEX_H_
