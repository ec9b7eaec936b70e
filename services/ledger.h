// The one write path of a node: every record, whether published here,
// replicated from a peer or imported, is parsed, validated, checked against
// the organisation registry (signature, key, admission) and then applied to
// the store in one atomic, durable step. Records that fail are refused with
// a reason and counted; they never stop the records beside them.
//
// Erasures additionally trigger a purge of the RocksDB files in the
// background (see storage::Store::PurgeObsoleteData).
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_SERVICES_LEDGER_H_
#define KAARTNET_SERVICES_LEDGER_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/hlc.h"
#include "storage/store.h"
#include "trust/organisation_registry.h"

namespace kaartnet::services {

struct IncomingRecord {
  v1::SignedRecord record;
  // Log position at the origin; empty origin for records this node
  // originates.
  std::string origin_node_id;
  uint64_t origin_seq = 0;
  bool in_log_order = true;
  std::optional<v1::Version> expected_version;
  bool create_only = false;
};

struct RecordOutcome {
  // OK when verified (the store decides applied/stale/duplicate); otherwise
  // why the record was refused.
  absl::Status status;
  storage::ApplyResult result;
  // The parsed entry (empty when it did not parse).
  v1::Entry entry;
};

class Ledger {
 public:
  Ledger(storage::Store* store, trust::OrganisationRegistry* registry,
         HybridLogicalClock* hlc, Clock* clock);
  ~Ledger();

  // Verifies every record and applies the good ones (plus the frontier
  // advances) atomically. Refused in-order records still move their
  // origin's frontier, so one bad record never blocks a log. Fails only
  // when the store fails; then nothing was applied.
  absl::StatusOr<std::vector<RecordOutcome>> Apply(
      std::vector<IncomingRecord> records,
      std::vector<std::pair<std::string, uint64_t>> advance_frontier = {});

  // Checks a record without applying it (Publish with validate_only).
  absl::StatusOr<v1::Entry> Verify(const v1::SignedRecord& record) const;

  // Blocks until purges requested so far have finished (tests, shutdown).
  void WaitForPurges();
  // Forces removed content out of the RocksDB files in the background (after
  // entries are removed that may have been erased elsewhere).
  void RequestPurge();

  struct Counters {
    std::atomic<uint64_t> applied{0};
    std::atomic<uint64_t> stale{0};
    std::atomic<uint64_t> duplicate{0};
    std::atomic<uint64_t> erasures{0};
    std::atomic<uint64_t> purges{0};
    // Indexed by trust::RejectReason.
    std::array<std::atomic<uint64_t>, 16> rejected{};
  };
  const Counters& counters() const { return counters_; }
  storage::Store* store() const { return store_; }
  trust::OrganisationRegistry* registry() const { return registry_; }

 private:
  // Verify of every record; large batches on two threads.
  std::vector<absl::StatusOr<v1::Entry>> VerifyAll(
      const std::vector<IncomingRecord>& records) const;
  void PurgeLoop();

  storage::Store* const store_;
  trust::OrganisationRegistry* const registry_;
  HybridLogicalClock* const hlc_;
  Clock* const clock_;
  Counters counters_;

  absl::Mutex purge_mu_;
  uint64_t purge_requested_ ABSL_GUARDED_BY(purge_mu_) = 0;
  uint64_t purge_done_ ABSL_GUARDED_BY(purge_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(purge_mu_) = false;
  std::thread purge_thread_;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_LEDGER_H_
