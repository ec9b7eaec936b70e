#include "services/ledger.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "model/validation.h"
#include "trust/signing.h"

namespace kaartnet::services {

Ledger::Ledger(storage::Store* store, trust::OrganisationRegistry* registry,
               HybridLogicalClock* hlc, Clock* clock)
    : store_(store), registry_(registry), hlc_(hlc), clock_(clock) {
  purge_thread_ = std::thread([this] { PurgeLoop(); });
}

Ledger::~Ledger() {
  {
    absl::MutexLock lock(&purge_mu_);
    stopping_ = true;
  }
  purge_thread_.join();
}

absl::StatusOr<v1::Entry> Ledger::Verify(const v1::SignedRecord& record) const {
  auto entry = trust::ParseRecord(record);
  if (!entry.ok()) {
    return trust::Reject(absl::StatusCode::kInvalidArgument,
                         trust::RejectReason::kMalformed,
                         entry.status().message());
  }
  const std::vector<FieldViolation> violations =
      entry->withdrawn()
          ? model::ValidateTombstone(*entry)
          : model::ValidateEntry(*entry, model::EntryOrigin::kSigned,
                                 clock_->Now());
  if (!violations.empty()) {
    absl::Status status = model::ToStatus(violations);
    trust::AttachRejectReason(&status, trust::RejectReason::kMalformed);
    return status;
  }
  absl::Status verified = registry_->VerifyRecord(record, *entry);
  if (!verified.ok()) return verified;
  return entry;
}

absl::StatusOr<std::vector<RecordOutcome>> Ledger::Apply(
    std::vector<IncomingRecord> records,
    std::vector<std::pair<std::string, uint64_t>> advance_frontier) {
  std::vector<RecordOutcome> outcomes(records.size());
  storage::WriteRequest request;
  request.advance_frontier = std::move(advance_frontier);
  std::vector<size_t> applied_index;  // outcome index of each store record
  std::vector<absl::StatusOr<v1::Entry>> verified = VerifyAll(records);
  for (size_t i = 0; i < records.size(); ++i) {
    IncomingRecord& in = records[i];
    absl::StatusOr<v1::Entry>& entry = verified[i];
    if (!entry.ok()) {
      outcomes[i].status = entry.status();
      const trust::RejectReason reason = trust::RejectReasonOf(entry.status());
      counters_
          .rejected[static_cast<size_t>(reason) % counters_.rejected.size()]++;
      KLOG(WARNING) << "refused record"
                    << (in.origin_node_id.empty() ? "" : " from ")
                    << in.origin_node_id
                    << (in.origin_seq ? absl::StrCat("/", in.origin_seq) : "")
                    << ": " << trust::RejectReasonName(reason) << ": "
                    << entry.status().message();
      if (!in.origin_node_id.empty() && in.in_log_order) {
        request.advance_frontier.push_back({in.origin_node_id, in.origin_seq});
      }
      continue;
    }
    outcomes[i].entry = *entry;
    // Remote clocks move ours forward, unless too far ahead (counted).
    if (!hlc_->Observe(entry->version().hlc())) {
      KLOG(WARNING)
          << "record " << entry->id() << " from node "
          << entry->version().node_id() << " is dated "
          << absl::FormatTime(
                 HybridLogicalClock::ToTime(entry->version().hlc()))
          << ", beyond the allowed clock skew; accepted, clock not moved";
    }
    storage::ApplyRecord& record = request.records.emplace_back();
    record.signed_record = std::move(in.record);
    record.entry = std::move(*entry);
    record.origin_node_id = std::move(in.origin_node_id);
    record.origin_seq = in.origin_seq;
    record.in_log_order = in.in_log_order;
    record.expected_version = std::move(in.expected_version);
    record.create_only = in.create_only;
    applied_index.push_back(i);
  }
  if (request.records.empty() && request.advance_frontier.empty())
    return outcomes;
  auto results = store_->Apply(std::move(request));
  if (!results.ok()) return results.status();
  bool erased = false;
  for (size_t k = 0; k < results->size(); ++k) {
    RecordOutcome& outcome = outcomes[applied_index[k]];
    outcome.result = (*results)[k];
    switch (outcome.result.outcome) {
      case storage::ApplyOutcome::kApplied:
        counters_.applied++;
        if (outcome.entry.erased()) {
          counters_.erasures++;
          erased = true;
        }
        break;
      case storage::ApplyOutcome::kStale:
        counters_.stale++;
        break;
      case storage::ApplyOutcome::kDuplicate:
        counters_.duplicate++;
        break;
      default:
        break;
    }
  }
  if (erased) RequestPurge();
  return outcomes;
}

void Ledger::RequestPurge() {
  absl::MutexLock lock(&purge_mu_);
  ++purge_requested_;
}

std::vector<absl::StatusOr<v1::Entry>> Ledger::VerifyAll(
    const std::vector<IncomingRecord>& records) const {
  std::vector<absl::StatusOr<v1::Entry>> out(records.size());
  auto verify_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out[i] = Verify(records[i].record);
  };
  // A large batch (a peer catching this node up) is checked on two
  // threads; a small one is not worth a thread.
  constexpr size_t kParallelFrom = 64;
  if (records.size() < kParallelFrom) {
    verify_range(0, records.size());
    return out;
  }
  const size_t half = records.size() / 2;
  std::thread helper([&] { verify_range(half, records.size()); });
  verify_range(0, half);
  helper.join();
  return out;
}

void Ledger::WaitForPurges() {
  absl::MutexLock lock(&purge_mu_);
  struct Wait {
    const uint64_t* done;
    uint64_t target;
  } wait{&purge_done_, purge_requested_};
  purge_mu_.Await(absl::Condition(
      +[](Wait* w) { return *w->done >= w->target; }, &wait));
}

void Ledger::PurgeLoop() {
  while (true) {
    uint64_t target;
    {
      absl::MutexLock lock(&purge_mu_);
      purge_mu_.Await(absl::Condition(
          +[](Ledger* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return self->stopping_ ||
                   self->purge_requested_ > self->purge_done_;
          },
          this));
      if (stopping_) return;
      target = purge_requested_;
    }
    const absl::Status status = store_->PurgeObsoleteData();
    if (status.ok()) {
      counters_.purges++;
      KLOG(INFO) << "erasure: purged erased content from the data files";
    } else {
      KLOG(ERROR) << "erasure: purge failed (will retry on the next erasure): "
                  << status;
    }
    absl::MutexLock lock(&purge_mu_);
    purge_done_ = target;
  }
}

}  // namespace kaartnet::services
