// Fuzz target: an entry as JSON (what `kaart publish` reads and the HTTP
// API will take), parsed with the standard protobuf JSON mapping, then
// normalised and validated.
#include <cstdint>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "model/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  const std::string json(reinterpret_cast<const char*>(data), size);
  v1::Entry entry;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(json, &entry, options).ok())
    return 0;
  model::Normalize(&entry);
  const absl::Time now = absl::FromUnixSeconds(1790000000);
  (void)model::ValidateEntry(entry, model::EntryOrigin::kUnsigned, now);
  (void)model::ValidateEntry(entry, model::EntryOrigin::kSigned, now);
  (void)model::ValidateTombstone(entry);
  std::string back;
  (void)google::protobuf::util::MessageToJsonString(entry, &back);
  return 0;
}
