// Turns the credentials of a request into a trust::Caller, in one place for
// gRPC and HTTP.
#ifndef KAARTNET_SERVICES_AUTH_H_
#define KAARTNET_SERVICES_AUTH_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "trust/access.h"

namespace kaartnet::services {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the value of the "authorization" header/metadata
  // ("Bearer <token>"), empty when absent. UNAUTHENTICATED for a bad token.
  virtual absl::StatusOr<trust::Caller> Authenticate(
      absl::string_view authorization) = 0;
};

// Development mode: every caller is trusted. Only for nodes that listen on
// loopback and have no tokens configured.
class OpenAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<trust::Caller> Authenticate(absl::string_view) override {
    return trust::Caller::Trusted();
  }
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_AUTH_H_
