// Replication scenarios of docs/replication.md with real kaartnetd processes
// on 127.0.0.1. Every pair of nodes talks through a TcpProxy, so the tests
// can partition and slow links without touching the machine's network.
// Each scenario prints its figures (propagation, convergence time).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "kaartnet/v1/replication.grpc.pb.h"
#include "tests/testing/region.h"

namespace kaartnet::testing {
namespace {

class ReplicationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_dir_ = new std::string(NewTempDir("replication_demo"));
    MakeDemoData(*demo_dir_, 400);
    entries_ = new std::vector<v1::Entry>(ReadDemoEntries(*demo_dir_));
    ASSERT_EQ(entries_->size(), 400u);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*demo_dir_);
    delete demo_dir_;
    delete entries_;
  }

  void SetUp() override { work_dir_ = NewTempDir("replication"); }
  void TearDown() override {
    region_.reset();
    if (!HasFailure()) std::filesystem::remove_all(work_dir_);
  }

  void StartRegion(int n) {
    region_ = std::make_unique<Region>(n, *demo_dir_, work_dir_);
    std::string error;
    ASSERT_TRUE(region_->StartAll(&error)) << error;
  }

  Client ClientOf(int i) { return Client(region_->node(i).address()); }

  void Soak(int seconds, int horizon);

  // Waits until every node shows the same state digest and `live` live
  // entries; returns the time it took, or a negative value on timeout.
  double AwaitConvergence(uint64_t live, absl::Duration timeout) {
    const double ms = region_->AwaitConvergence(live, timeout);
    if (ms < 0) {
      for (int i = 0; i < region_->size(); ++i) {
        const v1::NodeStatus status = ClientOf(i).Status();
        ADD_FAILURE() << "node" << i + 1 << ": " << status.live_entries()
                      << " live, digest " << status.state_digest();
      }
    }
    return ms;
  }

  static inline std::string* demo_dir_ = nullptr;
  static inline std::vector<v1::Entry>* entries_ = nullptr;
  std::string work_dir_;
  std::unique_ptr<Region> region_;
};

// S1: steady publishes on two nodes reach all five; propagation measured.
TEST_F(ReplicationTest, S1SteadyPublishesReachEveryNode) {
  StartRegion(5);
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < 5; ++i)
    watchers.push_back(std::make_unique<Watcher>(region_->node(i).address()));
  Client writers[2] = {ClientOf(0), ClientOf(2)};
  std::map<std::string, std::pair<int, Steady::time_point>> acked;
  const int count = 200;  // 50 per second
  for (int k = 0; k < count; ++k) {
    const v1::Entry& entry = (*entries_)[k];
    const int writer = k % 2;
    ASSERT_TRUE(writers[writer].Publish(entry).ok()) << entry.id();
    acked[entry.id()] = {writer == 0 ? 0 : 2, Steady::now()};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(AwaitConvergence(count, absl::Seconds(30)), 0);
  std::vector<double> latencies;
  for (const auto& [id, origin] : acked) {
    for (int i = 0; i < 5; ++i) {
      if (i == origin.first) continue;
      auto seen = watchers[i]->SeenAt(id);
      ASSERT_TRUE(seen.has_value()) << id << " never seen on node" << i + 1;
      latencies.push_back(std::max(0.0, Millis(*seen - origin.second)));
    }
  }
  const double p50 = Percentile(latencies, 0.5);
  const double p99 = Percentile(latencies, 0.99);
  std::cout << "S1 propagation to 4 nodes over " << latencies.size()
            << " deliveries: p50 " << p50 << " ms, p99 " << p99 << " ms\n";
  EXPECT_LT(p99, 1000) << "propagation p99 far above the 100 ms target";
  for (int i = 0; i < 5; ++i) {
    const v1::NodeStatus status = ClientOf(i).Status();
    EXPECT_EQ(status.refused_records(), 0u);
    for (const v1::PeerState& peer : status.peers()) {
      EXPECT_TRUE(peer.connected()) << peer.address();
    }
  }
}

// S2: a partition with writes on both sides (new entries, and the same
// entry updated on both sides) converges after healing to one winner.
TEST_F(ReplicationTest, S2PartitionHealConverges) {
  StartRegion(4);
  Client a = ClientOf(0), b = ClientOf(3);
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(a.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(20, absl::Seconds(20)), 0);

  region_->Partition({0, 1}, true);
  for (int k = 20; k < 120; ++k) {
    ASSERT_TRUE((k % 2 ? a : b).Publish((*entries_)[k]).ok());
  }
  // The same entry changed on both sides: the later version wins.
  v1::Entry left = (*entries_)[0], right = (*entries_)[0];
  left.set_title("Titel aan de linkerkant");
  right.set_title("Titel aan de rechterkant");
  ASSERT_TRUE(a.Publish(left).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(b.Publish(right).ok());
  // Each side holds its own half (20 + 50), nothing of the other's.
  for (int i : {1, 2}) {
    EXPECT_TRUE(
        WaitFor([&] { return ClientOf(i).Status().live_entries() == 70u; },
                absl::Seconds(20)))
        << "node" << i + 1 << ": " << ClientOf(i).Status().live_entries();
  }

  const auto heal = Steady::now();
  region_->Partition({0, 1}, false);
  const double converge_ms = AwaitConvergence(120, absl::Seconds(30));
  ASSERT_GE(converge_ms, 0);
  std::cout << "S2 converged " << Millis(Steady::now() - heal)
            << " ms after healing, 100 divergent entries\n";
  for (int i = 0; i < 4; ++i) {
    auto got = ClientOf(i).Get((*entries_)[0].id());
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->title(), "Titel aan de rechterkant") << "node" << i + 1;
  }
}

// S3: kill -9 during a write burst; every acknowledged write survives and
// reaches the others after restart.
TEST_F(ReplicationTest, S3KilledNodeLosesNoAcknowledgedWrite) {
  StartRegion(3);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::thread writer([&] {
    Client c = ClientOf(1);
    for (int k = 0; k < 300 && !stop; ++k) {
      if (c.Publish((*entries_)[k]).ok()) {
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.push_back((*entries_)[k].id());
      }
    }
  });
  ASSERT_TRUE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return acknowledged.size() >= 60;
      },
      absl::Seconds(30)));
  region_->node(1).Kill();
  stop = true;
  writer.join();
  std::string error;
  ASSERT_TRUE(region_->node(1).Start(&error)) << error;
  const uint64_t live = ClientOf(1).Status().live_entries();
  EXPECT_GE(live, acknowledged.size());
  ASSERT_GE(AwaitConvergence(live, absl::Seconds(30)), 0);
  for (int i = 0; i < 3; ++i) {
    Client c = ClientOf(i);
    for (const std::string& id : acknowledged)
      ASSERT_TRUE(c.Get(id).has_value()) << id << " lost on node" << i + 1;
  }
  std::cout << "S3 " << acknowledged.size()
            << " acknowledged writes before kill -9, all on every node\n";
}

// S4: a withdrawal made while a node is cut off wins after healing; the
// entry does not come back from the node that still had it.
TEST_F(ReplicationTest, S4WithdrawnEntryDoesNotComeBack) {
  StartRegion(3);
  Client a = ClientOf(0);
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(a.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(10, absl::Seconds(20)), 0);
  region_->Partition({2}, true);
  ASSERT_TRUE(a.Withdraw((*entries_)[3].id()).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // The cut-off node still has it, and restarts meanwhile.
  EXPECT_FALSE(ClientOf(2).Get((*entries_)[3].id())->withdrawn());
  ASSERT_EQ(region_->node(2).Stop(), 0);
  std::string error;
  ASSERT_TRUE(region_->node(2).Start(&error)) << error;
  region_->Partition({2}, false);
  ASSERT_GE(AwaitConvergence(9, absl::Seconds(20)), 0);
  for (int i = 0; i < 3; ++i) {
    auto got = ClientOf(i).Get((*entries_)[3].id());
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->withdrawn()) << "resurrected on node" << i + 1;
  }
}

// S4 past the tombstone horizon (2 s here): a withdrawal made while node3
// is cut off is not removed while node3 is away, however long (node3 may
// have taken an older write of the same entry meanwhile, which only the
// withdrawal makes lose); after the heal node3 gets it, and then every node
// removes it. A node that joins afterwards gets a snapshot; the id can be
// published again.
TEST_F(ReplicationTest, S4PastTheHorizonWithdrawnEntryStaysGone) {
  region_ = std::make_unique<Region>(
      3, *demo_dir_, work_dir_, /*proxied=*/true,
      "digest_interval_seconds: 1\ntombstone_horizon_seconds: 2\n"
      "tombstone_sweep_seconds: 1\n");
  std::string error;
  ASSERT_TRUE(region_->StartAll(&error)) << error;
  Client a = ClientOf(0);
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(a.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(10, absl::Seconds(20)), 0);
  const std::string id = (*entries_)[3].id();
  region_->Partition({2}, true);
  ASSERT_TRUE(a.Withdraw(id).ok());
  // Well past the horizon: node1 and node2 keep the withdrawal while node3
  // is away.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  for (int i : {0, 1}) {
    const v1::NodeStatus status = ClientOf(i).Status();
    EXPECT_EQ(status.withdrawn_entries(), 1u) << "node" << i + 1;
    EXPECT_EQ(status.tombstones_removed(), 0u) << "node" << i + 1;
  }
  EXPECT_FALSE(ClientOf(2).Get(id)->withdrawn());
  ASSERT_EQ(region_->node(2).Stop(), 0);
  ASSERT_TRUE(region_->node(2).Start(&error)) << error;

  const auto heal = Steady::now();
  region_->Partition({2}, false);
  // Every node gets the withdrawal, acknowledges it, and removes it.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor(
        [&] {
          const v1::NodeStatus status = ClientOf(i).Status();
          return status.withdrawn_entries() == 0 &&
                 status.live_entries() == 9 && !ClientOf(i).Get(id).has_value();
        },
        absl::Seconds(30)))
        << "node" << i + 1;
  }
  ASSERT_GE(AwaitConvergence(9, absl::Seconds(30)), 0);
  std::cout << "S4 past the horizon: withdrawal removed everywhere "
            << Millis(Steady::now() - heal) << " ms after healing\n";
  // Digest repairs run every second: give them time to try.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(ClientOf(i).Get(id).has_value()) << "back on node" << i + 1;
    EXPECT_EQ(ClientOf(i).Status().live_entries(), 9u) << "node" << i + 1;
  }
  // The id is free again: a new publish reaches every node.
  ASSERT_TRUE(a.Publish((*entries_)[3]).ok());
  ASSERT_GE(AwaitConvergence(10, absl::Seconds(20)), 0);
  for (int i = 0; i < 3; ++i) {
    auto got = ClientOf(i).Get(id);
    ASSERT_TRUE(got.has_value()) << "node" << i + 1;
    EXPECT_FALSE(got->withdrawn());
  }
  // node3 dialed node1, so node1 forgets it by node id; an unknown name is
  // an error that says what it expected.
  auto admin = v1::Admin::NewStub(ClientOf(0).channel());
  v1::RemovePeerRequest forget;
  forget.set_address("node3");
  v1::ListPeersResponse peers;
  grpc::ClientContext context;
  EXPECT_TRUE(admin->RemovePeer(&context, forget, &peers).ok());
  forget.set_address("node9");
  grpc::ClientContext context2;
  const grpc::Status unknown = admin->RemovePeer(&context2, forget, &peers);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(),
              ::testing::HasSubstr("nor a node it has replicated with"));
}

// Files under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir,
                                         const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& file : std::filesystem::recursive_directory_iterator(dir)) {
    if (!file.is_regular_file()) continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    if (bytes.str().find(needle) != std::string::npos)
      hits.push_back(file.path().string());
  }
  return hits;
}

// S5: an entry erased on one node leaves no trace of its content in any
// file of any node: each node that applies the erasure rewrites its files
// (flush, forced compaction, WAL roll).
TEST_F(ReplicationTest, S5ErasedContentLeavesNoTraceOnAnyNode) {
  StartRegion(3);
  Client a = ClientOf(0);
  const std::string kCanary = "kanarie-7f3a9c2e51";
  v1::Entry canary = (*entries_)[0];
  canary.set_description(absl::StrCat(canary.description(), " ", kCanary));
  v1::Contact* contact = canary.add_contacts();
  contact->set_name("Kanarie Zeven");
  contact->set_role(kCanary);
  contact->set_email("kanarie@example.nl");
  contact->set_visibility(v1::VISIBILITY_PROFESSIONALS);
  ASSERT_TRUE(a.Publish(canary).ok());
  for (int k = 1; k < 6; ++k) ASSERT_TRUE(a.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(6, absl::Seconds(20)), 0);
  // The scan sees it first: in every node's files (WAL, logs of origins).
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(FilesContaining(region_->node(i).data_dir(), kCanary).empty())
        << "node" << i + 1 << " never held the canary";
  }

  // Erased on node2 (not where it was published); a later publish makes
  // sure nothing waits on a quiet region.
  ASSERT_TRUE(ClientOf(1).Withdraw(canary.id(), /*erase=*/true).ok());
  ASSERT_TRUE(a.Publish((*entries_)[6]).ok());
  ASSERT_GE(AwaitConvergence(6, absl::Seconds(20)), 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitFor(
        [&] {
          return absl::StrContains(region_->node(i).Log(),
                                   "erasure: purged erased content");
        },
        absl::Seconds(20)))
        << "node" << i + 1 << " did not purge";
    const auto got = ClientOf(i).Get(canary.id());
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->erased());
    EXPECT_THAT(FilesContaining(region_->node(i).data_dir(), kCanary),
                ::testing::IsEmpty())
        << "canary found on node" << i + 1;
    EXPECT_FALSE(absl::StrContains(region_->node(i).Log(), kCanary))
        << "node" << i + 1 << " logged the content";
  }
}

// S6: clocks skewed beyond the allowed skew on some nodes: the region still
// converges on one winner per entry, nothing is lost, the skew is counted.
TEST_F(ReplicationTest, S6SkewedClocksConvergeAndAreCounted) {
  region_ = std::make_unique<Region>(3, *demo_dir_, work_dir_);
  // node2 runs 15 minutes ahead (more than the 10 allowed), node3 10 behind.
  region_->node(1).AppendConfig("clock_offset_seconds: 900\n");
  region_->node(2).AppendConfig("clock_offset_seconds: -600\n");
  std::string error;
  ASSERT_TRUE(region_->StartAll(&error)) << error;
  for (int k = 0; k < 30; ++k) {
    ASSERT_TRUE(ClientOf(k % 3).Publish((*entries_)[k]).ok()) << k;
  }
  // The same entries changed again on the other nodes: concurrent versions
  // whose order the clocks disagree on.
  for (int k = 0; k < 30; k += 3) {
    v1::Entry changed = (*entries_)[k];
    changed.set_title(absl::StrCat(changed.title(), " (bijgewerkt)"));
    ASSERT_TRUE(ClientOf((k + 1) % 3).Publish(changed).ok()) << k;
  }
  ASSERT_GE(AwaitConvergence(30, absl::Seconds(30)), 0);
  // One winner everywhere.
  for (int k = 0; k < 30; k += 3) {
    const auto first = ClientOf(0).Get((*entries_)[k].id());
    ASSERT_TRUE(first.has_value());
    for (int i = 1; i < 3; ++i) {
      const auto other = ClientOf(i).Get((*entries_)[k].id());
      ASSERT_TRUE(other.has_value());
      EXPECT_EQ(other->version().hlc(), first->version().hlc());
      EXPECT_EQ(other->title(), first->title());
    }
  }
  // node1 and node3 saw records of node2 dated beyond the allowed skew.
  EXPECT_GT(ClientOf(0).Status().skewed_records(), 0u);
  EXPECT_GT(ClientOf(2).Status().skewed_records(), 0u);
  EXPECT_EQ(ClientOf(1).Status().skewed_records(), 0u);
  EXPECT_THAT(region_->node(1).Log(),
              ::testing::HasSubstr("clock_offset_seconds 900"));
}

// Resident memory of a process in MiB (0 when it is gone).
double RssMiB(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      double kib = 0;
      (void)absl::SimpleAtod(
          absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
          &kib);
      return kib / 1024;
    }
  }
  return 0;
}

bool Newer(const v1::Version& a, const v1::Version& b) {
  return a.hlc() != b.hlc() ? a.hlc() > b.hlc() : a.node_id() > b.node_id();
}

// S9: a soak with churn: publishes, updates and withdrawals on every node,
// while nodes are killed (-9) or stopped and restarted and links are cut
// and healed. At the end the region converges on the newest acknowledged
// version of every entry, and memory stayed bounded. KAARTNET_SOAK_SECONDS
// sets the length (CI: 20 s; deploy/soak.sh: an hour); a summary line
// starting with "soak:" reports what happened.
// S9: `seconds` of churn; with a tombstone horizon of a few seconds the
// nodes also remove withdrawals and send snapshots under the churn, and a
// removed withdrawal reads as absent.
void ReplicationTest::Soak(int seconds, int horizon) {
  constexpr int kNodes = 4;
  constexpr int kIds = 200;
  if (horizon > 0) {
    region_ = std::make_unique<Region>(
        kNodes, *demo_dir_, work_dir_, /*proxied=*/true,
        absl::StrCat("digest_interval_seconds: 1\n"
                     "tombstone_horizon_seconds: ",
                     horizon, "\ntombstone_sweep_seconds: 1\n"));
    std::string error;
    ASSERT_TRUE(region_->StartAll(&error)) << error;
  } else {
    StartRegion(kNodes);
  }
  std::mt19937 random(9);
  struct Acked {
    v1::Version version;
    bool withdrawn = false;
  };
  std::map<std::string, Acked> acked;
  auto note = [&](const v1::Entry& stored) {
    auto [it, fresh] = acked.try_emplace(stored.id());
    if (fresh || Newer(stored.version(), it->second.version))
      it->second = {stored.version(), stored.withdrawn()};
  };
  std::vector<bool> up(kNodes, true);
  int publishes = 0, withdrawals = 0, refused = 0, kills = 0, stops = 0,
      partitions = 0;
  std::vector<double> rss_first(kNodes, 0), rss_max(kNodes, 0),
      rss_last(kNodes, 0);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(seconds);
  auto next_fault = start + std::chrono::seconds(3);
  auto next_sample = start;
  int down = -1, cut = -1;
  auto down_until = start, cut_until = start;
  // With a horizon, faults outlast it: the others remove withdrawals the
  // node missed, and it returns to a snapshot.
  const auto away =
      std::chrono::milliseconds(horizon > 0 ? 1000 * horizon + 1000 : 800);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_sample) {
      for (int i = 0; i < kNodes; ++i) {
        if (!up[i]) continue;
        const double rss = RssMiB(region_->node(i).process()->pid());
        if (rss_first[i] == 0) rss_first[i] = rss;
        rss_max[i] = std::max(rss_max[i], rss);
        rss_last[i] = rss;
      }
      next_sample = now + std::chrono::seconds(1);
    }
    if (down >= 0 && now >= down_until) {
      std::string error;
      ASSERT_TRUE(region_->node(down).Start(&error)) << error;
      up[down] = true;
      down = -1;
    }
    if (cut >= 0 && now >= cut_until) {
      region_->Partition({cut}, false);
      cut = -1;
    }
    if (now >= next_fault && down < 0 && cut < 0) {
      const int victim = static_cast<int>(random() % kNodes);
      switch (random() % 3) {
        case 0:
          region_->node(victim).Kill();
          ++kills;
          up[victim] = false;
          down = victim;
          down_until = now + away;
          break;
        case 1:
          ASSERT_EQ(region_->node(victim).Stop(), 0);
          ++stops;
          up[victim] = false;
          down = victim;
          down_until = now + away;
          break;
        default:
          region_->Partition({victim}, true);
          ++partitions;
          cut = victim;
          cut_until = now + away + std::chrono::milliseconds(700);
          break;
      }
      next_fault = now + std::chrono::seconds(3);
    }
    const int node = static_cast<int>(random() % kNodes);
    if (!up[node]) continue;
    v1::Entry entry = (*entries_)[random() % kIds];
    Client client = ClientOf(node);
    if (random() % 8 == 0) {
      v1::WithdrawResponse response;
      if (client.Withdraw(entry.id(), false, &response).ok()) {
        ++withdrawals;
        note(response.entry());
      } else {
        ++refused;  // unknown here yet, or the node just went down
      }
    } else {
      entry.set_title(absl::StrCat(entry.title(), " #", publishes));
      v1::PublishResponse response;
      if (client.Publish(entry, &response).ok()) {
        ++publishes;
        note(response.entry());
      } else {
        ++refused;
      }
    }
  }
  // Heal everything and wait for the region to agree.
  if (cut >= 0) region_->Partition({cut}, false);
  if (down >= 0) {
    std::string error;
    ASSERT_TRUE(region_->node(down).Start(&error)) << error;
  }
  uint64_t live = 0;
  for (const auto& [id, a] : acked) live += a.withdrawn ? 0 : 1;
  const double converge_ms = AwaitConvergence(live, absl::Seconds(60));
  EXPECT_GE(converge_ms, 0);
  int lost = 0, resurrected = 0;
  for (int i = 0; i < kNodes; ++i) {
    Client client = ClientOf(i);
    for (const auto& [id, a] : acked) {
      const auto got = client.Get(id);
      if (!got.has_value()) {
        if (!a.withdrawn || horizon == 0) {
          ++lost;
          ADD_FAILURE() << "node" << i + 1 << " lacks " << id << " (acked "
                        << a.version.hlc() << "@" << a.version.node_id()
                        << (a.withdrawn ? " withdrawn)" : ")");
        }
      } else if (Newer(a.version, got->version())) {
        ++lost;
        ADD_FAILURE() << "node" << i + 1 << " holds " << id << " at "
                      << got->version().hlc() << "@" << got->version().node_id()
                      << ", acked " << a.version.hlc() << "@"
                      << a.version.node_id();
      } else if (a.withdrawn && !got->withdrawn() &&
                 !Newer(got->version(), a.version)) {
        ++resurrected;
        ADD_FAILURE() << "node" << i + 1 << " holds " << id
                      << " live, acked withdrawn at " << a.version.hlc();
      }
    }
  }
  EXPECT_EQ(lost, 0) << "acknowledged versions missing somewhere";
  EXPECT_EQ(resurrected, 0);
  std::string memory;
  for (int i = 0; i < kNodes; ++i) {
    absl::StrAppendFormat(&memory, " node%d %.0f->%.0f (max %.0f) MiB", i + 1,
                          rss_first[i], rss_last[i], rss_max[i]);
    // Bounded by the data, not by the churn: far below what a leak over
    // thousands of writes would show.
    EXPECT_LT(rss_max[i], 400) << "node" << i + 1;
  }
  uint64_t removed = 0, pruned = 0, snapshots = 0;
  for (int i = 0; i < kNodes; ++i) {
    const v1::NodeStatus status = ClientOf(i).Status();
    removed += status.tombstones_removed();
    pruned += status.entries_pruned();
    snapshots += status.snapshots_received();
  }
  if (horizon > 0) {
    std::cout << "soak: tombstone horizon " << horizon << " s: " << removed
              << " withdrawals removed, " << snapshots
              << " snapshots received, " << pruned
              << " entries pruned by them (counts since each node's last "
                 "start)"
              << std::endl;
  }
  std::cout << "soak: " << seconds << " s, " << publishes << " publishes, "
            << withdrawals << " withdrawals, " << refused
            << " calls refused (node down or entry unknown there), " << kills
            << " kill -9, " << stops << " restarts, " << partitions
            << " partitions; " << acked.size() << " entries, " << live
            << " live; converged " << converge_ms << " ms after healing; "
            << lost << " lost, " << resurrected << " resurrected; RSS" << memory
            << std::endl;
}

// deploy/soak.sh runs it for an hour (KAARTNET_SOAK_SECONDS), with
// --horizon also with removals (KAARTNET_SOAK_HORIZON_SECONDS).
TEST_F(ReplicationTest, S9SoakWithChurn) {
  int seconds = 20, horizon = 0;
  if (const char* env = std::getenv("KAARTNET_SOAK_SECONDS")) {
    ASSERT_TRUE(absl::SimpleAtoi(env, &seconds)) << env;
  }
  if (const char* env = std::getenv("KAARTNET_SOAK_HORIZON_SECONDS")) {
    ASSERT_TRUE(absl::SimpleAtoi(env, &horizon)) << env;
  }
  Soak(seconds, horizon);
}

// The same with a tombstone horizon of one second: faults outlast it, so
// withdrawals are removed and returning nodes get snapshots.
TEST_F(ReplicationTest, S9SoakWithChurnPastTheHorizon) { Soak(20, 1); }

// The origins of `node_id` in a node's frontier (node id + ".").
std::set<std::string> OriginsOf(const v1::NodeStatus& status,
                                const std::string& node_id) {
  std::set<std::string> out;
  for (const v1::OriginProgress& p : status.frontier()) {
    if (absl::StartsWith(p.origin_node_id(), node_id + "."))
      out.insert(p.origin_node_id());
  }
  return out;
}

// S7: a node restored from an old backup gets back what it wrote after the
// backup, continues under a fresh origin, and rolls nobody back.
TEST_F(ReplicationTest, S7RestoredNodeCatchesUpAndRollsNobodyBack) {
  StartRegion(3);
  NodeProcess& restored = region_->node(2);
  Client c = ClientOf(2);
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(c.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(20, absl::Seconds(20)), 0);
  RunResult backup = Kaart(restored.address(), {"admin", "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  EXPECT_THAT(backup.out, ::testing::HasSubstr("20 items"));
  const std::string backup_dir = restored.data_dir() + "-backups";

  // After the backup: node3 writes 20 more and changes one, node1 10 more.
  for (int k = 20; k < 40; ++k) ASSERT_TRUE(c.Publish((*entries_)[k]).ok());
  v1::Entry changed = (*entries_)[0];
  changed.set_title("Gewijzigd na de backup");
  ASSERT_TRUE(c.Publish(changed).ok());
  Client a = ClientOf(0);
  for (int k = 40; k < 50; ++k) ASSERT_TRUE(a.Publish((*entries_)[k]).ok());
  ASSERT_GE(AwaitConvergence(50, absl::Seconds(20)), 0);
  const std::set<std::string> origins_before = OriginsOf(c.Status(), "node3");
  ASSERT_EQ(origins_before.size(), 1u);

  ASSERT_EQ(restored.Stop(), 0);
  RunResult restore =
      RunCommand({BinDir() + "/kaart", "admin", "restore", "--dir", backup_dir,
                  "--data-dir", restored.data_dir()});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  std::string error;
  ASSERT_TRUE(restored.Start(&error)) << error;
  EXPECT_EQ(c.Status().live_entries(), 20u) << "not the backup's state";

  const double ms = AwaitConvergence(50, absl::Seconds(30));
  ASSERT_GE(ms, 0);
  std::cout << "S7 restored node caught up " << ms << " ms after start\n";
  for (int i = 0; i < 3; ++i) {
    auto got = ClientOf(i).Get(changed.id());
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->title(), "Gewijzigd na de backup")
        << "rolled back on node" << i + 1;
  }
  // It moved to a fresh origin, and what it writes now reaches the others.
  EXPECT_THAT(restored.Log(), ::testing::HasSubstr("restored from a backup"));
  ASSERT_TRUE(c.Publish((*entries_)[50]).ok());
  ASSERT_GE(AwaitConvergence(51, absl::Seconds(20)), 0);
  const std::set<std::string> origins_after = OriginsOf(c.Status(), "node3");
  EXPECT_EQ(origins_after.size(), 2u);
  EXPECT_EQ(OriginsOf(ClientOf(0).Status(), "node3"), origins_after);

  // A restore while the node runs is refused.
  RunResult refused =
      RunCommand({BinDir() + "/kaart", "admin", "restore", "--dir", backup_dir,
                  "--data-dir", restored.data_dir()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("stop the kaartnetd"));
}

// S8: a peer that sends a forged record is refused and counted; the good
// records beside it are applied; the stream stays usable.
TEST_F(ReplicationTest, S8ForgedRecordIsRefusedOthersApplied) {
  StartRegion(1);
  Client node = ClientOf(0);
  auto stub = v1::Replication::NewStub(node.channel());
  grpc::ClientContext context;
  auto stream = stub->Exchange(&context);
  v1::ReplicationMessage hello;
  hello.mutable_hello()->set_node_id("rogue");
  hello.mutable_hello()->set_region("AM30");
  hello.mutable_hello()->set_origin_id("rogue.0001");
  ASSERT_TRUE(stream->Write(hello));
  v1::ReplicationMessage their_hello;
  ASSERT_TRUE(stream->Read(&their_hello));
  ASSERT_TRUE(their_hello.has_hello());
  EXPECT_EQ(their_hello.hello().node_id(), "node1");

  // A genuine record, signed by the organisation (made by a second node
  // that hosts its key), and a forged one: the same bytes, altered.
  auto helper = std::make_unique<NodeProcess>("helper", *demo_dir_, work_dir_);
  std::string error;
  ASSERT_TRUE(helper->Start(&error)) << error;
  Client signer(helper->address());
  ASSERT_TRUE(signer.Publish((*entries_)[0]).ok());
  ASSERT_TRUE(signer.Publish((*entries_)[1]).ok());
  auto signer_stub = v1::Replication::NewStub(signer.channel());
  grpc::ClientContext signer_context;
  auto signer_stream = signer_stub->Exchange(&signer_context);
  v1::ReplicationMessage fetch;
  fetch.mutable_hello()->set_node_id("collector");
  fetch.mutable_hello()->set_region("AM30");
  ASSERT_TRUE(signer_stream->Write(fetch));
  std::vector<v1::LogRecord> genuine;
  v1::ReplicationMessage message;
  while (genuine.size() < 2 && signer_stream->Read(&message)) {
    for (const auto& record : message.records().records())
      genuine.push_back(record);
  }
  signer_context.TryCancel();
  ASSERT_EQ(genuine.size(), 2u);

  v1::ReplicationMessage batch;
  v1::RecordBatch* records = batch.mutable_records();
  records->set_batch_id(1);
  v1::LogRecord forged = genuine[0];
  std::string bytes = forged.record().entry();
  const size_t at = bytes.find("IPS");
  bytes.replace(at == std::string::npos ? 10 : at, 3, "XXX");
  forged.mutable_record()->set_entry(bytes);
  forged.set_seq(1);
  *records->add_records() = forged;
  v1::LogRecord good = genuine[1];
  good.set_seq(2);
  *records->add_records() = good;
  ASSERT_TRUE(stream->Write(batch));

  ASSERT_TRUE(WaitFor([&] { return node.Get((*entries_)[1].id()).has_value(); },
                      absl::Seconds(10)));
  EXPECT_FALSE(node.Get((*entries_)[0].id()).has_value());
  const v1::NodeStatus status = node.Status();
  EXPECT_EQ(status.refused_records(), 1u);
  // By reason, for the operator's metrics.
  ASSERT_EQ(status.refused_by_reason_size(), 1);
  EXPECT_EQ(status.refused_by_reason().at("bad_signature"), 1u)
      << status.DebugString();
  EXPECT_GT(status.storage_stats().at("estimate-num-keys"), 0u);
  bool flagged = false;
  for (const v1::PeerState& peer : status.peers()) {
    if (peer.node_id() == "rogue") flagged = peer.records_refused() == 1;
  }
  EXPECT_TRUE(flagged);
  EXPECT_THAT(region_->node(0).Log(), ::testing::HasSubstr("from peer rogue"));
  context.TryCancel();
}

}  // namespace
}  // namespace kaartnet::testing
