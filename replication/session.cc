#include "replication/session.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "replication/digest.h"
#include "replication/peer_acks.h"
#include "replication/pending_snapshots.h"

namespace kaartnet::replication {
namespace {

constexpr size_t kAdmissionsPerMessage = 512;
// A snapshot lists at most this many ids (four times the largest region
// the design plans for); a peer sending more is refused.
constexpr size_t kMaxSnapshotIds = 4'000'000;
// Longer than any valid entry id.
constexpr size_t kMaxIdBytes = 512;

uint64_t Get(const Frontier& frontier, const std::string& origin) {
  auto it = frontier.find(origin);
  return it == frontier.end() ? 0 : it->second;
}

// The Ack already among `out` (a reply to a batch), or null.
v1::Ack* AckGoingOut(std::vector<v1::ReplicationMessage>* out) {
  v1::Ack* ack = nullptr;
  for (v1::ReplicationMessage& m : *out) {
    if (m.has_ack()) ack = m.mutable_ack();
  }
  return ack;
}

// Stable across nodes: the Hello's admissions digest is the sum of these.
uint64_t AdmissionHash(const v1::SignedAdmission& admission) {
  return StableHashOf(admission.SerializeAsString());
}

// See Hello.admissions_digest.
uint64_t AdmissionsDigest(const std::vector<v1::SignedAdmission>& admissions) {
  uint64_t sum = 0;
  for (const v1::SignedAdmission& admission : admissions)
    sum += AdmissionHash(admission);
  return sum;
}

}  // namespace

void DirectFeeds::Add(const std::string& origin) {
  absl::MutexLock lock(&mu_);
  if (streams_[origin]++ == 0) ++generation_;
}

void DirectFeeds::Remove(const std::string& origin) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(origin);
  if (it == streams_.end()) return;
  if (--it->second == 0) {
    streams_.erase(it);
    ++generation_;
  }
}

uint64_t DirectFeeds::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

std::vector<std::string> DirectFeeds::Origins() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [origin, streams] : streams_) out.push_back(origin);
  return out;
}

Session::Session(Replica* replica, SessionOptions options)
    : replica_(replica), options_(std::move(options)) {}

Session::~Session() { Close(); }

void Session::Close() {
  absl::MutexLock lock(&mu_);
  if (!feed_registered_) return;
  options_.direct_feeds->Remove(peer_origin_id_);
  feed_registered_ = false;
}

absl::Time Session::NextWakeAt() const {
  absl::MutexLock lock(&mu_);
  absl::Time at =
      advertise_pending_ ? next_advertise_at_ : absl::InfiniteFuture();
  // A grace that has passed is not a reason to wake: those records go with
  // the next batch the flow control allows, and an Ack wakes the writer.
  for (const auto& [origin, since] : held_since_) {
    const absl::Time due = since + options_.relay_grace;
    if (due > last_poll_at_) at = std::min(at, due);
  }
  return at;
}

SessionStats Session::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

absl::StatusOr<std::vector<v1::ReplicationMessage>> Session::Poll(
    absl::Time now) {
  // Before the session's lock: it may take over a snapshot's floors, which
  // writes to the store (whose listeners wake every session).
  const std::optional<Frontier> catching_up = replica_->CatchingUp();
  absl::MutexLock lock(&mu_);
  last_poll_at_ = now;
  std::vector<v1::ReplicationMessage> out;
  if (!hello_sent_) {
    v1::Hello* hello = out.emplace_back().mutable_hello();
    hello->set_node_id(replica_->node_id());
    hello->set_region(replica_->region());
    hello->set_origin_id(replica_->origin_id());
    hello->set_version(options_.version);
    hello->set_tombstone_horizon_seconds(static_cast<uint64_t>(
        absl::ToInt64Seconds(options_.tombstone_horizon)));
    hello->set_admissions_digest(AdmissionsDigest(replica_->Admissions()));
    SyncLocal();
    for (const auto& [origin, state] : origins_) {
      if (state.local > 0) (*hello->mutable_frontier())[origin] = state.local;
    }
    unadvertised_.clear();
    if (options_.direct_feeds != nullptr) {
      feeds_generation_sent_ = options_.direct_feeds->generation();
      for (std::string& origin : options_.direct_feeds->Origins())
        hello->add_direct_origins(std::move(origin));
    }
    hello_sent_ = true;
  }
  if (!hello_received_) return out;
  while (!replies_.empty()) {
    out.push_back(std::move(replies_.front()));
    replies_.pop_front();
  }
  AddAdmissions(&out);

  SyncLocal();
  const size_t records_at = out.size();
  // While this node catches up with a snapshot it sends no snapshot, and
  // records only to a peer already past the snapshot's floors (a peer
  // below them could be carried past floors this node cannot answer for
  // yet; a peer past them keeps two nodes catching up with each other's
  // snapshots from waiting for ever).
  CheckFloors();
  const uint64_t first_batch = next_batch_id_;
  const uint64_t records_sent_before = stats_.records_sent;
  std::vector<std::pair<std::string, uint64_t>> sent_before;
  std::map<std::string, absl::Time> held_before;
  bool sent_records = false;
  if (!catching_up.has_value() || MaySendWhileCatchingUp(*catching_up)) {
    if (catching_up.has_value()) {
      for (const std::string& origin : pending_)
        sent_before.emplace_back(origin, origins_.at(origin).sent);
      held_before = held_since_;
    }
    while (next_batch_id_ - 1 - acked_batch_id_ <
           options_.max_unacked_batches) {
      v1::RecordBatch batch;
      ASSIGN_OR_RETURN(const bool more, AddRecords(now, &batch));
      if (batch.records_size() == 0 && batch.through_size() == 0) break;
      batch.set_batch_id(next_batch_id_++);
      stats_.records_sent += batch.records_size();
      *out.emplace_back().mutable_records() = std::move(batch);
      sent_records = true;
      if (!more) break;
    }
  }
  // After reading the logs: a removal those reads saw has raised the floors
  // already; the snapshot then goes before the records. A node catching up
  // cannot send one: it takes this poll's records back instead.
  CheckFloors();
  if (catching_up.has_value() && snapshot_due_ && sent_records) {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(records_at), out.end());
    next_batch_id_ = first_batch;
    stats_.records_sent = records_sent_before;
    for (const auto& [origin, sent] : sent_before)
      Set(origin, &OriginState::sent, sent);
    held_since_ = std::move(held_before);
    sent_records = false;
  }
  if (!catching_up.has_value()) RETURN_IF_ERROR(AddSnapshot(&out, records_at));
  UpdateLag(now);
  // Tell the peer what this node holds now (records from other peers), so
  // it does not send them again.
  // An Ack already going out (a reply to a batch) carries it; otherwise a
  // frontier-only Ack does, at most every advertise_interval.
  advertise_pending_ = false;
  if (!unadvertised_.empty()) {
    v1::Ack* ack = AckGoingOut(&out);
    if (ack == nullptr && now >= next_advertise_at_) {
      ack = out.emplace_back().mutable_ack();
      next_advertise_at_ = now + options_.advertise_interval;
    }
    if (ack != nullptr) {
      AdvertiseChanges(ack);
    } else {
      advertise_pending_ = true;
    }
  }
  AddDirectOrigins(&out);

  // Digest: only when this side has nothing in flight.
  if (!sent_records && next_batch_id_ - 1 == acked_batch_id_ &&
      now >= next_digest_at_) {
    v1::Digest* digest = out.emplace_back().mutable_digest();
    for (uint64_t bucket : replica_->Digest()) digest->add_buckets(bucket);
    next_digest_at_ = now + options_.digest_interval;
  }
  return out;
}

void Session::AddDirectOrigins(std::vector<v1::ReplicationMessage>* out) {
  if (options_.direct_feeds == nullptr) return;
  const uint64_t generation = options_.direct_feeds->generation();
  if (feeds_generation_sent_ == generation) return;
  feeds_generation_sent_ = generation;
  v1::Ack* ack = AckGoingOut(out);
  if (ack == nullptr) ack = out->emplace_back().mutable_ack();
  v1::DirectOrigins* direct = ack->mutable_direct_origins();
  for (std::string& origin : options_.direct_feeds->Origins())
    direct->add_origins(std::move(origin));
}

void Session::SyncLocal() {
  std::vector<std::pair<std::string, uint64_t>> changed;
  local_version_ = replica_->FrontierChanges(local_version_, &changed);
  for (const auto& [origin, seq] : changed) {
    Set(origin, &OriginState::local, seq);
    unadvertised_.insert(origin);
  }
}

void Session::Set(const std::string& origin, uint64_t OriginState::*field,
                  uint64_t seq) {
  OriginState& state = origins_[origin];
  auto lag = [&state] {
    return state.local > state.known ? state.local - state.known : 0;
  };
  lag_ -= lag();
  state.*field = seq;
  lag_ += lag();
  const bool pending = state.local > std::max(state.sent, state.known) &&
                       origin != peer_origin_id_;
  if (pending == state.pending) return;
  state.pending = pending;
  if (pending) {
    pending_.insert(origin);
  } else {
    pending_.erase(origin);
    held_since_.erase(origin);
  }
}

void Session::RaiseKnown(const std::string& origin, uint64_t seq) {
  auto it = origins_.find(origin);
  if (it == origins_.end() || seq > it->second.known)
    Set(origin, &OriginState::known, seq);
}

absl::StatusOr<bool> Session::AddRecords(absl::Time now,
                                         v1::RecordBatch* batch) {
  size_t bytes = 0;
  const std::string own_origin =
      peer_direct_.empty() ? std::string() : replica_->origin_id();
  for (auto it = pending_.begin(); it != pending_.end();) {
    // Set below may take this origin out of pending_.
    const std::string origin = *it++;
    const OriginState& state = origins_.at(origin);
    const uint64_t top = state.local;
    const uint64_t from = std::max(state.sent, state.known);
    // The peer gets this origin's records from the origin itself: relay
    // them only if its frontier has not passed them after the grace.
    if (origin != own_origin && peer_direct_.count(origin) != 0) {
      const absl::Time since =
          held_since_.try_emplace(origin, now).first->second;
      if (now - since < options_.relay_grace) continue;
    }
    const size_t limit =
        options_.max_batch_records - static_cast<size_t>(batch->records_size());
    if (limit == 0) return true;
    ASSIGN_OR_RETURN(std::vector<v1::LogRecord> records,
                     replica_->ReadLog(origin, from, limit));
    uint64_t last = from;
    const size_t read = records.size();
    for (v1::LogRecord& record : records) {
      bytes += record.ByteSizeLong();
      last = std::max(last, record.seq());
      *batch->add_records() = std::move(record);
    }
    if (read < limit) {
      // Everything up to `top` that still matters is in this batch.
      last = std::max(last, top);
      (*batch->mutable_through())[origin] = last;
    }
    Set(origin, &OriginState::sent, last);
    if (static_cast<size_t>(batch->records_size()) >=
            options_.max_batch_records ||
        bytes >= options_.max_batch_bytes) {
      return true;
    }
  }
  return false;
}

bool Session::MaySendWhileCatchingUp(const Frontier& floors) const {
  if (snapshot_due_) return false;
  for (const auto& [origin, floor] : floors) {
    auto it = origins_.find(origin);
    if (it == origins_.end() || it->second.known < floor) return false;
  }
  return true;
}

void Session::CheckFloors() {
  const uint64_t version = replica_->FloorsVersion();
  if (floors_version_ == version) return;
  floors_version_ = version;
  if (snapshot_due_) return;
  for (const auto& [origin, floor] : replica_->Floors()) {
    auto it = origins_.find(origin);
    const uint64_t known = it == origins_.end() ? 0 : it->second.known;
    if (known < floor && Get(snapshot_floors_sent_, origin) < floor) {
      snapshot_due_ = true;
      return;
    }
  }
}

absl::Status Session::AddSnapshot(std::vector<v1::ReplicationMessage>* out,
                                  size_t at) {
  if (!snapshot_due_) return absl::OkStatus();
  ASSIGN_OR_RETURN(Manifest manifest, replica_->ReadManifest());
  // Floors raised by a removal not yet written when the manifest was read
  // are not among these: CheckFloors decides anew at every poll until a
  // manifest holds them (the floors version alone moves a moment after the
  // write, when later log reads may already lack the removed record).
  snapshot_floors_sent_ = manifest.floors.floors;
  snapshot_due_ = false;
  for (const auto& [origin, floor] : replica_->Floors()) {
    if (Get(manifest.floors.floors, origin) < floor) floors_version_.reset();
  }
  std::vector<v1::ReplicationMessage> parts;
  v1::Snapshot* part = parts.emplace_back().mutable_snapshot();
  part->set_first(true);
  SetSnapshotHeader(manifest, part);
  for (std::string& id : manifest.ids) {
    if (static_cast<size_t>(part->ids_size()) >=
        options_.snapshot_ids_per_message) {
      part = parts.emplace_back().mutable_snapshot();
    }
    part->add_ids(std::move(id));
  }
  part->set_last(true);
  out->insert(out->begin() + static_cast<std::ptrdiff_t>(at),
              std::make_move_iterator(parts.begin()),
              std::make_move_iterator(parts.end()));
  ++stats_.snapshots_sent;
  return absl::OkStatus();
}

void Session::AddAdmissions(std::vector<v1::ReplicationMessage>* out) {
  const uint64_t generation = replica_->AdmissionsGeneration();
  if (admissions_generation_sent_ == generation) return;
  admissions_generation_sent_ = generation;
  std::vector<v1::SignedAdmission> admissions = replica_->Admissions();
  // Each admission serialized and hashed once, for the digest and the set.
  std::vector<uint64_t> hashes;
  hashes.reserve(admissions.size());
  uint64_t digest = 0;
  for (const v1::SignedAdmission& admission : admissions)
    digest += hashes.emplace_back(AdmissionHash(admission));
  if (peer_admissions_digest_.has_value()) {
    const bool same = *peer_admissions_digest_ == digest;
    peer_admissions_digest_.reset();
    if (same) {
      // The peer holds every one of them: later ones only.
      peer_admissions_.insert(hashes.begin(), hashes.end());
      return;
    }
  }
  v1::AdmissionBatch* batch = nullptr;
  for (size_t i = 0; i < admissions.size(); ++i) {
    v1::SignedAdmission& admission = admissions[i];
    if (!peer_admissions_.insert(hashes[i]).second) continue;
    if (batch == nullptr ||
        static_cast<size_t>(batch->admissions_size()) >= kAdmissionsPerMessage)
      batch = out->emplace_back().mutable_admissions();
    *batch->add_admissions() = std::move(admission);
  }
}

void Session::UpdateLag(absl::Time now) {
  stats_.lag_records = lag_;
  if (lag_ == 0) {
    stats_.behind_since = absl::InfinitePast();
  } else if (stats_.behind_since == absl::InfinitePast()) {
    stats_.behind_since = now;
  }
}

absl::Status Session::Receive(const v1::ReplicationMessage& message) {
  if (message.has_hello()) return ReceiveHello(message.hello());
  {
    absl::MutexLock lock(&mu_);
    if (!hello_received_) {
      return absl::FailedPreconditionError(
          "replication: the peer sent data before its Hello");
    }
  }
  switch (message.body_case()) {
    case v1::ReplicationMessage::kRecords:
      return ReceiveRecords(message.records());
    case v1::ReplicationMessage::kAck: {
      absl::MutexLock lock(&mu_);
      const v1::Ack& ack = message.ack();
      if (ack.batch_id() >= next_batch_id_) {
        return absl::InvalidArgumentError(
            absl::StrCat("replication: ack of batch ", ack.batch_id(),
                         " that was never sent"));
      }
      acked_batch_id_ = std::max(acked_batch_id_, ack.batch_id());
      for (const auto& [origin, seq] : ack.frontier()) RaiseKnown(origin, seq);
      if (options_.peer_acks != nullptr && ack.frontier_size() > 0) {
        options_.peer_acks->Raise(
            peer_node_id_, std::vector<std::pair<std::string, uint64_t>>(
                               ack.frontier().begin(), ack.frontier().end()));
      }
      if (ack.has_direct_origins()) {
        peer_direct_ =
            std::set<std::string>(ack.direct_origins().origins().begin(),
                                  ack.direct_origins().origins().end());
      }
      return absl::OkStatus();
    }
    case v1::ReplicationMessage::kAdmissions: {
      std::vector<v1::SignedAdmission> admissions(
          message.admissions().admissions().begin(),
          message.admissions().admissions().end());
      std::string peer;
      {
        absl::MutexLock lock(&mu_);
        peer = peer_node_id_;
        // The peer has these; never send them back.
        for (const v1::SignedAdmission& admission : admissions)
          peer_admissions_.insert(AdmissionHash(admission));
      }
      const size_t refused = replica_->InstallAdmissions(peer, admissions);
      absl::MutexLock lock(&mu_);
      stats_.admissions_refused += refused;
      return absl::OkStatus();
    }
    case v1::ReplicationMessage::kDigest:
      ReceiveDigest(message.digest());
      return absl::OkStatus();
    case v1::ReplicationMessage::kRepairRequest:
      return ReceiveRepairRequest(message.repair_request());
    case v1::ReplicationMessage::kSnapshot:
      return ReceiveSnapshot(message.snapshot());
    default:
      return absl::InvalidArgumentError(
          "replication: a message of a kind this node does not know");
  }
}

absl::Status Session::ReceiveHello(const v1::Hello& hello) {
  {
    absl::MutexLock lock(&mu_);
    if (hello_received_)
      return absl::InvalidArgumentError("replication: a second Hello");
  }
  // Checked without the session's lock: a rotation writes to the store
  // (whose listeners wake every session, and a status call may hold the
  // replicator's lock while it reads this session's stats).
  if (hello.node_id().empty())
    return absl::InvalidArgumentError("replication: Hello without node_id");
  if (hello.node_id() == replica_->node_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("replication: the peer is this node itself (",
                     hello.node_id(), "); check the peer address"));
  }
  if (hello.region() != replica_->region()) {
    return absl::FailedPreconditionError(
        absl::StrCat("replication: peer ", hello.node_id(), " is in region ",
                     hello.region(), ", this node in ", replica_->region()));
  }
  const std::string own_origin = replica_->origin_id();
  auto theirs = hello.frontier().find(own_origin);
  if (theirs != hello.frontier().end()) {
    const uint64_t own = Get(replica_->GetFrontier(), own_origin);
    if (theirs->second > own) {
      replica_->RotateOrigin();
      return absl::UnavailableError(absl::StrCat(
          "replication: peer ", hello.node_id(), " holds records of origin ",
          own_origin, " up to ", theirs->second, ", this node only up to ", own,
          " (restored from a backup?); continuing under origin ",
          replica_->origin_id(), " and reconnecting"));
    }
  }
  absl::MutexLock lock(&mu_);
  if (hello_received_)
    return absl::InvalidArgumentError("replication: a second Hello");
  hello_received_ = true;
  peer_node_id_ = hello.node_id();
  peer_origin_id_ = hello.origin_id();
  peer_region_ = hello.region();
  stats_.peer_node_id = peer_node_id_;
  stats_.peer_region = peer_region_;
  stats_.hello_received = true;
  if (hello.has_admissions_digest())
    peer_admissions_digest_ = hello.admissions_digest();
  const int64_t horizon = absl::ToInt64Seconds(options_.tombstone_horizon);
  if (horizon > 0 && hello.tombstone_horizon_seconds() > 0 &&
      hello.tombstone_horizon_seconds() != static_cast<uint64_t>(horizon)) {
    stats_.warning = absl::StrCat(
        "peer ", peer_node_id_, " removes withdrawals after ",
        hello.tombstone_horizon_seconds(), " s, this node after ", horizon,
        " s: set tombstone_horizon_seconds to the same value on every node "
        "of the region");
  }
  for (const auto& [origin, seq] : hello.frontier()) {
    Set(origin, &OriginState::known, seq);
    Set(origin, &OriginState::sent, seq);
  }
  // The peer may hold entries whose withdrawal this node has removed.
  CheckFloors();
  if (options_.peer_acks != nullptr) {
    options_.peer_acks->Connected(
        peer_node_id_,
        Frontier(hello.frontier().begin(), hello.frontier().end()));
  }
  // SyncLocal may have put the peer's own origin in pending_ before its id
  // was known.
  if (auto it = origins_.find(peer_origin_id_);
      it != origins_.end() && it->second.pending) {
    it->second.pending = false;
    pending_.erase(peer_origin_id_);
    held_since_.erase(peer_origin_id_);
  }
  peer_direct_ = std::set<std::string>(hello.direct_origins().begin(),
                                       hello.direct_origins().end());
  if (options_.direct_feeds != nullptr && !peer_origin_id_.empty()) {
    options_.direct_feeds->Add(peer_origin_id_);
    feed_registered_ = true;
  }
  return absl::OkStatus();
}

absl::Status Session::ReceiveRecords(const v1::RecordBatch& batch) {
  std::string peer;
  {
    absl::MutexLock lock(&mu_);
    peer = peer_node_id_;
    stats_.records_received += batch.records_size();
  }
  std::vector<v1::LogRecord> records(batch.records().begin(),
                                     batch.records().end());
  std::vector<std::pair<std::string, uint64_t>> through(batch.through().begin(),
                                                        batch.through().end());
  ASSIGN_OR_RETURN(
      const ApplyStats applied,
      replica_->Apply(peer, std::move(records), batch.repair(),
                      batch.repair() ? decltype(through)() : through));
  absl::MutexLock lock(&mu_);
  stats_.records_applied += applied.applied;
  stats_.records_refused += applied.refused;
  if (batch.repair()) return absl::OkStatus();
  // The peer holds what it sent: never echo it back.
  // Records come grouped by origin: one update per run.
  for (int i = 0; i < batch.records_size(); ++i) {
    const v1::LogRecord& record = batch.records(i);
    if (i + 1 < batch.records_size() &&
        batch.records(i + 1).origin_node_id() == record.origin_node_id() &&
        batch.records(i + 1).seq() >= record.seq())
      continue;
    RaiseKnown(record.origin_node_id(), record.seq());
  }
  for (const auto& [origin, seq] : through) RaiseKnown(origin, seq);
  v1::Ack* ack = replies_.emplace_back().mutable_ack();
  ack->set_batch_id(batch.batch_id());
  SyncLocal();
  AdvertiseChanges(ack);
  return absl::OkStatus();
}

void Session::AdvertiseChanges(v1::Ack* ack) {
  for (const std::string& origin : unadvertised_)
    (*ack->mutable_frontier())[origin] = origins_.at(origin).local;
  unadvertised_.clear();
}

void Session::ReceiveDigest(const v1::Digest& digest) {
  const std::vector<uint64_t> own = replica_->Digest();
  if (static_cast<size_t>(digest.buckets_size()) != own.size()) return;
  std::set<uint32_t> differing;
  for (uint32_t b = 0; b < own.size(); ++b) {
    if (digest.buckets(static_cast<int>(b)) != own[b]) differing.insert(b);
  }
  absl::MutexLock lock(&mu_);
  // A bucket can differ for a moment while records are in flight; repair
  // only what still differs a digest later.
  v1::RepairRequest request;
  std::set<uint32_t> still_suspect;
  for (uint32_t b : differing) {
    if (suspect_buckets_.count(b)) {
      request.add_buckets(b);
    } else {
      still_suspect.insert(b);
    }
  }
  suspect_buckets_ = std::move(still_suspect);
  if (request.buckets_size() == 0) return;
  stats_.repairs_requested += request.buckets_size();
  *replies_.emplace_back().mutable_repair_request() = std::move(request);
}

absl::Status Session::ReceiveSnapshot(const v1::Snapshot& part) {
  Manifest snapshot;
  std::string peer;
  {
    absl::MutexLock lock(&mu_);
    if (part.first()) {
      incoming_snapshot_ = SnapshotHeader(part);
    } else if (!incoming_snapshot_.has_value()) {
      return absl::InvalidArgumentError(
          "replication: a snapshot part without its first part");
    }
    if (incoming_snapshot_->ids.size() + part.ids_size() > kMaxSnapshotIds) {
      incoming_snapshot_.reset();
      return absl::InvalidArgumentError(absl::StrCat(
          "replication: a snapshot of more than ", kMaxSnapshotIds, " ids"));
    }
    for (const std::string& id : part.ids()) {
      if (id.size() > kMaxIdBytes) {
        incoming_snapshot_.reset();
        return absl::InvalidArgumentError(absl::StrCat(
            "replication: a snapshot id of ", id.size(), " bytes"));
      }
    }
    incoming_snapshot_->ids.insert(incoming_snapshot_->ids.end(),
                                   part.ids().begin(), part.ids().end());
    if (!part.last()) return absl::OkStatus();
    snapshot = std::move(*incoming_snapshot_);
    incoming_snapshot_.reset();
    peer = peer_node_id_;
  }
  ASSIGN_OR_RETURN(const uint64_t pruned,
                   replica_->Prune(peer, std::move(snapshot)));
  absl::MutexLock lock(&mu_);
  ++stats_.snapshots_received;
  stats_.entries_pruned += pruned;
  return absl::OkStatus();
}

absl::Status Session::ReceiveRepairRequest(const v1::RepairRequest& request) {
  std::set<uint32_t> buckets;
  for (uint32_t b : request.buckets()) {
    if (b >= kDigestBuckets) {
      return absl::InvalidArgumentError(
          absl::StrCat("replication: repair request for bucket ", b, " of ",
                       kDigestBuckets));
    }
    buckets.insert(b);
  }
  ASSIGN_OR_RETURN(std::vector<v1::LogRecord> records,
                   replica_->EntriesInBuckets(buckets));
  absl::MutexLock lock(&mu_);
  v1::RecordBatch* batch = nullptr;
  for (v1::LogRecord& record : records) {
    if (batch == nullptr || static_cast<size_t>(batch->records_size()) >=
                                options_.max_batch_records) {
      batch = replies_.emplace_back().mutable_records();
      batch->set_repair(true);
    }
    *batch->add_records() = std::move(record);
  }
  return absl::OkStatus();
}

}  // namespace kaartnet::replication
