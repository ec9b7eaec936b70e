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
  // A tokens file, a NUL byte, then a presented token.
  const size_t nul = text.find('\0');
  const std::string tokens_text = text.substr(0, nul);
  const std::string presented =
      nul == std::string::npos ? "" : text.substr(nul + 1);
  v1::TokenFile file;
  if (google::protobuf::TextFormat::ParseFromString(tokens_text, &file)) {
    auto table = trust::TokenTable::Build(file);
    if (table.ok()) {
      (void)table->Check(presented, absl::FromUnixSeconds(1790000000));
      (void)table->StillValid(
          presented.size() > 3 ? presented.substr(3, 16) : presented,
          absl::FromUnixSeconds(1790000000));
    }
  }
  return 0;
}
