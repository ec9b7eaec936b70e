#include "replication/replicator.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace kaartnet::replication {

// One running stream.
namespace {

// The common name of the peer's verified certificate ("" without one).
std::string CommonNameOf(const std::shared_ptr<const grpc::AuthContext>& auth) {
  if (auth == nullptr) return "";
  const auto values = auth->FindPropertyValues("x509_common_name");
  if (values.empty()) return "";
  return std::string(values[0].data(), values[0].size());
}

}  // namespace

struct Replicator::Link {
  Link(Replica* replica, const SessionOptions& options)
      : session(replica, options) {}

  Session session;
  std::string address;
  bool outbound = false;
  absl::Time since = absl::InfinitePast();
  // Cancels the gRPC call (unblocks Read and Write).
  std::function<void()> cancel;
  // With mutual TLS: the common name of the peer's verified certificate,
  // which must be the node id its Hello names.
  std::function<std::string()> certified_node_id;

  absl::Mutex mu;
  uint64_t wakes ABSL_GUARDED_BY(mu) = 0;
  bool done ABSL_GUARDED_BY(mu) = false;
  bool writer_exited ABSL_GUARDED_BY(mu) = false;

  void Wake() {
    absl::MutexLock lock(&mu);
    ++wakes;
  }
};

// One configured peer: a thread that keeps a stream to it open.
struct Replicator::Dialer {
  std::string address;
  std::thread thread;
  absl::Mutex mu;
  bool removed ABSL_GUARDED_BY(mu) = false;
  // Set while waiting out a backoff: dial now (another stream just opened,
  // so the network is likely back).
  bool redial_now ABSL_GUARDED_BY(mu) = false;
  std::shared_ptr<Link> link ABSL_GUARDED_BY(mu);
  std::string last_error ABSL_GUARDED_BY(mu);
  absl::Time last_error_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  // The last stream's session figures, kept while disconnected.
  SessionStats last_stats ABSL_GUARDED_BY(mu);
};

namespace {

ReplicatorOptions WithFeeds(ReplicatorOptions options, DirectFeeds* feeds) {
  options.session.direct_feeds = feeds;
  return options;
}

}  // namespace

Replicator::Replicator(Replica* replica, ReplicatorOptions options)
    : replica_(replica),
      options_(WithFeeds(std::move(options), &direct_feeds_)),
      random_(std::random_device()()) {}

Replicator::~Replicator() { Stop(); }

void Replicator::OnChanges(absl::Span<const storage::Change>) { WakeAll(); }

void Replicator::WakeAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [address, dialer] : dialers_) {
    absl::MutexLock dialer_lock(&dialer->mu);
    if (dialer->link) dialer->link->Wake();
  }
  for (const auto& link : inbound_) link->Wake();
}

absl::Duration Replicator::Jitter(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  return d * factor(random_);
}

void Replicator::RedialWaiting() {
  absl::MutexLock lock(&mu_);
  for (auto& [address, dialer] : dialers_) {
    absl::MutexLock dialer_lock(&dialer->mu);
    if (!dialer->link) dialer->redial_now = true;
  }
}

void Replicator::AddPeer(const std::string& address) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || dialers_.count(address)) return;
  auto dialer = std::make_unique<Dialer>();
  dialer->address = address;
  Dialer* raw = dialer.get();
  dialers_[address] = std::move(dialer);
  raw->thread = std::thread([this, raw] { DialLoop(raw); });
}

bool Replicator::RemovePeer(const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = dialers_.find(address);
  if (it == dialers_.end()) return false;
  {
    absl::MutexLock dialer_lock(&it->second->mu);
    it->second->removed = true;
    if (it->second->link) it->second->link->cancel();
  }
  retired_.push_back(std::move(it->second));
  dialers_.erase(it);
  return true;
}

std::vector<std::string> Replicator::PeerAddresses() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [address, dialer] : dialers_) out.push_back(address);
  return out;
}

std::vector<PeerStatus> Replicator::Status() const {
  absl::MutexLock lock(&mu_);
  std::vector<PeerStatus> out;
  for (const auto& [address, dialer] : dialers_) {
    PeerStatus& status = out.emplace_back();
    status.address = address;
    status.outbound = true;
    absl::MutexLock dialer_lock(&dialer->mu);
    status.last_error = dialer->last_error;
    status.last_error_at = dialer->last_error_at;
    status.session = dialer->last_stats;
    if (dialer->link) {
      status.session = dialer->link->session.stats();
      status.connected = status.session.hello_received;
      status.connected_since = dialer->link->since;
    }
  }
  for (const auto& link : inbound_) {
    PeerStatus& status = out.emplace_back();
    status.address = link->address;
    status.session = link->session.stats();
    status.connected = status.session.hello_received;
    status.connected_since = link->since;
  }
  return out;
}

void Replicator::Stop() {
  std::vector<std::unique_ptr<Dialer>> dialers;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [address, dialer] : dialers_)
      dialers.push_back(std::move(dialer));
    dialers_.clear();
    for (auto& dialer : retired_) dialers.push_back(std::move(dialer));
    retired_.clear();
    for (const auto& link : inbound_) link->cancel();
  }
  for (auto& dialer : dialers) {
    {
      absl::MutexLock lock(&dialer->mu);
      dialer->removed = true;
      if (dialer->link) dialer->link->cancel();
    }
    if (dialer->thread.joinable()) dialer->thread.join();
  }
  // Inbound handlers end on their own once cancelled; wait for them so the
  // replica outlives every session.
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](std::set<std::shared_ptr<Link>>* links) { return links->empty(); },
      &inbound_));
}

template <typename Stream>
absl::Status Replicator::RunLink(Link* link, Stream* stream) {
  absl::Status error;
  std::thread writer([&] {
    while (true) {
      uint64_t seen;
      {
        absl::MutexLock lock(&link->mu);
        if (link->done) break;
        seen = link->wakes;
      }
      auto messages = link->session.Poll(options_.clock->Now());
      if (!messages.ok()) {
        KLOG(ERROR) << "replication with " << link->address
                    << ": cannot read the log: " << messages.status();
        link->cancel();
        break;
      }
      bool written = true;
      for (const v1::ReplicationMessage& message : *messages) {
        if (!stream->Write(message)) {
          written = false;
          break;
        }
      }
      if (!written) break;
      if (!messages->empty()) continue;
      struct Wait {
        Link* link;
        uint64_t seen;
      } wait{link, seen};
      // Records held back for a lazy relay are due at NextWakeAt.
      const absl::Duration timeout =
          std::clamp(link->session.NextWakeAt() - options_.clock->Now(),
                     absl::ZeroDuration(), options_.idle_wake);
      absl::MutexLock lock(&link->mu);
      link->mu.AwaitWithTimeout(
          absl::Condition(
              +[](Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                return w->link->done || w->link->wakes != w->seen;
              },
              &wait),
          timeout);
    }
    absl::MutexLock lock(&link->mu);
    link->writer_exited = true;
  });

  v1::ReplicationMessage message;
  while (stream->Read(&message)) {
    if (message.has_hello() && link->certified_node_id) {
      const std::string certified = link->certified_node_id();
      if (certified != message.hello().node_id()) {
        error = absl::PermissionDeniedError(
            absl::StrCat("peer says it is node \"", message.hello().node_id(),
                         "\" but its certificate is for \"", certified, "\""));
        break;
      }
    }
    absl::Status status = link->session.Receive(message);
    if (!status.ok()) {
      error = std::move(status);
      break;
    }
    if (message.has_hello()) {
      KLOG(INFO) << "replication: stream " << (link->outbound ? "to " : "from ")
                 << message.hello().node_id() << " (" << link->address
                 << ") open";
      if (const std::string warning = link->session.stats().warning;
          !warning.empty()) {
        KLOG(WARNING) << "replication: " << warning;
      }
      // A link just came up: after a partition heals the others usually
      // have too, so peers waiting out a backoff are dialed at once rather
      // than up to 1.5 × max_backoff later.
      RedialWaiting();
    }
    link->Wake();
  }
  {
    absl::MutexLock lock(&link->mu);
    link->done = true;
    // The writer may be blocked in Write on a peer that stopped reading.
    if (!link->mu.AwaitWithTimeout(
            absl::Condition(
                +[](Link* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                  return l->writer_exited;
                },
                link),
            absl::Seconds(2))) {
      link->cancel();
    }
  }
  writer.join();
  // The peer is no longer a direct feed of this node: tell the others.
  link->session.Close();
  WakeAll();
  return error;
}

grpc::Status Replicator::Exchange(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::ReplicationMessage, v1::ReplicationMessage>*
        stream) {
  if (options_.require_peer_certificate) {
    const auto auth = context->auth_context();
    if (auth == nullptr || !auth->IsPeerAuthenticated()) {
      KLOG(WARNING) << "replication: refused stream from " << context->peer()
                    << ": no certificate of the region's CA";
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "replication needs a node certificate signed by "
                          "the region's CA (mutual TLS)");
    }
  }
  auto link = std::make_shared<Link>(replica_, options_.session);
  link->address = context->peer();
  link->since = options_.clock->Now();
  link->cancel = [context] { context->TryCancel(); };
  if (options_.require_peer_certificate) {
    link->certified_node_id = [context] {
      return CommonNameOf(context->auth_context());
    };
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopping_)
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "node is shutting down");
    if (static_cast<int>(inbound_.size()) >= options_.max_inbound_streams) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("this node already has ", inbound_.size(),
                       " incoming replication streams; try again later"));
    }
    inbound_.insert(link);
  }
  const absl::Status status = RunLink(link.get(), stream);
  const SessionStats stats = link->session.stats();
  if (stats.hello_received) {
    KLOG(INFO) << "replication: stream from " << stats.peer_node_id << " ("
               << link->address << ") closed"
               << (status.ok() ? "" : absl::StrCat(": ", status.message()));
  } else if (!status.ok()) {
    KLOG(WARNING) << "replication: refused stream from " << link->address
                  << ": " << status.message();
  }
  {
    absl::MutexLock lock(&mu_);
    inbound_.erase(link);
  }
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(status.code() == absl::StatusCode::kFailedPrecondition
                          ? grpc::StatusCode::FAILED_PRECONDITION
                          : grpc::StatusCode::INVALID_ARGUMENT,
                      std::string(status.message()));
}

void Replicator::DialLoop(Dialer* dialer) {
  constexpr absl::Duration kWarnEvery = absl::Minutes(1);
  absl::Duration backoff = options_.min_backoff;
  uint64_t failed_dials = 0;
  absl::Time warned_at = absl::InfinitePast();
  auto credentials = options_.credentials ? options_.credentials
                                          : grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Each attempt gets a channel of its own with its own connection, so that
  // gRPC's reconnect backoff (kept per connection in a process-wide pool
  // otherwise, and grown during a long outage) does not add to the dialer's:
  // the dialer's backoff alone decides when a healed link is tried again.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              absl::ToInt64Milliseconds(options_.min_backoff));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              absl::ToInt64Milliseconds(options_.max_backoff));
  args.SetMaxReceiveMessageSize(16 << 20);
  while (true) {
    {
      absl::MutexLock lock(&dialer->mu);
      if (dialer->removed) return;
    }
    auto channel =
        grpc::CreateCustomChannel(dialer->address, credentials, args);
    auto stub = v1::Replication::NewStub(channel);
    grpc::ClientContext context;
    auto link = std::make_shared<Link>(replica_, options_.session);
    link->address = dialer->address;
    link->outbound = true;
    link->since = options_.clock->Now();
    link->cancel = [&context] { context.TryCancel(); };
    if (options_.require_peer_certificate) {
      link->certified_node_id = [&context] {
        return CommonNameOf(context.auth_context());
      };
    }
    {
      absl::MutexLock lock(&dialer->mu);
      if (dialer->removed) return;
      dialer->link = link;
      dialer->redial_now = false;
    }
    auto stream = stub->Exchange(&context);
    absl::Status status = RunLink(link.get(), stream.get());
    context.TryCancel();
    const grpc::Status finished = stream->Finish();
    const SessionStats stats = link->session.stats();
    std::string why;
    if (!status.ok()) {
      why = std::string(status.message());
    } else if (!finished.ok() &&
               finished.error_code() != grpc::StatusCode::CANCELLED) {
      why = finished.error_message();
    } else {
      why = "stream closed";
    }
    bool removed;
    {
      absl::MutexLock lock(&dialer->mu);
      removed = dialer->removed;
      dialer->link.reset();
      dialer->last_stats = stats;
      dialer->last_error = why;
      dialer->last_error_at = options_.clock->Now();
    }
    if (removed) return;
    if (stats.hello_received) {
      KLOG(INFO) << "replication: stream to " << stats.peer_node_id << " ("
                 << dialer->address << ") closed: " << why;
      backoff = options_.min_backoff;
      failed_dials = 0;
    } else if (++failed_dials == 1 ||
               options_.clock->Now() - warned_at >= kWarnEvery) {
      // Logged on the first failure and then once a minute: a peer that is
      // down for hours is dialed twice a second.
      KLOG(WARNING) << "replication: cannot reach peer " << dialer->address
                    << ": " << why
                    << (failed_dials == 1
                            ? std::string(" (retrying)")
                            : absl::StrCat(" (", failed_dials,
                                           " attempts so far; retrying)"));
      warned_at = options_.clock->Now();
    }
    const absl::Duration pause = Jitter(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::MutexLock lock(&dialer->mu);
    dialer->mu.AwaitWithTimeout(
        absl::Condition(
            +[](Dialer* d) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return d->removed || d->redial_now;
            },
            dialer),
        pause);
  }
}

}  // namespace kaartnet::replication
