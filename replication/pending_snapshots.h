// Snapshots received from peers (see v1.Snapshot) that this node has not
// caught up with yet. A snapshot shows which entries are gone at the peer;
// from its arrival until this node's frontier has reached the snapshot's,
// records for such entries are refused whichever peer sends them (a peer
// returning after a long absence may still hold them), and the node sends
// no records itself. Once caught up the node takes over the snapshot's
// floors and answers peers below them with its own snapshot.
//
// What a snapshot may remove is bounded by the receiver: its tombstone
// mark counts only up to `mark_limit` (now − horizon + twice the allowed
// clock skew: a withdrawal removed anywhere is that old), and a snapshot
// whose mark lies beyond is not taken over until time has caught up too.
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_REPLICATION_PENDING_SNAPSHOTS_H_
#define KAARTNET_REPLICATION_PENDING_SNAPSHOTS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "kaartnet/v1/replication.pb.h"
#include "storage/store.h"

namespace kaartnet::replication {

struct PendingSnapshot {
  std::string peer;
  // Floors cut to the frontier (an honest sender has reached its floors).
  storage::Manifest manifest;
  absl::flat_hash_set<std::string> ids;

  // The entry's record (origin, seq) with version `hlc` is gone at the
  // peer: the snapshot does not list the id, the peer has seen the record
  // and it is not newer than the peer's mark (cut to `mark_limit`).
  bool Gone(absl::string_view id, const std::string& origin, uint64_t seq,
            uint64_t hlc, uint64_t mark_limit) const;
};

// The header of a v1.Snapshot (frontier, floors, mark; not the ids) into
// and out of a manifest.
void SetSnapshotHeader(const storage::Manifest& manifest,
                       v1::Snapshot* snapshot);
storage::Manifest SnapshotHeader(const v1::Snapshot& snapshot);

class PendingSnapshots {
 public:
  // Keeps `snapshot` until Erase; returns it. It replaces an earlier one of
  // the same peer (which the newer one covers).
  std::shared_ptr<const PendingSnapshot> Add(std::string peer,
                                             storage::Manifest snapshot);
  bool empty() const;
  // The highest floors over the pending snapshots.
  std::map<std::string, uint64_t> Floors() const;
  // Gone in any pending snapshot.
  bool Gone(absl::string_view id, const std::string& origin, uint64_t seq,
            uint64_t hlc, uint64_t mark_limit) const;
  // The snapshots this node has caught up with: its frontier (`frontier_of`)
  // has reached theirs for every origin, and their mark is within
  // `mark_limit`. They stay pending (and filtering) until Erase.
  std::vector<std::shared_ptr<const PendingSnapshot>> CaughtUp(
      const std::function<uint64_t(const std::string&)>& frontier_of,
      uint64_t mark_limit) const;
  void Erase(const PendingSnapshot* snapshot);

  // The form a pending snapshot is stored in (a restart keeps it).
  static std::string Serialize(const PendingSnapshot& snapshot);
  static bool Parse(const std::string& bytes, std::string* peer,
                    storage::Manifest* snapshot);

 private:
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<const PendingSnapshot>> pending_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::replication

#endif  // KAARTNET_REPLICATION_PENDING_SNAPSHOTS_H_
