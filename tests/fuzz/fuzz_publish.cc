// Fuzz target: a kaartnet.v1.PublishRequest (binary protobuf, as gRPC
// delivers it) through the node's Publish: validation, signatures,
// admissions, the store.
#include <cstdint>

#include "tests/fuzz/fuzz_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  v1::PublishRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  services::Node* node = fuzz::FuzzNode();
  trust::Caller publisher;
  publisher.role = trust::Role::kPublisher;
  publisher.organisation_id = "mondriaan";
  publisher.subject = "fuzz";
  (void)node->directory()->Publish(publisher, request);
  v1::WithdrawRequest withdraw;
  withdraw.set_id(request.entry().id());
  (void)node->directory()->Withdraw(publisher, withdraw);
  return 0;
}
