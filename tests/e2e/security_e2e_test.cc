// End-to-end security of a region of real kaartnetd processes: mutual TLS
// between nodes with the CA of deploy/make-test-ca.sh, bearer tokens made
// with `kaart admin tokens create`, and the access log checked with
// `kaart admin audit verify`.
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/replication.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/node_harness.h"

namespace kaartnet::testing {
namespace {

using ::testing::HasSubstr;

class SecurityE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = NewTempDir("security_e2e");
    demo_ = MakeDemoData(work_ + "/demo", 60);
    ca_ = work_ + "/ca";
    ASSERT_EQ(
        RunCommand({"deploy/make-test-ca.sh", ca_, "node1", "node2"}).exit_code,
        0);
    // Another region's CA: its certificates must not get in.
    ASSERT_EQ(
        RunCommand({"deploy/make-test-ca.sh", work_ + "/other-ca", "rogue"})
            .exit_code,
        0);
    tokens_ = work_ + "/tokens";
    reader_ = NewToken({"--role", "reader", "--name", "klantmanager"});
    admin_ = NewToken({"--role", "node-admin"});
    // The organisation of the first demo entry publishes it again.
    const std::string entries = ReadFile(demo_ + "/entries.jsonl");
    entry_ = nlohmann::json::parse(entries.substr(0, entries.find('\n')));
    publisher_ = NewToken({"--role", "publisher", "--organisation",
                           entry_["organisationId"].get<std::string>()});
  }
  void TearDown() override { std::filesystem::remove_all(work_); }

  std::string NewToken(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        BinDir() + "/kaart", "admin", "tokens", "create", "--file", tokens_};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(absl::StripAsciiWhitespace(r.out));
  }

  std::string TlsConfig(const std::string& ca_dir, const std::string& node) {
    return absl::StrCat("tls { ca_file: \"", ca_dir, "/ca.crt\" cert_file: \"",
                        ca_dir, "/", node, ".crt\" key_file: \"", ca_dir, "/",
                        node, ".key\" }\ntokens_file: \"", tokens_, "\"\n");
  }

  // kaart against `node` over TLS with `token`.
  RunResult K(const NodeProcess& node, const std::string& token,
              std::vector<std::string> args, const std::string& ca = "") {
    std::vector<std::string> argv = {
        "--ca-cert", ca.empty() ? ca_ + "/ca.crt" : ca, "--token", token};
    argv.insert(argv.end(), args.begin(), args.end());
    return Kaart(node.address(), argv, absl::Seconds(30));
  }

  uint64_t LiveEntries(const NodeProcess& node, const std::string& ca = "") {
    RunResult r = K(node, admin_, {"--json", "status"}, ca);
    if (r.exit_code != 0) return 0;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded() || !j.contains("liveEntries")) return 0;
    return std::stoull(j["liveEntries"].get<std::string>());
  }

  std::string work_, demo_, ca_, tokens_;
  std::string reader_, admin_, publisher_;
  nlohmann::json entry_;
};

TEST_F(SecurityE2eTest, MutualTlsRegionWithTokensAndAccessLog) {
  NodeProcess node1("node1", demo_, work_, TlsConfig(ca_, "node1"));
  std::string error;
  ASSERT_TRUE(node1.Start(&error)) << error;
  NodeProcess node2("node2", demo_, work_,
                    absl::StrCat(TlsConfig(ca_, "node2"), "peers: \"",
                                 node1.address(), "\"\n"));
  ASSERT_TRUE(node2.Start(&error)) << error;

  // A publisher publishes on node1; it reaches node2 over mutual TLS.
  const std::string file = work_ + "/entry.json";
  WriteFile(file, entry_.dump());
  RunResult published = K(node1, publisher_, {"publish", file});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  const std::string id = entry_["id"].get<std::string>();
  RunResult got;
  for (int i = 0; i < 100; ++i) {
    got = K(node2, reader_, {"get", id});
    if (got.exit_code == 0) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(got.exit_code, 0) << got.err << node2.Log();

  // Without the CA the client cannot talk to the node; without a token it is
  // refused; a reader may not publish.
  RunResult plain = Kaart(node1.address(), {"--token", reader_, "get", id});
  EXPECT_NE(plain.exit_code, 0);
  RunResult anonymous = K(node1, "", {"get", id});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("UNAUTHENTICATED"));
  RunResult reader_publish = K(node1, reader_, {"publish", file});
  EXPECT_NE(reader_publish.exit_code, 0);
  EXPECT_THAT(reader_publish.out + reader_publish.err,
              HasSubstr("PERMISSION_DENIED"));

  // A node with a certificate of another CA, and one without TLS, dial
  // node1: neither gets a stream, so neither receives anything.
  NodeProcess rogue("rogue", demo_, work_,
                    absl::StrCat("tls { ca_file: \"", work_,
                                 "/other-ca/ca.crt\" cert_file: \"", work_,
                                 "/other-ca/rogue.crt\" key_file: \"", work_,
                                 "/other-ca/rogue.key\" }\npeers: \"",
                                 node1.address(), "\"\n"));
  ASSERT_TRUE(rogue.Start(&error)) << error;
  NodeProcess plain_node("plain", demo_, work_,
                         absl::StrCat("peers: \"", node1.address(), "\"\n"));
  ASSERT_TRUE(plain_node.Start(&error)) << error;
  // A node of the region that presents another node's certificate.
  NodeProcess impostor("node3", demo_, work_,
                       absl::StrCat(TlsConfig(ca_, "node2"), "peers: \"",
                                    node1.address(), "\"\n"));
  ASSERT_TRUE(impostor.Start(&error)) << error;
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ(LiveEntries(impostor), 0u);
  EXPECT_THAT(node1.Log(), HasSubstr("its certificate is for \"node2\""));
  EXPECT_EQ(LiveEntries(rogue, work_ + "/other-ca/ca.crt"), 0u);
  RunResult plain_status = Kaart(plain_node.address(), {"--json", "status"});
  ASSERT_EQ(plain_status.exit_code, 0) << plain_status.err;
  EXPECT_THAT(plain_status.out, ::testing::Not(HasSubstr("liveEntries")));
  RunResult peers = K(node1, admin_, {"--json", "admin", "peers", "list"});
  ASSERT_EQ(peers.exit_code, 0) << peers.err;
  EXPECT_THAT(peers.out, HasSubstr("node2"));
  EXPECT_THAT(peers.out, ::testing::Not(HasSubstr("rogue")));
  EXPECT_THAT(peers.out, ::testing::Not(HasSubstr("plain")));
  EXPECT_THAT(peers.out, ::testing::Not(HasSubstr("node3")));

  // A client that trusts the region's CA but has no node certificate may
  // search with a token, but not replicate.
  {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(ca_ + "/ca.crt");
    auto stub = v1::Replication::NewStub(
        grpc::CreateChannel(node1.address(), grpc::SslCredentials(ssl)));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    auto stream = stub->Exchange(&context);
    v1::ReplicationMessage message;
    while (stream->Read(&message)) {
    }
    const grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << status.error_message();
  }

  // A reveal is logged; the chain verifies; a changed record is found.
  RunResult reveal = K(node1, reader_, {"get", id, "--reveal"});
  ASSERT_EQ(reveal.exit_code, 0) << reveal.err;
  RunResult verified = K(node1, admin_, {"admin", "audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("intact: 1 records"));
  node1.Stop();
  const std::string log_dir = node1.data_dir() + "/access-log";
  for (const auto& f : std::filesystem::directory_iterator(log_dir)) {
    std::string text = ReadFile(f.path().string());
    text.replace(text.find("\"reader\""), 8, "\"reader \"");
    WriteFile(f.path().string(), text);
  }
  RunResult tampered = RunCommand(
      {BinDir() + "/kaart", "admin", "audit", "verify", "--dir", log_dir});
  EXPECT_EQ(tampered.exit_code, 4);
  EXPECT_THAT(tampered.out, HasSubstr("NIET intact"));
}

}  // namespace
}  // namespace kaartnet::testing
