#include "common/field_violations.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace kaartnet {

absl::Status StatusWithViolations(
    absl::StatusCode code, const std::string& summary,
    const std::vector<FieldViolation>& violations) {
  std::string message = summary;
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    absl::StrAppend(
        &message,
        message.empty() ? "" : (&v == &violations.front() ? ": " : "; "),
        v.field, ": ", v.description);
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  absl::Status status(code, message);
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::vector<FieldViolation> GetFieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return out;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& fv : bad_request.field_violations()) {
    out.push_back({fv.field(), fv.description()});
  }
  return out;
}

}  // namespace kaartnet
