// The rules an Entry must satisfy, applied once, in the core, for every path
// (gRPC, HTTP, CLI, replication, import). Every problem is reported as a
// field path plus a Dutch-domain reason, all at once, so a partner can fix
// a whole form in one go.
//
// Thread-safety: pure functions.
#ifndef KAARTNET_MODEL_VALIDATION_H_
#define KAARTNET_MODEL_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/field_violations.h"
#include "common/reference_data.h"
#include "kaartnet/v1/entry.pb.h"

namespace kaartnet::model {

inline constexpr size_t kMaxEntryBytes = 64 * 1024;
inline constexpr int kMaxLocations = 50;
inline constexpr int kMaxContacts = 50;
inline constexpr int kMaxDescriptionChars = 4000;
inline constexpr int kMaxTitleChars = 200;
inline constexpr int kMinTitleChars = 3;
inline constexpr int kMaxShortTextChars = 200;
inline constexpr uint32_t kMaxWaitWeeks = 104;

// Which rules apply.
enum class EntryOrigin {
  // Sent by a partner for the node to sign: version, region, withdrawn and
  // erased are set by the node and must not be set by the sender.
  kUnsigned,
  // A signed record (from `kaart publish --key`, a peer, an import): the
  // version and region must be present.
  kSigned,
};

// All problems of a live (not withdrawn) entry. `now` bounds last_verified.
std::vector<FieldViolation> ValidateEntry(
    const kaartnet::v1::Entry& entry, EntryOrigin origin, absl::Time now,
    const ReferenceData& reference = ReferenceData::Get());

// All problems of a tombstone (withdrawn entry): only id, organisation_id,
// version, region, withdrawn and erased may be set.
std::vector<FieldViolation> ValidateTombstone(const kaartnet::v1::Entry& entry);

// INVALID_ARGUMENT listing the violations, or OK when there are none.
absl::Status ToStatus(const std::vector<FieldViolation>& violations);

// Tidies an unsigned entry before validation and signing: trims text,
// writes postcodes as "1234 AB", upper-cases codes, turns CRLF into LF. It
// never changes meaning; validation still refuses what cannot be tidied.
void Normalize(kaartnet::v1::Entry* entry);

// "6411ab", "6411 AB", " 6411  ab" -> "6411 AB"; empty if not a postcode.
std::string NormalizePostcode(absl::string_view text);
bool IsDutchPostcode(absl::string_view text);
bool IsEntryId(absl::string_view id);
bool IsOrganisationId(absl::string_view id);

// The gemeentecodes an area stands for (AMxx expanded), sorted, unique.
std::vector<std::string> ExpandArea(
    const kaartnet::v1::ServiceArea& area,
    const ReferenceData& reference = ReferenceData::Get());

// True when the entry's last_verified is older than `freshness` at `now`
// (entries never verified count as stale).
bool IsStale(const kaartnet::v1::Entry& entry, absl::Time now,
             absl::Duration freshness);

}  // namespace kaartnet::model

#endif  // KAARTNET_MODEL_VALIDATION_H_
