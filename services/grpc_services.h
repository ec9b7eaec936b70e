// Thin gRPC adapters over the cores: authenticate, call, map the status.
#ifndef KAARTNET_SERVICES_GRPC_SERVICES_H_
#define KAARTNET_SERVICES_GRPC_SERVICES_H_

#include <atomic>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "services/auth.h"
#include "services/directory_core.h"
#include "services/metrics.h"

namespace kaartnet::services {

// The one mapping from core status to gRPC status. Field violations travel
// as a google.rpc.BadRequest in the standard grpc-status-details-bin.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The caller of a gRPC call, from its "authorization" metadata.
absl::StatusOr<trust::Caller> CallerOf(grpc::ServerContextBase* context,
                                       Authenticator* auth);

// Search is served as a raw method: the answer is assembled from the
// index's pre-serialized result cards (see search/hit_card.h) and sent as
// bytes, which clients read as a v1.SearchResponse.
class DirectoryService final
    : public v1::Directory::WithRawCallbackMethod_Search<
          v1::Directory::Service> {
 public:
  DirectoryService(DirectoryCore* core, Authenticator* auth, Metrics* metrics,
                   int max_watch_streams = 256)
      : core_(core),
        auth_(auth),
        metrics_(metrics),
        max_watch_streams_(max_watch_streams) {}

  grpc::Status Publish(grpc::ServerContext* context,
                       const v1::PublishRequest* request,
                       v1::PublishResponse* response) override;
  grpc::Status Get(grpc::ServerContext* context, const v1::GetRequest* request,
                   v1::GetResponse* response) override;
  grpc::Status Withdraw(grpc::ServerContext* context,
                        const v1::WithdrawRequest* request,
                        v1::WithdrawResponse* response) override;
  grpc::ServerUnaryReactor* Search(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::Status WatchChanges(
      grpc::ServerContext* context, const v1::WatchChangesRequest* request,
      grpc::ServerWriter<v1::ChangeEvent>* writer) override;

  // Ends open WatchChanges streams (graceful shutdown).
  void Stop() { stopping_ = true; }

 private:
  DirectoryCore* const core_;
  Authenticator* const auth_;
  Metrics* const metrics_;
  const int max_watch_streams_;
  absl::Mutex watch_mu_;
  int watch_streams_ ABSL_GUARDED_BY(watch_mu_) = 0;
  absl::flat_hash_map<std::string, int> watch_by_caller_
      ABSL_GUARDED_BY(watch_mu_);
  std::atomic<bool> stopping_{false};
};

class AdminService final : public v1::Admin::Service {
 public:
  AdminService(AdminCore* core, Authenticator* auth, Metrics* metrics)
      : core_(core), auth_(auth), metrics_(metrics) {}

  grpc::Status ListOrganisations(
      grpc::ServerContext* context, const v1::ListOrganisationsRequest* request,
      v1::ListOrganisationsResponse* response) override;
  grpc::Status PutAdmission(grpc::ServerContext* context,
                            const v1::PutAdmissionRequest* request,
                            v1::PutAdmissionResponse* response) override;
  grpc::Status GetNodeStatus(grpc::ServerContext* context,
                             const v1::GetNodeStatusRequest* request,
                             v1::NodeStatus* response) override;
  grpc::Status AddPeer(grpc::ServerContext* context,
                       const v1::AddPeerRequest* request,
                       v1::ListPeersResponse* response) override;
  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const v1::CreateBackupRequest* request,
                            v1::CreateBackupResponse* response) override;
  grpc::Status RemovePeer(grpc::ServerContext* context,
                          const v1::RemovePeerRequest* request,
                          v1::ListPeersResponse* response) override;
  grpc::Status ListPeers(grpc::ServerContext* context,
                         const v1::ListPeersRequest* request,
                         v1::ListPeersResponse* response) override;
  grpc::Status VerifyAccessLog(grpc::ServerContext* context,
                               const v1::VerifyAccessLogRequest* request,
                               v1::VerifyAccessLogResponse* response) override;
  grpc::Status GetCoverage(grpc::ServerContext* context,
                           const v1::GetCoverageRequest* request,
                           v1::Coverage* response) override;
  grpc::Status ExportContacts(grpc::ServerContext* context,
                              const v1::ExportContactsRequest* request,
                              v1::ExportContactsResponse* response) override;

 private:
  AdminCore* const core_;
  Authenticator* const auth_;
  Metrics* const metrics_;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_GRPC_SERVICES_H_
