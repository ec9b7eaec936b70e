#include "replication/peer_acks.h"

#include <algorithm>
#include <limits>

namespace kaartnet::replication {

namespace {
constexpr char kStoredKey[] = "peer_acks";
}  // namespace

absl::Status PeerAcks::Load(const storage::Store& store) {
  auto stored = store.ListMeta(kStoredKey);
  if (!stored.ok()) return stored.status();
  absl::MutexLock lock(&mu_);
  for (const auto& [key, bytes] : *stored) {
    if (key != kStoredKey) continue;
    internal::PeerAcks acks;
    if (!acks.ParseFromString(bytes))
      return absl::DataLossError("stored peer acknowledgements do not parse");
    for (const internal::PeerAck& ack : acks.peers()) {
      auto& held = peers_[ack.node_id()];
      for (const auto& [origin, seq] : ack.frontier())
        held[origin] = std::max(held[origin], seq);
    }
  }
  return absl::OkStatus();
}

absl::Status PeerAcks::Save(storage::Store* store) const {
  internal::PeerAcks acks;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [node_id, held] : peers_) {
      internal::PeerAck* ack = acks.add_peers();
      ack->set_node_id(node_id);
      ack->mutable_frontier()->insert(held.begin(), held.end());
    }
  }
  return store->PutMeta(kStoredKey, acks.SerializeAsString());
}

void PeerAcks::Connected(const std::string& peer,
                         const std::map<std::string, uint64_t>& frontier) {
  absl::MutexLock lock(&mu_);
  // A Hello tells the whole frontier: origins it leaves out the peer does
  // not hold (a peer restored from a backup may hold less than it acked).
  peers_[peer] = frontier;
}

void PeerAcks::Raise(
    const std::string& peer,
    const std::vector<std::pair<std::string, uint64_t>>& frontier) {
  absl::MutexLock lock(&mu_);
  auto& held = peers_[peer];
  for (const auto& [origin, seq] : frontier)
    held[origin] = std::max(held[origin], seq);
}

uint64_t PeerAcks::HeldByAll(const std::string& origin) const {
  absl::MutexLock lock(&mu_);
  uint64_t held = std::numeric_limits<uint64_t>::max();
  for (const auto& [node_id, frontier] : peers_) {
    auto it = frontier.find(origin);
    held = std::min(held, it == frontier.end() ? 0 : it->second);
  }
  return held;
}

std::vector<std::string> PeerAcks::Peers() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [node_id, frontier] : peers_) out.push_back(node_id);
  return out;
}

bool PeerAcks::Forget(const std::string& peer) {
  absl::MutexLock lock(&mu_);
  return peers_.erase(peer) > 0;
}

}  // namespace kaartnet::replication
