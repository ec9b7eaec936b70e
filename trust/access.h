// Who may do what: roles, callers and the one table of rights that every
// transport (gRPC, HTTP) and page consults. See trust-and-privacy in the
// README for the table in prose.
#ifndef KAARTNET_TRUST_ACCESS_H_
#define KAARTNET_TRUST_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaartnet::trust {

enum class Role {
  kAnonymous = 0,  // no token (only when the node allows anonymous search)
  kReader,         // klantmanager, consulent
  kPublisher,      // staff of one partner organisation
  kRegionAdmin,    // the regional Werkbedrijf
  kNodeAdmin,      // IT of the organisation running the node
};

const char* RoleName(Role role);  // "anonymous", "reader", ...
absl::StatusOr<Role> ParseRole(absl::string_view name);

struct Caller {
  Role role = Role::kAnonymous;
  // The publisher's organisation.
  std::string organisation_id;
  // Token id (never the secret), for logs and the access log.
  std::string subject;
  // In-process callers and nodes without any tokens configured (local
  // development only): every right.
  bool trusted = false;

  static Caller Anonymous() { return Caller{}; }
  static Caller Trusted() {
    Caller c;
    c.role = Role::kNodeAdmin;
    c.subject = "local";
    c.trusted = true;
    return c;
  }
};

enum class Action {
  kSearch,          // Search, Get (public contacts), WatchChanges
  kRevealContacts,  // Get with PROFESSIONALS contacts (logged)
  kPublish,         // Publish, Withdraw for an organisation
  kErase,           // Withdraw with erase
  kListOrganisations,
  kPutAdmission,
  kNodeStatus,
  kManagePeers,
  kManageTokens,
  kRegionOverview,  // coverage, stale entries, exports with contacts
  kAudit,           // verify and read the access log
  kBackup,          // back up the node's data
};

const char* ActionName(Action action);

// OK, or PERMISSION_DENIED (UNAUTHENTICATED for anonymous callers) saying
// what is missing. `organisation_id` is the organisation acted on, for
// kPublish, kErase and kRevealContacts.
absl::Status Authorize(const Caller& caller, Action action,
                       absl::string_view organisation_id = "");

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_ACCESS_H_
