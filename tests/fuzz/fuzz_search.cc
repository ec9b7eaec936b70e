// Fuzz target: a kaartnet.v1.SearchRequest (binary protobuf) against the
// node's index: query analysis, typo tolerance, filters, geo, facets,
// explain, page tokens and the encoded result cards.
#include <cstdint>

#include "tests/fuzz/fuzz_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  v1::SearchRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  services::Node* node = fuzz::FuzzNode();
  trust::Caller reader;
  reader.role = trust::Role::kReader;
  reader.subject = "fuzz";
  auto result = node->directory()->SearchEncoded(reader, request);
  if (result.ok() && !result->next_page_token().empty()) {
    request.set_page_token(result->next_page_token());
    (void)node->directory()->SearchEncoded(reader, request);
  }
  return 0;
}
