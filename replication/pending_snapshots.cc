#include "replication/pending_snapshots.h"

#include <algorithm>

namespace kaartnet::replication {

bool PendingSnapshot::Gone(absl::string_view id, const std::string& origin,
                           uint64_t seq, uint64_t hlc,
                           uint64_t mark_limit) const {
  if (hlc > std::min(manifest.floors.tombstone_mark, mark_limit)) return false;
  auto seen = manifest.frontier.find(origin);
  if (seen == manifest.frontier.end() || seq > seen->second) return false;
  return !ids.contains(id);
}

std::shared_ptr<const PendingSnapshot> PendingSnapshots::Add(
    std::string peer, storage::Manifest snapshot) {
  auto pending = std::make_shared<PendingSnapshot>();
  pending->peer = std::move(peer);
  for (auto it = snapshot.floors.floors.begin();
       it != snapshot.floors.floors.end();) {
    auto seen = snapshot.frontier.find(it->first);
    const uint64_t limit = seen == snapshot.frontier.end() ? 0 : seen->second;
    it->second = std::min(it->second, limit);
    it = it->second == 0 ? snapshot.floors.floors.erase(it) : std::next(it);
  }
  pending->ids.reserve(snapshot.ids.size());
  for (std::string& id : snapshot.ids) pending->ids.insert(std::move(id));
  snapshot.ids.clear();
  pending->manifest = std::move(snapshot);
  absl::MutexLock lock(&mu_);
  pending_.push_back(pending);
  return pending;
}

bool PendingSnapshots::empty() const {
  absl::MutexLock lock(&mu_);
  return pending_.empty();
}

bool PendingSnapshots::Gone(absl::string_view id, const std::string& origin,
                            uint64_t seq, uint64_t hlc,
                            uint64_t mark_limit) const {
  absl::MutexLock lock(&mu_);
  for (const auto& pending : pending_) {
    if (pending->Gone(id, origin, seq, hlc, mark_limit)) return true;
  }
  return false;
}

std::vector<std::shared_ptr<const PendingSnapshot>>
PendingSnapshots::TakeCaughtUp(
    const std::function<uint64_t(const std::string&)>& frontier_of,
    uint64_t mark_limit) {
  std::vector<std::shared_ptr<const PendingSnapshot>> out;
  absl::MutexLock lock(&mu_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    const storage::Manifest& m = (*it)->manifest;
    bool caught_up = m.floors.tombstone_mark <= mark_limit;
    for (auto f = m.frontier.begin(); caught_up && f != m.frontier.end(); ++f)
      caught_up = frontier_of(f->first) >= f->second;
    if (caught_up) {
      out.push_back(std::move(*it));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace kaartnet::replication
