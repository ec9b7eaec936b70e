#include "services/grpc_services.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/field_violations.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace kaartnet::services {
namespace {

// Runs a unary core call: authenticate, call, copy the result. The time
// spent in the node is sent back as trailing metadata "kaartnet-server-us"
// (benchmarks separate server time from the network with it).
template <typename Response, typename Call>
grpc::Status Unary(const char* method, grpc::ServerContextBase* context,
                   Authenticator* auth, Metrics* metrics, Response* response,
                   Call call) {
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = [&]() -> absl::Status {
    auto caller = CallerOf(context, auth);
    if (!caller.ok()) return caller.status();
    auto result = call(*caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  }();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  context->AddTrailingMetadata(
      "kaartnet-server-us",
      std::to_string(
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed)
              .count()));
  if (metrics != nullptr) {
    metrics->RecordCall("grpc", method, status.code(),
                        std::chrono::duration<double>(elapsed).count());
  }
  return ToGrpcStatus(status);
}

// The bytes of a ByteBuffer as one string.
std::string BytesOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  bytes.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices)
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return bytes;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message(status.message());
  const std::vector<FieldViolation> violations = GetFieldViolations(status);
  if (violations.empty()) return grpc::Status(code, message);
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  rich.add_details()->PackFrom(bad_request);
  return grpc::Status(code, message, rich.SerializeAsString());
}

absl::StatusOr<trust::Caller> CallerOf(grpc::ServerContextBase* context,
                                       Authenticator* auth) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header;
  if (it != metadata.end())
    header = absl::string_view(it->second.data(), it->second.size());
  return auth->Authenticate(header);
}

grpc::Status DirectoryService::Publish(grpc::ServerContext* context,
                                       const v1::PublishRequest* request,
                                       v1::PublishResponse* response) {
  return Unary("Publish", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->Publish(caller, *request);
               });
}

grpc::Status DirectoryService::Get(grpc::ServerContext* context,
                                   const v1::GetRequest* request,
                                   v1::GetResponse* response) {
  return Unary("Get", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->Get(caller, *request);
               });
}

grpc::Status DirectoryService::Withdraw(grpc::ServerContext* context,
                                        const v1::WithdrawRequest* request,
                                        v1::WithdrawResponse* response) {
  return Unary("Withdraw", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->Withdraw(caller, *request);
               });
}

grpc::ServerUnaryReactor* DirectoryService::Search(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::SearchRequest parsed;
  if (!parsed.ParseFromString(BytesOf(*request))) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "search refused: the request does not parse "
                                 "as a kaartnet.v1.SearchRequest"));
    return reactor;
  }
  std::string bytes;
  const grpc::Status status =
      Unary("Search", context, auth_, metrics_, &bytes,
            [&](const trust::Caller& caller) -> absl::StatusOr<std::string> {
              auto encoded = core_->SearchEncoded(caller, parsed);
              if (!encoded.ok()) return encoded.status();
              return encoded->SerializeAsString();
            });
  if (status.ok()) {
    grpc::Slice slice(bytes);
    *response = grpc::ByteBuffer(&slice, 1);
  }
  reactor->Finish(status);
  return reactor;
}

grpc::Status DirectoryService::WatchChanges(
    grpc::ServerContext* context, const v1::WatchChangesRequest* request,
    grpc::ServerWriter<v1::ChangeEvent>* writer) {
  auto caller = CallerOf(context, auth_);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // Each open stream holds a server thread: bound them, in all and per
  // caller (anonymous callers count as one), so one caller cannot take
  // every slot.
  const std::string who =
      caller->subject.empty() ? "(anonymous)" : caller->subject;
  const int per_caller = std::max(1, max_watch_streams_ / 8);
  {
    absl::MutexLock lock(&watch_mu_);
    if (watch_streams_ >= max_watch_streams_) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("this node already serves ", max_watch_streams_,
                       " WatchChanges streams; try again later"));
    }
    if (watch_by_caller_[who] >= per_caller) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("at most ", per_caller,
                       " WatchChanges streams per caller; close one first"));
    }
    ++watch_streams_;
    ++watch_by_caller_[who];
  }
  struct Slot {
    DirectoryService* service;
    std::string who;
    ~Slot() {
      absl::MutexLock lock(&service->watch_mu_);
      --service->watch_streams_;
      if (--service->watch_by_caller_[who] == 0)
        service->watch_by_caller_.erase(who);
    }
  } slot{this, who};
  std::string cursor = request->cursor();
  while (!context->IsCancelled() && !stopping_) {
    // A token revoked or expired while the stream is open ends it.
    if (absl::Status s = auth_->Recheck(*caller); !s.ok())
      return ToGrpcStatus(s);
    std::string next;
    auto events = core_->ReadChanges(*caller, *request, cursor, 256, &next);
    if (!events.ok()) return ToGrpcStatus(events.status());
    for (const v1::ChangeEvent& event : *events) {
      if (!writer->Write(event)) return grpc::Status::OK;  // client went away
    }
    const bool caught_up = next == cursor;
    cursor = std::move(next);
    if (caught_up) {
      if (!request->follow()) break;
      core_->WaitForChanges(cursor, absl::Milliseconds(500));
    }
  }
  if (stopping_)
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "node is shutting down");
  return grpc::Status::OK;
}

grpc::Status AdminService::ListOrganisations(
    grpc::ServerContext* context, const v1::ListOrganisationsRequest* request,
    v1::ListOrganisationsResponse* response) {
  return Unary("ListOrganisations", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->ListOrganisations(caller, *request);
               });
}

grpc::Status AdminService::PutAdmission(grpc::ServerContext* context,
                                        const v1::PutAdmissionRequest* request,
                                        v1::PutAdmissionResponse* response) {
  return Unary("PutAdmission", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->PutAdmission(caller, *request);
               });
}

grpc::Status AdminService::GetNodeStatus(
    grpc::ServerContext* context, const v1::GetNodeStatusRequest* request,
    v1::NodeStatus* response) {
  return Unary("GetNodeStatus", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->GetNodeStatus(caller, *request);
               });
}

grpc::Status AdminService::AddPeer(grpc::ServerContext* context,
                                   const v1::AddPeerRequest* request,
                                   v1::ListPeersResponse* response) {
  return Unary("AddPeer", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->AddPeer(caller, *request);
               });
}

grpc::Status AdminService::CreateBackup(grpc::ServerContext* context,
                                        const v1::CreateBackupRequest* request,
                                        v1::CreateBackupResponse* response) {
  return Unary("CreateBackup", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->CreateBackup(caller, *request);
               });
}

grpc::Status AdminService::RemovePeer(grpc::ServerContext* context,
                                      const v1::RemovePeerRequest* request,
                                      v1::ListPeersResponse* response) {
  return Unary("RemovePeer", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->RemovePeer(caller, *request);
               });
}

grpc::Status AdminService::VerifyAccessLog(
    grpc::ServerContext* context, const v1::VerifyAccessLogRequest* request,
    v1::VerifyAccessLogResponse* response) {
  return Unary("VerifyAccessLog", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->VerifyAccessLog(caller, *request);
               });
}

grpc::Status AdminService::GetCoverage(grpc::ServerContext* context,
                                       const v1::GetCoverageRequest* request,
                                       v1::Coverage* response) {
  return Unary("GetCoverage", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->GetCoverage(caller, *request);
               });
}

grpc::Status AdminService::ExportContacts(
    grpc::ServerContext* context, const v1::ExportContactsRequest* request,
    v1::ExportContactsResponse* response) {
  return Unary("ExportContacts", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->ExportContacts(caller, *request);
               });
}

grpc::Status AdminService::ListPeers(grpc::ServerContext* context,
                                     const v1::ListPeersRequest* request,
                                     v1::ListPeersResponse* response) {
  return Unary("ListPeers", context, auth_, metrics_, response,
               [&](const trust::Caller& caller) {
                 return core_->ListPeers(caller, *request);
               });
}

}  // namespace kaartnet::services
