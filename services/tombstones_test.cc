#include "services/tombstones.h"

#include <memory>

#include "common/hlc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace kaartnet::services {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1798000000);
const absl::Duration kHorizon = absl::Hours(24 * 30);

class SweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    storage::StoreOptions options;
    options.path = "/sweep";
    options.node_id = "node1";
    options.env = env_.get();
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // A record of origin "o2" at `seq`, written `age` before kNow.
  void Put(const std::string& id, uint64_t seq, absl::Duration age,
           bool withdrawn) {
    storage::ApplyRecord r;
    r.entry.set_id(id);
    r.entry.set_withdrawn(withdrawn);
    r.entry.mutable_version()->set_hlc(
        HybridLogicalClock::FromTime(kNow - age));
    r.entry.mutable_version()->set_node_id("node2");
    r.signed_record.set_entry(r.entry.SerializeAsString());
    r.origin_node_id = "o2";
    r.origin_seq = seq;
    storage::WriteRequest request;
    request.records.push_back(std::move(r));
    ASSERT_TRUE(store_->Apply(std::move(request)).ok());
  }

  bool Has(const std::string& id) {
    auto got = store_->Get(id);
    return got.ok() && got->has_value();
  }

  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(SweepTest, RemovesOnlyOldWithdrawalsThatEveryPeerHolds) {
  Put("m/live-old", 1, kHorizon * 2, false);
  Put("m/gone-old", 2, kHorizon * 2, true);
  Put("m/gone-young", 3, absl::Hours(1), true);
  Put("m/gone-old-unacked", 4, kHorizon + absl::Hours(1), true);
  replication::PeerAcks acks;
  // node2 holds o2 up to 3; node3 holds up to 2 and has been away longer
  // than the horizon: away, it still holds removals back.
  acks.Connected("node2", {{"o2", 3}});
  acks.Connected("node3", {{"o2", 2}});

  auto swept = SweepTombstones(store_.get(), acks, kNow, kHorizon);
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->removed, 1u);
  EXPECT_EQ(swept->held_back, 1u);  // seq 4: held up to 3 and 2
  EXPECT_FALSE(Has("m/gone-old"));
  EXPECT_TRUE(Has("m/live-old"));
  EXPECT_TRUE(Has("m/gone-young"));
  EXPECT_TRUE(Has("m/gone-old-unacked"));
  EXPECT_EQ(store_->GetFloors().floors.at("o2"), 2u);

  acks.Raise("node2", {{"o2", 4}});
  swept = SweepTombstones(store_.get(), acks, kNow, kHorizon);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed, 0u);
  EXPECT_EQ(swept->held_back, 1u);  // node3, away, has not seen seq 4
  // Taken out of the region by its operator: no longer counts.
  EXPECT_TRUE(acks.Forget("node3"));
  swept = SweepTombstones(store_.get(), acks, kNow, kHorizon);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->removed, 1u);
  EXPECT_EQ(store_->GetFloors().floors.at("o2"), 4u);
}

TEST_F(SweepTest, PeerAcksSurviveInTheStoreAndKeepTheHighest) {
  replication::PeerAcks acks;
  acks.Connected("node2", {{"o1", 5}, {"o2", 7}});
  acks.Raise("node2", {{"o1", 9}});
  acks.Raise("node2", {{"o1", 8}});  // never lowered by an Ack
  EXPECT_EQ(acks.HeldByAll("o1"), 9u);
  EXPECT_EQ(acks.HeldByAll("o3"), 0u);  // unknown origin
  ASSERT_TRUE(acks.Save(store_.get()).ok());

  replication::PeerAcks restarted;
  ASSERT_TRUE(restarted.Load(*store_).ok());
  EXPECT_EQ(restarted.HeldByAll("o1"), 9u);
  EXPECT_EQ(restarted.HeldByAll("o2"), 7u);
  EXPECT_THAT(restarted.Peers(), ::testing::ElementsAre("node2"));
  // Forgotten: no peer holds anything back.
  EXPECT_TRUE(restarted.Forget("node2"));
  EXPECT_FALSE(restarted.Forget("node2"));
  EXPECT_EQ(restarted.HeldByAll("o1"), std::numeric_limits<uint64_t>::max());
}

}  // namespace
}  // namespace kaartnet::services
