// The node's durable state in one RocksDB database:
//
//   column family  key                         value
//   entries        entry id                    internal.StoredEntry (latest
//   record) log            origin \0 seq (big endian)  entry id changes
//   change_seq (big endian)     entry id frontier       origin node id seq
//   (fixed64) admissions     organisation id             v1.SignedAdmission
//   default        "node"                      internal.NodeMeta
//
// Every write goes through Apply: for each record the conflict rule decides
// (highest (hlc, node_id) wins), and the entry, its log record, its change
// record, the frontier and the node meta are written in one WriteBatch.
// Logs are compacted eagerly: a record that loses, or is superseded, leaves
// no log record, so each log holds at most one record per entry id and
// readers reach the current state by reading the logs after any frontier.
//
// Durability: with `sync` on (the default), Apply returns only after the
// write-ahead log is synced. Concurrent callers are group-committed: one
// leader writes the batches of every waiting caller with a single sync.
//
// Thread-safety: all methods are safe for concurrent use. Listeners are
// called by one thread at a time, in commit order, before Apply returns to
// the callers of that commit.
#ifndef KAARTNET_STORAGE_STORE_H_
#define KAARTNET_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/clock.h"
#include "common/hlc.h"
#include "kaartnet/internal/storage.pb.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "kaartnet/v1/record.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace kaartnet::storage {

struct StoreOptions {
  // Data directory; created when missing.
  std::string path;
  // This node's id; a data directory created for another node is refused.
  std::string node_id;
  // Sync the WAL before Apply returns. Only tests may turn this off.
  bool sync = true;
  // File system and clock; defaults are the real ones. Tests pass an
  // in-memory or fault-injecting Env.
  rocksdb::Env* env = nullptr;
  Clock* clock = Clock::Real();
  // When set, its high-water mark is persisted with every commit and
  // restored by Open, so the clock never runs backwards across restarts.
  HybridLogicalClock* hlc = nullptr;
  // Shared block cache size.
  size_t block_cache_bytes = 128 << 20;
};

// One backup of a store (see Store::CreateBackup).
struct BackupInfo {
  uint32_t id = 0;
  absl::Time created;
  uint64_t size_bytes = 0;
  // What the node said about it when it was made (node id, entries).
  std::string metadata;
};

// Compares versions by the conflict rule: (hlc, node_id), lexicographic.
int CompareVersions(const kaartnet::v1::Version& a,
                    const kaartnet::v1::Version& b);

// A verified record to store.
struct ApplyRecord {
  kaartnet::v1::SignedRecord signed_record;
  // signed_record.entry, parsed.
  kaartnet::v1::Entry entry;
  // Position in its origin's log. Leave origin empty for a record this node
  // originates: the store numbers it (origin_id(), next seq).
  std::string origin_node_id;
  uint64_t origin_seq = 0;
  // True when records of this origin arrive in seq order (log streaming):
  // the frontier moves to origin_seq. False for repairs that arrive out of
  // order (anti-entropy): the record is applied but the frontier stays.
  bool in_log_order = true;
  // Local publishes only: the stored version must equal this one.
  std::optional<kaartnet::v1::Version> expected_version;
  // Local publishes only: refuse when a live entry with this id exists.
  bool create_only = false;
};

// An entry to remove altogether (a withdrawal older than the tombstone
// horizon, or an entry a peer's snapshot shows is gone). Removed only when
// its stored record is still this one.
struct Removal {
  std::string id;
  std::string origin_node_id;
  uint64_t origin_seq = 0;
};

// What removals have taken away, per origin: `floors[origin]` is the highest
// seq of a removed record (a peer whose frontier lies below it may hold
// entries this node no longer knows are gone), `tombstone_mark` the highest
// version (hlc) removed. Only grow.
struct Floors {
  std::map<std::string, uint64_t> floors;
  uint64_t tombstone_mark = 0;
};

// The ids of every stored entry with the frontier and floors of the same
// state (see v1.Snapshot).
struct Manifest {
  std::map<std::string, uint64_t> frontier;
  Floors floors;
  std::vector<std::string> ids;
};

enum class ApplyOutcome {
  kApplied,             // the record is now the entry's current version
  kStale,               // an equal or newer version is stored; nothing changed
  kDuplicate,           // origin seq already covered by the frontier
  kPreconditionFailed,  // expected_version did not match
  kAlreadyExists,       // create_only and a live entry exists
};

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::kApplied;
  // Log position (assigned for local records).
  std::string origin_node_id;
  uint64_t origin_seq = 0;
  uint64_t change_seq = 0;
  // The version stored after this record (the winner).
  kaartnet::v1::Version stored_version;
  // No live entry existed before.
  bool created = false;
};

// A request to Apply: records plus frontier advances that belong to the
// same atomic step (a replication batch "through seq N").
struct WriteRequest {
  std::vector<ApplyRecord> records;
  std::vector<std::pair<std::string, uint64_t>> advance_frontier;
  // Before the records: number this node's own records under a fresh origin
  // id from seq 1 (see Store::RotateOrigin).
  bool rotate_origin = false;
  // After the records: entries to remove, and floors to take over (a
  // peer's snapshot). Removals raise the floors by themselves.
  std::vector<Removal> removals;
  Floors raise_floors;
};

// One change as seen by listeners.
struct Change {
  uint64_t change_seq = 0;
  // The entry as now stored (may be a tombstone).
  const kaartnet::v1::Entry* entry = nullptr;
  const kaartnet::internal::StoredEntry* stored = nullptr;
  // The entry was live before this change.
  bool was_live = false;
  // The version stored before this change (nullptr when the id was new).
  const kaartnet::v1::Version* previous_version = nullptr;
  // The entry was removed altogether (see Removal): `entry` holds only its
  // id, version and withdrawn, `stored` is null.
  bool removed = false;
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  // Called after the changes are durable, in commit order.
  virtual void OnChanges(absl::Span<const Change> changes) = 0;
};

struct StoreCounts {
  uint64_t live_entries = 0;
  uint64_t withdrawn_entries = 0;
};

class Store {
 public:
  // Opens or creates the store. FAILED_PRECONDITION when another process
  // holds the directory or it belongs to another node; DATA_LOSS when the
  // database is corrupt.
  static absl::StatusOr<std::unique_ptr<Store>> Open(
      const StoreOptions& options);

  virtual ~Store() = default;

  // Applies the request atomically and durably; one result per record. An
  // error (e.g. a full disk) fails the whole request and stores nothing.
  //
  // A record that arrives out of log order (a repair) for an entry this
  // node does not hold is stale when the node's frontier covers it and its
  // version is not newer than the tombstone mark: the node has seen that
  // record, and the entry was removed after a newer withdrawal.
  virtual absl::StatusOr<std::vector<ApplyResult>> Apply(
      WriteRequest request) = 0;

  // Removes entries (WriteRequest::removals) and takes over floors in one
  // atomic, durable step; returns how many entries were removed.
  virtual absl::StatusOr<size_t> Remove(std::vector<Removal> removals,
                                        Floors raise_floors) = 0;
  virtual Floors GetFloors() const = 0;
  // Changes whenever the floors rise: in memory before the removals are
  // written (whoever sees a removal in the store sees its floor), and once
  // more when they are written (whoever read the store before sees them
  // rise again).
  virtual uint64_t FloorsVersion() const = 0;
  // The ids of every stored entry, with the frontier and floors, from one
  // consistent state.
  virtual absl::StatusOr<Manifest> ReadManifest() const = 0;

  // The stored entry, or nullopt when unknown.
  virtual absl::StatusOr<std::optional<kaartnet::internal::StoredEntry>> Get(
      absl::string_view id) const = 0;

  // Calls `fn` for every stored entry in id order, from a consistent
  // snapshot, until it returns false.
  virtual absl::Status ForEachEntry(
      const std::function<bool(const kaartnet::internal::StoredEntry&)>& fn)
      const = 0;
  // The same, with each entry's id.
  virtual absl::Status ForEachEntryWithId(
      const std::function<bool(absl::string_view id,
                               const kaartnet::internal::StoredEntry&)>& fn)
      const = 0;

  // Log records of `origin` with seq > after_seq, in seq order, at most
  // `limit`.
  virtual absl::StatusOr<std::vector<kaartnet::v1::LogRecord>> ReadLog(
      absl::string_view origin, uint64_t after_seq, size_t limit) const = 0;

  // Entries changed after `after_change_seq`, in change order, at most
  // `limit` (each entry once, at its latest change).
  virtual absl::StatusOr<std::vector<kaartnet::internal::StoredEntry>>
  ReadChanges(uint64_t after_change_seq, size_t limit) const = 0;

  virtual std::map<std::string, uint64_t> Frontier() const = 0;
  // One origin of it (0 when unknown), without copying the rest.
  virtual uint64_t FrontierOf(const std::string& origin) const = 0;
  // The origins whose frontier moved after change `since` of the frontier
  // (0: every origin), with their seq now; returns the change to pass as
  // `since` next time. Costs what moved, not the number of origins.
  virtual uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const = 0;
  virtual uint64_t last_change_seq() const = 0;
  virtual StoreCounts counts() const = 0;
  virtual const std::string& node_id() const = 0;
  // "<node_id>.<random>": the origin under which this node's own records
  // are numbered (see internal.NodeMeta.origin_id).
  virtual std::string origin_id() const = 0;
  // Continues this node's own log under a fresh origin id. For a node
  // restored from an old backup: its peers hold records of its origin past
  // its own seq, and records it numbered again there would look like
  // duplicates to them. The old origin stays an ordinary log.
  absl::Status RotateOrigin() {
    WriteRequest request;
    request.rotate_origin = true;
    return Apply(std::move(request)).status();
  }

  // Admissions are few and change rarely; stored outside Apply.
  // Stores admissions (by organisation id) with one durable write.
  virtual absl::Status PutAdmissions(
      const std::vector<std::pair<std::string, kaartnet::v1::SignedAdmission>>&
          admissions) = 0;
  virtual absl::StatusOr<std::vector<kaartnet::v1::SignedAdmission>>
  ListAdmissions() const = 0;

  // Small state of the node's other parts, kept with the store (durable;
  // not part of backups' meaning beyond being copied). Keys by the caller,
  // e.g. "pending_snapshot/<peer>".
  virtual absl::Status PutMeta(absl::string_view key,
                               absl::string_view value) = 0;
  virtual absl::Status DeleteMeta(absl::string_view key) = 0;
  // Every (key, value) whose key starts with `prefix`, in key order.
  virtual absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  ListMeta(absl::string_view prefix) const = 0;

  // Forces erased content out of every file: flushes memtables, compacts
  // every column family down to the bottommost level and drops old WAL
  // files. Slow; call after applying erasures.
  virtual absl::Status PurgeObsoleteData() = 0;

  // Copies a consistent state of the store into `backup_dir` with RocksDB's
  // BackupEngine, while the store keeps serving: files shared with earlier
  // backups there are not copied again. Keeps the newest `keep` backups
  // (0: all).
  virtual absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                                  const std::string& metadata,
                                                  uint32_t keep) = 0;

  // Bytes on disk (SST + WAL) as reported by RocksDB.
  virtual uint64_t DiskBytes() const = 0;

  // RocksDB's own figures, summed over the column families, by property
  // name without the "rocksdb." prefix: estimate-num-keys,
  // estimate-live-data-size, cur-size-all-mem-tables,
  // estimate-pending-compaction-bytes, num-running-compactions,
  // num-running-flushes, background-errors, num-live-versions.
  virtual std::vector<std::pair<std::string, uint64_t>> EngineStats() const = 0;

  // Adds a listener (not owned; must outlive the store or be removed).
  virtual void AddListener(ChangeListener* listener) = 0;
  virtual void RemoveListener(ChangeListener* listener) = 0;
};

// The backups in `backup_dir`, oldest first.
absl::StatusOr<std::vector<BackupInfo>> ListBackups(
    const std::string& backup_dir);

// The name of the file in a data directory that holds the node's peer
// list; a restore keeps it.
inline constexpr char kPeersFile[] = "peers.txt";
// Left in a data directory by RestoreBackup: the next Open numbers this
// node's own records under a fresh origin id before anything is written,
// so records the node made after the backup (which its peers hold) are
// never numbered again.
inline constexpr char kRestoredMarker[] = "RESTORED";

// Makes backup `id` (0: the newest) of `backup_dir` the data directory
// `path`, after verifying its checksums. No node may be running on `path`
// (FAILED_PRECONDITION). What `path` held moves aside to
// `<path>.before-restore-<UTC time>` (returned; empty when `path` did not
// exist); the peer list (kPeersFile) is carried over.
absl::StatusOr<std::string> RestoreBackup(const std::string& backup_dir,
                                          uint32_t id, const std::string& path,
                                          absl::Time now);

}  // namespace kaartnet::storage

#endif  // KAARTNET_STORAGE_STORE_H_
