#include "tests/sim/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <random>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "replication/session.h"
#include "tests/sim/sim_replica.h"

namespace kaartnet::sim {
namespace {

using Micros = int64_t;

constexpr Micros kSecond = 1000000;
constexpr Micros kMilli = 1000;
constexpr Micros kTickEvery = 2 * kSecond;
// 2026-11-16, so versions look like real ones.
const absl::Time kEpoch = absl::FromUnixSeconds(1794787200);

class SimClock final : public Clock {
 public:
  explicit SimClock(const Micros* now) : now_(now) {}
  absl::Time Now() override {
    return kEpoch + absl::Microseconds(*now_ + offset);
  }
  int64_t MonotonicMicros() override { return *now_; }
  Micros offset = 0;

 private:
  const Micros* now_;
};

struct Node {
  int index = 0;
  int cluster = 0;
  std::string id;
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<SimReplica> replica;
  // The node's direct feeds, shared by its sessions (as in the replicator).
  std::unique_ptr<replication::DirectFeeds> feeds =
      std::make_unique<replication::DirectFeeds>();
  bool joined = false;  // started at least once (joiners start late)
  bool up = false;
  bool left = false;
  bool may_leave = true;  // not a bridge between clusters
  bool joiner = false;    // starts late, at its kJoin fault
  std::vector<int> links;
  std::vector<std::unique_ptr<SimReplica>> backups;
  uint64_t seen_generation = 0;
  replication::Frontier last_frontier;
};

struct Link {
  int end[2] = {0, 0};
  bool removed = false;
  bool cut = false;
  uint64_t epoch = 0;
  std::unique_ptr<replication::Session> session[2];
  Micros last_delivery[2] = {0, 0};
  Micros base_delay = kMilli;
  Micros backoff = 200 * kMilli;
  bool connect_scheduled = false;
  bool dirty[2] = {false, false};
  // A poll scheduled for records held back for a lazy relay (0: none).
  Micros wake_at[2] = {0, 0};
  // Messages on the way, per direction (side 0: from end[0]), when records
  // in flight are tracked (runs with restores).
  std::deque<std::shared_ptr<const v1::ReplicationMessage>> in_flight[2];
  bool connected() const { return session[0] != nullptr; }
};

enum class Kind { kDeliver, kConnect, kTick, kWake, kWrite, kFault, kPhase };
enum class Fault {
  kPartition,
  kHealPartition,
  kCrash,
  kRestart,
  kRestore,
  kBackup,
  kClockJump,
  kJoin,
  kLeave
};
enum class Phase { kHeal, kLoadDone, kSplit, kHealSplit };

struct Event {
  Micros time = 0;
  uint64_t order = 0;
  Kind kind = Kind::kTick;
  int a = -1;  // link or node
  int side = 0;
  int code = 0;  // Fault or Phase
  uint64_t epoch = 0;
  std::shared_ptr<const v1::ReplicationMessage> message;
  bool operator>(const Event& o) const {
    return std::tie(time, order) > std::tie(o.time, o.order);
  }
};

class World {
 public:
  explicit World(const SimOptions& options)
      : options_(options), random_(options.seed) {}

  SimReport Run();

 private:
  // --- scheduling
  void Schedule(Event event) {
    event.order = next_order_++;
    queue_.push(std::move(event));
  }
  void At(Micros time, Kind kind, int a, int code = 0) {
    Event e;
    e.time = time;
    e.kind = kind;
    e.a = a;
    e.code = code;
    Schedule(std::move(e));
  }
  double Uniform() { return std::uniform_real_distribution<>(0, 1)(random_); }
  Micros UniformMicros(Micros lo, Micros hi) {
    return std::uniform_int_distribution<Micros>(lo, hi)(random_);
  }
  int Pick(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(random_);
  }
  Micros Exponential(double mean) {
    return static_cast<Micros>(
        std::exponential_distribution<>(1.0 / std::max(mean, 1.0))(random_));
  }

  // --- building
  void Build();
  void AddLink(int a, int b, Micros base_delay);
  bool HasLink(int a, int b) const;

  // --- network
  bool Eligible(const Link& link) const {
    if (link.removed || link.cut) return false;
    for (int end : link.end) {
      const Node& n = nodes_[end];
      if (!n.up || n.left) return false;
    }
    return true;
  }
  void ScheduleConnect(int l, Micros delay);
  void Connect(int l);
  void ResetLink(int l);
  void Send(int l, int side, v1::ReplicationMessage message);
  void CountInFlight(const v1::ReplicationMessage& message, int delta);
  void Deliver(const Event& e);
  // Polls the session at `side` of link `l` on the next Flush.
  void MarkDirty(int l, int side);
  void MarkAllSessions(int n);
  // Marks all sessions of `n` when its state changed since it was last seen.
  void MarkNode(int n);
  void Flush();

  // --- nodes and faults
  void StartNode(int n);
  void CrashNode(int n);
  void HandleFault(const Event& e);
  void ScheduleFaults();
  void HandleWrite();
  void Write(int node, uint32_t org_entry, int op);
  void ForgetUnescaped(int n, const SimReplica* restored);

  // --- invariants
  void CheckContinuous(int n);
  bool Converged();
  void CheckQuiescent();
  void Violation(const std::string& what);
  std::string History(uint32_t id) const;
  const SimRecord* Expected(uint32_t id) const;
  bool Live(const Node& n) const { return n.joined && !n.left; }

  const SimOptions options_;
  std::mt19937_64 random_;
  Micros now_ = 0;
  uint64_t next_order_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  RecordPool pool_;
  std::vector<Node> nodes_;
  std::vector<Link> links_;
  std::vector<std::pair<int, int>> dirty_;
  replication::SessionOptions session_options_;

  // Organisations and their entries.
  std::vector<int> home_;               // per organisation
  std::vector<std::string> entry_ids_;  // in play
  std::vector<int> entry_org_;          // per entry
  std::vector<bool> erased_;            // per entry (never written again)
  std::vector<std::vector<const SimRecord*>> acked_;  // per interned id
  // Records in messages on the way (tracked when faults are on).
  absl::flat_hash_map<const SimRecord*, int> in_flight_;
  std::string payload_;

  std::vector<std::string> fault_log_;
  bool active_ = true;
  bool done_ = false;
  Micros settle_from_ = -1;  // a convergence is being timed since
  Phase settle_phase_ = Phase::kHeal;
  std::vector<int> partition_links_;
  SimReport report_;
};

void World::AddLink(int a, int b, Micros base_delay) {
  Link link;
  link.end[0] = a;
  link.end[1] = b;
  link.base_delay = base_delay;
  nodes_[a].links.push_back(static_cast<int>(links_.size()));
  nodes_[b].links.push_back(static_cast<int>(links_.size()));
  links_.push_back(std::move(link));
}

bool World::HasLink(int a, int b) const {
  for (int l : nodes_[a].links) {
    const Link& link = links_[l];
    if ((link.end[0] == b) || (link.end[1] == b)) return true;
  }
  return a == b;
}

void World::Build() {
  session_options_.digest_interval = options_.digest_interval;
  session_options_.version = "sim";
  const int n = options_.nodes;
  const int clusters = std::max(1, std::min(options_.clusters, n));
  nodes_.resize(n);
  std::vector<std::vector<int>> members(clusters);
  for (int i = 0; i < n; ++i) {
    Node& node = nodes_[i];
    node.index = i;
    node.cluster = i % clusters;
    node.id = absl::StrFormat("n%03d", i);
    node.clock = std::make_unique<SimClock>(&now_);
    // Clocks start up to a second apart.
    node.clock->offset = UniformMicros(-kSecond, kSecond);
    node.replica = std::make_unique<SimReplica>(&pool_, node.id, "NL",
                                                node.clock.get(), i);
    if (i == 0)
      node.replica->set_ignore_conflict_rule(options_.sabotage_conflict_rule);
    members[node.cluster].push_back(i);
  }
  // Inside each cluster: a ring plus random extra links, 0.2–5 ms.
  for (const std::vector<int>& m : members) {
    const int size = static_cast<int>(m.size());
    for (int i = 0; i < size && size > 1; ++i) {
      const int a = m[i], b = m[(i + 1) % size];
      if (!HasLink(a, b)) AddLink(a, b, UniformMicros(200, 5 * kMilli));
    }
    for (int i = 0; i < size; ++i) {
      for (int k = 0; k < options_.extra_links_per_node; ++k) {
        const int b = m[Pick(size)];
        if (!HasLink(m[i], b)) AddLink(m[i], b, UniformMicros(200, 5 * kMilli));
      }
    }
  }
  // Between clusters: a ring of clusters, each step by a few links, 5–30 ms.
  for (int c = 0; c < clusters && clusters > 1; ++c) {
    const std::vector<int>& from = members[c];
    const std::vector<int>& to = members[(c + 1) % clusters];
    for (int k = 0; k < options_.links_between_clusters; ++k) {
      const int a = from[Pick(static_cast<int>(from.size()))];
      const int b = to[Pick(static_cast<int>(to.size()))];
      nodes_[a].may_leave = nodes_[b].may_leave = false;
      if (!HasLink(a, b)) AddLink(a, b, UniformMicros(5 * kMilli, 30 * kMilli));
    }
  }

  // Organisations: each has a home node and entries.
  const int orgs = std::max(1, options_.organisations);
  for (int o = 0; o < orgs; ++o) home_.push_back(Pick(n));
  for (int e = 0; e < options_.entries; ++e) {
    const int org = e % orgs;
    entry_org_.push_back(org);
    entry_ids_.push_back(absl::StrFormat("org%04d/e%07d", org, e));
    pool_.InternId(entry_ids_.back());
  }
  erased_.assign(entry_ids_.size(), false);
  acked_.resize(entry_ids_.size());
  payload_.assign(options_.payload_bytes, 'x');
}

void World::ScheduleConnect(int l, Micros delay) {
  Link& link = links_[l];
  if (link.connect_scheduled || link.connected() || !Eligible(link)) return;
  link.connect_scheduled = true;
  At(now_ + delay, Kind::kConnect, l);
}

void World::Connect(int l) {
  Link& link = links_[l];
  link.connect_scheduled = false;
  if (link.connected() || !Eligible(link)) return;
  for (int side = 0; side < 2; ++side) {
    replication::SessionOptions options = session_options_;
    if (options_.lazy_relay)
      options.direct_feeds = nodes_[link.end[side]].feeds.get();
    link.session[side] = std::make_unique<replication::Session>(
        nodes_[link.end[side]].replica.get(), std::move(options));
    link.wake_at[side] = 0;
    link.last_delivery[side] = now_;
    MarkDirty(l, side);
  }
  link.backoff = 200 * kMilli;
}

void World::ResetLink(int l) {
  Link& link = links_[l];
  if (!link.connected()) return;
  ++link.epoch;
  link.session[0].reset();
  link.session[1].reset();
  for (auto& direction : link.in_flight) {
    for (const auto& message : direction) CountInFlight(*message, -1);
    direction.clear();
  }
  // The dialer backs off with jitter, as the replicator does.
  const Micros wait = link.backoff / 2 + UniformMicros(0, link.backoff);
  link.backoff = std::min<Micros>(link.backoff * 2, kSecond);
  ScheduleConnect(l, wait);
}

void World::Send(int l, int side, v1::ReplicationMessage message) {
  Link& link = links_[l];
  ++report_.messages;
  const size_t bytes = message.ByteSizeLong();
  report_.bytes += bytes;
  if (message.has_records()) {
    report_.records_sent += message.records().records_size();
    for (const v1::LogRecord& r : message.records().records())
      report_.record_bytes += r.ByteSizeLong();
  }
  if (options_.faults && active_ &&
      Uniform() * 1000 < options_.stream_breaks_per_1000_messages) {
    ResetLink(l);
    return;
  }
  Micros delay = link.base_delay + Exponential(link.base_delay / 4.0) +
                 static_cast<Micros>(bytes / 100);  // ~100 MB/s
  if (options_.faults && active_ && Uniform() < 0.01)
    delay += UniformMicros(100 * kMilli, 2 * kSecond);
  const Micros at = std::max(now_ + delay, link.last_delivery[side]);
  link.last_delivery[side] = at;
  Event e;
  e.time = at;
  e.kind = Kind::kDeliver;
  e.a = l;
  e.side = 1 - side;
  e.epoch = link.epoch;
  e.message =
      std::make_shared<const v1::ReplicationMessage>(std::move(message));
  if (options_.faults) {
    CountInFlight(*e.message, +1);
    link.in_flight[side].push_back(e.message);
  }
  Schedule(std::move(e));
}

void World::CountInFlight(const v1::ReplicationMessage& message, int delta) {
  if (!message.has_records()) return;
  for (const v1::LogRecord& record : message.records().records()) {
    const SimRecord* r = pool_.Find(record);
    if (r == nullptr) continue;
    auto it = in_flight_.try_emplace(r, 0).first;
    it->second += delta;
    if (it->second == 0) in_flight_.erase(it);
  }
}

void World::Deliver(const Event& e) {
  Link& link = links_[e.a];
  if (link.epoch != e.epoch || !link.connected()) return;
  std::deque<std::shared_ptr<const v1::ReplicationMessage>>& in_flight =
      link.in_flight[1 - e.side];
  if (!in_flight.empty() && in_flight.front() == e.message) {
    CountInFlight(*e.message, -1);
    in_flight.pop_front();
  }
  replication::Session* session = link.session[e.side].get();
  absl::Status status = session->Receive(*e.message);
  const int n = link.end[e.side];
  if (!status.ok()) {
    if (absl::IsUnavailable(status) &&
        status.message().find("restored from a backup") != std::string::npos) {
      ++report_.origin_rotations;
      fault_log_.push_back(absl::StrCat(now_ / kMilli, "ms ", nodes_[n].id,
                                        " moved to origin ",
                                        nodes_[n].replica->origin_id()));
    } else {
      ++report_.stream_errors;
      Violation(absl::StrCat("stream error at ", nodes_[n].id, ": ",
                             status.ToString()));
    }
    ResetLink(e.a);
    MarkNode(n);
    return;
  }
  if (e.message->has_records()) {
    if (e.message->records().repair())
      report_.repairs += e.message->records().records_size();
  }
  MarkDirty(e.a, e.side);
  MarkNode(n);
}

void World::MarkDirty(int l, int side) {
  Link& link = links_[l];
  if (!link.connected() || link.dirty[side]) return;
  link.dirty[side] = true;
  dirty_.emplace_back(l, side);
}

void World::MarkAllSessions(int n) {
  for (int l : nodes_[n].links) MarkDirty(l, links_[l].end[0] == n ? 0 : 1);
}

void World::MarkNode(int n) {
  Node& node = nodes_[n];
  const uint64_t generation = node.replica->generation();
  if (generation == node.seen_generation) return;
  node.seen_generation = generation;
  MarkAllSessions(n);
}

void World::Flush() {
  const absl::Time now = kEpoch + absl::Microseconds(now_);
  while (!dirty_.empty()) {
    auto [l, side] = dirty_.back();
    dirty_.pop_back();
    Link& link = links_[l];
    link.dirty[side] = false;
    if (!link.connected()) continue;
    auto out = link.session[side]->Poll(now);
    if (!out.ok()) {
      Violation(absl::StrCat("poll failed at ", nodes_[link.end[side]].id, ": ",
                             out.status().ToString()));
      ResetLink(l);
      continue;
    }
    for (v1::ReplicationMessage& message : *out) {
      Send(l, side, std::move(message));
      if (!link.connected()) break;
    }
    if (!link.connected()) continue;
    // Records held back for a lazy relay are due then.
    const absl::Time wake = link.session[side]->NextWakeAt();
    if (wake == absl::InfiniteFuture()) continue;
    const Micros at =
        std::max(now_ + 1,
                 static_cast<Micros>(absl::ToInt64Microseconds(wake - kEpoch)));
    if (link.wake_at[side] > now_ && link.wake_at[side] <= at) continue;
    link.wake_at[side] = at;
    Event e;
    e.time = at;
    e.kind = Kind::kWake;
    e.a = l;
    e.side = side;
    e.epoch = link.epoch;
    Schedule(std::move(e));
  }
}

void World::StartNode(int n) {
  Node& node = nodes_[n];
  node.joined = true;
  node.up = true;
  node.replica->Restart();
  node.seen_generation = 0;
  for (int l : node.links) ScheduleConnect(l, UniformMicros(10, 200) * kMilli);
}

void World::CrashNode(int n) {
  Node& node = nodes_[n];
  node.up = false;
  for (int l : node.links) ResetLink(l);
}

// A node is restored from `restored` (or leaves for good when null): a
// write that no other node holds and no message carries is gone, as an
// operator restoring an old backup loses it (also a write that only other
// restored nodes had). It leaves the oracle.
void World::ForgetUnescaped(int n, const SimReplica* restored) {
  std::vector<const SimRecord*> carried(acked_.size(), nullptr);
  for (const auto& [record, count] : in_flight_) {
    if (CompareRecords(record, carried[record->id]) > 0)
      carried[record->id] = record;
  }
  for (uint32_t id = 0; id < acked_.size(); ++id) {
    std::vector<const SimRecord*>& acked = acked_[id];
    if (acked.empty()) continue;
    const SimRecord* best = restored ? restored->Held(id) : nullptr;
    if (CompareRecords(carried[id], best) > 0) best = carried[id];
    for (const Node& other : nodes_) {
      if (other.index == n || other.left) continue;
      const SimRecord* held = other.replica->Held(id);
      if (CompareRecords(held, best) > 0) best = held;
    }
    acked.erase(std::remove_if(acked.begin(), acked.end(),
                               [&](const SimRecord* r) {
                                 return CompareRecords(r, best) > 0;
                               }),
                acked.end());
  }
}

const SimRecord* World::Expected(uint32_t id) const {
  const SimRecord* best = nullptr;
  for (const SimRecord* r : acked_[id]) {
    if (CompareRecords(r, best) > 0) best = r;
  }
  return best;
}

void World::HandleFault(const Event& e) {
  ++report_.faults;
  const Fault fault = static_cast<Fault>(e.code);
  const std::string when = absl::StrCat(now_ / kMilli, "ms ");
  switch (fault) {
    case Fault::kPartition: {
      if (!partition_links_.empty()) return;
      std::vector<int> side(nodes_.size());
      for (int& s : side) s = Pick(2);
      for (size_t l = 0; l < links_.size(); ++l) {
        Link& link = links_[l];
        if (side[link.end[0]] == side[link.end[1]] || link.removed) continue;
        link.cut = true;
        partition_links_.push_back(static_cast<int>(l));
        ResetLink(static_cast<int>(l));
      }
      fault_log_.push_back(absl::StrCat(when, "partition cuts ",
                                        partition_links_.size(), " links"));
      At(now_ + UniformMicros(2, 60) * kSecond, Kind::kFault, 0,
         static_cast<int>(Fault::kHealPartition));
      return;
    }
    case Fault::kHealPartition: {
      for (int l : partition_links_) {
        links_[l].cut = false;
        ScheduleConnect(l, UniformMicros(10, 500) * kMilli);
      }
      if (!partition_links_.empty())
        fault_log_.push_back(absl::StrCat(when, "partition heals"));
      partition_links_.clear();
      return;
    }
    case Fault::kCrash:
    case Fault::kRestore: {
      Node& node = nodes_[e.a];
      if (!node.up || node.left) return;
      if (fault == Fault::kRestore && node.backups.empty()) return;
      CrashNode(e.a);
      fault_log_.push_back(absl::StrCat(
          when, fault == Fault::kCrash ? "crash " : "crash for restore ",
          node.id));
      Event restart;
      restart.time = now_ + UniformMicros(1, 30) * kSecond;
      restart.kind = Kind::kFault;
      restart.a = e.a;
      restart.code = static_cast<int>(Fault::kRestart);
      restart.side = fault == Fault::kRestore ? 1 : 0;
      Schedule(std::move(restart));
      return;
    }
    case Fault::kRestart: {
      Node& node = nodes_[e.a];
      if (node.up || node.left) return;
      if (e.side == 1 && !node.backups.empty()) {
        const size_t which =
            static_cast<size_t>(Pick(static_cast<int>(node.backups.size())));
        std::unique_ptr<SimReplica> restored = node.backups[which]->Clone();
        ForgetUnescaped(e.a, restored.get());
        node.replica = std::move(restored);
        node.last_frontier.clear();
        fault_log_.push_back(
            absl::StrCat(when, "restart ", node.id, " from backup ", which));
      } else {
        fault_log_.push_back(absl::StrCat(when, "restart ", node.id));
      }
      StartNode(e.a);
      return;
    }
    case Fault::kBackup: {
      Node& node = nodes_[e.a];
      if (!node.up) return;
      if (node.backups.size() >= 2) node.backups.erase(node.backups.begin());
      node.backups.push_back(node.replica->Clone());
      return;
    }
    case Fault::kClockJump: {
      Node& node = nodes_[e.a];
      // Mostly small drift; sometimes a jump past the 10 min skew bound.
      const Micros jump = Uniform() < 0.3
                              ? UniformMicros(-20 * 60, 20 * 60) * kSecond
                              : UniformMicros(-5 * kSecond, 5 * kSecond);
      node.clock->offset += jump;
      fault_log_.push_back(absl::StrCat(when, "clock of ", node.id, " jumps ",
                                        jump / kMilli, "ms"));
      return;
    }
    case Fault::kJoin:
      fault_log_.push_back(absl::StrCat(when, "join ", nodes_[e.a].id));
      StartNode(e.a);
      return;
    case Fault::kLeave: {
      Node& node = nodes_[e.a];
      if (node.left) return;
      CrashNode(e.a);
      ForgetUnescaped(e.a, nullptr);
      node.left = true;
      for (int l : node.links) links_[l].removed = true;
      fault_log_.push_back(absl::StrCat(when, "leave ", node.id));
      return;
    }
  }
}

void World::ScheduleFaults() {
  const Micros active = absl::ToInt64Microseconds(options_.active);
  auto poisson = [&](double per_minute, Fault fault, bool per_node) {
    if (per_minute <= 0) return;
    const double mean = 60.0 * kSecond / per_minute;
    for (Micros t = Exponential(mean); t < active; t += Exponential(mean)) {
      At(t, Kind::kFault, per_node ? Pick(options_.nodes) : 0,
         static_cast<int>(fault));
    }
  };
  poisson(options_.partitions_per_minute, Fault::kPartition, false);
  poisson(options_.crashes_per_minute, Fault::kCrash, true);
  poisson(options_.restores_per_minute, Fault::kRestore, true);
  poisson(options_.clock_jumps_per_minute, Fault::kClockJump, true);
  // Backups often enough that restores have something to go back to.
  poisson(std::max(2.0, options_.restores_per_minute * 4), Fault::kBackup,
          true);
  std::vector<int> order(nodes_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::shuffle(order.begin(), order.end(), random_);
  int joiners = 0, leavers = 0;
  std::vector<bool> cluster_left(static_cast<size_t>(options_.clusters) + 1);
  for (int n : order) {
    Node& node = nodes_[n];
    if (joiners < options_.joiners && n != home_[0]) {
      ++joiners;
      node.joiner = true;
      At(UniformMicros(active / 5, active * 3 / 5), Kind::kFault, n,
         static_cast<int>(Fault::kJoin));
    } else if (leavers < options_.leavers && node.may_leave &&
               !cluster_left[node.cluster]) {
      ++leavers;
      cluster_left[node.cluster] = true;
      At(UniformMicros(active * 3 / 10, active * 4 / 5), Kind::kFault, n,
         static_cast<int>(Fault::kLeave));
    }
  }
}

void World::Write(int n, uint32_t e, int op) {
  Node& node = nodes_[n];
  if (!node.up || node.left || erased_[e]) return;
  const std::string& id = entry_ids_[e];
  const uint32_t interned = pool_.InternId(id);
  const SimRecord* held = node.replica->Held(interned);
  bool withdraw = false, erase = false;
  if (held != nullptr && !held->withdrawn) {
    if (op < 15) {
      withdraw = true;
    } else if (op < 20) {
      erase = true;
    }
  }
  const SimRecord* record = node.replica->Publish(
      id, absl::StrFormat("org%04d", entry_org_[e]), withdraw, erase, payload_);
  acked_[interned].push_back(record);
  if (erase) erased_[e] = true;
  ++report_.writes;
  MarkNode(n);
}

void World::HandleWrite() {
  const uint32_t e = static_cast<uint32_t>(Pick(options_.entries));
  int n = home_[entry_org_[e]];
  // Sometimes an organisation writes through another node: a real conflict
  // when the two versions cross.
  if (Uniform() < 0.15) n = Pick(options_.nodes);
  Write(n, e, Pick(100));
}

void World::CheckContinuous(int n) {
  Node& node = nodes_[n];
  replication::Frontier frontier = node.replica->GetFrontier();
  for (const auto& [origin, seq] : node.last_frontier) {
    auto it = frontier.find(origin);
    if (it == frontier.end() || it->second < seq) {
      Violation(absl::StrCat("frontier of ", node.id, " for ", origin,
                             " went back from ", seq, " to ",
                             it == frontier.end() ? 0 : it->second));
      return;
    }
  }
  node.last_frontier = std::move(frontier);
}

bool World::Converged() {
  uint64_t fingerprint = 0;
  bool first = true;
  for (const Node& node : nodes_) {
    if (!Live(node)) continue;
    if (!node.up) return false;
    const uint64_t f = node.replica->Fingerprint();
    if (!first && f != fingerprint) return false;
    fingerprint = f;
    first = false;
  }
  return true;
}

std::string World::History(uint32_t id) const {
  std::string out = absl::StrCat("  history of ", pool_.IdOf(id), ":\n");
  for (const SimRecord* r : acked_[id]) {
    absl::StrAppend(&out, "    acknowledged at ", nodes_[r->author].id,
                    ": hlc ", r->version.hlc(), " by ", r->version.node_id(),
                    r->erased      ? " (erasure)"
                    : r->withdrawn ? " (withdrawal)"
                                   : "",
                    " as ", r->log.origin_node_id(), "#", r->log.seq(), "\n");
  }
  return out;
}

void World::Violation(const std::string& what) {
  if (!report_.ok) return;
  report_.ok = false;
  report_.violation = absl::StrCat("seed ", options_.seed, " at ",
                                   now_ / kMilli, " ms: ", what, "\n");
  absl::StrAppend(&report_.violation, "  faults so far:\n");
  for (const std::string& line : fault_log_)
    absl::StrAppend(&report_.violation, "    ", line, "\n");
  done_ = true;
}

void World::CheckQuiescent() {
  size_t origins_known = 0;
  for (const Node& node : nodes_) {
    if (!Live(node)) continue;
    const SimReplica& replica = *node.replica;
    if (replica.log_records() > replica.entries()) {
      Violation(absl::StrCat(node.id, " keeps ", replica.log_records(),
                             " log records for ", replica.entries(),
                             " entries (compaction)"));
      return;
    }
    origins_known = std::max(origins_known, replica.GetFrontier().size());
    for (uint32_t id = 0; id < acked_.size(); ++id) {
      const SimRecord* expected = Expected(id);
      const SimRecord* held = replica.Held(id);
      if (CompareRecords(held, expected) == 0) continue;
      std::string what;
      if (CompareRecords(held, expected) < 0) {
        what = expected->withdrawn && held != nullptr && !held->withdrawn
                   ? "a withdrawn or erased entry came back"
                   : "an acknowledged write is lost";
      } else {
        what = "holds a version that no surviving write has";
      }
      Violation(absl::StrCat(node.id, ": ", what, " (", pool_.IdOf(id),
                             ", holds hlc ", held ? held->version.hlc() : 0,
                             ")\n", History(id)));
      return;
    }
  }
  // Memory is bounded by the data: one frontier slot per origin that ever
  // wrote (nodes plus rotations), never per record or per message.
  const size_t origins_possible = nodes_.size() + report_.origin_rotations;
  if (origins_known > origins_possible) {
    Violation(absl::StrCat("a frontier has ", origins_known, " origins; only ",
                           origins_possible, " exist"));
  }
}

SimReport World::Run() {
  const auto wall_start = std::chrono::steady_clock::now();
  Build();
  report_.seed = options_.seed;
  report_.nodes = options_.nodes;
  report_.entries = static_cast<uint64_t>(options_.entries);
  const Micros active = absl::ToInt64Microseconds(options_.active);
  const Micros settle_limit = absl::ToInt64Microseconds(options_.settle_limit);

  if (options_.scale) {
    // Every entry published once by its home node, spread over the window.
    const Micros window = absl::ToInt64Microseconds(options_.load_window);
    for (int e = 0; e < options_.entries; ++e) {
      Event w;
      w.time = UniformMicros(0, window);
      w.kind = Kind::kWrite;
      w.a = e;
      w.code = 100;  // a plain publish
      Schedule(std::move(w));
    }
    At(window, Kind::kPhase, 0, static_cast<int>(Phase::kLoadDone));
  } else {
    if (options_.faults) ScheduleFaults();
    const double mean = kSecond / std::max(options_.writes_per_second, 0.01);
    for (Micros t = Exponential(mean); t < active; t += Exponential(mean)) {
      Event w;
      w.time = t;
      w.kind = Kind::kWrite;
      Schedule(std::move(w));
    }
    At(active, Kind::kPhase, 0, static_cast<int>(Phase::kHeal));
  }
  for (size_t n = 0; n < nodes_.size(); ++n) {
    if (!nodes_[n].joiner) StartNode(static_cast<int>(n));
    At(UniformMicros(0, kTickEvery), Kind::kTick, static_cast<int>(n));
  }
  Micros next_convergence_check = 0;

  while (!done_ && !queue_.empty()) {
    Event e = queue_.top();
    queue_.pop();
    now_ = e.time;
    switch (e.kind) {
      case Kind::kDeliver:
        Deliver(e);
        break;
      case Kind::kConnect:
        Connect(e.a);
        break;
      case Kind::kWake:
        if (links_[e.a].epoch == e.epoch &&
            links_[e.a].wake_at[e.side] == e.time) {
          MarkDirty(e.a, e.side);
        }
        break;
      case Kind::kTick: {
        Node& node = nodes_[e.a];
        if (node.up) {
          if (!options_.scale) CheckContinuous(e.a);
          MarkAllSessions(e.a);
        }
        if (!node.left) At(now_ + kTickEvery, Kind::kTick, e.a);
        break;
      }
      case Kind::kWrite:
        if (options_.scale) {
          const int n = e.code == 100 ? home_[entry_org_[e.a]] : e.side;
          Write(n, static_cast<uint32_t>(e.a), e.code);
        } else if (active_) {
          HandleWrite();
        }
        break;
      case Kind::kFault:
        HandleFault(e);
        break;
      case Kind::kPhase: {
        const Phase phase = static_cast<Phase>(e.code);
        if (phase == Phase::kHeal) {
          active_ = false;
          for (int l : partition_links_) links_[l].cut = false;
          partition_links_.clear();
          for (Node& node : nodes_) {
            if (Live(node) && !node.up) StartNode(node.index);
            if (!node.joined && !node.left) StartNode(node.index);
          }
          for (size_t l = 0; l < links_.size(); ++l)
            ScheduleConnect(static_cast<int>(l),
                            UniformMicros(10, 500) * kMilli);
          settle_from_ = now_;
          settle_phase_ = Phase::kHeal;
        } else if (phase == Phase::kLoadDone) {
          settle_from_ = now_;
          settle_phase_ = Phase::kLoadDone;
        } else if (phase == Phase::kSplit) {
          // Clusters of the first half lose their links to the second.
          const int half = std::max(1, options_.clusters / 2);
          for (size_t l = 0; l < links_.size(); ++l) {
            Link& link = links_[l];
            const bool a = nodes_[link.end[0]].cluster < half;
            const bool b = nodes_[link.end[1]].cluster < half;
            if (a == b) continue;
            link.cut = true;
            partition_links_.push_back(static_cast<int>(l));
            ResetLink(static_cast<int>(l));
          }
          // Writes on both sides, some to the same entries.
          for (int i = 0; i < options_.divergent_writes; ++i) {
            Event w;
            w.time = now_ + UniformMicros(0, 10 * kSecond);
            w.kind = Kind::kWrite;
            w.a = Pick(options_.entries);
            w.side = Pick(options_.nodes);
            w.code = 20 + Pick(80);  // an update
            Schedule(std::move(w));
          }
          At(now_ + 20 * kSecond, Kind::kPhase, 0,
             static_cast<int>(Phase::kHealSplit));
        } else if (phase == Phase::kHealSplit) {
          for (int l : partition_links_) {
            links_[l].cut = false;
            ScheduleConnect(l, UniformMicros(10, 500) * kMilli);
          }
          partition_links_.clear();
          settle_from_ = now_;
          settle_phase_ = Phase::kHealSplit;
        }
        break;
      }
    }
    Flush();

    if (settle_from_ >= 0 && now_ >= next_convergence_check) {
      next_convergence_check = now_ + 100 * kMilli;
      if (Converged()) {
        const absl::Duration took = absl::Microseconds(now_ - settle_from_);
        CheckQuiescent();
        if (settle_phase_ == Phase::kLoadDone) {
          report_.burst_converged = took;
          settle_from_ = -1;
          At(now_ + 5 * kSecond, Kind::kPhase, 0,
             static_cast<int>(Phase::kSplit));
        } else {
          report_.heal_converged = took;
          done_ = true;
        }
        if (options_.verbose)
          fprintf(stderr, "converged %s after %s\n",
                  settle_phase_ == Phase::kLoadDone ? "burst" : "heal",
                  absl::FormatDuration(took).c_str());
      } else if (now_ - settle_from_ > settle_limit) {
        Violation(absl::StrCat("no convergence ",
                               absl::FormatDuration(options_.settle_limit),
                               " after the last fault healed"));
      }
    }
  }
  if (!done_) Violation("the simulation ran out of events");
  report_.simulated_seconds = static_cast<double>(now_) / kSecond;
  report_.wall_seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - wall_start)
                             .count();
  for (const Node& node : nodes_) {
    for (int l : node.links) {
      const Link& link = links_[l];
      for (int side = 0; side < 2; ++side) {
        if (link.session[side] && link.end[side] == node.index) {
          report_.records_applied +=
              link.session[side]->stats().records_applied;
        }
      }
    }
  }
  return report_;
}

}  // namespace

std::string SimReport::Summary() const {
  const double per_entry_node =
      entries * static_cast<double>(nodes) > 0
          ? 1.0 / (static_cast<double>(entries) * nodes)
          : 0;
  return absl::StrFormat(
      "seed %d: %s; %d nodes, %d entries, %d writes, %d faults, "
      "%d origin moves; converged %s after burst, %s after heal; "
      "%.2f messages and %.0f bytes (records %.0f) per entry per node; "
      "%d buckets repaired; %.1f simulated s in %.2f s (%.0fx)",
      seed, ok ? "ok" : "VIOLATION", nodes, entries, writes, faults,
      origin_rotations, absl::FormatDuration(burst_converged),
      absl::FormatDuration(heal_converged), messages * per_entry_node,
      bytes * per_entry_node, record_bytes * per_entry_node, repairs,
      simulated_seconds, wall_seconds,
      wall_seconds > 0 ? simulated_seconds / wall_seconds : 0);
}

SimReport RunSimulation(const SimOptions& options) {
  World world(options);
  return world.Run();
}

}  // namespace kaartnet::sim
