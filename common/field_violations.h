// Field-level errors: every problem of a request as a field path plus a
// reason, carried inside an absl::Status as a google.rpc.BadRequest payload
// so the gRPC and HTTP adapters can hand them to clients unchanged.
#ifndef KAARTNET_COMMON_FIELD_VIOLATIONS_H_
#define KAARTNET_COMMON_FIELD_VIOLATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace kaartnet {

struct FieldViolation {
  std::string field;  // e.g. "locations[0].postcode"
  std::string
      description;  // e.g. "\"12345\" is not a Dutch postcode (1234 AB)"

  bool operator==(const FieldViolation&) const = default;
};

// Type URL of the payload (the standard google.rpc.BadRequest).
inline constexpr char kBadRequestTypeUrl[] =
    "type.googleapis.com/google.rpc.BadRequest";

// A status of `code` whose message is `summary` followed by every violation,
// with the violations attached as a BadRequest payload.
absl::Status StatusWithViolations(
    absl::StatusCode code, const std::string& summary,
    const std::vector<FieldViolation>& violations);

inline absl::Status InvalidArgumentWithViolations(
    const std::string& summary, const std::vector<FieldViolation>& violations) {
  return StatusWithViolations(absl::StatusCode::kInvalidArgument, summary,
                              violations);
}

// The violations attached to `status` (empty if none).
std::vector<FieldViolation> GetFieldViolations(const absl::Status& status);

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_FIELD_VIOLATIONS_H_
