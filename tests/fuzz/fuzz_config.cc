// Fuzz target: the text files a node reads: its configuration
// (kaartnet.v1.NodeConfig) and its tokens file (kaartnet.v1.TokenFile),
// and a presented bearer token. The first byte picks which.
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "services/config.h"
#include "trust/tokens.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto config = services::ParseConfig(text, "fuzz.textproto", "/fuzz");
    if (config.ok()) (void)services::CheckConfig(*config);
    return 0;
  }
  // A tokens file, then its last line as a presented token.
  v1::TokenFile file;
  if (google::protobuf::TextFormat::ParseFromString(text, &file)) {
    auto table = trust::TokenTable::Build(file);
    if (table.ok()) {
      const size_t nl = text.rfind('\n');
      (void)table->Check(nl == std::string::npos ? text : text.substr(nl + 1),
                         absl::FromUnixSeconds(1790000000));
    }
  }
  return 0;
}
