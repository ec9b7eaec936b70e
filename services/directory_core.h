// The transport-free cores behind kaartnet.v1.Directory and kaartnet.v1.Admin.
// The gRPC and HTTP adapters authenticate the caller, call these, and map
// the absl::Status to their protocol; all rules live here.
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_SERVICES_DIRECTORY_CORE_H_
#define KAARTNET_SERVICES_DIRECTORY_CORE_H_

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/hlc.h"
#include "kaartnet/internal/search.pb.h"
#include "kaartnet/v1/admin.pb.h"
#include "kaartnet/v1/directory.pb.h"
#include "replication/digest.h"
#include "replication/peer_acks.h"
#include "replication/replicator.h"
#include "search/search_index.h"
#include "services/ledger.h"
#include "services/peer_book.h"
#include "storage/store.h"
#include "trust/access.h"
#include "trust/access_log.h"
#include "trust/keys.h"
#include "trust/organisation_registry.h"

namespace kaartnet::services {

// Everything a node's cores share. Pointers are not owned.
struct NodeContext {
  std::string node_id;
  std::string region;
  absl::Duration freshness = absl::Hours(24 * 180);
  // The region's tombstone horizon and the clock skew allowed between
  // nodes (bounds on what a peer's snapshot may remove).
  absl::Duration tombstone_horizon = absl::Hours(24 * 30);
  absl::Duration max_clock_skew = absl::Minutes(10);
  absl::Time started_at;
  std::string version;
  std::string data_dir;
  std::string backup_dir;
  storage::Store* store = nullptr;
  trust::OrganisationRegistry* registry = nullptr;
  Ledger* ledger = nullptr;
  search::SearchIndex* index = nullptr;
  HybridLogicalClock* hlc = nullptr;
  Clock* clock = nullptr;
  // Keys of the organisations this node signs for.
  std::map<std::string, std::shared_ptr<const trust::SigningKey>> hosted_keys;
  // Replication (null when the node runs without it, e.g. in unit tests).
  replication::Replicator* replicator = nullptr;
  PeerBook* peer_book = nullptr;
  // What peers acknowledged (null when the node runs without replication).
  replication::PeerAcks* peer_acks = nullptr;
  // Where contact reveals are recorded (null: reveals are refused).
  trust::AccessLog* access_log = nullptr;
  std::string access_log_dir;
  const replication::DigestTable* digest = nullptr;
  // Bumped whenever an admission is installed.
  std::atomic<uint64_t> admissions_generation{0};
  // Records refused by verification from peers, since start.
  std::atomic<uint64_t> refused_records{0};
  // The same by trust::RejectReason.
  std::array<std::atomic<uint64_t>, 32> refused_by_reason{};
  // Withdrawals removed past the tombstone horizon, and entries removed by
  // peers' snapshots, since start.
  std::atomic<uint64_t> tombstones_removed{0};
  std::atomic<uint64_t> entries_pruned{0};
  std::atomic<uint64_t> snapshots_received{0};
};

// Wakes WatchChanges followers when the store applies changes.
class ChangeNotifier final : public storage::ChangeListener {
 public:
  explicit ChangeNotifier(uint64_t last_change_seq)
      : latest_(last_change_seq) {}
  void OnChanges(absl::Span<const storage::Change> changes) override;
  // Waits until a change after `seq` exists or `timeout` passes; returns the
  // latest change seq.
  uint64_t WaitAfter(uint64_t seq, absl::Duration timeout);

 private:
  absl::Mutex mu_;
  uint64_t latest_ ABSL_GUARDED_BY(mu_);
};

// Purposes a caller may give for revealing contacts (purpose limitation).
bool IsKnownRevealPurpose(absl::string_view purpose);

class DirectoryCore {
 public:
  explicit DirectoryCore(NodeContext* context);

  absl::StatusOr<v1::PublishResponse> Publish(
      const trust::Caller& caller, const v1::PublishRequest& request);
  absl::StatusOr<v1::GetResponse> Get(const trust::Caller& caller,
                                      const v1::GetRequest& request);
  absl::StatusOr<v1::WithdrawResponse> Withdraw(
      const trust::Caller& caller, const v1::WithdrawRequest& request);
  // The search answer as the gRPC service sends it: hits are assembled
  // from the index's result cards without touching the store (the full
  // view reads the store).
  absl::StatusOr<internal::EncodedSearchResponse> SearchEncoded(
      const trust::Caller& caller, const v1::SearchRequest& request);
  // The same answer as a message.
  absl::StatusOr<v1::SearchResponse> Search(const trust::Caller& caller,
                                            const v1::SearchRequest& request);

  // One batch of WatchChanges: changes after `cursor` (at most `limit`),
  // each with its own cursor. `*next_cursor` is where to continue.
  absl::StatusOr<std::vector<v1::ChangeEvent>> ReadChanges(
      const trust::Caller& caller, const v1::WatchChangesRequest& request,
      const std::string& cursor, size_t limit, std::string* next_cursor);
  // Blocks until there may be changes after `cursor`, or `timeout`.
  void WaitForChanges(const std::string& cursor, absl::Duration timeout);

  ChangeNotifier* notifier() { return &notifier_; }

 private:
  // A hit's card made from the store; nullopt when the entry is gone.
  absl::StatusOr<std::optional<std::string>> StoredHitCard(
      const std::string& id, v1::EntryView view) const;
  absl::StatusOr<v1::Entry> LoadEntry(const std::string& id,
                                      v1::EntryStatus* status) const;
  absl::StatusOr<RecordOutcome> ApplyOne(IncomingRecord record);
  absl::StatusOr<uint64_t> ParseCursor(const std::string& cursor) const;
  std::string MakeCursor(uint64_t change_seq) const;

  NodeContext* const context_;
  ChangeNotifier notifier_;
};

class AdminCore {
 public:
  explicit AdminCore(NodeContext* context);

  absl::StatusOr<v1::ListOrganisationsResponse> ListOrganisations(
      const trust::Caller& caller, const v1::ListOrganisationsRequest& request);
  absl::StatusOr<v1::PutAdmissionResponse> PutAdmission(
      const trust::Caller& caller, const v1::PutAdmissionRequest& request);
  absl::StatusOr<v1::NodeStatus> GetNodeStatus(
      const trust::Caller& caller, const v1::GetNodeStatusRequest& request);
  absl::StatusOr<v1::ListPeersResponse> AddPeer(
      const trust::Caller& caller, const v1::AddPeerRequest& request);
  absl::StatusOr<v1::ListPeersResponse> RemovePeer(
      const trust::Caller& caller, const v1::RemovePeerRequest& request);
  absl::StatusOr<v1::ListPeersResponse> ListPeers(
      const trust::Caller& caller, const v1::ListPeersRequest& request);
  absl::StatusOr<v1::CreateBackupResponse> CreateBackup(
      const trust::Caller& caller, const v1::CreateBackupRequest& request);
  absl::StatusOr<v1::VerifyAccessLogResponse> VerifyAccessLog(
      const trust::Caller& caller, const v1::VerifyAccessLogRequest& request);
  // Region overview (services/region_overview.cc).
  absl::StatusOr<v1::Coverage> GetCoverage(
      const trust::Caller& caller, const v1::GetCoverageRequest& request);
  absl::StatusOr<v1::ExportContactsResponse> ExportContacts(
      const trust::Caller& caller, const v1::ExportContactsRequest& request);

 private:
  v1::ListPeersResponse PeerList() const;

  NodeContext* const context_;
};

// The stored entry `id` (with contacts; a tombstone when withdrawn) and, when
// `status` is set, what the node knows about it. NOT_FOUND when unknown.
absl::StatusOr<v1::Entry> LoadStoredEntry(const NodeContext& context,
                                          const std::string& id,
                                          v1::EntryStatus* status);

// Verifies, stores and installs an admission; re-indexes the organisation's
// entries when its name or type changed. Used by AdminCore and at start.
absl::StatusOr<bool> InstallAdmission(NodeContext* context,
                                      const v1::SignedAdmission& admission,
                                      bool log = true);
// The same for many admissions, stored with one durable write: per
// admission whether it was new or newer, or why it was refused. An error
// only when the store failed (then none was stored).
absl::StatusOr<std::vector<absl::StatusOr<bool>>> InstallAdmissions(
    NodeContext* context, const std::vector<v1::SignedAdmission>& admissions,
    bool log = true);

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_DIRECTORY_CORE_H_
