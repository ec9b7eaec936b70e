// The organisations admitted to the region(s) this node trusts, and the
// check every record must pass before it is applied: signed by a valid key
// of its owner, within the owner's admission (kinds, area, validity).
//
// The registry is in memory; the caller persists admissions it installs
// (see storage::Store::PutAdmission) and re-installs them on start.
//
// Thread-safety: safe for concurrent use; reads do not block each other.
#ifndef KAARTNET_TRUST_ORGANISATION_REGISTRY_H_
#define KAARTNET_TRUST_ORGANISATION_REGISTRY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "kaartnet/v1/record.pb.h"

namespace kaartnet::trust {

// Why a record or admission was refused; used for counting and logging.
enum class RejectReason {
  kNone = 0,
  kMalformed,          // bytes do not parse or break validation
  kBadSignature,       // signature does not verify
  kUnknownKey,         // key id not in any admission
  kWrongOrganisation,  // key belongs to another organisation
  kKeyRevoked,
  kKeyNotValid,          // record time outside the key's validity
  kUnknownOrganisation,  // no admission for the entry's organisation
  kOrganisationRevoked,
  kOrganisationNotValid,  // record time outside the admission's validity
  kKindNotAllowed,
  kAreaNotAllowed,
  kRegionMismatch,
  kUnknownAnchor,      // admission signed by a key that is no trust anchor
  kAdmissionRollback,  // older admission version than installed
  kStaleVersion,       // entry version not newer than the stored one
};

// Short stable name, e.g. "bad_signature" (metrics label, log field).
const char* RejectReasonName(RejectReason reason);
// The reason attached to a status by this component (kNone if none).
RejectReason RejectReasonOf(const absl::Status& status);
// Attaches `reason` to an existing (non-OK) status.
void AttachRejectReason(absl::Status* status, RejectReason reason);
// A status with `code` and message that carries `reason`.
absl::Status Reject(absl::StatusCode code, RejectReason reason,
                    absl::string_view message);

class OrganisationRegistry {
 public:
  explicit OrganisationRegistry(std::vector<kaartnet::v1::TrustAnchor> anchors);

  // Checks an admission: signed by a configured anchor, well formed, for
  // the anchor's region. Does not install it.
  absl::StatusOr<kaartnet::v1::Organisation> VerifyAdmission(
      const kaartnet::v1::SignedAdmission& admission) const;

  // Verifies and installs. Returns true when it changed the registry, false
  // when the same version was already installed. FAILED_PRECONDITION
  // (kAdmissionRollback) for an older version than installed.
  absl::StatusOr<bool> Install(const kaartnet::v1::SignedAdmission& admission);

  std::optional<kaartnet::v1::Organisation> Find(
      absl::string_view organisation_id) const;
  // Name and type only (cheap: no copy of keys and areas).
  struct Summary {
    std::string name;
    kaartnet::v1::OrganisationType type =
        kaartnet::v1::ORGANISATION_TYPE_UNSPECIFIED;
    std::string region;
  };
  std::optional<Summary> Describe(absl::string_view organisation_id) const;
  std::optional<kaartnet::v1::SignedAdmission> FindSigned(
      absl::string_view organisation_id) const;
  std::vector<kaartnet::v1::Organisation> List() const;
  // How many organisations are admitted (without copying them).
  size_t Count() const;
  std::vector<kaartnet::v1::SignedAdmission> ListSigned() const;

  // Full check of a signed record whose bytes parsed into `entry`: the
  // signature, the key (owner's, not revoked, valid at the record's version
  // time), the organisation (admitted, not revoked, valid) and, for live
  // entries, the allowed kinds and area. Erasures may also be signed by
  // the trust anchor of the entry's region.
  absl::Status VerifyRecord(const kaartnet::v1::SignedRecord& record,
                            const kaartnet::v1::Entry& entry) const;

  // Checks only the admission rules (kind, area, validity) for an entry the
  // node is about to sign for a hosted organisation.
  absl::Status CheckAdmitted(const kaartnet::v1::Entry& entry) const;

  // Regions of the configured anchors.
  std::vector<std::string> Regions() const;
  // Bumped on every change, so readers can cache derived data.
  uint64_t generation() const;

 private:
  struct Admitted {
    kaartnet::v1::Organisation organisation;
    kaartnet::v1::SignedAdmission signed_admission;
    absl::flat_hash_set<std::string> allowed_gemeenten;  // AMxx expanded
  };
  struct KeyRef {
    std::string organisation_id;
    int key_index;
  };

  absl::Status CheckAdmittedLocked(const kaartnet::v1::Entry& entry,
                                   const Admitted& admitted) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Const after construction.
  absl::flat_hash_map<std::string, kaartnet::v1::TrustAnchor>
      anchors_by_key_id_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Admitted> organisations_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, KeyRef> keys_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_ORGANISATION_REGISTRY_H_
