// kaartnet.v1.Replication over gRPC: dials the configured peers, accepts
// their streams, and runs a Session on each stream with one reader and one
// writer thread. Reconnects with exponential backoff and jitter; a slow or
// dead peer never blocks local writes or other peers (each stream has its
// own threads and flow control).
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_REPLICATION_REPLICATOR_H_
#define KAARTNET_REPLICATION_REPLICATOR_H_

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "kaartnet/v1/replication.grpc.pb.h"
#include "replication/session.h"
#include "storage/store.h"

namespace kaartnet::replication {

struct ReplicatorOptions {
  SessionOptions session;
  absl::Duration min_backoff = absl::Milliseconds(200);
  // A peer that is down costs one dial (a refused TCP connect) per
  // max_backoff; a healed link is back within 1.5 × max_backoff, or as soon
  // as any other stream of the node opens again.
  absl::Duration max_backoff = absl::Milliseconds(500);
  // A stream's writer wakes at least this often (digests, admissions).
  absl::Duration idle_wake = absl::Seconds(1);
  // Default: insecure (loopback and tests).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Mutual TLS: refuse incoming streams whose peer did not present a
  // certificate that TLS verified against the region's CA, and end any
  // stream (in or out) whose peer's Hello names another node than the
  // common name of its certificate.
  bool require_peer_certificate = false;
  // Incoming streams at most; more are refused with RESOURCE_EXHAUSTED.
  int max_inbound_streams = 64;
  Clock* clock = Clock::Real();
};

struct PeerStatus {
  // Configured address (outbound) or the remote address (inbound).
  std::string address;
  bool outbound = false;
  // The stream is open and the peer has said Hello.
  bool connected = false;
  absl::Time connected_since = absl::InfinitePast();
  std::string last_error;
  absl::Time last_error_at = absl::InfinitePast();
  SessionStats session;
};

class Replicator final : public storage::ChangeListener,
                         public v1::Replication::Service {
 public:
  Replicator(Replica* replica, ReplicatorOptions options);
  ~Replicator() override;

  // New records in the store: wake every stream's writer.
  void OnChanges(absl::Span<const storage::Change> changes) override;
  // New admissions: the same.
  void WakeAll();

  // Starts dialing `address` ("host:port"); no-op when already a peer.
  void AddPeer(const std::string& address);
  // Stops dialing and closes the stream; false when not a peer.
  bool RemovePeer(const std::string& address);
  std::vector<std::string> PeerAddresses() const;
  // Outbound peers first (in address order), then inbound streams.
  std::vector<PeerStatus> Status() const;

  grpc::Status Exchange(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::ReplicationMessage, v1::ReplicationMessage>*
          stream) override;

  // Ends every stream and dialer. Idempotent; the destructor calls it.
  void Stop();

 private:
  struct Link;
  struct Dialer;

  template <typename Stream>
  absl::Status RunLink(Link* link, Stream* stream);
  void DialLoop(Dialer* dialer);
  // Ends the backoff of every dialer without a stream.
  void RedialWaiting();
  absl::Duration Jitter(absl::Duration d);

  Replica* const replica_;
  // The peers this node has a stream with, told to every peer.
  DirectFeeds direct_feeds_;
  const ReplicatorOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::unique_ptr<Dialer>> dialers_ ABSL_GUARDED_BY(mu_);
  // Dialers removed but whose threads may still run; joined by Stop.
  std::vector<std::unique_ptr<Dialer>> retired_ ABSL_GUARDED_BY(mu_);
  std::set<std::shared_ptr<Link>> inbound_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::replication

#endif  // KAARTNET_REPLICATION_REPLICATOR_H_
