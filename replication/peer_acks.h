// What each peer is known to hold, for dropping withdrawals (tombstones):
// a withdrawal older than the tombstone horizon is removed only when every
// peer this node has exchanged with holds it, however long a peer is away.
// Sessions report each peer's Hello and Acks; the node stores the table now
// and then (a restart that forgets the last minutes only delays removals).
// A peer taken out of the region is forgotten (`kaart admin peers remove`);
// should it return, it is a new peer and below the floors gets a snapshot
// (docs/replication.md).
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_REPLICATION_PEER_ACKS_H_
#define KAARTNET_REPLICATION_PEER_ACKS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "storage/store.h"

namespace kaartnet::replication {

class PeerAcks {
 public:
  // The table as stored with the store (Store::PutMeta, key "peer_acks");
  // Load takes it over at the node's start, Save stores it.
  absl::Status Load(const storage::Store& store);
  absl::Status Save(storage::Store* store) const;

  // A stream with `peer` began: its Hello frontier.
  void Connected(const std::string& peer,
                 const std::map<std::string, uint64_t>& frontier);
  // The peer acknowledged holding these origins up to these seqs.
  void Raise(const std::string& peer,
             const std::vector<std::pair<std::string, uint64_t>>& frontier);

  // For every peer this node has exchanged with (and not forgotten), the
  // seq up to which it holds `origin`'s records (0 when unknown). A record
  // of `origin` at seq s is held by all of them when the minimum is ≥ s.
  // A peer that is away holds removals back until it returns: a write it
  // took while cut off may be older than a withdrawal made elsewhere, and
  // only that withdrawal, still held, makes it lose.
  uint64_t HeldByAll(const std::string& origin) const;
  std::vector<std::string> Peers() const;
  // Stops counting `peer` (a node taken out of the region: `kaart admin
  // peers remove`). If it returns, it is a new peer: below the floors it
  // gets a snapshot.
  bool Forget(const std::string& peer);

 private:
  mutable absl::Mutex mu_;
  // Peer node id -> origin -> seq it holds.
  std::map<std::string, std::map<std::string, uint64_t>> peers_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::replication

#endif  // KAARTNET_REPLICATION_PEER_ACKS_H_
