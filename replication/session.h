// The replication protocol between this node and one peer over one stream,
// transport-free: messages in (Receive), messages out (Poll). The gRPC
// adapter (replicator.h) runs it over a bidirectional stream; a simulator
// can run it over a simulated network. Time comes in as an argument, so the
// session itself is deterministic.
//
// What a session does (docs/replication.md):
//   - sends Hello (node id, region, frontier), then the admissions the peer
//     may lack, then the records the peer lacks by its frontier, oldest first
//     per origin, in bounded batches with at most `max_unacked_batches` in
//     flight, and keeps pushing new records as the store gets them;
//   - applies the peer's batches through the Replica (which verifies every
//     record) and acknowledges them with its whole frontier, so the peer
//     skips records this node already got from others;
//   - every `digest_interval`, once caught up, sends its state digest; a
//     bucket that differs in two digests in a row is repaired by asking the
//     peer for every entry in it;
//   - relays records of other origins lazily to a peer that has its own
//     stream with their origin (it says so in DirectOrigins): they are sent
//     only if the peer's frontier has not passed them within `relay_grace`;
//   - when the peer's Hello lies below this node's floor for some origin
//     (this node removed withdrawals the peer may not have seen), sends a
//     snapshot of the ids it holds before any record, so the peer removes
//     what is gone; a snapshot received is handed to Replica::Prune;
//   - when the peer's Hello shows more of this node's own origin than the
//     node holds (it was restored from an old backup), the node moves its
//     own records to a fresh origin and the stream ends with UNAVAILABLE;
//     on the next stream the peer sends the old origin's records back.
//
// Thread-safety: Receive and Poll may be called from different threads (a
// reader and a writer); each is for one thread at a time.
#ifndef KAARTNET_REPLICATION_SESSION_H_
#define KAARTNET_REPLICATION_SESSION_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kaartnet/v1/replication.pb.h"
#include "storage/store.h"

namespace kaartnet::replication {

class PeerAcks;

using Frontier = std::map<std::string, uint64_t>;

// The ids of every entry a node holds with the frontier and floors of the
// same state (see v1.Snapshot).
using Manifest = storage::Manifest;

struct ApplyStats {
  uint64_t applied = 0;
  uint64_t stale = 0;  // an equal or newer version was stored, or a dup
  uint64_t refused = 0;
};

// The node as the replication protocol sees it.
class Replica {
 public:
  virtual ~Replica() = default;
  virtual const std::string& node_id() const = 0;
  virtual const std::string& region() const = 0;
  // The origin this node numbers its own records under.
  virtual std::string origin_id() const = 0;
  // Continues this node's own records under a fresh origin id (called when a
  // peer holds more of this node's origin than the node itself: restored
  // from an old backup).
  virtual void RotateOrigin() = 0;
  virtual Frontier GetFrontier() const = 0;
  // The origins whose frontier moved after change `since` (0: every
  // origin), with their seq now; returns the change to pass as `since` next
  // time. Sessions poll with it, so its cost must be what moved.
  virtual uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const = 0;
  virtual absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(
      const std::string& origin, uint64_t after_seq, size_t limit) const = 0;
  // Verifies and applies records from `peer` (its node id, for logs and
  // counts). Log-order records move their origin's frontier; afterwards the
  // frontiers in `through` are moved too. Refused records are counted, not
  // errors; an error means the store failed and nothing was applied.
  virtual absl::StatusOr<ApplyStats> Apply(
      const std::string& peer, std::vector<v1::LogRecord> records, bool repair,
      std::vector<std::pair<std::string, uint64_t>> through) = 0;
  // Changes whenever the set of admissions changes.
  virtual uint64_t AdmissionsGeneration() const = 0;
  virtual std::vector<v1::SignedAdmission> Admissions() const = 0;
  // Installs admissions that are new or newer; returns how many were
  // refused (bad anchor signature etc.).
  virtual size_t InstallAdmissions(
      const std::string& peer,
      const std::vector<v1::SignedAdmission>& admissions) = 0;
  virtual std::vector<uint64_t> Digest() const = 0;
  // Per origin, the highest seq of a record this node removed (withdrawals
  // past the tombstone horizon): a peer whose frontier lies below it gets a
  // snapshot.
  virtual Frontier Floors() const = 0;
  // Changes whenever the floors rise (read it before Floors()).
  virtual uint64_t FloorsVersion() const = 0;
  virtual absl::StatusOr<Manifest> ReadManifest() const = 0;
  // Removes the entries that `peer`'s snapshot shows are gone (see
  // v1.Snapshot), refuses records of such entries until the node has
  // caught up with the snapshot, then takes over its floors (see
  // PendingSnapshots); returns how many entries were removed.
  virtual absl::StatusOr<uint64_t> Prune(const std::string& peer,
                                         Manifest snapshot) = 0;
  // While a received snapshot is not caught up with: the highest floors of
  // such snapshots (the node then sends no snapshot, and records only to
  // peers past those floors); nullopt otherwise. Takes over the floors of
  // snapshots caught up with by now.
  virtual std::optional<Frontier> CatchingUp() = 0;
  // Every stored entry (live or withdrawn) whose id is in one of `buckets`.
  virtual absl::StatusOr<std::vector<v1::LogRecord>> EntriesInBuckets(
      const std::set<uint32_t>& buckets) const = 0;
};

// The origins whose own node this node has a stream with now: each session
// adds its peer's origin when the Hello arrives and removes it when the
// session ends. Sessions tell their peers the set (DirectOrigins).
// Thread-safe.
class DirectFeeds {
 public:
  void Add(const std::string& origin);
  void Remove(const std::string& origin);
  // Changes whenever the set changes.
  uint64_t generation() const;
  std::vector<std::string> Origins() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, int> streams_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

struct SessionOptions {
  size_t max_batch_records = 256;
  size_t max_batch_bytes = 1 << 20;
  uint64_t max_unacked_batches = 4;
  absl::Duration digest_interval = absl::Seconds(30);
  std::string version;
  // This node's tombstone horizon, told in the Hello; a peer that tells
  // another gets a warning in its stats (zero: not told, not compared).
  absl::Duration tombstone_horizon = absl::ZeroDuration();
  // The node's direct feeds (not owned; null: none are advertised and peers
  // relay everything at once).
  DirectFeeds* direct_feeds = nullptr;
  // How long a record of another origin waits before it is relayed to a
  // peer that has a direct stream with that origin.
  absl::Duration relay_grace = absl::Milliseconds(500);
  // A frontier that moved by records from other peers is told to this peer
  // at most this often (Acks of batches tell it at once). Well below
  // relay_grace, so peers hear of it before they would relay.
  absl::Duration advertise_interval = absl::Milliseconds(100);
  // Where the peer's acknowledged frontier is reported (not owned; null:
  // nowhere).
  class PeerAcks* peer_acks = nullptr;
  // Ids per snapshot message.
  size_t snapshot_ids_per_message = 4096;
};

struct SessionStats {
  std::string peer_node_id;
  std::string peer_region;
  bool hello_received = false;
  uint64_t records_sent = 0;
  uint64_t records_received = 0;
  uint64_t records_applied = 0;
  uint64_t records_refused = 0;
  uint64_t admissions_refused = 0;
  uint64_t repairs_requested = 0;  // buckets
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_received = 0;
  uint64_t entries_pruned = 0;
  // A setting of the peer that differs from this node's where it must not
  // (see SessionOptions::tombstone_horizon); empty when none.
  std::string warning;
  // Sum over origins of how far the peer's acknowledged frontier is behind
  // ours (in sequence numbers; compacted records count too).
  uint64_t lag_records = 0;
  // Since when the peer has been behind (absl::InfinitePast when caught up).
  absl::Time behind_since = absl::InfinitePast();
};

class Session {
 public:
  Session(Replica* replica, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Handles one message of the peer. An error ends the stream (protocol
  // violation, region mismatch, store failure); refused records are not
  // errors.
  absl::Status Receive(const v1::ReplicationMessage& message);

  // Messages to send now (Hello first). Empty when there is nothing to
  // send: wait for a store change, a Receive, or the next digest time.
  absl::StatusOr<std::vector<v1::ReplicationMessage>> Poll(absl::Time now);

  // When Poll should run again even if nothing happens (records held back
  // for a lazy relay, a frontier to tell); absl::InfiniteFuture() when there
  // is no such time.
  absl::Time NextWakeAt() const;

  // Takes the peer out of the node's direct feeds (also done by the
  // destructor); call when the stream ends.
  void Close();

  SessionStats stats() const;

 private:
  // Reads what moved in the node's frontier since the last call into
  // local_ (a poll costs what changed, not the number of origins).
  void SyncLocal() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What the session knows of one origin.
  struct OriginState {
    uint64_t local = 0;    // this node's frontier (as of local_version_)
    uint64_t known = 0;    // what the peer is known to hold (Hello, Acks)
    uint64_t sent = 0;     // what was sent on this stream
    bool pending = false;  // in pending_
  };
  // Sets one field of the origin's state to `seq` and keeps pending_ and
  // lag_ right for it.
  void Set(const std::string& origin, uint64_t OriginState::*field,
           uint64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Raises what the peer is known to hold of `origin` to `seq`.
  void RaiseKnown(const std::string& origin, uint64_t seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills `batch` from the logs of the pending origins, up to local_; true
  // when more is left to send.
  absl::StatusOr<bool> AddRecords(absl::Time now, v1::RecordBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddDirectOrigins(std::vector<v1::ReplicationMessage>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddAdmissions(std::vector<v1::ReplicationMessage>* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReceiveHello(const v1::Hello& hello);
  absl::Status ReceiveRecords(const v1::RecordBatch& batch);
  void ReceiveDigest(const v1::Digest& digest);
  absl::Status ReceiveRepairRequest(const v1::RepairRequest& request);
  absl::Status ReceiveSnapshot(const v1::Snapshot& part);
  // When the floors rose since the last look: is the peer (by what it is
  // known to hold, and the floors of the last snapshot sent to it) below
  // one of them? Then a snapshot is due.
  void CheckFloors() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A node catching up with snapshots whose floors are `floors` may send
  // records to the peer: no snapshot is due to it and it is past them.
  bool MaySendWhileCatchingUp(const Frontier& floors) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Inserts the snapshot parts into `out` at `at` when one is due.
  absl::Status AddSnapshot(std::vector<v1::ReplicationMessage>* out, size_t at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateLag(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Fills `ack` with the origins of local_ that moved since they were last
  // told to the peer.
  void AdvertiseChanges(v1::Ack* ack) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Replica* const replica_;
  const SessionOptions options_;

  mutable absl::Mutex mu_;
  bool hello_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool hello_received_ ABSL_GUARDED_BY(mu_) = false;
  std::string peer_node_id_ ABSL_GUARDED_BY(mu_);
  std::string peer_region_ ABSL_GUARDED_BY(mu_);
  std::string peer_origin_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, OriginState> origins_ ABSL_GUARDED_BY(mu_);
  // The change of the node's frontier that OriginState::local is as of.
  uint64_t local_version_ ABSL_GUARDED_BY(mu_) = 0;
  // Origins whose local frontier moved since it was last told to the peer
  // (Hello, Acks); Acks carry only these.
  std::set<std::string> unadvertised_ ABSL_GUARDED_BY(mu_);
  // The origins with records to send: local above both sent and known
  // (never the peer's own origin). Kept up to date by Set, so a poll walks
  // only these, in origin order.
  std::set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  // Sum over origins of how far known is behind local.
  uint64_t lag_ ABSL_GUARDED_BY(mu_) = 0;
  // Origins the peer has its own stream with, and since when records of
  // such an origin wait to be relayed.
  std::set<std::string> peer_direct_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> held_since_ ABSL_GUARDED_BY(mu_);
  absl::Time last_poll_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // A frontier-only Ack waits for this time (advertise_interval).
  absl::Time next_advertise_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool advertise_pending_ ABSL_GUARDED_BY(mu_) = false;
  // This session's peer is in the node's direct feeds.
  bool feed_registered_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> feeds_generation_sent_ ABSL_GUARDED_BY(mu_);
  uint64_t next_batch_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t acked_batch_id_ ABSL_GUARDED_BY(mu_) = 0;
  // Hashes of the admissions the peer holds (sent or received).
  std::set<uint64_t> peer_admissions_ ABSL_GUARDED_BY(mu_);
  // Admissions generation last offered to the peer (none yet: nullopt).
  std::optional<uint64_t> admissions_generation_sent_ ABSL_GUARDED_BY(mu_);
  // The peer's Hello.admissions_digest, until compared with ours (once).
  std::optional<uint64_t> peer_admissions_digest_ ABSL_GUARDED_BY(mu_);
  // Replies made by Receive, sent by the next Poll.
  std::deque<v1::ReplicationMessage> replies_ ABSL_GUARDED_BY(mu_);
  absl::Time next_digest_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Buckets that differed in the previous digest of the peer.
  std::set<uint32_t> suspect_buckets_ ABSL_GUARDED_BY(mu_);
  // The peer was found below a floor (at its Hello, or when the floors
  // rose): a snapshot is due; it goes before the records of the same poll.
  bool snapshot_due_ ABSL_GUARDED_BY(mu_) = false;
  // The floors of the last snapshot sent to the peer.
  Frontier snapshot_floors_sent_ ABSL_GUARDED_BY(mu_);
  // Floors version of the last CheckFloors.
  std::optional<uint64_t> floors_version_ ABSL_GUARDED_BY(mu_);
  // A snapshot of the peer being received (parts so far).
  std::optional<Manifest> incoming_snapshot_ ABSL_GUARDED_BY(mu_);
  SessionStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::replication

#endif  // KAARTNET_REPLICATION_SESSION_H_
