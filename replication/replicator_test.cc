#include "replication/replicator.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kaartnet::replication {
namespace {

// A node with nothing in it: enough for streams to open and say Hello.
class EmptyReplica final : public Replica {
 public:
  explicit EmptyReplica(std::string node_id)
      : node_id_(std::move(node_id)), origin_id_(node_id_ + ".0001") {}

  const std::string& node_id() const override { return node_id_; }
  const std::string& region() const override { return region_; }
  std::string origin_id() const override { return origin_id_; }
  void RotateOrigin() override {}
  Frontier GetFrontier() const override { return {}; }
  uint64_t FrontierChanges(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>*) const override {
    return since;
  }
  absl::StatusOr<std::vector<v1::LogRecord>> ReadLog(const std::string&,
                                                     uint64_t,
                                                     size_t) const override {
    return std::vector<v1::LogRecord>();
  }
  absl::StatusOr<ApplyStats> Apply(
      const std::string&, std::vector<v1::LogRecord>, bool,
      std::vector<std::pair<std::string, uint64_t>>) override {
    return ApplyStats();
  }
  uint64_t AdmissionsGeneration() const override { return 0; }
  std::vector<v1::SignedAdmission> Admissions() const override { return {}; }
  size_t InstallAdmissions(const std::string&,
                           const std::vector<v1::SignedAdmission>&) override {
    return 0;
  }
  std::vector<uint64_t> Digest() const override { return {}; }
  Frontier Floors() const override { return {}; }
  uint64_t FloorsVersion() const override { return 0; }
  absl::StatusOr<Manifest> ReadManifest() const override { return Manifest(); }
  absl::StatusOr<uint64_t> Prune(const std::string&, Manifest) override {
    return 0;
  }
  std::optional<Frontier> CatchingUp() override { return std::nullopt; }
  absl::StatusOr<std::vector<v1::LogRecord>> EntriesInBuckets(
      const std::set<uint32_t>&) const override {
    return std::vector<v1::LogRecord>();
  }

 private:
  const std::string node_id_;
  const std::string region_ = "AM30";
  const std::string origin_id_;
};

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(address.sin_port);
}

// A node: its replica, replicator and gRPC server on 127.0.0.1:port.
struct TestNode {
  TestNode(const std::string& id, int port, ReplicatorOptions options)
      : replica(id), replicator(&replica, std::move(options)) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureServerCredentials());
    builder.RegisterService(&replicator);
    server = builder.BuildAndStart();
  }
  ~TestNode() {
    replicator.Stop();
    if (server) server->Shutdown(std::chrono::system_clock::now());
  }

  bool ConnectedTo(const std::string& address) const {
    for (const PeerStatus& peer : replicator.Status())
      if (peer.outbound && peer.address == address && peer.connected)
        return true;
    return false;
  }

  EmptyReplica replica;
  Replicator replicator;
  std::unique_ptr<grpc::Server> server;
};

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// After a partition heals, the first stream that opens again ends the
// backoff of every peer still waiting: node x, whose next dial of b is a
// minute away, reaches b as soon as a dials x.
TEST(ReplicatorTest, AnOpeningStreamEndsTheBackoffOfWaitingPeers) {
  const int port_x = FreePort(), port_a = FreePort(), port_b = FreePort();
  ASSERT_GT(port_x, 0);
  ASSERT_GT(port_a, 0);
  ASSERT_GT(port_b, 0);
  const std::string address_x = absl::StrCat("127.0.0.1:", port_x);
  const std::string address_a = absl::StrCat("127.0.0.1:", port_a);
  const std::string address_b = absl::StrCat("127.0.0.1:", port_b);

  ReplicatorOptions slow;
  slow.min_backoff = absl::Seconds(60);
  slow.max_backoff = absl::Seconds(60);
  TestNode x("x", port_x, slow);
  ASSERT_NE(x.server, nullptr);
  x.replicator.AddPeer(address_a);
  x.replicator.AddPeer(address_b);
  // Both dials fail (nothing listens yet): x now waits 30–90 s.
  ASSERT_TRUE(WaitFor(
      [&] {
        int failed = 0;
        for (const PeerStatus& peer : x.replicator.Status())
          failed += peer.outbound && !peer.last_error.empty();
        return failed == 2;
      },
      absl::Seconds(20)));

  TestNode b("b", port_b, ReplicatorOptions());
  ASSERT_NE(b.server, nullptr);
  TestNode a("a", port_a, ReplicatorOptions());
  ASSERT_NE(a.server, nullptr);
  a.replicator.AddPeer(address_x);

  EXPECT_TRUE(
      WaitFor([&] { return x.ConnectedTo(address_b); }, absl::Seconds(15)))
      << "x still waits out its backoff for b";
  EXPECT_TRUE(
      WaitFor([&] { return x.ConnectedTo(address_a); }, absl::Seconds(15)));
}

}  // namespace
}  // namespace kaartnet::replication
