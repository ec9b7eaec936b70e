#include "replication/session.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/frontier_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replication/digest.h"
#include "replication/pending_snapshots.h"

namespace kaartnet::replication {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kNoMarkLimit = ~uint64_t{0};

// An in-memory node with the store's rules: per-origin logs with eager
// compaction, highest (hlc, node_id) wins, frontiers. Signatures are not
// checked; entries whose title is "forged" are refused.
class FakeReplica final : public Replica {
 public:
  FakeReplica(std::string node_id, std::string region = "AM30")
      : node_id_(std::move(node_id)),
        region_(std::move(region)),
        origin_id_(node_id_ + ".0001") {}

  const std::string& node_id() const override { return node_id_; }
  const std::string& region() const override { return region_; }
  std::string origin_id() const override { return origin_id_; }
  void RotateOrigin() override {
    origin_id_ = absl::StrCat(node_id_, ".", ++rotations_);
    own_seq_ = 0;
  }
  Frontier GetFrontier() const override {
    origins_read += frontier_.size();
    return frontier_.ToMap();
  }
  uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const override {
    const size_t before = changed->size();
    const uint64_t next = frontier_.ChangesSince(since, changed);
    origins_read += changed->size() - before;
    return next;
  }

  absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(
      const std::string& origin, uint64_t after_seq,
      size_t limit) const override {
    std::vector<v1::LogRecord> out;
    auto log = logs_.find(origin);
    if (log == logs_.end()) return out;
    for (auto it = log->second.upper_bound(after_seq);
         it != log->second.end() && out.size() < limit; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  // A local publish.
  void Publish(const std::string& id, uint64_t hlc,
               const std::string& title = "", bool withdrawn = false) {
    v1::LogRecord record;
    record.set_origin_node_id(origin_id_);
    record.set_seq(++own_seq_);
    v1::Entry entry;
    entry.set_id(id);
    entry.set_title(title);
    entry.set_withdrawn(withdrawn);
    entry.mutable_version()->set_hlc(hlc);
    entry.mutable_version()->set_node_id(node_id_);
    record.mutable_record()->set_entry(entry.SerializeAsString());
    frontier_.Raise(origin_id_, own_seq_);
    Store(record, entry);
  }

  absl::StatusOr<ApplyStats> Apply(
      const std::string&, std::vector<v1::LogRecord> records, bool repair,
      std::vector<std::pair<std::string, uint64_t>> through) override {
    ApplyStats stats;
    ++apply_calls;
    for (const v1::LogRecord& record : records) {
      v1::Entry entry;
      entry.ParseFromString(record.record().entry());
      if (!repair && record.seq() <= frontier_.Get(record.origin_node_id())) {
        ++stats.stale;
        continue;
      }
      if (!repair) frontier_.Raise(record.origin_node_id(), record.seq());
      // Gone by a snapshot not yet caught up with.
      if (pending_->Gone(entry.id(), record.origin_node_id(), record.seq(),
                         entry.version().hlc(), kNoMarkLimit)) {
        ++stats.stale;
        continue;
      }
      // The store's rule for a repair of an entry removed after a newer
      // withdrawal.
      if (repair && !entries_.count(entry.id()) &&
          record.seq() <= frontier_.Get(record.origin_node_id()) &&
          entry.version().hlc() <= tombstone_mark_) {
        ++stats.stale;
        continue;
      }
      if (entry.title() == "forged") {
        ++stats.refused;
        continue;
      }
      if (Store(record, entry)) {
        ++stats.applied;
      } else {
        ++stats.stale;
      }
    }
    for (const auto& [origin, seq] : through) frontier_.Raise(origin, seq);
    return stats;
  }

  uint64_t AdmissionsGeneration() const override { return admissions.size(); }
  std::vector<v1::SignedAdmission> Admissions() const override {
    return admissions;
  }
  size_t InstallAdmissions(
      const std::string&,
      const std::vector<v1::SignedAdmission>& incoming) override {
    for (const v1::SignedAdmission& admission : incoming) {
      bool known = false;
      for (const v1::SignedAdmission& held : admissions)
        known |= held.SerializeAsString() == admission.SerializeAsString();
      if (!known) admissions.push_back(admission);
    }
    return 0;
  }
  std::vector<uint64_t> Digest() const override {
    std::vector<uint64_t> buckets(kDigestBuckets, 0);
    for (const auto& [id, current] : entries_)
      buckets[DigestBucketOf(id)] += DigestTermOf(id, current.version);
    return buckets;
  }
  absl::StatusOr<std::vector<v1::LogRecord>> EntriesInBuckets(
      const std::set<uint32_t>& buckets) const override {
    std::vector<v1::LogRecord> out;
    for (const auto& [id, current] : entries_) {
      if (buckets.count(DigestBucketOf(id))) out.push_back(current.record);
    }
    return out;
  }

  Frontier Floors() const override { return floors_; }
  uint64_t FloorsVersion() const override { return floors_version_; }
  absl::StatusOr<Manifest> ReadManifest() const override {
    Manifest manifest;
    manifest.frontier = frontier_.ToMap();
    manifest.floors.floors = floors_;
    manifest.floors.tombstone_mark = tombstone_mark_;
    if (manifest_before_removal) {  // read before a removal was written
      manifest_before_removal = false;
      manifest.floors.floors.clear();
      ++floors_version_;  // the write lands
    }
    for (const auto& [id, current] : entries_) manifest.ids.push_back(id);
    return manifest;
  }
  // As NodeReplica: pending until caught up (no clock here: no mark limit).
  absl::StatusOr<uint64_t> Prune(const std::string& peer,
                                 Manifest snapshot) override {
    ++prunes;
    const size_t removed =
        RemoveGone(*pending_->Add(peer, std::move(snapshot)));
    CatchingUp();
    return removed;
  }
  std::optional<Frontier> CatchingUp() override {
    for (const auto& caught_up : pending_->CaughtUp(
             [this](const std::string& origin) {
               return frontier_.Get(origin);
             },
             kNoMarkLimit)) {
      for (const auto& [origin, seq] : caught_up->manifest.floors.floors)
        floors_[origin] = std::max(floors_[origin], seq);
      tombstone_mark_ =
          std::max(tombstone_mark_, caught_up->manifest.floors.tombstone_mark);
      ++floors_version_;
      RemoveGone(*caught_up);
      pending_->Erase(caught_up.get());
    }
    if (pending_->empty()) return std::nullopt;
    return pending_->Floors();
  }

  // Test hook: removes a withdrawn entry past the tombstone horizon, as the
  // node's sweep does.
  void Remove(const std::string& id) {
    auto it = entries_.find(id);
    ASSERT_NE(it, entries_.end());
    const v1::LogRecord& record = it->second.record;
    uint64_t& floor = floors_[record.origin_node_id()];
    floor = std::max(floor, record.seq());
    tombstone_mark_ = std::max(tombstone_mark_, it->second.version.hlc());
    ++floors_version_;
    logs_[record.origin_node_id()].erase(record.seq());
    entries_.erase(it);
  }
  bool Has(const std::string& id) const { return entries_.count(id) != 0; }
  size_t RemoveGone(const PendingSnapshot& snapshot) {
    std::vector<std::string> gone;
    for (const auto& [id, current] : entries_) {
      if (snapshot.Gone(id, current.record.origin_node_id(),
                        current.record.seq(), current.version.hlc(),
                        kNoMarkLimit))
        gone.push_back(id);
    }
    for (const std::string& id : gone) Remove(id);
    return gone.size();
  }

  // Test hook: drops an entry without a trace (lost data to repair).
  void Forget(const std::string& id) { entries_.erase(id); }
  std::optional<std::string> TitleOf(const std::string& id) const {
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    v1::Entry entry;
    entry.ParseFromString(it->second.record.record().entry());
    return entry.title();
  }
  size_t size() const { return entries_.size(); }
  size_t log_records() const {
    size_t n = 0;
    for (const auto& [origin, log] : logs_) n += log.size();
    return n;
  }

  int apply_calls = 0;
  int prunes = 0;
  // Signatures are not checked.
  std::vector<v1::SignedAdmission> admissions;
  // Test hook: the next ReadManifest shows no floors.
  mutable bool manifest_before_removal = false;
  // Origins handed out by GetFrontier and FrontierChanges.
  mutable size_t origins_read = 0;

 private:
  struct Current {
    v1::Version version;
    v1::LogRecord record;
  };

  bool Store(const v1::LogRecord& record, const v1::Entry& entry) {
    auto it = entries_.find(entry.id());
    if (it != entries_.end()) {
      const v1::Version& v = it->second.version;
      if (std::make_pair(v.hlc(), v.node_id()) >=
          std::make_pair(entry.version().hlc(), entry.version().node_id()))
        return false;
      logs_[it->second.record.origin_node_id()].erase(it->second.record.seq());
    }
    logs_[record.origin_node_id()][record.seq()] = record;
    entries_[entry.id()] = {entry.version(), record};
    return true;
  }

  std::string node_id_, region_, origin_id_;
  int rotations_ = 0;
  uint64_t own_seq_ = 0;
  FrontierLog frontier_;
  std::map<std::string, std::map<uint64_t, v1::LogRecord>> logs_;
  std::map<std::string, Current> entries_;
  Frontier floors_;
  mutable uint64_t floors_version_ = 0;
  uint64_t tombstone_mark_ = 0;
  // Shared by copies (a copy stands for a backup; none has a pending one).
  std::shared_ptr<PendingSnapshots> pending_ =
      std::make_shared<PendingSnapshots>();
};

// Two sessions over a lossless in-memory link.
struct Link {
  Link(FakeReplica* a, FakeReplica* b, SessionOptions options = {},
       DirectFeeds* a_feeds = nullptr, DirectFeeds* b_feeds = nullptr)
      : left(a, WithFeeds(options, a_feeds)),
        right(b, WithFeeds(options, b_feeds)) {}

  static SessionOptions WithFeeds(SessionOptions options, DirectFeeds* feeds) {
    options.direct_feeds = feeds;
    return options;
  }

  // Delivers messages both ways until neither side has anything to send;
  // returns the number of messages, or -1 when a side failed.
  int Run(absl::Time now, std::string* error = nullptr) {
    int delivered = 0;
    for (int round = 0; round < 1000; ++round) {
      bool any = false;
      for (auto [from, to] : {std::pair{&left, &right}, {&right, &left}}) {
        auto messages = from->Poll(now);
        if (!messages.ok()) return -1;
        for (const auto& message : *messages) {
          sent_kinds[message.body_case()]++;
          absl::Status status = to->Receive(message);
          if (!status.ok()) {
            if (error) *error = std::string(status.message());
            return -1;
          }
          ++delivered;
          any = true;
        }
      }
      if (!any) return delivered;
    }
    return delivered;
  }

  Session left, right;
  std::map<int, int> sent_kinds;
};

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

TEST(SessionTest, CatchesUpBothWaysAndKeepsPushing) {
  FakeReplica a("a"), b("b");
  for (int i = 0; i < 600; ++i) a.Publish(absl::StrCat("org/a", i), 100 + i);
  for (int i = 0; i < 10; ++i) b.Publish(absl::StrCat("org/b", i), 100 + i);
  SessionOptions options;
  options.max_batch_records = 100;
  Link link(&a, &b, options);
  ASSERT_GT(link.Run(kStart), 0);
  EXPECT_EQ(a.size(), 610u);
  EXPECT_EQ(b.size(), 610u);
  EXPECT_EQ(a.GetFrontier(), b.GetFrontier());
  EXPECT_EQ(a.Digest(), b.Digest());
  // 600 records in batches of at most 100.
  EXPECT_EQ(link.left.stats().records_sent, 600u);
  EXPECT_GE(link.sent_kinds[v1::ReplicationMessage::kRecords], 6 + 1);

  // Live: a new publish goes over on the next poll, nothing echoes back.
  a.Publish("org/later", 5000);
  link.Run(kStart);
  EXPECT_TRUE(b.TitleOf("org/later").has_value());
  EXPECT_EQ(link.right.stats().records_sent, 10u);
  EXPECT_EQ(link.left.stats().lag_records, 0u);
}

// With hundreds of origins a poll costs what moved: a new record of one
// origin makes the sessions read one origin of the frontier, not all.
// Nodes with other tombstone horizons still replicate, and each tells its
// operator what to change; equal horizons (or a peer that does not tell
// one) give no warning.
TEST(SessionTest, AnotherTombstoneHorizonIsAWarning) {
  auto hello_both_ways = [](Session& x, Session& y) {
    for (auto [from, to] : {std::pair{&x, &y}, {&y, &x}}) {
      auto messages = from->Poll(kStart);
      ASSERT_TRUE(messages.ok());
      for (const auto& message : *messages) {
        ASSERT_TRUE(to->Receive(message).ok());
      }
    }
  };
  FakeReplica a("a"), b("b");
  SessionOptions thirty_days, one_week, untold;
  thirty_days.tombstone_horizon = absl::Hours(24 * 30);
  one_week.tombstone_horizon = absl::Hours(24 * 7);
  {
    Session left(&a, thirty_days), right(&b, one_week);
    hello_both_ways(left, right);
    EXPECT_THAT(left.stats().warning,
                HasSubstr("peer b removes withdrawals after 604800 s, this "
                          "node after 2592000 s"));
    EXPECT_THAT(right.stats().warning,
                HasSubstr("set tombstone_horizon_seconds to the same value"));
    EXPECT_TRUE(left.stats().hello_received);
  }
  {
    Session left(&a, thirty_days), right(&b, thirty_days);
    hello_both_ways(left, right);
    EXPECT_EQ(left.stats().warning, "");
    EXPECT_EQ(right.stats().warning, "");
  }
  {
    Session left(&a, thirty_days), right(&b, untold);
    hello_both_ways(left, right);
    EXPECT_EQ(left.stats().warning, "");
    EXPECT_EQ(right.stats().warning, "");
  }
}

v1::SignedAdmission TestAdmission(const std::string& organisation) {
  v1::SignedAdmission admission;
  admission.set_organisation(organisation);
  admission.set_signature("signed " + organisation);
  return admission;
}

// Nodes that hold the same admissions send none of them on a new stream
// (after a heal every stream would carry the whole region's again); one
// admitted later still goes, and a peer that lacks some gets them.
TEST(SessionTest, AdmissionsBothHoldAreNotSentAgain) {
  FakeReplica a("a"), b("b"), c("c");
  for (const char* org : {"ggz-noord", "werkbedrijf", "rco-zuid"}) {
    a.admissions.push_back(TestAdmission(org));
    b.admissions.push_back(TestAdmission(org));
  }
  c.admissions.push_back(TestAdmission("ggz-noord"));
  {
    Link link(&a, &b);
    ASSERT_GT(link.Run(kStart), 0);
    EXPECT_EQ(link.sent_kinds[v1::ReplicationMessage::kAdmissions], 0);
    a.admissions.push_back(TestAdmission("nieuwe-werkgever"));
    a.Publish("org/1", 100);  // wakes the sessions
    ASSERT_GT(link.Run(kStart), 0);
    EXPECT_EQ(link.sent_kinds[v1::ReplicationMessage::kAdmissions], 1);
    EXPECT_EQ(b.admissions.size(), 4u);
  }
  {
    Link link(&a, &c);
    ASSERT_GT(link.Run(kStart), 0);
    EXPECT_EQ(c.admissions.size(), 4u);
    EXPECT_EQ(a.admissions.size(), 4u);
    EXPECT_EQ(link.left.stats().admissions_refused, 0u);
  }
}

TEST(SessionTest, APollReadsOnlyTheOriginsThatMoved) {
  FakeReplica a("a"), b("b");
  std::vector<v1::LogRecord> records;
  for (int o = 0; o < 500; ++o) {
    FakeReplica origin(absl::StrCat("n", o));
    origin.Publish(absl::StrCat("org/n", o), 100 + o);
    auto log = origin.ReadLog(origin.origin_id(), 0, 10);
    ASSERT_TRUE(log.ok());
    records.insert(records.end(), log->begin(), log->end());
  }
  ASSERT_TRUE(a.Apply("setup", records, false, {}).ok());
  Link link(&a, &b);
  link.Run(kStart);
  ASSERT_EQ(b.size(), 500u);
  EXPECT_EQ(link.left.stats().lag_records, 0u);

  a.origins_read = b.origins_read = 0;
  a.Publish("org/new", 9000);
  // Sent, not yet acknowledged: one record behind.
  auto out = link.left.Poll(kStart);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(link.left.stats().lag_records, 1u);
  for (const auto& message : *out)
    ASSERT_TRUE(link.right.Receive(message).ok());
  link.Run(kStart);
  EXPECT_TRUE(b.TitleOf("org/new").has_value());
  EXPECT_EQ(link.left.stats().lag_records, 0u);
  EXPECT_LE(a.origins_read + b.origins_read, 4u);
}

TEST(SessionTest, FrontierMovesOverCompactedRecords) {
  FakeReplica a("a"), b("b");
  // Ten versions of one entry: a's log keeps only the last.
  for (int i = 0; i < 10; ++i) a.Publish("org/x", 100 + i, absl::StrCat(i));
  EXPECT_EQ(a.log_records(), 1u);
  Link link(&a, &b);
  link.Run(kStart);
  EXPECT_EQ(b.TitleOf("org/x"), "9");
  EXPECT_EQ(b.GetFrontier().at("a.0001"), 10u);
  EXPECT_EQ(link.left.stats().records_sent, 1u);
}

TEST(SessionTest, RelaysRecordsOfOtherOrigins) {
  FakeReplica a("a"), b("b"), c("c");
  a.Publish("org/from-a", 100);
  Link ab(&a, &b);
  ab.Run(kStart);
  Link bc(&b, &c);
  bc.Run(kStart);
  EXPECT_TRUE(c.TitleOf("org/from-a").has_value());
  EXPECT_EQ(c.GetFrontier().at("a.0001"), 1u);
}

// In a triangle, b does not relay a's records to c, which has its own
// stream with a: only when that stream is stuck past the grace, or gone.
TEST(SessionTest, RelaysLazilyToAPeerWithADirectStreamToTheOrigin) {
  FakeReplica a("a"), b("b"), c("c");
  DirectFeeds fa, fb, fc;
  SessionOptions options;
  options.relay_grace = absl::Milliseconds(500);
  options.advertise_interval = absl::Milliseconds(100);
  Link ab(&a, &b, options, &fa, &fb);
  auto ac = std::make_unique<Link>(&a, &c, options, &fa, &fc);
  Link bc(&b, &c, options, &fb, &fc);
  absl::Time now = kStart;
  for (int round = 0; round < 2; ++round) {
    ab.Run(now);
    ac->Run(now);
    bc.Run(now);
  }
  EXPECT_EQ(fc.Origins(), (std::vector<std::string>{"a.0001", "b.0001"}));

  // The direct stream delivers; b's copy is never needed.
  a.Publish("org/x", 100);
  ab.Run(now);
  bc.Run(now);
  EXPECT_FALSE(c.TitleOf("org/x").has_value());
  EXPECT_EQ(bc.left.NextWakeAt(), now + absl::Milliseconds(500));
  ac->Run(now);
  EXPECT_TRUE(c.TitleOf("org/x").has_value());
  now += absl::Milliseconds(150);
  bc.Run(now);  // c tells b its frontier
  now += absl::Seconds(1);
  bc.Run(now);
  EXPECT_EQ(bc.left.stats().records_sent, 0u);

  // The direct stream is stuck: b relays after the grace.
  a.Publish("org/y", 101);
  ab.Run(now);
  bc.Run(now);  // the grace starts when b could first relay it
  bc.Run(now + absl::Milliseconds(400));
  EXPECT_FALSE(c.TitleOf("org/y").has_value());
  bc.Run(now + absl::Milliseconds(500));
  EXPECT_TRUE(c.TitleOf("org/y").has_value());
  EXPECT_EQ(bc.left.stats().records_sent, 1u);

  // The direct stream is gone: c says so, and b relays at once.
  ac.reset();
  EXPECT_EQ(fc.Origins(), (std::vector<std::string>{"b.0001"}));
  now += absl::Seconds(1);
  bc.Run(now);
  a.Publish("org/z", 102);
  ab.Run(now);
  bc.Run(now);
  EXPECT_TRUE(c.TitleOf("org/z").has_value());
  EXPECT_EQ(bc.left.stats().records_sent, 2u);
}

TEST(SessionTest, HigherVersionWinsWhateverTheOrder) {
  FakeReplica a("a"), b("b");
  a.Publish("org/x", 200, "later");
  b.Publish("org/x", 100, "earlier");
  Link link(&a, &b);
  link.Run(kStart);
  EXPECT_EQ(a.TitleOf("org/x"), "later");
  EXPECT_EQ(b.TitleOf("org/x"), "later");
}

TEST(SessionTest, RefusedRecordDoesNotBlockTheLog) {
  FakeReplica a("a"), b("b");
  a.Publish("org/bad", 100, "forged");
  a.Publish("org/good", 101, "fine");
  Link link(&a, &b);
  link.Run(kStart);
  EXPECT_FALSE(b.TitleOf("org/bad").has_value());
  EXPECT_EQ(b.TitleOf("org/good"), "fine");
  EXPECT_EQ(link.right.stats().records_refused, 1u);
  EXPECT_EQ(b.GetFrontier().at("a.0001"), 2u);
}

TEST(SessionTest, FlowControlWaitsForAcks) {
  FakeReplica a("a"), b("b");
  for (int i = 0; i < 50; ++i) a.Publish(absl::StrCat("org/", i), 100 + i);
  SessionOptions options;
  options.max_batch_records = 5;
  options.max_unacked_batches = 2;
  Session sender(&a, options), receiver(&b, options);
  // Hellos.
  auto hello = receiver.Poll(kStart);
  ASSERT_TRUE(hello.ok());
  for (const auto& m : *hello) ASSERT_TRUE(sender.Receive(m).ok());
  auto first = sender.Poll(kStart);
  ASSERT_TRUE(first.ok());
  int batches = 0;
  for (const auto& m : *first) batches += m.has_records();
  EXPECT_EQ(batches, 2);
  // Without acks nothing more goes out.
  auto again = sender.Poll(kStart);
  ASSERT_TRUE(again.ok());
  for (const auto& m : *again) EXPECT_FALSE(m.has_records());
}

TEST(SessionTest, DigestRepairsLostEntryAfterTwoDigests) {
  FakeReplica a("a"), b("b");
  for (int i = 0; i < 20; ++i) a.Publish(absl::StrCat("org/", i), 100 + i);
  SessionOptions options;
  options.digest_interval = absl::Seconds(30);
  Link link(&a, &b, options);
  absl::Time now = kStart;
  link.Run(now);
  ASSERT_EQ(b.size(), 20u);
  b.Forget("org/7");  // lost without a trace (e.g. a bad disk restore)
  now += absl::Seconds(31);
  link.Run(now);  // first digest: the bucket is only suspect
  EXPECT_FALSE(b.TitleOf("org/7").has_value());
  now += absl::Seconds(31);
  link.Run(now);  // second digest: repaired
  EXPECT_TRUE(b.TitleOf("org/7").has_value());
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_GE(link.right.stats().repairs_requested, 1u);
}

// Scenario S4 past the horizon: b and c were away while a withdrew an
// entry and later removed the withdrawal. When b returns a sends a
// snapshot and b removes its stale live copy; c, returning to b only, gets
// the same from b (which took over a's floors). Digest repair never carries
// the stale copy back.
TEST(SessionTest, SnapshotRemovesEntriesWithdrawnPastTheHorizon) {
  FakeReplica a("a"), b("b"), c("c");
  for (int i = 0; i < 10; ++i) a.Publish(absl::StrCat("org/", i), 100 + i);
  {
    Link ab(&a, &b), bc(&b, &c);
    ab.Run(kStart);
    bc.Run(kStart);
  }
  ASSERT_EQ(c.size(), 10u);
  // Away: a withdraws org/3, a new entry appears, and the withdrawal is
  // removed.
  a.Publish("org/3", 500, "", /*withdrawn=*/true);
  a.Publish("org/new", 501);
  a.Remove("org/3");
  EXPECT_EQ(a.Floors().at(a.origin_id()), 11u);
  // c publishes meanwhile: its own record is above what a has seen.
  c.Publish("org/c", 502);

  SessionOptions options;
  options.digest_interval = absl::Seconds(30);
  options.snapshot_ids_per_message = 4;  // several parts
  absl::Time now = kStart;
  {
    Link ab(&a, &b, options);
    ASSERT_GT(ab.Run(now), 0);
    EXPECT_EQ(ab.left.stats().snapshots_sent, 1u);
    EXPECT_EQ(ab.right.stats().snapshots_received, 1u);
    EXPECT_EQ(ab.right.stats().entries_pruned, 1u);
    EXPECT_EQ(ab.left.stats().snapshots_received, 0u);
    EXPECT_GE(ab.sent_kinds[v1::ReplicationMessage::kSnapshot], 3);
    EXPECT_FALSE(b.Has("org/3"));
    EXPECT_TRUE(b.Has("org/new"));
    EXPECT_EQ(b.Floors(), a.Floors());
    EXPECT_EQ(a.Digest(), b.Digest());
  }
  {
    Link bc(&b, &c, options);
    for (int i = 0; i < 3; ++i) {
      ASSERT_GE(bc.Run(now), 0);
      now += absl::Seconds(31);
    }
    EXPECT_EQ(bc.left.stats().snapshots_sent, 1u);
    EXPECT_FALSE(c.Has("org/3"));
    EXPECT_TRUE(c.Has("org/c"));  // newer than anything b has seen: kept
    EXPECT_TRUE(b.Has("org/c"));
    EXPECT_EQ(b.Digest(), c.Digest());
  }
  // A repair offering the stale copy (a peer that never got a snapshot)
  // is refused by the rule of the store.
  FakeReplica d("d");
  {
    Link ad(&a, &d);
    ad.Run(kStart);
  }
  EXPECT_FALSE(d.Has("org/3"));
  EXPECT_EQ(d.prunes, 1);  // a new node gets a (trivial) snapshot too
  v1::LogRecord stale;
  stale.set_origin_node_id(a.origin_id());
  stale.set_seq(4);
  v1::Entry entry;
  entry.set_id("org/3");
  entry.mutable_version()->set_hlc(103);
  entry.mutable_version()->set_node_id("a");
  stale.mutable_record()->set_entry(entry.SerializeAsString());
  auto applied = a.Apply("x", {stale}, /*repair=*/true, {});
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->applied, 0u);
  EXPECT_FALSE(a.Has("org/3"));
}

// Floors that rise while a stream is open: s and q were away together (both
// hold org/3 live); s meets p, takes over its floors and sends q a snapshot
// on the stream that was already open.
TEST(SessionTest, FloorsThatRiseDuringAStreamBringASnapshot) {
  FakeReplica p("p"), s("s"), q("q");
  for (int i = 0; i < 5; ++i) p.Publish(absl::StrCat("org/", i), 100 + i);
  {
    Link ps(&p, &s), sq(&s, &q);
    ps.Run(kStart);
    sq.Run(kStart);
  }
  p.Publish("org/3", 500, "", /*withdrawn=*/true);
  p.Remove("org/3");
  Link sq(&s, &q);
  ASSERT_GE(sq.Run(kStart), 0);
  EXPECT_EQ(sq.left.stats().snapshots_sent, 0u);  // s has no floors yet
  {
    Link ps(&p, &s);
    ASSERT_GE(ps.Run(kStart), 0);
  }
  EXPECT_FALSE(s.Has("org/3"));
  ASSERT_GE(sq.Run(kStart), 0);
  EXPECT_EQ(sq.left.stats().snapshots_sent, 1u);
  EXPECT_FALSE(q.Has("org/3"));
  EXPECT_EQ(q.Digest(), p.Digest());
}

// A new node n has p's snapshot but has not caught up with it when q
// returns after a long absence and meets n first. Until n has caught up it
// refuses what the snapshot shows gone (q's stale copy of org/3) and sends
// q nothing (its records would carry q past floors n cannot yet answer
// for); once caught up it takes over p's floors and sends q its snapshot.
TEST(SessionTest, ANodeCatchingUpRefusesStaleCopiesAndSendsNothing) {
  FakeReplica p("p"), n("n"), q("q");
  for (int i = 0; i < 5; ++i) p.Publish(absl::StrCat("org/", i), 100 + i);
  {
    Link pq(&p, &q);
    pq.Run(kStart);
  }
  p.Publish("org/3", 500, "", /*withdrawn=*/true);
  p.Remove("org/3");
  q.Publish("org/q", 600);
  ASSERT_TRUE(n.Prune("p", *p.ReadManifest()).ok());
  EXPECT_TRUE(n.CatchingUp().has_value());
  EXPECT_TRUE(n.Floors().empty());  // not before it has caught up
  Link nq(&n, &q);
  ASSERT_GE(nq.Run(kStart), 0);
  EXPECT_TRUE(n.CatchingUp().has_value());  // q lacks p's last record
  EXPECT_EQ(nq.left.stats().snapshots_sent, 0u);
  EXPECT_FALSE(n.Has("org/3")) << "n took q's stale copy";
  EXPECT_TRUE(n.Has("org/q"));
  EXPECT_TRUE(n.Has("org/2"));
  {
    Link pn(&p, &n);
    ASSERT_GE(pn.Run(kStart), 0);
  }
  EXPECT_FALSE(n.CatchingUp().has_value());
  EXPECT_EQ(n.Floors(), p.Floors());
  ASSERT_GE(nq.Run(kStart), 0);
  EXPECT_EQ(nq.left.stats().snapshots_sent, 1u);
  EXPECT_FALSE(q.Has("org/3"));
  EXPECT_EQ(n.Digest(), q.Digest());
}

// n has caught up with p's own log (past the floor) but not with r's, which
// it gets from q. Had n sent q p's records meanwhile, q would be past the
// floor without n's snapshot and keep its stale copy.
TEST(SessionTest, ANodeCatchingUpSendsNothingUntilItCanAnswerForItsFloors) {
  FakeReplica p("p"), n("n"), q("q"), r("r");
  for (int i = 0; i < 5; ++i) p.Publish(absl::StrCat("org/", i), 100 + i);
  r.Publish("org/r", 150);
  {
    Link pq(&p, &q), rp(&r, &p);
    pq.Run(kStart);  // q has p's entries, not r's
    rp.Run(kStart);
  }
  p.Publish("org/3", 500, "", /*withdrawn=*/true);
  p.Remove("org/3");
  ASSERT_TRUE(n.Prune("p", *p.ReadManifest()).ok());
  const uint64_t p_top = p.GetFrontier().at(p.origin_id());
  ASSERT_TRUE(n.Apply("p", *p.ReadLog(p.origin_id(), 0, 100), false,
                      {{p.origin_id(), p_top}})
                  .ok());
  EXPECT_TRUE(n.CatchingUp().has_value());  // r's log is missing
  Link nq(&n, &q);
  ASSERT_GE(nq.Run(kStart), 0);
  EXPECT_EQ(nq.left.stats().records_sent, 0u);
  EXPECT_TRUE(n.CatchingUp().has_value());
  {
    Link rq(&r, &q);
    rq.Run(kStart);
  }
  ASSERT_GE(nq.Run(kStart), 0);
  EXPECT_FALSE(n.CatchingUp().has_value());  // r's records came from q
  EXPECT_EQ(nq.left.stats().snapshots_sent, 1u);
  EXPECT_FALSE(q.Has("org/3"));
  EXPECT_TRUE(n.Has("org/r"));
  EXPECT_EQ(n.Digest(), q.Digest());
}

// Two nodes apart for longer than the horizon each removed a withdrawal
// the other never saw: each gets the other's snapshot and catches up with
// it from the other, which it may send to because the other is past those
// floors (its own).
TEST(SessionTest, TwoNodesCatchingUpWithEachOthersSnapshotsConverge) {
  FakeReplica a("a"), b("b");
  a.Publish("org/a", 100);
  b.Publish("org/b", 100);
  {
    Link ab(&a, &b);
    ab.Run(kStart);
  }
  a.Publish("org/a", 200, "", /*withdrawn=*/true);
  a.Remove("org/a");
  a.Publish("org/a2", 201);
  b.Publish("org/b", 200, "", /*withdrawn=*/true);
  b.Remove("org/b");
  b.Publish("org/b2", 201);
  for (int i = 0; i < 5; ++i) {
    a.Publish(absl::StrCat("org/a-more", i), 300 + i);
    b.Publish(absl::StrCat("org/b-more", i), 300 + i);
  }
  // One record per batch, one batch in flight, and both sides poll before
  // either hears from the other: each gets the other's snapshot before it
  // has sent all its records.
  SessionOptions options;
  options.max_batch_records = 1;
  options.max_unacked_batches = 1;
  Link ab(&a, &b, options);
  for (int step = 0; step < 2; ++step) {
    auto from_a = ab.left.Poll(kStart);
    auto from_b = ab.right.Poll(kStart);
    ASSERT_TRUE(from_a.ok() && from_b.ok());
    for (const auto& m : *from_a) ASSERT_TRUE(ab.right.Receive(m).ok());
    for (const auto& m : *from_b) ASSERT_TRUE(ab.left.Receive(m).ok());
  }
  EXPECT_TRUE(a.CatchingUp().has_value());
  EXPECT_TRUE(b.CatchingUp().has_value());
  ASSERT_GE(ab.Run(kStart), 0);
  EXPECT_EQ(ab.left.stats().snapshots_sent, 1u);
  EXPECT_EQ(ab.right.stats().snapshots_sent, 1u);
  EXPECT_FALSE(a.CatchingUp().has_value());
  EXPECT_FALSE(b.CatchingUp().has_value());
  for (FakeReplica* node : {&a, &b}) {
    EXPECT_FALSE(node->Has("org/a"));
    EXPECT_FALSE(node->Has("org/b"));
    EXPECT_TRUE(node->Has("org/a2"));
    EXPECT_TRUE(node->Has("org/b2"));
  }
  EXPECT_EQ(a.Digest(), b.Digest());
  EXPECT_EQ(a.Floors(), b.Floors());
}

// A snapshot read while a removal is being written lacks its floor; the
// floors version moves again when the write lands, and a peer still known
// to be below the floor then gets another snapshot.
TEST(SessionTest, ASnapshotThatMissedARemovalIsSentAgain) {
  FakeReplica a("a"), b("b");
  a.Publish("org/1", 100);
  {
    Link ab(&a, &b);
    ab.Run(kStart);
  }
  a.Publish("org/1", 200, "", /*withdrawn=*/true);
  a.Remove("org/1");
  a.manifest_before_removal = true;
  Session left(&a, {}), right(&b, {});
  auto hello_a = left.Poll(kStart);
  auto hello_b = right.Poll(kStart);
  ASSERT_TRUE(hello_a.ok() && hello_b.ok());
  for (const auto& m : *hello_b) ASSERT_TRUE(left.Receive(m).ok());
  for (const auto& m : *hello_a) ASSERT_TRUE(right.Receive(m).ok());
  // The snapshot (without the floor) and records go out; b has not
  // acknowledged anything yet when a polls again.
  ASSERT_TRUE(left.Poll(kStart).ok());
  EXPECT_EQ(left.stats().snapshots_sent, 1u);
  auto again = left.Poll(kStart);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(left.stats().snapshots_sent, 2u);
  ASSERT_FALSE(again->empty());
  EXPECT_TRUE(again->front().has_snapshot());
  EXPECT_EQ(again->front().snapshot().floors().at(a.origin_id()), 2u);
}

// After a snapshot the floors may rise again (further removals): the peer
// gets another snapshot only for floors above the ones it was sent.
TEST(SessionTest, ASnapshotIsNotSentAgainForTheSameFloors) {
  FakeReplica a("a"), b("b");
  for (int i = 0; i < 6; ++i) a.Publish(absl::StrCat("org/", i), 100 + i);
  a.Publish("org/1", 200, "", /*withdrawn=*/true);
  a.Remove("org/1");
  Link ab(&a, &b);
  ASSERT_GE(ab.Run(kStart), 0);
  EXPECT_EQ(ab.left.stats().snapshots_sent, 1u);
  // A floors version bump that raises nothing above what b was sent.
  a.Publish("org/2", 300, "", /*withdrawn=*/true);
  ASSERT_GE(ab.Run(kStart), 0);  // b acknowledges the withdrawal
  a.Remove("org/2");
  ASSERT_GE(ab.Run(kStart), 0);
  EXPECT_EQ(ab.left.stats().snapshots_sent, 1u);
  // b holds the withdrawal and removes it in its own sweep.
  EXPECT_TRUE(b.Has("org/2"));
}

TEST(SessionTest, SnapshotPartWithoutItsFirstIsAnError) {
  FakeReplica a("a"), b("b");
  Session session(&a, {});
  v1::ReplicationMessage hello;
  hello.mutable_hello()->set_node_id("b");
  hello.mutable_hello()->set_region("AM30");
  ASSERT_TRUE(session.Receive(hello).ok());
  v1::ReplicationMessage part;
  part.mutable_snapshot()->add_ids("org/1");
  part.mutable_snapshot()->set_last(true);
  EXPECT_THAT(session.Receive(part).message(),
              HasSubstr("without its first part"));
}

TEST(SessionTest, RefusesPeerOfAnotherRegionOrItself) {
  FakeReplica a("a"), other("o", "AM31"), self("a");
  Link regions(&a, &other);
  std::string error;
  EXPECT_EQ(regions.Run(kStart, &error), -1);
  // Whichever side reads the other's Hello first refuses.
  EXPECT_THAT(error, HasSubstr("is in region AM3"));
  Link loop(&a, &self);
  EXPECT_EQ(loop.Run(kStart, &error), -1);
  EXPECT_THAT(error, HasSubstr("this node itself"));
}

TEST(SessionTest, DataBeforeHelloIsAnError) {
  FakeReplica a("a");
  Session session(&a, {});
  v1::ReplicationMessage ack;
  ack.mutable_ack()->set_batch_id(0);
  EXPECT_EQ(session.Receive(ack).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(SessionTest, NodeRestoredFromAnOldBackupMovesToANewOrigin) {
  FakeReplica a("a"), b("b");
  a.Publish("org/1", 100);
  FakeReplica restored = a;  // the backup holds seq 1 only
  a.Publish("org/2", 101);
  a.Publish("org/3", 102);
  {
    Link link(&a, &b);
    link.Run(kStart);
  }
  ASSERT_EQ(b.size(), 3u);

  const std::string old_origin = restored.origin_id();
  std::string error;
  {
    Link link(&restored, &b);
    EXPECT_EQ(link.Run(kStart, &error), -1);
  }
  EXPECT_THAT(error, HasSubstr("restored from a backup"));
  EXPECT_NE(restored.origin_id(), old_origin);

  // New writes get new numbers; the old origin's records come back.
  restored.Publish("org/4", 200);
  Link link(&restored, &b);
  ASSERT_GT(link.Run(kStart), 0);
  EXPECT_EQ(restored.size(), 4u);
  EXPECT_EQ(b.size(), 4u);
  EXPECT_EQ(restored.Digest(), b.Digest());
}

}  // namespace
}  // namespace kaartnet::replication
