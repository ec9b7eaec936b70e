#include "replication/peer_acks.h"

#include <algorithm>
#include <limits>

namespace kaartnet::replication {

void PeerAcks::Load(const internal::PeerAcks& stored) {
  absl::MutexLock lock(&mu_);
  for (const internal::PeerAck& ack : stored.peers()) {
    Peer& peer = peers_[ack.node_id()];
    for (const auto& [origin, seq] : ack.frontier()) {
      uint64_t& held = peer.frontier[origin];
      held = std::max(held, seq);
    }
    peer.last_seen =
        std::max(peer.last_seen, absl::FromUnixMicros(ack.last_seen_micros()));
  }
}

internal::PeerAcks PeerAcks::ToProto() const {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  internal::PeerAcks out;
  for (const auto& [node_id, peer] : peers_) {
    internal::PeerAck* ack = out.add_peers();
    ack->set_node_id(node_id);
    for (const auto& [origin, seq] : peer.frontier)
      (*ack->mutable_frontier())[origin] = seq;
    ack->set_last_seen_micros(
        absl::ToUnixMicros(peer.streams > 0 ? now : peer.last_seen));
  }
  return out;
}

void PeerAcks::Connected(const std::string& peer,
                         const std::map<std::string, uint64_t>& frontier) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  Peer& state = peers_[peer];
  ++state.streams;
  state.last_seen = now;
  // A Hello tells the whole frontier: origins it leaves out the peer does
  // not hold (a peer restored from a backup may hold less than it acked).
  state.frontier = frontier;
}

void PeerAcks::Disconnected(const std::string& peer) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.streams = std::max(0, it->second.streams - 1);
  it->second.last_seen = now;
}

void PeerAcks::Raise(
    const std::string& peer,
    const std::vector<std::pair<std::string, uint64_t>>& frontier) {
  absl::MutexLock lock(&mu_);
  Peer& state = peers_[peer];
  for (const auto& [origin, seq] : frontier) {
    uint64_t& held = state.frontier[origin];
    held = std::max(held, seq);
  }
}

uint64_t PeerAcks::HeldByAll(const std::string& origin) const {
  absl::MutexLock lock(&mu_);
  uint64_t held = std::numeric_limits<uint64_t>::max();
  for (const auto& [node_id, peer] : peers_) {
    auto it = peer.frontier.find(origin);
    held = std::min(held, it == peer.frontier.end() ? 0 : it->second);
  }
  return held;
}

std::vector<std::string> PeerAcks::Peers() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [node_id, peer] : peers_) out.push_back(node_id);
  return out;
}

bool PeerAcks::Forget(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  return peers_.erase(peer) > 0;
}

}  // namespace kaartnet::replication
