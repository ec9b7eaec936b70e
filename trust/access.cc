#include "trust/access.h"

#include "absl/strings/str_cat.h"

namespace kaartnet::trust {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAnonymous:
      return "anonymous";
    case Role::kReader:
      return "reader";
    case Role::kPublisher:
      return "publisher";
    case Role::kRegionAdmin:
      return "region-admin";
    case Role::kNodeAdmin:
      return "node-admin";
  }
  return "?";
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kReader, Role::kPublisher, Role::kRegionAdmin,
                    Role::kNodeAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", name,
      "\" is not a role (reader, publisher, region-admin, node-admin)"));
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kSearch:
      return "search";
    case Action::kRevealContacts:
      return "reveal contacts";
    case Action::kPublish:
      return "publish";
    case Action::kErase:
      return "erase";
    case Action::kListOrganisations:
      return "list organisations";
    case Action::kPutAdmission:
      return "admit organisations";
    case Action::kNodeStatus:
      return "read node status";
    case Action::kManagePeers:
      return "manage peers";
    case Action::kManageTokens:
      return "manage tokens";
    case Action::kRegionOverview:
      return "use the region overview";
    case Action::kAudit:
      return "read the access log";
    case Action::kBackup:
      return "back up the node";
  }
  return "?";
}

absl::Status Authorize(const Caller& caller, Action action,
                       absl::string_view organisation_id) {
  if (caller.trusted) return absl::OkStatus();
  const Role role = caller.role;
  bool allowed = false;
  switch (action) {
    case Action::kSearch:
    case Action::kListOrganisations:
      allowed = role != Role::kNodeAdmin;
      break;
    case Action::kRevealContacts:
      allowed = role == Role::kReader || role == Role::kRegionAdmin ||
                (role == Role::kPublisher &&
                 caller.organisation_id == organisation_id);
      break;
    case Action::kPublish:
      allowed =
          role == Role::kPublisher && caller.organisation_id == organisation_id;
      break;
    case Action::kErase:
      allowed = role == Role::kRegionAdmin ||
                (role == Role::kPublisher &&
                 caller.organisation_id == organisation_id);
      break;
    case Action::kPutAdmission:
    case Action::kRegionOverview:
      allowed = role == Role::kRegionAdmin;
      break;
    case Action::kNodeStatus:
    case Action::kAudit:
      allowed = role == Role::kNodeAdmin || role == Role::kRegionAdmin;
      break;
    case Action::kManagePeers:
    case Action::kManageTokens:
    case Action::kBackup:
      allowed = role == Role::kNodeAdmin;
      break;
  }
  if (allowed) return absl::OkStatus();
  if (role == Role::kAnonymous) {
    return absl::UnauthenticatedError(
        absl::StrCat("a token is needed to ", ActionName(action),
                     " (send \"authorization: Bearer <token>\")"));
  }
  std::string who = RoleName(role);
  if (role == Role::kPublisher)
    absl::StrAppend(&who, " of \"", caller.organisation_id, "\"");
  std::string what = ActionName(action);
  if (!organisation_id.empty())
    absl::StrAppend(&what, " for \"", organisation_id, "\"");
  return absl::PermissionDeniedError(
      absl::StrCat("a ", who, " may not ", what));
}

}  // namespace kaartnet::trust
