#include "trust/organisation_registry.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/hlc.h"
#include "common/reference_data.h"
#include "model/validation.h"
#include "trust/keys.h"
#include "trust/signing.h"

namespace kaartnet::trust {
namespace {

constexpr char kReasonPayload[] = "type.kaartnet/reject_reason";

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// [valid_from, valid_until) with open ends when unset.
bool WithinValidity(absl::Time t, bool has_from,
                    const google::protobuf::Timestamp& from, bool has_until,
                    const google::protobuf::Timestamp& until) {
  if (has_from && t < ToTime(from)) return false;
  if (has_until && t >= ToTime(until)) return false;
  return true;
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

absl::Status CheckOrganisationShape(const v1::Organisation& org,
                                    const std::string& anchor_region) {
  std::vector<std::string> problems;
  if (!model::IsOrganisationId(org.organisation_id())) {
    problems.push_back(absl::StrCat("organisation_id \"", org.organisation_id(),
                                    "\" is not an organisation id"));
  }
  if (org.name().empty()) problems.push_back("name is required");
  if (org.type() == v1::ORGANISATION_TYPE_UNSPECIFIED ||
      !v1::OrganisationType_IsValid(org.type())) {
    problems.push_back("type is required");
  }
  if (org.version() == 0) problems.push_back("version must be 1 or higher");
  if (org.region() != anchor_region) {
    problems.push_back(absl::StrCat("region \"", org.region(),
                                    "\" differs from the anchor's region \"",
                                    anchor_region, "\""));
  }
  for (int i = 0; i < org.public_keys_size(); ++i) {
    const v1::PublicKey& key = org.public_keys(i);
    if (key.ed25519().size() != kPublicKeyBytes) {
      problems.push_back(
          absl::StrCat("public_keys[", i, "] is not a 32-byte Ed25519 key"));
    } else if (key.key_id() != KeyIdFor(key.ed25519())) {
      problems.push_back(
          absl::StrCat("public_keys[", i, "].key_id does not match the key"));
    }
  }
  const ReferenceData& ref = ReferenceData::Get();
  for (const std::string& code : org.allowed_area().gemeentecodes()) {
    if (ref.FindGemeente(code) == nullptr) {
      problems.push_back(absl::StrCat("allowed_area: unknown gemeente ", code));
    }
  }
  for (const std::string& code : org.allowed_area().arbeidsmarktregio_codes()) {
    if (ref.FindRegio(code) == nullptr) {
      problems.push_back(
          absl::StrCat("allowed_area: unknown arbeidsmarktregio ", code));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return Reject(
      absl::StatusCode::kInvalidArgument, RejectReason::kMalformed,
      absl::StrCat("admission refused: ", absl::StrJoin(problems, "; ")));
}

}  // namespace

const char* RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNone:
      return "none";
    case RejectReason::kMalformed:
      return "malformed";
    case RejectReason::kBadSignature:
      return "bad_signature";
    case RejectReason::kUnknownKey:
      return "unknown_key";
    case RejectReason::kWrongOrganisation:
      return "wrong_organisation";
    case RejectReason::kKeyRevoked:
      return "key_revoked";
    case RejectReason::kKeyNotValid:
      return "key_not_valid";
    case RejectReason::kUnknownOrganisation:
      return "unknown_organisation";
    case RejectReason::kOrganisationRevoked:
      return "organisation_revoked";
    case RejectReason::kOrganisationNotValid:
      return "organisation_not_valid";
    case RejectReason::kKindNotAllowed:
      return "kind_not_allowed";
    case RejectReason::kAreaNotAllowed:
      return "area_not_allowed";
    case RejectReason::kRegionMismatch:
      return "region_mismatch";
    case RejectReason::kUnknownAnchor:
      return "unknown_anchor";
    case RejectReason::kAdmissionRollback:
      return "admission_rollback";
    case RejectReason::kStaleVersion:
      return "stale_version";
  }
  return "unknown";
}

void AttachRejectReason(absl::Status* status, RejectReason reason) {
  status->SetPayload(kReasonPayload,
                     absl::Cord(absl::StrCat(static_cast<int>(reason))));
}

absl::Status Reject(absl::StatusCode code, RejectReason reason,
                    absl::string_view message) {
  absl::Status status(code, message);
  AttachRejectReason(&status, reason);
  return status;
}

RejectReason RejectReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonPayload);
  if (!payload.has_value()) return RejectReason::kNone;
  int value = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &value))
    return RejectReason::kNone;
  return static_cast<RejectReason>(value);
}

OrganisationRegistry::OrganisationRegistry(
    std::vector<v1::TrustAnchor> anchors) {
  for (v1::TrustAnchor& anchor : anchors) {
    std::string key_id = anchor.key().key_id().empty()
                             ? KeyIdFor(anchor.key().ed25519())
                             : anchor.key().key_id();
    anchor.mutable_key()->set_key_id(key_id);
    anchors_by_key_id_[key_id] = std::move(anchor);
  }
}

absl::StatusOr<v1::Organisation> OrganisationRegistry::VerifyAdmission(
    const v1::SignedAdmission& admission) const {
  auto anchor = anchors_by_key_id_.find(admission.anchor_key_id());
  if (anchor == anchors_by_key_id_.end()) {
    return Reject(
        absl::StatusCode::kPermissionDenied, RejectReason::kUnknownAnchor,
        absl::StrCat("admission is signed by key ", admission.anchor_key_id(),
                     ", which is not a trust anchor of this node"));
  }
  if (!VerifyAdmissionSignature(admission, anchor->second.key().ed25519())) {
    return Reject(
        absl::StatusCode::kPermissionDenied, RejectReason::kBadSignature,
        "admission signature does not verify with the trust anchor's key");
  }
  auto organisation = ParseAdmission(admission);
  if (!organisation.ok()) {
    return Reject(absl::StatusCode::kInvalidArgument, RejectReason::kMalformed,
                  organisation.status().message());
  }
  absl::Status shape =
      CheckOrganisationShape(*organisation, anchor->second.region());
  if (!shape.ok()) return shape;
  return organisation;
}

absl::StatusOr<bool> OrganisationRegistry::Install(
    const v1::SignedAdmission& admission) {
  // The very admission installed (and verified) before: nothing to do, and
  // no signature to check again (a node starts with its stored admissions
  // and then reads the same ones from its admission files; peers offer
  // what they hold).
  if (v1::Organisation claimed;
      claimed.ParseFromString(admission.organisation())) {
    absl::MutexLock lock(&mu_);
    auto existing = organisations_.find(claimed.organisation_id());
    if (existing != organisations_.end()) {
      const v1::SignedAdmission& have = existing->second.signed_admission;
      if (have.organisation() == admission.organisation() &&
          have.anchor_key_id() == admission.anchor_key_id() &&
          have.signature() == admission.signature()) {
        return false;
      }
    }
  }
  auto organisation = VerifyAdmission(admission);
  if (!organisation.ok()) return organisation.status();
  const std::string id = organisation->organisation_id();
  absl::MutexLock lock(&mu_);
  auto existing = organisations_.find(id);
  if (existing != organisations_.end()) {
    const uint64_t have = existing->second.organisation.version();
    if (organisation->version() < have ||
        (organisation->version() == have &&
         admission.organisation() !=
             existing->second.signed_admission.organisation())) {
      return Reject(absl::StatusCode::kFailedPrecondition,
                    RejectReason::kAdmissionRollback,
                    absl::StrCat("admission of ", id, " has version ",
                                 organisation->version(), "; version ", have,
                                 " is already installed (rollback refused)"));
    }
    if (organisation->version() == have) return false;
    // Drop the keys of the version being replaced.
    for (const auto& key : existing->second.organisation.public_keys()) {
      keys_.erase(key.key_id());
    }
  }
  Admitted admitted;
  admitted.organisation = *organisation;
  admitted.signed_admission = admission;
  for (const std::string& code :
       model::ExpandArea(organisation->allowed_area())) {
    admitted.allowed_gemeenten.insert(code);
  }
  for (int i = 0; i < organisation->public_keys_size(); ++i) {
    keys_[organisation->public_keys(i).key_id()] = KeyRef{id, i};
  }
  organisations_[id] = std::move(admitted);
  ++generation_;
  return true;
}

std::optional<v1::Organisation> OrganisationRegistry::Find(
    absl::string_view organisation_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = organisations_.find(organisation_id);
  if (it == organisations_.end()) return std::nullopt;
  return it->second.organisation;
}

std::optional<OrganisationRegistry::Summary> OrganisationRegistry::Describe(
    absl::string_view organisation_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = organisations_.find(organisation_id);
  if (it == organisations_.end()) return std::nullopt;
  const v1::Organisation& org = it->second.organisation;
  return Summary{org.name(), org.type(), org.region()};
}

std::optional<v1::SignedAdmission> OrganisationRegistry::FindSigned(
    absl::string_view organisation_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = organisations_.find(organisation_id);
  if (it == organisations_.end()) return std::nullopt;
  return it->second.signed_admission;
}

std::vector<v1::Organisation> OrganisationRegistry::List() const {
  std::vector<v1::Organisation> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, admitted] : organisations_)
      out.push_back(admitted.organisation);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.organisation_id() < b.organisation_id();
  });
  return out;
}

size_t OrganisationRegistry::Count() const {
  absl::ReaderMutexLock lock(&mu_);
  return organisations_.size();
}

std::vector<v1::SignedAdmission> OrganisationRegistry::ListSigned() const {
  std::vector<std::pair<std::string, v1::SignedAdmission>> sorted;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, admitted] : organisations_) {
      sorted.emplace_back(id, admitted.signed_admission);
    }
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<v1::SignedAdmission> out;
  for (auto& [id, admission] : sorted) out.push_back(std::move(admission));
  return out;
}

std::vector<std::string> OrganisationRegistry::Regions() const {
  std::vector<std::string> out;
  for (const auto& [key_id, anchor] : anchors_by_key_id_)
    out.push_back(anchor.region());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

uint64_t OrganisationRegistry::generation() const {
  absl::ReaderMutexLock lock(&mu_);
  return generation_;
}

absl::Status OrganisationRegistry::CheckAdmitted(const v1::Entry& entry) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = organisations_.find(entry.organisation_id());
  if (it == organisations_.end()) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kUnknownOrganisation,
                  absl::StrCat("organisation \"", entry.organisation_id(),
                               "\" is not admitted to this region"));
  }
  return CheckAdmittedLocked(entry, it->second);
}

absl::Status OrganisationRegistry::CheckAdmittedLocked(
    const v1::Entry& entry, const Admitted& admitted) const {
  const v1::Organisation& org = admitted.organisation;
  if (org.revoked()) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kOrganisationRevoked,
                  absl::StrCat("the admission of \"", org.organisation_id(),
                               "\" has been revoked by the region"));
  }
  const absl::Time t = HybridLogicalClock::ToTime(entry.version().hlc());
  if (entry.version().hlc() != 0 &&
      !WithinValidity(t, org.has_valid_from(), org.valid_from(),
                      org.has_valid_until(), org.valid_until())) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kOrganisationNotValid,
                  absl::StrCat("the admission of \"", org.organisation_id(),
                               "\" is not valid at ", FormatUtc(t)));
  }
  if (!entry.region().empty() && entry.region() != org.region()) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kRegionMismatch,
                  absl::StrCat("region: the entry says ", entry.region(),
                               " but \"", org.organisation_id(),
                               "\" is admitted in ", org.region()));
  }
  if (entry.withdrawn()) return absl::OkStatus();
  if (std::find(org.allowed_kinds().begin(), org.allowed_kinds().end(),
                entry.kind()) == org.allowed_kinds().end()) {
    return Reject(
        absl::StatusCode::kPermissionDenied, RejectReason::kKindNotAllowed,
        absl::StrCat("kind: \"", org.organisation_id(), "\" may not publish ",
                     v1::EntryKind_Name(entry.kind()), " entries"));
  }
  const ReferenceData& ref = ReferenceData::Get();
  for (int i = 0; i < entry.service_area().gemeentecodes_size(); ++i) {
    const std::string& code = entry.service_area().gemeentecodes(i);
    if (!admitted.allowed_gemeenten.contains(code)) {
      return Reject(
          absl::StatusCode::kPermissionDenied, RejectReason::kAreaNotAllowed,
          absl::StrCat("service_area.gemeentecodes[", i, "]: \"",
                       org.organisation_id(), "\" may not publish for ", code));
    }
  }
  for (int i = 0; i < entry.service_area().arbeidsmarktregio_codes_size();
       ++i) {
    const std::string& code = entry.service_area().arbeidsmarktregio_codes(i);
    const Arbeidsmarktregio* regio = ref.FindRegio(code);
    const bool allowed =
        regio != nullptr &&
        std::all_of(regio->gemeentecodes.begin(), regio->gemeentecodes.end(),
                    [&](const std::string& g) {
                      return admitted.allowed_gemeenten.contains(g);
                    });
    if (!allowed) {
      return Reject(absl::StatusCode::kPermissionDenied,
                    RejectReason::kAreaNotAllowed,
                    absl::StrCat("service_area.arbeidsmarktregio_codes[", i,
                                 "]: \"", org.organisation_id(),
                                 "\" may not publish for all of ", code));
    }
  }
  return absl::OkStatus();
}

absl::Status OrganisationRegistry::VerifyRecord(const v1::SignedRecord& record,
                                                const v1::Entry& entry) const {
  // An erasure may come from the region itself (AVG request handled by the
  // Werkbedrijf when the owner does not act).
  if (entry.erased()) {
    auto anchor = anchors_by_key_id_.find(record.key_id());
    if (anchor != anchors_by_key_id_.end()) {
      if (anchor->second.region() != entry.region()) {
        return Reject(absl::StatusCode::kPermissionDenied,
                      RejectReason::kRegionMismatch,
                      "erasure signed by the trust anchor of another region");
      }
      if (!VerifyRecordSignature(record, anchor->second.key().ed25519())) {
        return Reject(absl::StatusCode::kPermissionDenied,
                      RejectReason::kBadSignature, "signature does not verify");
      }
      return absl::OkStatus();
    }
  }
  absl::ReaderMutexLock lock(&mu_);
  auto key_ref = keys_.find(record.key_id());
  if (key_ref == keys_.end()) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kUnknownKey,
                  absl::StrCat("signed by unknown key ", record.key_id()));
  }
  if (key_ref->second.organisation_id != entry.organisation_id()) {
    return Reject(
        absl::StatusCode::kPermissionDenied, RejectReason::kWrongOrganisation,
        absl::StrCat("signed by a key of \"", key_ref->second.organisation_id,
                     "\", but the entry belongs to \"", entry.organisation_id(),
                     "\""));
  }
  const Admitted& admitted = organisations_.at(key_ref->second.organisation_id);
  const v1::PublicKey& key =
      admitted.organisation.public_keys(key_ref->second.key_index);
  if (!VerifyRecordSignature(record, key.ed25519())) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kBadSignature, "signature does not verify");
  }
  if (key.revoked()) {
    return Reject(absl::StatusCode::kPermissionDenied,
                  RejectReason::kKeyRevoked,
                  absl::StrCat("key ", key.key_id(), " of \"",
                               entry.organisation_id(), "\" has been revoked"));
  }
  const absl::Time t = HybridLogicalClock::ToTime(entry.version().hlc());
  if (!WithinValidity(t, key.has_valid_from(), key.valid_from(),
                      key.has_valid_until(), key.valid_until())) {
    return Reject(
        absl::StatusCode::kPermissionDenied, RejectReason::kKeyNotValid,
        absl::StrCat("key ", key.key_id(), " is not valid at ", FormatUtc(t)));
  }
  return CheckAdmittedLocked(entry, admitted);
}

}  // namespace kaartnet::trust
