// Keeps a SearchEngine current with the store: rebuilt from RocksDB at start,
// then updated on every applied change (local or replicated), and answers
// SearchRequests. Also learns where postcode areas (PC4) lie from the
// coordinates of entry locations, for "near 6411".
//
// Thread-safety: safe for concurrent use; searches do not wait for writes
// beyond what the engine needs.
#ifndef KAARTNET_SEARCH_SEARCH_INDEX_H_
#define KAARTNET_SEARCH_SEARCH_INDEX_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "kaartnet/v1/organisation.pb.h"
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

  // Indexes every live entry of the store (call before serving).
  absl::Status Rebuild(const storage::Store& store);
  // Re-indexes the entries of one organisation (its name or type changed).
  absl::Status ReindexOrganisation(const storage::Store& store,
                                   const std::string& organisation_id);

  void OnChanges(absl::Span<const storage::Change> changes) override;

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

  PostcodeTable postcodes_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_SEARCH_INDEX_H_
