// Fuzz target: what a peer sends over a replication stream. The input is a
// sequence of length-delimited kaartnet.v1.ReplicationMessage; after a valid
// Hello they go through a real Session on the real node (signature,
// admission and validation checks, the conflict rule, RocksDB), and the
// session's answers are polled.
#include <cstdint>

#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "replication/session.h"
#include "tests/fuzz/fuzz_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  services::Node* node = fuzz::FuzzNode();
  replication::SessionOptions options;
  options.version = "fuzz";
  replication::Session session(node->replica(), options);
  v1::ReplicationMessage hello;
  hello.mutable_hello()->set_node_id("peer");
  hello.mutable_hello()->set_region("AM30");
  hello.mutable_hello()->set_origin_id("peer");
  if (!session.Receive(hello).ok()) return 0;
  google::protobuf::io::ArrayInputStream in(data, static_cast<int>(size));
  absl::Time now = absl::FromUnixSeconds(1790000000);
  for (int i = 0; i < 64; ++i) {
    v1::ReplicationMessage message;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&message, &in,
                                                                  &clean_eof)) {
      break;
    }
    if (!session.Receive(message).ok()) break;
    now += absl::Milliseconds(200);
    if (!session.Poll(now).ok()) break;
  }
  session.Close();
  return 0;
}
