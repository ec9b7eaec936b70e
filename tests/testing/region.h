// A region of real kaartnetd processes on 127.0.0.1 for the replication
// tests and the replication benchmark: nodes, the links between them
// (optionally through a TcpProxy each, so links can be cut), a gRPC client
// per node and a watcher that notes when each entry arrived on a node.
#ifndef KAARTNET_TESTS_TESTING_REGION_H_
#define KAARTNET_TESTS_TESTING_REGION_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "tests/testing/node_harness.h"
#include "tests/testing/tcp_proxy.h"

namespace kaartnet::testing {

using Steady = std::chrono::steady_clock;

double Millis(Steady::duration d);
// The p-quantile (0..1) of `values`, nearest rank; 0 when empty.
double Percentile(std::vector<double> values, double p);

// The entries of `demo_dir`/entries.jsonl, versions cleared so a node
// signs them anew on publish.
std::vector<v1::Entry> ReadDemoEntries(const std::string& demo_dir);

// N nodes in a full mesh: node i dials every node j < i, directly or
// through its own proxy per link.
class Region {
 public:
  Region(int n, const std::string& demo_dir, const std::string& work_dir,
         bool proxied = true,
         const std::string& extra_config = "digest_interval_seconds: 1\n");

  int size() const { return static_cast<int>(nodes_.size()); }
  NodeProcess& node(int i) { return *nodes_[i]; }

  // Starts every node; false with the failing node's log in *error.
  bool StartAll(std::string* error);

  // The proxy between a and b (only for a proxied region).
  TcpProxy& link(int a, int b);
  // Cuts (or restores) every link between a node in `side` and one
  // outside it. Only for a proxied region.
  void Partition(const std::set<int>& side, bool blocked);

  // Waits until every node shows the same state digest and `live` live
  // entries; the milliseconds it took, or -1 on timeout.
  double AwaitConvergence(uint64_t live, absl::Duration timeout);

 private:
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::map<std::pair<int, int>, std::unique_ptr<TcpProxy>> links_;
};

class Client {
 public:
  explicit Client(const std::string& address);

  grpc::Status Publish(const v1::Entry& entry,
                       v1::PublishResponse* response = nullptr);
  grpc::Status Withdraw(const std::string& id, bool erase = false,
                        v1::WithdrawResponse* response = nullptr);
  // The entry, or nullopt when unknown.
  std::optional<v1::Entry> Get(const std::string& id);
  // The node status; a default message when the node does not answer.
  v1::NodeStatus Status();

  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Directory::Stub> directory_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

// Follows a node's changes and notes when each entry id first arrived.
class Watcher {
 public:
  explicit Watcher(const std::string& address);
  ~Watcher();
  std::optional<Steady::time_point> SeenAt(const std::string& id);
  size_t seen() const;

 private:
  void Run();

  Client client_;
  grpc::ClientContext context_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, Steady::time_point> seen_;
};

}  // namespace kaartnet::testing

#endif  // KAARTNET_TESTS_TESTING_REGION_H_
