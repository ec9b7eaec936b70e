// Signing and opening of entry records and organisation admissions.
//
// Signatures are Ed25519 over a context string plus the exact serialized
// bytes, so a signature for one purpose can never be replayed for another:
//   record:    "kaartnet/v1/record\n"    + Entry bytes
//   admission: "kaartnet/v1/admission\n" + Organisation bytes
#ifndef KAARTNET_TRUST_SIGNING_H_
#define KAARTNET_TRUST_SIGNING_H_

#include "absl/status/statusor.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "kaartnet/v1/record.pb.h"
#include "trust/keys.h"

namespace kaartnet::trust {

inline constexpr char kRecordContext[] = "kaartnet/v1/record\n";
inline constexpr char kAdmissionContext[] = "kaartnet/v1/admission\n";

// Serializes `entry` deterministically and signs the bytes.
kaartnet::v1::SignedRecord SignEntry(const kaartnet::v1::Entry& entry,
                                     const SigningKey& key);
kaartnet::v1::SignedAdmission SignAdmission(
    const kaartnet::v1::Organisation& organisation,
    const SigningKey& anchor_key);

// Parses the signed bytes (does not verify the signature).
absl::StatusOr<kaartnet::v1::Entry> ParseRecord(
    const kaartnet::v1::SignedRecord& record);
absl::StatusOr<kaartnet::v1::Organisation> ParseAdmission(
    const kaartnet::v1::SignedAdmission& admission);

bool VerifyRecordSignature(const kaartnet::v1::SignedRecord& record,
                           absl::string_view public_key);
bool VerifyAdmissionSignature(const kaartnet::v1::SignedAdmission& admission,
                              absl::string_view public_key);

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_SIGNING_H_
