#include "replication/pending_snapshots.h"

#include <algorithm>

#include "kaartnet/internal/storage.pb.h"
#include "kaartnet/v1/replication.pb.h"

namespace kaartnet::replication {

void SetSnapshotHeader(const storage::Manifest& manifest,
                       v1::Snapshot* snapshot) {
  snapshot->mutable_frontier()->insert(manifest.frontier.begin(),
                                       manifest.frontier.end());
  snapshot->mutable_floors()->insert(manifest.floors.floors.begin(),
                                     manifest.floors.floors.end());
  snapshot->set_tombstone_mark(manifest.floors.tombstone_mark);
}

storage::Manifest SnapshotHeader(const v1::Snapshot& snapshot) {
  storage::Manifest manifest;
  manifest.frontier = {snapshot.frontier().begin(), snapshot.frontier().end()};
  manifest.floors.floors = {snapshot.floors().begin(), snapshot.floors().end()};
  manifest.floors.tombstone_mark = snapshot.tombstone_mark();
  return manifest;
}

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
  pending_.erase(
      std::remove_if(pending_.begin(), pending_.end(),
                     [&](const auto& p) { return p->peer == pending->peer; }),
      pending_.end());
  pending_.push_back(pending);
  return pending;
}

std::map<std::string, uint64_t> PendingSnapshots::Floors() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, uint64_t> floors;
  for (const auto& pending : pending_) {
    for (const auto& [origin, seq] : pending->manifest.floors.floors) {
      uint64_t& floor = floors[origin];
      floor = std::max(floor, seq);
    }
  }
  return floors;
}

void PendingSnapshots::Erase(const PendingSnapshot* snapshot) {
  absl::MutexLock lock(&mu_);
  pending_.erase(
      std::remove_if(pending_.begin(), pending_.end(),
                     [&](const auto& p) { return p.get() == snapshot; }),
      pending_.end());
}

std::string PendingSnapshots::Serialize(const PendingSnapshot& snapshot) {
  internal::PendingSnapshot stored;
  stored.set_peer(snapshot.peer);
  v1::Snapshot* s = stored.mutable_snapshot();
  SetSnapshotHeader(snapshot.manifest, s);
  for (const std::string& id : snapshot.ids) s->add_ids(id);
  return stored.SerializeAsString();
}

bool PendingSnapshots::Parse(const std::string& bytes, std::string* peer,
                             storage::Manifest* snapshot) {
  internal::PendingSnapshot stored;
  if (!stored.ParseFromString(bytes)) return false;
  *peer = stored.peer();
  *snapshot = SnapshotHeader(stored.snapshot());
  snapshot->ids.assign(stored.snapshot().ids().begin(),
                       stored.snapshot().ids().end());
  return true;
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

std::vector<std::shared_ptr<const PendingSnapshot>> PendingSnapshots::CaughtUp(
    const std::function<uint64_t(const std::string&)>& frontier_of,
    uint64_t mark_limit) const {
  std::vector<std::shared_ptr<const PendingSnapshot>> out;
  absl::MutexLock lock(&mu_);
  for (const auto& pending : pending_) {
    const storage::Manifest& m = pending->manifest;
    bool caught_up = m.floors.tombstone_mark <= mark_limit;
    for (auto f = m.frontier.begin(); caught_up && f != m.frontier.end(); ++f)
      caught_up = frontier_of(f->first) >= f->second;
    if (caught_up) out.push_back(pending);
  }
  return out;
}

}  // namespace kaartnet::replication
