// RocksDB implementation of storage::Store. See store.h for the layout.
#include <deque>
#include <filesystem>
#include <fstream>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/frontier_log.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/transaction_log.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"
#include "storage/store.h"
#include "trust/keys.h"

namespace kaartnet::storage {
namespace {

// "<node_id>.<8 hex digits>": unique per data directory and rotation.
std::string NewOriginId(const std::string& node_id) {
  return absl::StrCat(node_id, ".",
                      absl::BytesToHexString(trust::RandomBytes(4)));
}

using ::kaartnet::internal::NodeMeta;
using ::kaartnet::internal::StoredEntry;

// 2: floors and the tombstone mark in the default column family (a
// kaartnetd of format 1 would ignore them and bring removed entries back).
constexpr uint32_t kFormatVersion = 2;
constexpr char kMetaKey[] = "node";
// Default column family: "floor\0<origin>" -> seq (fixed64 big endian),
// kTombstoneMarkKey -> hlc, kMetaPrefix + key -> PutMeta values.
constexpr absl::string_view kFloorPrefix("floor\0", 6);
constexpr char kTombstoneMarkKey[] = "tombstone_mark";
// PutMeta keys, below this prefix.
constexpr absl::string_view kMetaPrefix = "meta/";

enum ColumnFamily {
  kDefault = 0,
  kEntries,
  kLog,
  kChanges,
  kFrontier,
  kAdmissions,
  kCount
};
const char* const kColumnFamilyNames[kCount] = {
    "default", "entries", "log", "changes", "frontier", "admissions"};

std::string EncodeFixed64BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeFixed64BigEndian(absl::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(s[i]);
  }
  return v;
}

std::string LogKey(absl::string_view origin, uint64_t seq) {
  return absl::StrCat(origin, absl::string_view("\0", 1),
                      EncodeFixed64BigEndian(seq));
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(message);
  if (s.IsIOError()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

BackupInfo ToBackupInfo(const rocksdb::BackupInfo& info) {
  BackupInfo out;
  out.id = info.backup_id;
  out.created = absl::FromUnixSeconds(info.timestamp);
  out.size_bytes = info.size;
  out.metadata = info.app_metadata;
  return out;
}

// Like RETURN_IF_ERROR for rocksdb::Status (NotFound passes).
#define RETURN_IF_ROCKS(expr, what)                               \
  do {                                                            \
    rocksdb::Status _s = (expr);                                  \
    if (!_s.ok() && !_s.IsNotFound()) return FromRocks(_s, what); \
  } while (0)

// One caller of Apply waiting in the group-commit queue.
struct Writer {
  WriteRequest* request;
  std::vector<ApplyResult> results;
  size_t removed = 0;
  absl::Status status;
  bool done = false;
  absl::CondVar cv;
};

class RocksDbStore final : public Store {
 public:
  RocksDbStore(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
               std::vector<rocksdb::ColumnFamilyHandle*> handles, NodeMeta meta,
               std::map<std::string, uint64_t> frontier, Floors floors)
      : options_(options),
        db_(std::move(db)),
        handles_(std::move(handles)),
        meta_(std::move(meta)),
        frontier_(frontier),
        floors_(std::move(floors)) {}

  ~RocksDbStore() override {
    for (auto* handle : handles_) {
      if (handle != db_->DefaultColumnFamily())
        db_->DestroyColumnFamilyHandle(handle);
    }
    rocksdb::Status s = db_->Close();
    if (!s.ok()) KLOG(WARNING) << "storage: close: " << s.ToString();
  }

  absl::StatusOr<std::vector<ApplyResult>> Apply(
      WriteRequest request) override {
    Writer w;
    w.request = &request;
    RETURN_IF_ERROR(Submit(&w));
    return std::move(w.results);
  }

  absl::StatusOr<size_t> Remove(std::vector<Removal> removals,
                                Floors raise_floors) override {
    // In steps of at most 1,024, so writers wait for no long commit; the
    // floors taken over go with the last.
    constexpr size_t kStep = 1024;
    size_t removed = 0;
    size_t from = 0;
    do {
      const size_t to = std::min(removals.size(), from + kStep);
      WriteRequest request;
      request.removals.assign(std::make_move_iterator(removals.begin() + from),
                              std::make_move_iterator(removals.begin() + to));
      if (to == removals.size()) request.raise_floors = std::move(raise_floors);
      Writer w;
      w.request = &request;
      RETURN_IF_ERROR(Submit(&w));
      removed += w.removed;
      from = to;
    } while (from < removals.size());
    return removed;
  }

  Floors GetFloors() const override {
    absl::MutexLock lock(&state_mu_);
    return floors_;
  }

  uint64_t FloorsVersion() const override {
    absl::MutexLock lock(&state_mu_);
    return floors_version_;
  }

  absl::StatusOr<Manifest> ReadManifest() const override {
    Manifest manifest;
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    read_options.snapshot = snapshot;
    absl::Status status =
        ReadState(read_options, handles_, &manifest.frontier, &manifest.floors);
    if (status.ok()) {
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(read_options, handles_[kEntries]));
      for (it->SeekToFirst(); it->Valid(); it->Next())
        manifest.ids.push_back(it->key().ToString());
      status = FromRocks(it->status(), "list entries");
    }
    db_->ReleaseSnapshot(snapshot);
    if (!status.ok()) return status;
    return manifest;
  }

  // The frontier and floors as stored (Open, ReadManifest).
  static absl::Status ReadState(
      const rocksdb::ReadOptions& read_options,
      const std::vector<rocksdb::ColumnFamilyHandle*>& handles, rocksdb::DB* db,
      std::map<std::string, uint64_t>* frontier, Floors* floors);
  absl::Status ReadState(
      const rocksdb::ReadOptions& read_options,
      const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
      std::map<std::string, uint64_t>* frontier, Floors* floors) const {
    return ReadState(read_options, handles, db_.get(), frontier, floors);
  }

  absl::StatusOr<std::optional<StoredEntry>> Get(
      absl::string_view id) const override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kEntries],
                                 rocksdb::Slice(id.data(), id.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    RETURN_IF_ROCKS(s, "read entry");
    StoredEntry stored;
    if (!stored.ParseFromString(value)) {
      return absl::DataLossError(
          absl::StrCat("stored entry ", id, " does not parse"));
    }
    return stored;
  }

  absl::Status ForEachEntry(
      const std::function<bool(const StoredEntry&)>& fn) const override {
    return ForEachEntryWithId(
        [&](absl::string_view, const StoredEntry& stored) {
          return fn(stored);
        });
  }

  absl::Status ForEachEntryWithId(
      const std::function<bool(absl::string_view, const StoredEntry&)>& fn)
      const override {
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read_options, handles_[kEntries]));
    StoredEntry stored;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!stored.ParseFromArray(it->value().data(),
                                 static_cast<int>(it->value().size()))) {
        return absl::DataLossError(absl::StrCat(
            "stored entry ", it->key().ToString(), " does not parse"));
      }
      if (!fn(absl::string_view(it->key().data(), it->key().size()), stored))
        break;
    }
    return FromRocks(it->status(), "scan entries");
  }

  absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(
      absl::string_view origin, uint64_t after_seq,
      size_t limit) const override {
    std::vector<v1::LogRecord> out;
    const std::string prefix = absl::StrCat(origin, absl::string_view("\0", 1));
    const std::string start = LogKey(origin, after_seq + 1);
    rocksdb::ReadOptions read_options;
    // A snapshot keeps the log and the entries it points to consistent.
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    read_options.snapshot = snapshot;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read_options, handles_[kLog]));
    absl::Status status;
    for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
      const rocksdb::Slice key = it->key();
      if (!key.starts_with(prefix)) break;
      const uint64_t seq = DecodeFixed64BigEndian(absl::string_view(
          key.data() + prefix.size(), key.size() - prefix.size()));
      std::string value;
      rocksdb::Status s =
          db_->Get(read_options, handles_[kEntries], it->value(), &value);
      if (!s.ok()) {
        status = FromRocks(s, absl::StrCat("log ", origin, "/", seq,
                                           " points to a missing entry"));
        break;
      }
      StoredEntry stored;
      stored.ParseFromString(value);
      // A log key taken over by another entry: only after a node restored
      // from an old backup numbered records again under its old origin.
      // That entry's current record is not this one; anti-entropy repairs
      // what the log no longer carries.
      if (stored.origin_node_id() != origin || stored.origin_seq() != seq)
        continue;
      v1::LogRecord& record = out.emplace_back();
      record.set_origin_node_id(std::string(origin));
      record.set_seq(seq);
      *record.mutable_record() = std::move(*stored.mutable_record());
    }
    if (status.ok()) status = FromRocks(it->status(), "read log");
    it.reset();
    db_->ReleaseSnapshot(snapshot);
    if (!status.ok()) return status;
    return out;
  }

  absl::StatusOr<std::vector<StoredEntry>> ReadChanges(
      uint64_t after_change_seq, size_t limit) const override {
    std::vector<StoredEntry> out;
    rocksdb::ReadOptions read_options;
    const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
    read_options.snapshot = snapshot;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read_options, handles_[kChanges]));
    absl::Status status;
    for (it->Seek(EncodeFixed64BigEndian(after_change_seq + 1));
         it->Valid() && out.size() < limit; it->Next()) {
      std::string value;
      rocksdb::Status s =
          db_->Get(read_options, handles_[kEntries], it->value(), &value);
      if (!s.ok()) {
        status = FromRocks(s, "change points to a missing entry");
        break;
      }
      out.emplace_back().ParseFromString(value);
    }
    if (status.ok()) status = FromRocks(it->status(), "read changes");
    it.reset();
    db_->ReleaseSnapshot(snapshot);
    if (!status.ok()) return status;
    return out;
  }

  std::map<std::string, uint64_t> Frontier() const override {
    absl::MutexLock lock(&state_mu_);
    return frontier_.ToMap();
  }

  uint64_t FrontierOf(const std::string& origin) const override {
    absl::MutexLock lock(&state_mu_);
    return frontier_.Get(origin);
  }

  uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const override {
    absl::MutexLock lock(&state_mu_);
    return frontier_.ChangesSince(since, changed);
  }

  uint64_t last_change_seq() const override {
    absl::MutexLock lock(&state_mu_);
    return meta_.change_seq();
  }

  StoreCounts counts() const override {
    absl::MutexLock lock(&state_mu_);
    return {meta_.live_entries(), meta_.withdrawn_entries()};
  }

  const std::string& node_id() const override { return options_.node_id; }
  std::string origin_id() const override {
    absl::MutexLock lock(&state_mu_);
    return meta_.origin_id();
  }

  absl::Status PutAdmissions(
      const std::vector<std::pair<std::string, v1::SignedAdmission>>&
          admissions) override {
    rocksdb::WriteBatch batch;
    for (const auto& [organisation_id, admission] : admissions) {
      batch.Put(handles_[kAdmissions], organisation_id,
                admission.SerializeAsString());
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    return FromRocks(db_->Write(write_options, &batch), "store admissions");
  }

  absl::StatusOr<std::vector<v1::SignedAdmission>> ListAdmissions()
      const override {
    std::vector<v1::SignedAdmission> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kAdmissions]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!out.emplace_back().ParseFromArray(
              it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(absl::StrCat(
            "stored admission ", it->key().ToString(), " does not parse"));
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "list admissions"));
    return out;
  }

  absl::Status PutMeta(absl::string_view key,
                       absl::string_view value) override {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    return FromRocks(db_->Put(write_options, handles_[kDefault],
                              absl::StrCat(kMetaPrefix, key),
                              rocksdb::Slice(value.data(), value.size())),
                     absl::StrCat("store ", key));
  }

  absl::Status DeleteMeta(absl::string_view key) override {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    return FromRocks(db_->Delete(write_options, handles_[kDefault],
                                 absl::StrCat(kMetaPrefix, key)),
                     absl::StrCat("delete ", key));
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ListMeta(
      absl::string_view prefix) const override {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string start = absl::StrCat(kMetaPrefix, prefix);
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[kDefault]));
    for (it->Seek(start); it->Valid() && it->key().starts_with(start);
         it->Next()) {
      out.emplace_back(it->key().ToString().substr(kMetaPrefix.size()),
                       it->value().ToString());
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "list stored state"));
    return out;
  }

  absl::Status PurgeObsoleteData() override {
    // One purge at a time; writes continue meanwhile.
    absl::MutexLock purge_lock(&purge_mu_);
    rocksdb::FlushOptions flush_options;
    flush_options.wait = true;
    RETURN_IF_ERROR(FromRocks(db_->Flush(flush_options, handles_), "flush"));
    rocksdb::CompactRangeOptions compact_options;
    compact_options.bottommost_level_compaction =
        rocksdb::BottommostLevelCompaction::kForceOptimized;
    compact_options.exclusive_manual_compaction = false;
    for (auto* handle : handles_) {
      RETURN_IF_ERROR(FromRocks(
          db_->CompactRange(compact_options, handle, nullptr, nullptr),
          "compact"));
    }
    // With every memtable flushed, each WAL file before the current one is
    // obsolete and RocksDB deletes it; a last flush also retires the WAL
    // that was current during the compaction.
    return FromRocks(db_->Flush(flush_options, handles_), "flush");
  }

  absl::StatusOr<BackupInfo> CreateBackup(const std::string& backup_dir,
                                          const std::string& metadata,
                                          uint32_t keep) override {
    // One backup at a time; writes continue meanwhile (the engine copies
    // the live files of a flushed, consistent state and keeps RocksDB from
    // deleting them until it is done).
    absl::MutexLock backup_lock(&purge_mu_);
    rocksdb::BackupEngine* raw = nullptr;
    RETURN_IF_ERROR(FromRocks(
        rocksdb::BackupEngine::Open(
            db_->GetEnv(), rocksdb::BackupEngineOptions(backup_dir), &raw),
        absl::StrCat("open backup directory ", backup_dir)));
    std::unique_ptr<rocksdb::BackupEngine> engine(raw);
    rocksdb::BackupID id = 0;
    RETURN_IF_ERROR(
        FromRocks(engine->CreateNewBackupWithMetadata(
                      rocksdb::CreateBackupOptions(), db_.get(), metadata, &id),
                  "create backup"));
    if (keep > 0) {
      RETURN_IF_ERROR(
          FromRocks(engine->PurgeOldBackups(keep), "remove old backups"));
    }
    rocksdb::BackupInfo info;
    RETURN_IF_ERROR(
        FromRocks(engine->GetBackupInfo(id, &info), "read the new backup"));
    return ToBackupInfo(info);
  }

  uint64_t DiskBytes() const override {
    uint64_t total = 0;
    for (auto* handle : handles_) {
      uint64_t v = 0;
      if (db_->GetIntProperty(handle, "rocksdb.total-sst-files-size", &v))
        total += v;
    }
    rocksdb::VectorLogPtr wal_files;
    if (db_->GetSortedWalFiles(wal_files).ok()) {
      for (const auto& file : wal_files) total += file->SizeFileBytes();
    }
    return total;
  }

  std::vector<std::pair<std::string, uint64_t>> EngineStats() const override {
    std::vector<std::pair<std::string, uint64_t>> stats;
    for (const char* name :
         {"estimate-num-keys", "estimate-live-data-size",
          "cur-size-all-mem-tables", "estimate-pending-compaction-bytes",
          "num-running-compactions", "num-running-flushes", "background-errors",
          "num-live-versions"}) {
      uint64_t total = 0;
      for (auto* handle : handles_) {
        uint64_t v = 0;
        if (db_->GetIntProperty(handle, absl::StrCat("rocksdb.", name), &v))
          total += v;
      }
      stats.emplace_back(name, total);
    }
    return stats;
  }

  void AddListener(ChangeListener* listener) override {
    absl::MutexLock lock(&notify_mu_);
    listeners_.push_back(listener);
  }

  void RemoveListener(ChangeListener* listener) override {
    absl::MutexLock lock(&notify_mu_);
    listeners_.erase(
        std::remove(listeners_.begin(), listeners_.end(), listener),
        listeners_.end());
  }

 private:
  // Queues `w` for the group commit and returns when its request is
  // durable (or failed).
  absl::Status Submit(Writer* w);
  // Builds and writes one batch for `group`; fills each writer's results.
  absl::Status CommitGroup(const std::vector<Writer*>& group);

  // Const after construction.
  const StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  // Group commit queue.
  absl::Mutex queue_mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(queue_mu_);

  // State that only the current leader changes; readers take state_mu_.
  mutable absl::Mutex state_mu_;
  NodeMeta meta_ ABSL_GUARDED_BY(state_mu_);
  FrontierLog frontier_ ABSL_GUARDED_BY(state_mu_);
  Floors floors_ ABSL_GUARDED_BY(state_mu_);
  uint64_t floors_version_ ABSL_GUARDED_BY(state_mu_) = 0;

  absl::Mutex notify_mu_;
  std::vector<ChangeListener*> listeners_ ABSL_GUARDED_BY(notify_mu_);

  absl::Mutex purge_mu_;
};

absl::Status RocksDbStore::ReadState(
    const rocksdb::ReadOptions& read_options,
    const std::vector<rocksdb::ColumnFamilyHandle*>& handles, rocksdb::DB* db,
    std::map<std::string, uint64_t>* frontier, Floors* floors) {
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(read_options, handles[kFrontier]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    (*frontier)[it->key().ToString()] = DecodeFixed64BigEndian(
        absl::string_view(it->value().data(), it->value().size()));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the frontier"));
  it.reset(db->NewIterator(read_options, handles[kDefault]));
  const rocksdb::Slice prefix(kFloorPrefix.data(), kFloorPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    floors->floors[it->key().ToString().substr(prefix.size())] =
        DecodeFixed64BigEndian(
            absl::string_view(it->value().data(), it->value().size()));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read the floors"));
  std::string value;
  rocksdb::Status s =
      db->Get(read_options, handles[kDefault], kTombstoneMarkKey, &value);
  RETURN_IF_ROCKS(s, "read the tombstone mark");
  if (s.ok()) floors->tombstone_mark = DecodeFixed64BigEndian(value);
  return absl::OkStatus();
}

absl::Status RocksDbStore::Submit(Writer* submitted) {
  Writer& w = *submitted;
  queue_mu_.Lock();
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.Wait(&queue_mu_);
  if (w.done) {
    queue_mu_.Unlock();
    return w.status;
  }
  // Leader: take every waiting writer, up to a bounded group size.
  std::vector<Writer*> group;
  size_t records = 0;
  for (Writer* writer : writers_) {
    const size_t size =
        writer->request->records.size() + writer->request->removals.size();
    if (!group.empty() && records + size > 4096) break;
    group.push_back(writer);
    records += size;
  }
  queue_mu_.Unlock();

  const absl::Status status = CommitGroup(group);

  queue_mu_.Lock();
  for (Writer* writer : group) {
    writers_.pop_front();
    if (writer != &w) {
      if (!status.ok()) writer->status = status;
      writer->done = true;
      writer->cv.Signal();
    }
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  queue_mu_.Unlock();
  return status;
}

absl::Status RocksDbStore::CommitGroup(const std::vector<Writer*>& group) {
  NodeMeta meta;
  uint64_t tombstone_mark = 0;
  {
    absl::MutexLock lock(&state_mu_);
    meta = meta_;
    tombstone_mark = floors_.tombstone_mark;
  }
  const uint64_t tombstone_mark_before = tombstone_mark;
  // Floors this group raises (over floors_, like `moved` over frontier_).
  absl::flat_hash_map<std::string, uint64_t> floors_moved;
  auto raise_floor = [&](const std::string& origin, uint64_t seq) {
    auto it = floors_moved.find(origin);
    uint64_t now = 0;
    if (it != floors_moved.end()) {
      now = it->second;
    } else {
      absl::MutexLock lock(&state_mu_);
      if (auto f = floors_.floors.find(origin); f != floors_.floors.end())
        now = f->second;
    }
    if (seq > now) floors_moved[origin] = seq;
  };
  // The origins this group moves, over frontier_ (which only the committing
  // leader changes): no copy of every origin per commit.
  absl::flat_hash_map<std::string, uint64_t> moved;
  auto frontier_of = [&](const std::string& origin) -> uint64_t {
    if (auto it = moved.find(origin); it != moved.end()) return it->second;
    absl::MutexLock lock(&state_mu_);
    return frontier_.Get(origin);
  };
  auto raise = [&](const std::string& origin, uint64_t seq) {
    if (seq > frontier_of(origin)) moved[origin] = seq;
  };
  rocksdb::WriteBatch batch;
  // Entries changed (nullopt: removed) earlier in this group, so later
  // records compare against them rather than against the database.
  absl::flat_hash_map<std::string, std::optional<StoredEntry>> overlay;
  auto current_of =
      [&](const std::string& id) -> absl::StatusOr<std::optional<StoredEntry>> {
    if (auto it = overlay.find(id); it != overlay.end()) return it->second;
    return Get(id);
  };
  struct PendingChange {
    const v1::Entry* entry;
    StoredEntry stored;
    bool was_live;
    std::optional<v1::Version> previous_version;
    // A removal: `entry` points to `removed_entry`.
    bool removed = false;
    std::unique_ptr<v1::Entry> removed_entry;
  };
  std::vector<PendingChange> pending;
  // Takes an entry's stored version out of its log, the changes feed and
  // the counts (it is replaced or removed).
  auto retire = [&](const StoredEntry& current) {
    batch.Delete(handles_[kLog],
                 LogKey(current.origin_node_id(), current.origin_seq()));
    batch.Delete(handles_[kChanges],
                 EncodeFixed64BigEndian(current.change_seq()));
    if (current.withdrawn()) {
      meta.set_withdrawn_entries(meta.withdrawn_entries() - 1);
    } else {
      meta.set_live_entries(meta.live_entries() - 1);
    }
  };
  const int64_t now_micros = absl::ToUnixMicros(options_.clock->Now());

  for (Writer* writer : group) {
    if (writer->request->rotate_origin) {
      meta.set_origin_id(NewOriginId(options_.node_id));
      meta.set_own_seq(0);
    }
    writer->results.clear();
    writer->results.reserve(writer->request->records.size());
    for (ApplyRecord& record : writer->request->records) {
      ApplyResult& result = writer->results.emplace_back();
      const v1::Entry& entry = record.entry;
      const bool local = record.origin_node_id.empty();
      if (!local && record.in_log_order) {
        if (record.origin_seq <= frontier_of(record.origin_node_id)) {
          result.outcome = ApplyOutcome::kDuplicate;
          result.origin_node_id = record.origin_node_id;
          result.origin_seq = record.origin_seq;
          continue;
        }
      }
      // Current state of the entry.
      ASSIGN_OR_RETURN(std::optional<StoredEntry> current,
                       current_of(entry.id()));
      const bool was_live = current.has_value() && !current->withdrawn();
      // A repair of an entry removed after a newer withdrawal (see Apply).
      if (!local && !record.in_log_order && !current.has_value() &&
          record.origin_seq <= frontier_of(record.origin_node_id) &&
          entry.version().hlc() <= tombstone_mark) {
        result.outcome = ApplyOutcome::kStale;
        result.origin_node_id = record.origin_node_id;
        result.origin_seq = record.origin_seq;
        continue;
      }
      auto advance_frontier = [&] {
        if (!local && record.in_log_order)
          raise(record.origin_node_id, record.origin_seq);
      };
      if (record.expected_version.has_value() &&
          (!current.has_value() ||
           CompareVersions(current->version(), *record.expected_version) !=
               0)) {
        result.outcome = ApplyOutcome::kPreconditionFailed;
        if (current.has_value()) result.stored_version = current->version();
        continue;
      }
      if (record.create_only && was_live) {
        result.outcome = ApplyOutcome::kAlreadyExists;
        result.stored_version = current->version();
        continue;
      }
      if (current.has_value() &&
          CompareVersions(entry.version(), current->version()) <= 0) {
        result.outcome = ApplyOutcome::kStale;
        result.stored_version = current->version();
        result.origin_node_id = record.origin_node_id;
        result.origin_seq = record.origin_seq;
        advance_frontier();
        continue;
      }
      // The record wins.
      if (local) {
        meta.set_own_seq(meta.own_seq() + 1);
        record.origin_node_id = meta.origin_id();
        record.origin_seq = meta.own_seq();
        // (Raised like every origin, so memory and disk agree.)
        raise(meta.origin_id(), meta.own_seq());
      } else {
        advance_frontier();
      }
      meta.set_change_seq(meta.change_seq() + 1);
      if (current.has_value()) retire(*current);
      StoredEntry stored;
      *stored.mutable_record() = record.signed_record;
      stored.set_origin_node_id(record.origin_node_id);
      stored.set_origin_seq(record.origin_seq);
      stored.set_change_seq(meta.change_seq());
      stored.set_applied_at_micros(now_micros);
      *stored.mutable_version() = entry.version();
      stored.set_withdrawn(entry.withdrawn());
      stored.set_erased(entry.erased());
      stored.set_organisation_id(entry.organisation_id());
      if (entry.withdrawn()) {
        meta.set_withdrawn_entries(meta.withdrawn_entries() + 1);
      } else {
        meta.set_live_entries(meta.live_entries() + 1);
      }
      batch.Put(handles_[kEntries], entry.id(), stored.SerializeAsString());
      batch.Put(handles_[kLog],
                LogKey(record.origin_node_id, record.origin_seq), entry.id());
      batch.Put(handles_[kChanges], EncodeFixed64BigEndian(meta.change_seq()),
                entry.id());
      result.outcome = ApplyOutcome::kApplied;
      result.origin_node_id = record.origin_node_id;
      result.origin_seq = record.origin_seq;
      result.change_seq = meta.change_seq();
      result.stored_version = entry.version();
      result.created = !was_live;
      PendingChange& change = pending.emplace_back();
      change.entry = &entry;
      change.stored = stored;
      change.was_live = was_live;
      if (current.has_value()) change.previous_version = current->version();
      overlay[entry.id()] = std::move(stored);
    }
    for (const auto& [origin, seq] : writer->request->advance_frontier)
      raise(origin, seq);
    writer->removed = 0;
    for (const Removal& removal : writer->request->removals) {
      ASSIGN_OR_RETURN(std::optional<StoredEntry> current,
                       current_of(removal.id));
      if (!current.has_value() ||
          current->origin_node_id() != removal.origin_node_id ||
          current->origin_seq() != removal.origin_seq) {
        continue;  // changed since the caller looked
      }
      batch.Delete(handles_[kEntries], removal.id);
      retire(*current);
      raise_floor(removal.origin_node_id, removal.origin_seq);
      tombstone_mark = std::max(tombstone_mark, current->version().hlc());
      meta.set_change_seq(meta.change_seq() + 1);
      PendingChange& change = pending.emplace_back();
      change.removed = true;
      change.removed_entry = std::make_unique<v1::Entry>();
      change.removed_entry->set_id(removal.id);
      change.removed_entry->set_withdrawn(true);
      *change.removed_entry->mutable_version() = current->version();
      change.entry = change.removed_entry.get();
      change.stored.set_change_seq(meta.change_seq());
      change.was_live = !current->withdrawn();
      change.previous_version = current->version();
      overlay[removal.id] = std::nullopt;
      ++writer->removed;
    }
    for (const auto& [origin, seq] : writer->request->raise_floors.floors)
      raise_floor(origin, seq);
    tombstone_mark =
        std::max(tombstone_mark, writer->request->raise_floors.tombstone_mark);
  }
  for (const auto& [origin, seq] : moved)
    batch.Put(handles_[kFrontier], origin, EncodeFixed64BigEndian(seq));
  for (const auto& [origin, seq] : floors_moved) {
    batch.Put(handles_[kDefault], absl::StrCat(kFloorPrefix, origin),
              EncodeFixed64BigEndian(seq));
  }
  if (tombstone_mark != tombstone_mark_before) {
    batch.Put(handles_[kDefault], kTombstoneMarkKey,
              EncodeFixed64BigEndian(tombstone_mark));
  }
  if (options_.hlc != nullptr) {
    meta.set_hlc_high_water(
        std::max(meta.hlc_high_water(), options_.hlc->HighWater()));
  }
  batch.Put(handles_[kDefault], kMetaKey, meta.SerializeAsString());

  // Floors rise before the removals land (a failed write leaves them higher
  // than needed, which costs at most a snapshot): a session that reads a
  // log without a removed record then sees the floor that says so.
  std::optional<Floors> floors_before;
  if (!floors_moved.empty() || tombstone_mark != tombstone_mark_before) {
    absl::MutexLock lock(&state_mu_);
    floors_before = floors_;
    for (const auto& [origin, seq] : floors_moved) {
      uint64_t& floor = floors_.floors[origin];
      floor = std::max(floor, seq);
    }
    floors_.tombstone_mark = std::max(floors_.tombstone_mark, tombstone_mark);
    ++floors_version_;
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  const absl::Status written =
      FromRocks(db_->Write(write_options, &batch), "write");
  if (!written.ok()) {
    // Nothing was removed: the floors go back (a session that saw them
    // sent a snapshot too many, no more).
    if (floors_before.has_value()) {
      absl::MutexLock lock(&state_mu_);
      floors_ = std::move(*floors_before);
      ++floors_version_;
    }
    return written;
  }

  {
    absl::MutexLock lock(&state_mu_);
    meta_ = meta;
    for (const auto& [origin, seq] : moved) frontier_.Raise(origin, seq);
    if (floors_before.has_value()) ++floors_version_;
  }
  if (!pending.empty()) {
    // In commit order; an id changed twice in one group appears twice and
    // listeners end at its final state.
    std::vector<Change> changes;
    changes.reserve(pending.size());
    for (const PendingChange& p : pending) {
      changes.push_back(Change{
          p.stored.change_seq(), p.entry, p.removed ? nullptr : &p.stored,
          p.was_live,
          p.previous_version.has_value() ? &*p.previous_version : nullptr,
          p.removed});
    }
    absl::MutexLock lock(&notify_mu_);
    for (ChangeListener* listener : listeners_) listener->OnChanges(changes);
  }
  return absl::OkStatus();
}

}  // namespace

int CompareVersions(const v1::Version& a, const v1::Version& b) {
  if (a.hlc() != b.hlc()) return a.hlc() < b.hlc() ? -1 : 1;
  return a.node_id().compare(b.node_id()) < 0
             ? -1
             : (a.node_id() == b.node_id() ? 0 : 1);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(
    const StoreOptions& options) {
  if (options.path.empty())
    return absl::InvalidArgumentError("storage: no data directory given");
  if (options.node_id.empty())
    return absl::InvalidArgumentError("storage: no node id given");

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  db_options.max_total_wal_size = 64 << 20;
  db_options.WAL_ttl_seconds = 0;
  db_options.WAL_size_limit_MB = 0;
  if (options.env != nullptr) db_options.env = options.env;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kCount; ++i) {
    rocksdb::ColumnFamilyOptions cf_options;
    rocksdb::BlockBasedTableOptions table_options;
    table_options.block_cache = cache;
    table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table_options.cache_index_and_filter_blocks = true;
    cf_options.table_factory.reset(
        rocksdb::NewBlockBasedTableFactory(table_options));
    cf_options.write_buffer_size = 16 << 20;
    descriptors.emplace_back(kColumnFamilyNames[i], cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors,
                                        &handles, &raw_db);
  if (!s.ok()) {
    const std::string text = s.ToString();
    if (s.IsIOError() &&
        (absl::StrContains(text, "LOCK") || absl::StrContains(text, "lock"))) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", options.path,
                       " is in use by another process (is another kaartnetd "
                       "running on it?): ",
                       text));
    }
    if (s.IsCorruption()) {
      return absl::DataLossError(
          absl::StrCat("data directory ", options.path, " is corrupt: ", text,
                       ". Restore it from a backup (kaart admin restore) or "
                       "move it aside and let the "
                       "node bootstrap from its peers."));
    }
    return FromRocks(s, absl::StrCat("open data directory ", options.path));
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);

  NodeMeta meta;
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), handles[kDefault], kMetaKey, &value);
  if (s.IsNotFound()) {
    meta.set_node_id(options.node_id);
    meta.set_format_version(kFormatVersion);
    meta.set_origin_id(NewOriginId(options.node_id));
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    s = db->Put(write_options, handles[kDefault], kMetaKey,
                meta.SerializeAsString());
  } else if (s.ok()) {
    if (!meta.ParseFromString(value)) {
      s = rocksdb::Status::Corruption("node meta does not parse");
    } else if (meta.node_id() != options.node_id) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", options.path, " belongs to node \"",
                       meta.node_id(), "\", not to \"", options.node_id, "\""));
    } else if (meta.format_version() > kFormatVersion) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", options.path, " has format ",
          meta.format_version(), "; this kaartnetd understands up to ",
          kFormatVersion, ". Upgrade kaartnetd."));
    } else {
      // Restored from a backup: a fresh origin before any write (see
      // kRestoredMarker). Older formats are marked as this one, so an
      // older kaartnetd no longer opens the directory.
      rocksdb::Env* env =
          options.env != nullptr ? options.env : rocksdb::Env::Default();
      const std::string marker =
          (std::filesystem::path(options.path) / kRestoredMarker).string();
      const bool restored = env->FileExists(marker).ok();
      if (restored) {
        meta.set_origin_id(NewOriginId(options.node_id));
        meta.set_own_seq(0);
      }
      if (restored || meta.format_version() < kFormatVersion) {
        meta.set_format_version(kFormatVersion);
        rocksdb::WriteOptions write_options;
        write_options.sync = true;
        s = db->Put(write_options, handles[kDefault], kMetaKey,
                    meta.SerializeAsString());
      }
      if (s.ok() && restored) {
        s = env->DeleteFile(marker);
        KLOG(INFO) << "storage: restored from a backup; this node's records "
                      "are numbered under the new origin "
                   << meta.origin_id();
      }
    }
  }
  std::map<std::string, uint64_t> frontier;
  Floors floors;
  absl::Status status = FromRocks(s, "read node meta");
  if (status.ok()) {
    status = RocksDbStore::ReadState(rocksdb::ReadOptions(), handles, db.get(),
                                     &frontier, &floors);
  }
  if (!status.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return absl::Status(status.code(),
                        absl::StrCat(options.path, ": ", status.message()));
  }
  if (options.hlc != nullptr) options.hlc->Restore(meta.hlc_high_water());
  return std::make_unique<RocksDbStore>(options, std::move(db),
                                        std::move(handles), std::move(meta),
                                        std::move(frontier), std::move(floors));
}

namespace {

absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>>
OpenBackupsReadOnly(const std::string& backup_dir) {
  if (!std::filesystem::is_directory(backup_dir)) {
    return absl::NotFoundError(
        absl::StrCat("no backup directory ", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::BackupEngineReadOnly::Open(
                    rocksdb::Env::Default(),
                    rocksdb::BackupEngineOptions(backup_dir), &raw),
                absl::StrCat("open backup directory ", backup_dir)));
  return std::unique_ptr<rocksdb::BackupEngineReadOnly>(raw);
}

std::vector<BackupInfo> BackupsIn(rocksdb::BackupEngineReadOnly& engine) {
  std::vector<rocksdb::BackupInfo> infos;
  engine.GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const rocksdb::BackupInfo& info : infos)
    out.push_back(ToBackupInfo(info));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<BackupInfo>> ListBackups(
    const std::string& backup_dir) {
  ASSIGN_OR_RETURN(auto engine, OpenBackupsReadOnly(backup_dir));
  return BackupsIn(*engine);
}

absl::StatusOr<std::string> RestoreBackup(const std::string& backup_dir,
                                          uint32_t id, const std::string& path,
                                          absl::Time now) {
  namespace fs = std::filesystem;
  rocksdb::Env* env = rocksdb::Env::Default();
  const std::string lock_path = (fs::path(path) / "LOCK").string();
  if (fs::exists(lock_path)) {
    rocksdb::FileLock* lock = nullptr;
    const rocksdb::Status locked = env->LockFile(lock_path, &lock);
    if (!locked.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("data directory ", path,
                       " is in use (stop the kaartnetd that runs on it "
                       "first): ",
                       locked.ToString()));
    }
    env->UnlockFile(lock).PermitUncheckedError();
  }
  ASSIGN_OR_RETURN(auto engine, OpenBackupsReadOnly(backup_dir));
  const std::vector<BackupInfo> backups = BackupsIn(*engine);
  if (backups.empty())
    return absl::NotFoundError(absl::StrCat("no backups in ", backup_dir));
  if (id == 0) id = backups.back().id;
  rocksdb::BackupInfo info;
  if (!engine->GetBackupInfo(id, &info).ok()) {
    return absl::NotFoundError(absl::StrCat(
        "no backup ", id, " in ", backup_dir, " (there are ", backups.size(),
        "; the newest is ", backups.back().id, ")"));
  }
  RETURN_IF_ERROR(FromRocks(engine->VerifyBackup(id, /*verify_with_checksum=*/
                                                 true),
                            absl::StrCat("verify backup ", id)));
  // Restore next to the directory and swap, so a failed restore leaves
  // the data directory as it was.
  const std::string staging = path + ".restoring";
  std::error_code error;
  fs::remove_all(staging, error);
  RETURN_IF_ERROR(
      FromRocks(engine->RestoreDBFromBackup(id, staging, staging),
                absl::StrCat("restore backup ", id, " into ", staging)));
  {
    std::ofstream marker(fs::path(staging) / kRestoredMarker);
    if (!marker) {
      return absl::UnavailableError(absl::StrCat(
          "cannot mark ", staging, " as restored (", kRestoredMarker, ")"));
    }
  }
  std::string aside;
  if (fs::exists(path)) {
    aside = absl::StrCat(
        path, ".before-restore-",
        absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()));
    const fs::path peers = fs::path(path) / kPeersFile;
    if (fs::exists(peers)) {
      fs::copy_file(peers, fs::path(staging) / kPeersFile, error);
      if (error) {
        return absl::UnavailableError(
            absl::StrCat("copy ", peers.string(),
                         " into the restored directory: ", error.message()));
      }
    }
    fs::rename(path, aside, error);
    if (error) {
      return absl::UnavailableError(absl::StrCat("move ", path, " aside to ",
                                                 aside, ": ", error.message()));
    }
  }
  fs::rename(staging, path, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat(
        "move the restored ", staging, " to ", path, ": ", error.message()));
  }
  return aside;
}

}  // namespace kaartnet::storage
