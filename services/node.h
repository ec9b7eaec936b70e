// One kaartnet node, assembled: store, registry, ledger, search index, cores
// and the gRPC server. kaartnetd is a thin main() around this; tests start
// nodes in-process with it.
//
// Thread-safety: Start and Shutdown from one thread; the accessors are safe
// from any thread while the node runs.
#ifndef KAARTNET_SERVICES_NODE_H_
#define KAARTNET_SERVICES_NODE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/hlc.h"
#include "grpcpp/grpcpp.h"
#include "kaartnet/v1/config.pb.h"
#include "replication/digest.h"
#include "services/auth.h"
#include "services/directory_core.h"
#include "services/grpc_services.h"
#include "services/http_api.h"
#include "services/ledger.h"
#include "services/metrics.h"
#include "services/peer_book.h"
#include "services/tombstones.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace kaartnet::services {

struct NodeOptions {
  v1::NodeConfig config;
  Clock* clock = Clock::Real();
  // Test hook: an in-memory or fault-injecting Env.
  rocksdb::Env* env = nullptr;
  // Start the gRPC server on config.grpc_listen.
  bool serve_grpc = true;
  std::unique_ptr<Authenticator> authenticator;  // default: OpenAuthenticator
};

class Node {
 public:
  static absl::StatusOr<std::unique_ptr<Node>> Start(NodeOptions options);
  ~Node();

  // Stops accepting calls, lets running calls finish within `grace`, ends
  // watch streams, then closes the store (flushing it).
  void Shutdown(absl::Duration grace = absl::Seconds(5));

  // The bound gRPC port (useful with ":0" in the config).
  int grpc_port() const { return grpc_port_; }
  // The bound HTTP port; 0 without http_listen.
  int http_port() const { return http_ ? http_->port() : 0; }
  std::shared_ptr<grpc::Channel> InProcessChannel();

  NodeContext* context() { return &context_; }
  DirectoryCore* directory() { return directory_.get(); }
  AdminCore* admin() { return admin_.get(); }
  Ledger* ledger() { return ledger_.get(); }
  replication::Replicator* replicator() { return replicator_.get(); }
  // The node as the replication protocol sees it (for a Session of one's
  // own, e.g. in fuzzing).
  replication::Replica* replica() { return replica_.get(); }

 private:
  Node() = default;
  absl::Status Init(NodeOptions options);
  // The search index file (search::SearchIndex::Save) and the part of its
  // stamp that the node knows: its version and the organisations.
  std::string IndexFilePath() const;
  std::string IndexStamp() const;
  void SaveIndex();

  v1::NodeConfig config_;
  std::unique_ptr<OffsetClock> offset_clock_;  // clock_offset_seconds
  std::unique_ptr<HybridLogicalClock> hlc_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<trust::OrganisationRegistry> registry_;
  std::unique_ptr<search::SearchIndex> index_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<trust::AccessLog> access_log_;
  NodeContext context_;
  std::unique_ptr<DirectoryCore> directory_;
  std::unique_ptr<AdminCore> admin_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<DirectoryService> directory_service_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<replication::DigestTable> digest_;
  std::unique_ptr<replication::Replica> replica_;
  // Before replicator_: its sessions report to it until they end.
  std::unique_ptr<replication::PeerAcks> peer_acks_;
  std::unique_ptr<replication::Replicator> replicator_;
  std::unique_ptr<TombstoneSweeper> tombstone_sweeper_;
  std::unique_ptr<PeerBook> peer_book_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
  bool shut_down_ = false;
  // The index describes the store (loaded or rebuilt): saved at the stop.
  bool index_ready_ = false;
};

// The version string of this build.
const char* KaartnetVersion();

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_NODE_H_
