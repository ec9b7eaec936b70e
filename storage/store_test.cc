// Conformance suite for storage::Store, run against RocksDB on disk, on an
// in-memory Env and on a fault-injecting file system.
#include "storage/store.h"

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "storage/testing/fault_injection_fs.h"

namespace kaartnet::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

enum class EnvKind { kDisk, kMemory, kFaultInjection };

std::string EnvName(EnvKind kind) {
  switch (kind) {
    case EnvKind::kDisk:
      return "Disk";
    case EnvKind::kMemory:
      return "Memory";
    case EnvKind::kFaultInjection:
      return "FaultInjection";
  }
  return "";
}

// An entry record as the store sees it (signatures are not its business).
ApplyRecord Record(const std::string& id, uint64_t hlc,
                   const std::string& node = "node1", bool withdrawn = false,
                   const std::string& title = "titel") {
  ApplyRecord r;
  r.entry.set_id(id);
  r.entry.set_organisation_id(id.substr(0, id.find('/')));
  r.entry.mutable_version()->set_hlc(hlc);
  r.entry.mutable_version()->set_node_id(node);
  r.entry.set_region("AM30");
  if (withdrawn) {
    r.entry.set_withdrawn(true);
  } else {
    r.entry.set_title(title);
    r.entry.set_kind(v1::ENTRY_KIND_JOBCOACH);
  }
  r.signed_record.set_entry(r.entry.SerializeAsString());
  r.signed_record.set_key_id("ktest");
  r.signed_record.set_signature("sig");
  return r;
}

ApplyRecord Remote(ApplyRecord r, const std::string& origin, uint64_t seq,
                   bool in_order = true) {
  r.origin_node_id = origin;
  r.origin_seq = seq;
  r.in_log_order = in_order;
  return r;
}

std::vector<ApplyResult> MustApply(Store* store,
                                   std::vector<ApplyRecord> records) {
  WriteRequest request;
  request.records = std::move(records);
  auto results = store->Apply(std::move(request));
  EXPECT_TRUE(results.ok()) << results.status();
  return results.ok() ? *results : std::vector<ApplyResult>{};
}

class RecordingListener : public ChangeListener {
 public:
  void OnChanges(absl::Span<const Change> changes) override {
    for (const Change& c : changes)
      seen.push_back({c.change_seq, c.entry->id()});
  }
  std::vector<std::pair<uint64_t, std::string>> seen;
};

class StoreTest : public ::testing::TestWithParam<EnvKind> {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            absl::StrCat("kaartnet_store_test_", ::getpid(), "_", counter_++))
               .string();
    std::filesystem::remove_all(dir_);
    switch (GetParam()) {
      case EnvKind::kDisk:
        break;
      case EnvKind::kMemory:
        mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
        break;
      case EnvKind::kFaultInjection:
        fault_ = testing::NewFaultInjectionEnv(/*in_memory=*/true);
        break;
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  rocksdb::Env* env() {
    if (mem_env_) return mem_env_.get();
    if (fault_.env) return fault_.env.get();
    return nullptr;
  }

  StoreOptions Options(const std::string& node = "node1") {
    StoreOptions options;
    options.path = dir_;
    options.node_id = node;
    options.env = env();
    options.clock = &clock_;
    options.block_cache_bytes = 8 << 20;
    return options;
  }

  void Open(const std::string& node = "node1") {
    store_.reset();
    auto store = Store::Open(Options(node));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::optional<internal::StoredEntry> GetEntry(const std::string& id) {
    auto got = store_->Get(id);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  static inline int counter_ = 0;
  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<rocksdb::Env> mem_env_;
  testing::FaultInjectionEnv fault_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, RoundTripKeepsExactSignedBytes) {
  Open();
  ApplyRecord r = Record("mondriaan/ips", 100);
  const std::string bytes = r.signed_record.entry();
  auto results = MustApply(store_.get(), {r});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(results[0].created);
  EXPECT_EQ(results[0].origin_node_id, store_->origin_id());
  EXPECT_EQ(results[0].origin_seq, 1u);
  auto stored = GetEntry("mondriaan/ips");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->record().entry(), bytes);
  EXPECT_EQ(stored->record().signature(), "sig");
  EXPECT_EQ(stored->version().hlc(), 100u);
  EXPECT_EQ(store_->counts().live_entries, 1u);
  EXPECT_THAT(store_->Frontier(), ElementsAre(Pair(store_->origin_id(), 1u)));
  EXPECT_FALSE(GetEntry("mondriaan/other").has_value());
}

TEST_P(StoreTest, NewerVersionOverwritesOlderIsStale) {
  Open();
  MustApply(store_.get(), {Record("m/a", 100, "node1", false, "eerste")});
  auto newer =
      MustApply(store_.get(), {Record("m/a", 200, "node1", false, "tweede")});
  EXPECT_EQ(newer[0].outcome, ApplyOutcome::kApplied);
  EXPECT_FALSE(newer[0].created);
  auto older =
      MustApply(store_.get(), {Record("m/a", 150, "node1", false, "oud")});
  EXPECT_EQ(older[0].outcome, ApplyOutcome::kStale);
  EXPECT_EQ(older[0].stored_version.hlc(), 200u);
  auto same =
      MustApply(store_.get(), {Record("m/a", 200, "node1", false, "tweede")});
  EXPECT_EQ(same[0].outcome, ApplyOutcome::kStale);
  v1::Entry entry;
  entry.ParseFromString(GetEntry("m/a")->record().entry());
  EXPECT_EQ(entry.title(), "tweede");
  // The log holds only the current record of the entry.
  auto log = store_->ReadLog(store_->origin_id(), 0, 100);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].seq(), 2u);
  EXPECT_EQ(store_->counts().live_entries, 1u);
}

TEST_P(StoreTest, ConflictRuleIsOrderIndependent) {
  // Same hlc, different node: the higher node id wins, whatever arrives first.
  Open();
  MustApply(store_.get(),
            {Remote(Record("m/a", 500, "node-a", false, "A"), "x.1", 1),
             Remote(Record("m/a", 500, "node-b", false, "B"), "y.1", 1)});
  MustApply(store_.get(),
            {Remote(Record("m/b", 500, "node-b", false, "B"), "y.1", 2),
             Remote(Record("m/b", 500, "node-a", false, "A"), "x.1", 2)});
  for (const char* id : {"m/a", "m/b"}) {
    EXPECT_EQ(GetEntry(id)->version().node_id(), "node-b") << id;
  }
  EXPECT_EQ(
      CompareVersions(GetEntry("m/a")->version(), GetEntry("m/b")->version()),
      0);
}

TEST_P(StoreTest, WithdrawLeavesTombstone) {
  Open();
  MustApply(store_.get(), {Record("m/a", 100), Record("m/b", 101)});
  auto withdrawn = MustApply(store_.get(),
                             {Record("m/a", 200, "node1", /*withdrawn=*/true)});
  EXPECT_EQ(withdrawn[0].outcome, ApplyOutcome::kApplied);
  auto stored = GetEntry("m/a");
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->withdrawn());
  EXPECT_EQ(store_->counts().live_entries, 1u);
  EXPECT_EQ(store_->counts().withdrawn_entries, 1u);
  // An older live version never resurrects it.
  auto late =
      MustApply(store_.get(), {Remote(Record("m/a", 150), "other.1", 1)});
  EXPECT_EQ(late[0].outcome, ApplyOutcome::kStale);
  EXPECT_TRUE(GetEntry("m/a")->withdrawn());
  // Publishing again (newer) revives it.
  auto revived = MustApply(store_.get(), {Record("m/a", 300)});
  EXPECT_TRUE(revived[0].created);
  EXPECT_EQ(store_->counts().live_entries, 2u);
}

TEST_P(StoreTest, LogOrderPerOriginAndLimits) {
  Open();
  std::vector<ApplyRecord> batch;
  for (int i = 1; i <= 5; ++i) {
    batch.push_back(
        Remote(Record(absl::StrCat("m/e", i), 100 + i), "peer.1", i));
  }
  MustApply(store_.get(), batch);
  MustApply(store_.get(), {Record("m/local", 300)});
  auto log = store_->ReadLog("peer.1", 2, 2);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].seq(), 3u);
  EXPECT_EQ((*log)[1].seq(), 4u);
  EXPECT_EQ((*log)[0].origin_node_id(), "peer.1");
  v1::Entry e;
  e.ParseFromString((*log)[0].record().entry());
  EXPECT_EQ(e.id(), "m/e3");
  EXPECT_EQ(store_->ReadLog("peer.1", 5, 10)->size(), 0u);
  EXPECT_EQ(store_->ReadLog(store_->origin_id(), 0, 10)->size(), 1u);
  // Superseding an entry of peer.1 with a local version removes it from
  // peer.1's log.
  MustApply(store_.get(), {Record("m/e3", 400)});
  auto after = store_->ReadLog("peer.1", 0, 10);
  ASSERT_EQ(after->size(), 4u);
  for (const auto& r : *after) EXPECT_NE(r.seq(), 3u);
}

TEST_P(StoreTest, FrontierDuplicatesAndRepairs) {
  Open();
  MustApply(store_.get(), {Remote(Record("m/a", 100), "peer.1", 1),
                           Remote(Record("m/b", 101), "peer.1", 2)});
  EXPECT_EQ(store_->Frontier()["peer.1"], 2u);
  EXPECT_EQ(store_->FrontierOf("peer.1"), 2u);
  EXPECT_EQ(store_->FrontierOf("peer.unknown"), 0u);
  auto dup = MustApply(store_.get(), {Remote(Record("m/a", 100), "peer.1", 1)});
  EXPECT_EQ(dup[0].outcome, ApplyOutcome::kDuplicate);
  // A stale record in order still moves the frontier.
  auto stale =
      MustApply(store_.get(), {Remote(Record("m/a", 50), "peer.1", 3)});
  EXPECT_EQ(stale[0].outcome, ApplyOutcome::kStale);
  EXPECT_EQ(store_->Frontier()["peer.1"], 3u);
  // A repair out of order applies but does not move the frontier.
  auto repair =
      MustApply(store_.get(),
                {Remote(Record("m/c", 102), "peer.1", 9, /*in_order=*/false)});
  EXPECT_EQ(repair[0].outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(store_->Frontier()["peer.1"], 3u);
  // A batch "through seq 8" advances it without records.
  WriteRequest through;
  through.advance_frontier.push_back({"peer.1", 8});
  ASSERT_TRUE(store_->Apply(std::move(through)).ok());
  EXPECT_EQ(store_->Frontier()["peer.1"], 8u);
}

TEST_P(StoreTest, PreconditionsForLocalPublishes) {
  Open();
  MustApply(store_.get(), {Record("m/a", 100)});
  ApplyRecord create = Record("m/a", 200);
  create.create_only = true;
  EXPECT_EQ(MustApply(store_.get(), {create})[0].outcome,
            ApplyOutcome::kAlreadyExists);
  ApplyRecord guarded = Record("m/a", 200);
  v1::Version wrong;
  wrong.set_hlc(99);
  wrong.set_node_id("node1");
  guarded.expected_version = wrong;
  EXPECT_EQ(MustApply(store_.get(), {guarded})[0].outcome,
            ApplyOutcome::kPreconditionFailed);
  guarded.expected_version->set_hlc(100);
  EXPECT_EQ(MustApply(store_.get(), {guarded})[0].outcome,
            ApplyOutcome::kApplied);
  ApplyRecord create_new = Record("m/new", 300);
  create_new.create_only = true;
  EXPECT_EQ(MustApply(store_.get(), {create_new})[0].outcome,
            ApplyOutcome::kApplied);
}

TEST_P(StoreTest, SameIdTwiceInOneRequest) {
  Open();
  RecordingListener listener;
  store_->AddListener(&listener);
  auto results =
      MustApply(store_.get(), {Record("m/a", 100, "node1", false, "een"),
                               Record("m/a", 200, "node1", false, "twee"),
                               Record("m/a", 150, "node1", false, "oud")});
  EXPECT_EQ(results[0].outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(results[1].outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(results[2].outcome, ApplyOutcome::kStale);
  EXPECT_EQ(GetEntry("m/a")->version().hlc(), 200u);
  EXPECT_EQ(store_->counts().live_entries, 1u);
  EXPECT_EQ(store_->ReadLog(store_->origin_id(), 0, 10)->size(), 1u);
  ASSERT_EQ(listener.seen.size(), 2u);
  EXPECT_LT(listener.seen[0].first, listener.seen[1].first);
  store_->RemoveListener(&listener);
}

TEST_P(StoreTest, RemovalTakesEntryLogAndChangeAndRaisesFloors) {
  Open();
  RecordingListener listener;
  MustApply(store_.get(), {Remote(Record("m/a", 100, "node2"), "o2", 1),
                           Remote(Record("m/b", 110, "node2"), "o2", 2),
                           Remote(Record("m/a", 200, "node2", true), "o2", 3)});
  store_->AddListener(&listener);
  // A removal whose record is no longer the stored one is skipped.
  auto removed = store_->Remove({{"m/a", "o2", 1}}, {});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 0u);
  removed = store_->Remove({{"m/a", "o2", 3}, {"m/unknown", "o2", 9}}, {});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1u);
  EXPECT_FALSE(GetEntry("m/a").has_value());
  EXPECT_EQ(store_->counts().withdrawn_entries, 0u);
  EXPECT_EQ(store_->counts().live_entries, 1u);
  auto log = store_->ReadLog("o2", 0, 10);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].seq(), 2u);
  auto changes = store_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(changes->size(), 1u);
  ASSERT_EQ(listener.seen.size(), 1u);
  EXPECT_EQ(listener.seen[0].second, "m/a");
  store_->RemoveListener(&listener);
  Floors floors = store_->GetFloors();
  EXPECT_THAT(floors.floors, ElementsAre(Pair("o2", 3u)));
  EXPECT_EQ(floors.tombstone_mark, 200u);
  // The frontier is not the floor: it stays where the log was read to.
  EXPECT_EQ(store_->FrontierOf("o2"), 3u);

  // Floors only grow, survive a restart, and are read with the ids.
  ASSERT_TRUE(store_->Remove({}, Floors{{{"o2", 2}, {"o3", 7}}, 150}).ok());
  Open();
  floors = store_->GetFloors();
  EXPECT_THAT(floors.floors, ElementsAre(Pair("o2", 3u), Pair("o3", 7u)));
  EXPECT_EQ(floors.tombstone_mark, 200u);
  auto manifest = store_->ReadManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_THAT(manifest->ids, ElementsAre("m/b"));
  EXPECT_THAT(manifest->frontier, ElementsAre(Pair("o2", 3u)));
  EXPECT_THAT(manifest->floors.floors,
              ElementsAre(Pair("o2", 3u), Pair("o3", 7u)));
  EXPECT_EQ(manifest->floors.tombstone_mark, 200u);
}

TEST_P(StoreTest, RepairOfARemovedEntryIsStale) {
  Open();
  MustApply(store_.get(), {Remote(Record("m/a", 100, "node2"), "o2", 1),
                           Remote(Record("m/a", 200, "node2", true), "o2", 2)});
  ASSERT_TRUE(store_->Remove({{"m/a", "o2", 2}}, {}).ok());
  // A peer away since before the withdrawal offers its old live copy.
  auto results =
      MustApply(store_.get(), {Remote(Record("m/a", 100, "node2"), "o2", 1,
                                      /*in_order=*/false)});
  EXPECT_EQ(results[0].outcome, ApplyOutcome::kStale);
  EXPECT_FALSE(GetEntry("m/a").has_value());
  // Newer than every removed withdrawal, or not yet covered by the
  // frontier: a repair is applied as before.
  results = MustApply(store_.get(),
                      {Remote(Record("m/c", 300, "node2"), "o2", 1, false),
                       Remote(Record("m/d", 50, "node3"), "o3", 4, false)});
  EXPECT_EQ(results[0].outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(results[1].outcome, ApplyOutcome::kApplied);
  // A republish after the removal is an ordinary new version.
  results =
      MustApply(store_.get(), {Remote(Record("m/a", 400, "node2"), "o2", 3)});
  EXPECT_EQ(results[0].outcome, ApplyOutcome::kApplied);
}

TEST_P(StoreTest, MetaPutListDelete) {
  Open();
  ASSERT_TRUE(store_->PutMeta("pending/b", "2").ok());
  ASSERT_TRUE(store_->PutMeta("pending/a", "1").ok());
  ASSERT_TRUE(store_->PutMeta("other", "x").ok());
  Open();
  auto listed = store_->ListMeta("pending/");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(*listed,
              ElementsAre(Pair("pending/a", "1"), Pair("pending/b", "2")));
  ASSERT_TRUE(store_->DeleteMeta("pending/a").ok());
  EXPECT_THAT(*store_->ListMeta("pending/"),
              ElementsAre(Pair("pending/b", "2")));
}

TEST_P(StoreTest, ChangesFeedInApplyOrder) {
  Open();
  MustApply(store_.get(), {Record("m/a", 100)});
  MustApply(store_.get(), {Record("m/b", 101)});
  MustApply(store_.get(), {Record("m/a", 102)});
  auto changes = store_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);  // m/a appears once, at its latest change
  v1::Entry first, second;
  first.ParseFromString((*changes)[0].record().entry());
  second.ParseFromString((*changes)[1].record().entry());
  EXPECT_EQ(first.id(), "m/b");
  EXPECT_EQ(second.id(), "m/a");
  EXPECT_EQ(store_->last_change_seq(), 3u);
  EXPECT_EQ(store_->ReadChanges(3, 10)->size(), 0u);
  EXPECT_EQ(store_->ReadChanges(2, 10)->size(), 1u);
}

TEST_P(StoreTest, RotatedOriginNumbersFromOneAndKeepsTheOldLog) {
  Open();
  MustApply(store_.get(), {Record("m/a", 10), Record("m/b", 11)});
  const std::string old_origin = store_->origin_id();
  ASSERT_TRUE(store_->RotateOrigin().ok());
  const std::string new_origin = store_->origin_id();
  EXPECT_NE(new_origin, old_origin);
  auto next = MustApply(store_.get(), {Record("m/c", 12)});
  EXPECT_EQ(next[0].origin_node_id, new_origin);
  EXPECT_EQ(next[0].origin_seq, 1u);
  EXPECT_EQ(store_->ReadLog(old_origin, 0, 10)->size(), 2u);
  EXPECT_EQ(store_->Frontier()[old_origin], 2u);
  EXPECT_EQ(store_->Frontier()[new_origin], 1u);
  store_.reset();
  Open();
  EXPECT_EQ(store_->origin_id(), new_origin);
}

TEST_P(StoreTest, ReopenKeepsEverythingAndContinuesNumbering) {
  HybridLogicalClock hlc(&clock_, absl::Minutes(10));
  {
    StoreOptions options = Options();
    options.hlc = &hlc;
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  const uint64_t issued = hlc.Now();
  MustApply(store_.get(), {Record("m/a", issued), Record("m/b", hlc.Now())});
  MustApply(store_.get(), {Remote(Record("m/c", 7), "peer.1", 4)});
  ASSERT_TRUE(store_->PutAdmissions({{"m", v1::SignedAdmission()}}).ok());
  const std::string origin = store_->origin_id();
  const uint64_t high_water = hlc.HighWater();
  store_.reset();

  HybridLogicalClock restarted(&clock_, absl::Minutes(10));
  clock_.Advance(-absl::Hours(1));  // the wall clock went backwards meanwhile
  StoreOptions options = Options();
  options.hlc = &restarted;
  auto reopened = Store::Open(options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store_ = std::move(*reopened);
  EXPECT_EQ(store_->origin_id(), origin);
  EXPECT_GE(restarted.HighWater(), high_water);
  EXPECT_GT(restarted.Now(), issued);
  EXPECT_EQ(store_->counts().live_entries, 3u);
  EXPECT_EQ(store_->Frontier()["peer.1"], 4u);
  EXPECT_EQ(store_->ListAdmissions()->size(), 1u);
  auto next = MustApply(store_.get(), {Record("m/d", restarted.Now())});
  EXPECT_EQ(next[0].origin_seq, 3u);
  int count = 0;
  ASSERT_TRUE(store_
                  ->ForEachEntry([&](const internal::StoredEntry&) {
                    ++count;
                    return true;
                  })
                  .ok());
  EXPECT_EQ(count, 4);
}

TEST_P(StoreTest, RefusesDirectoryOfAnotherNode) {
  Open("node1");
  store_.reset();
  auto other = Store::Open(Options("node2"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(other.status().message()),
              ::testing::HasSubstr("node1"));
}

TEST_P(StoreTest, ConcurrentWritersAllLand) {
  Open();
  RecordingListener listener;
  store_->AddListener(&listener);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> applied{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        WriteRequest request;
        request.records.push_back(
            Record(absl::StrCat("m/t", t, "-", i), 1000 + i));
        auto results = store_->Apply(std::move(request));
        if (results.ok() && (*results)[0].outcome == ApplyOutcome::kApplied)
          ++applied;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(applied.load(), kThreads * kPerThread);
  EXPECT_EQ(store_->counts().live_entries,
            static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(store_->Frontier()[store_->origin_id()],
            static_cast<uint64_t>(kThreads * kPerThread));
  // Listeners saw every change, in change order.
  ASSERT_EQ(listener.seen.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 1; i < listener.seen.size(); ++i) {
    EXPECT_LT(listener.seen[i - 1].first, listener.seen[i].first);
  }
  store_->RemoveListener(&listener);
}

INSTANTIATE_TEST_SUITE_P(Envs, StoreTest,
                         ::testing::Values(EnvKind::kDisk, EnvKind::kMemory,
                                           EnvKind::kFaultInjection),
                         [](const auto& param_info) {
                           return EnvName(param_info.param);
                         });

// Faults only the fault-injecting file system can make.
class StoreFaultTest : public StoreTest {};

TEST_P(StoreFaultTest, CrashLosesNoAcknowledgedWrite) {
  Open();
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 200; ++i) {
    const std::string id = absl::StrCat("m/e", i);
    auto results = MustApply(store_.get(), {Record(id, 100 + i)});
    if (!results.empty()) acknowledged.push_back(id);
  }
  // Freeze the files as a kill -9 / power loss would leave them, then drop
  // everything not synced.
  fault_.fs->SetActive(false);
  store_.reset();
  ASSERT_TRUE(fault_.fs->DropUnsyncedData().ok());
  fault_.fs->SetActive(true);
  Open();
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(GetEntry(id).has_value())
        << id << " was acknowledged but is lost";
  }
  EXPECT_EQ(store_->counts().live_entries, acknowledged.size());
}

TEST_P(StoreFaultTest, UnsyncedWritesCanBeLostButStateStaysConsistent) {
  // With sync off (never in production) a crash may lose recent writes, but
  // what remains is consistent: counts, frontier and logs agree.
  StoreOptions options = Options();
  options.sync = false;
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok());
  store_ = std::move(*store);
  for (int i = 0; i < 50; ++i)
    MustApply(store_.get(), {Record(absl::StrCat("m/e", i), 100 + i)});
  fault_.fs->SetActive(false);
  store_.reset();
  ASSERT_TRUE(fault_.fs->DropUnsyncedData().ok());
  fault_.fs->SetActive(true);
  Open();
  uint64_t live = 0;
  ASSERT_TRUE(store_
                  ->ForEachEntry([&](const internal::StoredEntry& e) {
                    live += e.withdrawn() ? 0 : 1;
                    return true;
                  })
                  .ok());
  EXPECT_EQ(live, store_->counts().live_entries);
  EXPECT_EQ(store_->ReadLog(store_->origin_id(), 0, 1000)->size(), live);
  EXPECT_EQ(store_->Frontier()[store_->origin_id()], live);
}

TEST_P(StoreFaultTest, WriteErrorIsCleanAndLosesNothingAcknowledged) {
  Open();
  MustApply(store_.get(), {Record("m/before", 100)});
  fault_.fs->InjectWriteErrors(true);
  WriteRequest request;
  request.records.push_back(Record("m/during", 200));
  auto failed = store_->Apply(std::move(request));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
      << failed.status();
  // Reads keep working.
  EXPECT_TRUE(GetEntry("m/before").has_value());
  fault_.fs->InjectWriteErrors(false);
  // RocksDB stays read-only after a failed WAL write; a restart recovers.
  store_.reset();
  Open();
  EXPECT_TRUE(GetEntry("m/before").has_value());
  auto after = MustApply(store_.get(), {Record("m/after", 300)});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].outcome, ApplyOutcome::kApplied);
  const uint64_t live = store_->counts().live_entries;
  EXPECT_TRUE(live == 2 || live == 3)
      << live;  // "during" was never acknowledged
}

INSTANTIATE_TEST_SUITE_P(Faults, StoreFaultTest,
                         ::testing::Values(EnvKind::kFaultInjection),
                         [](const auto& param_info) {
                           return EnvName(param_info.param);
                         });

// On-disk only: locking and erasure purge.
class StoreDiskTest : public StoreTest {};

TEST_P(StoreDiskTest, SecondOpenOfSameDirectoryIsRefused) {
  Open();
  auto second = Store::Open(Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr("in use"));
}

// Counts files under `dir` containing `needle`.
int FilesContaining(const std::string& dir, const std::string& needle) {
  int hits = 0;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos) ++hits;
  }
  return hits;
}

TEST_P(StoreDiskTest, PurgeRemovesErasedContentFromEveryFile) {
  Open();
  const std::string canary = "CANARY-7f3a9c-erase-me";
  MustApply(store_.get(), {Record("m/a", 100, "node1", false, canary)});
  for (int i = 0; i < 20; ++i)
    MustApply(store_.get(), {Record(absl::StrCat("m/f", i), 200 + i)});
  // Get the canary into SST files too, not only the WAL.
  ASSERT_TRUE(store_->PurgeObsoleteData().ok());
  MustApply(store_.get(), {Record("m/a", 300, "node1", false, canary + "-v2")});
  ASSERT_GT(FilesContaining(dir_, canary), 0);
  ApplyRecord erasure = Record("m/a", 400, "node1", /*withdrawn=*/true);
  erasure.entry.set_erased(true);
  erasure.signed_record.set_entry(erasure.entry.SerializeAsString());
  MustApply(store_.get(), {erasure});
  ASSERT_TRUE(store_->PurgeObsoleteData().ok());
  EXPECT_EQ(FilesContaining(dir_, canary), 0);
  EXPECT_TRUE(GetEntry("m/a")->erased());
  EXPECT_EQ(store_->counts().live_entries, 20u);
}

// A backup made while writes go on restores to a consistent state: every
// write acknowledged before the backup began, nothing half-written.
TEST_P(StoreDiskTest, BackupWhileWritingRestoresThatState) {
  Open();
  const std::string backups = dir_ + "-backups";
  for (int i = 0; i < 10; ++i)
    MustApply(store_.get(), {Record(absl::StrCat("m/b", i), 100 + i)});
  std::ofstream(std::filesystem::path(dir_) / kPeersFile) << "10.0.0.2:7400\n";
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i)
      MustApply(store_.get(), {Record(absl::StrCat("m/w", i), 1000 + i)});
  });
  const std::string origin = store_->origin_id();
  auto first = store_->CreateBackup(backups, "first", 0);
  stop = true;
  writer.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->id, 1u);
  EXPECT_GT(first->size_bytes, 0u);
  const uint64_t live_after_writer = store_->counts().live_entries;
  auto second = store_->CreateBackup(backups, "second", 0);
  ASSERT_TRUE(second.ok()) << second.status();

  // Not while the store is open.
  auto busy = RestoreBackup(backups, 1, dir_, absl::Now());
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(busy.status().message()),
              ::testing::HasSubstr("stop the kaartnetd"));

  store_.reset();
  auto listed = ListBackups(backups);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].metadata, "first");
  EXPECT_EQ(RestoreBackup(backups, 9, dir_, absl::Now()).status().code(),
            absl::StatusCode::kNotFound);

  auto aside = RestoreBackup(backups, 1, dir_, absl::Now());
  ASSERT_TRUE(aside.ok()) << aside.status();
  EXPECT_TRUE(std::filesystem::exists(*aside));
  EXPECT_TRUE(
      std::filesystem::exists(std::filesystem::path(dir_) / kPeersFile));
  Open();
  const StoreCounts counts = store_->counts();
  EXPECT_GE(counts.live_entries, 10u);
  EXPECT_LE(counts.live_entries, live_after_writer);
  // Consistent: the writes the backup holds are a prefix of the writer's.
  const uint64_t written = counts.live_entries - 10;
  for (uint64_t i = 0; i < written; ++i)
    EXPECT_TRUE(GetEntry(absl::StrCat("m/w", i)).has_value()) << i;
  EXPECT_EQ(store_->Frontier().at(origin), counts.live_entries);
  // Its own records continue under a fresh origin from seq 1, so none of
  // them is numbered like one written after the backup.
  EXPECT_NE(store_->origin_id(), origin);
  EXPECT_FALSE(
      std::filesystem::exists(std::filesystem::path(dir_) / kRestoredMarker));
  auto after = MustApply(store_.get(), {Record("m/after-restore", 5000)});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].origin_node_id, store_->origin_id());
  EXPECT_EQ(after[0].origin_seq, 1u);

  store_.reset();
  ASSERT_TRUE(
      RestoreBackup(backups, 0, dir_, absl::Now() + absl::Seconds(1)).ok());
  Open();
  EXPECT_EQ(store_->counts().live_entries, live_after_writer);
  std::filesystem::remove_all(backups);
  std::filesystem::remove_all(*aside);
  for (const auto& file : std::filesystem::directory_iterator(
           std::filesystem::path(dir_).parent_path())) {
    if (file.path().string().rfind(dir_ + ".before-restore-", 0) == 0)
      std::filesystem::remove_all(file.path());
  }
}

INSTANTIATE_TEST_SUITE_P(Disk, StoreDiskTest, ::testing::Values(EnvKind::kDisk),
                         [](const auto& param_info) {
                           return EnvName(param_info.param);
                         });

}  // namespace
}  // namespace kaartnet::storage
