#include "trust/signing.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace kaartnet::trust {
namespace {

std::string SerializeDeterministic(
    const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

}  // namespace

v1::SignedRecord SignEntry(const v1::Entry& entry, const SigningKey& key) {
  v1::SignedRecord record;
  record.set_entry(SerializeDeterministic(entry));
  record.set_key_id(key.key_id());
  record.set_signature(key.Sign(absl::StrCat(kRecordContext, record.entry())));
  return record;
}

v1::SignedAdmission SignAdmission(const v1::Organisation& organisation,
                                  const SigningKey& anchor_key) {
  v1::SignedAdmission admission;
  admission.set_organisation(SerializeDeterministic(organisation));
  admission.set_anchor_key_id(anchor_key.key_id());
  admission.set_signature(anchor_key.Sign(
      absl::StrCat(kAdmissionContext, admission.organisation())));
  return admission;
}

absl::StatusOr<v1::Entry> ParseRecord(const v1::SignedRecord& record) {
  v1::Entry entry;
  if (!entry.ParseFromString(record.entry())) {
    return absl::InvalidArgumentError(
        "signed_record.entry: the signed bytes are not a kaartnet.v1.Entry");
  }
  return entry;
}

absl::StatusOr<v1::Organisation> ParseAdmission(
    const v1::SignedAdmission& admission) {
  v1::Organisation organisation;
  if (!organisation.ParseFromString(admission.organisation())) {
    return absl::InvalidArgumentError(
        "admission.organisation: the signed bytes are not a "
        "kaartnet.v1.Organisation");
  }
  return organisation;
}

bool VerifyRecordSignature(const v1::SignedRecord& record,
                           absl::string_view public_key) {
  return VerifySignature(public_key,
                         absl::StrCat(kRecordContext, record.entry()),
                         record.signature());
}

bool VerifyAdmissionSignature(const v1::SignedAdmission& admission,
                              absl::string_view public_key) {
  return VerifySignature(
      public_key, absl::StrCat(kAdmissionContext, admission.organisation()),
      admission.signature());
}

}  // namespace kaartnet::trust
