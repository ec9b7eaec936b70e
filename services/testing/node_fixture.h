// A real node (RocksDB on an in-memory Env, the access log in a temporary
// directory) behind an in-process gRPC channel, with the small admitted
// region of trust/test_region.h written to files. Tests of the services
// derive from NodeFixture and may override Configure.
#ifndef KAARTNET_SERVICES_TESTING_NODE_FIXTURE_H_
#define KAARTNET_SERVICES_TESTING_NODE_FIXTURE_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "model/testdata_entries.h"
#include "rocksdb/env.h"
#include "services/node.h"
#include "trust/test_region.h"
#include "trust/tokens.h"

namespace kaartnet::services::testing {

using trust::testing::TestRegion;

// Field paths of the BadRequest in a gRPC error.
inline std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status rich;
  if (!rich.ParseFromString(status.error_details())) return fields;
  for (const auto& any : rich.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      for (const auto& v : bad_request.field_violations())
        fields.push_back(v.field());
    }
  }
  return fields;
}

class NodeFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((std::filesystem::temp_directory_path() /
                            absl::StrCat("kaartnet_node_fixture_", ::getpid()))
                               .string());
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    region_ = new TestRegion();
    ASSERT_TRUE(region_->anchor().WritePublicFile(*dir_ + "/region.pub").ok());
    for (const char* org : {"mondriaan", "azm"}) {
      ASSERT_TRUE(region_->key(org)
                      .WriteSecretFile(absl::StrCat(*dir_, "/", org, ".key"))
                      .ok());
    }
    for (const auto& [id, admission] : region_->admissions()) {
      std::ofstream(absl::StrCat(*dir_, "/", id, ".admission"),
                    std::ios::binary)
          << admission.SerializeAsString();
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete region_;
    delete dir_;
  }

  void SetUp() override {
    env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    StartNode();
  }

  void StartNode() {
    NodeOptions options;
    v1::NodeConfig& config = options.config;
    config.set_node_id("node1");
    config.set_region("AM30");
    config.set_data_dir("/kaartnet/node1");
    auto* anchor = config.add_trust_anchors();
    anchor->set_region("AM30");
    anchor->set_public_key_file(*dir_ + "/region.pub");
    for (const auto& [id, admission] : region_->admissions()) {
      config.add_admission_files(absl::StrCat(*dir_, "/", id, ".admission"));
    }
    for (const char* org : {"mondriaan", "azm"}) {
      auto* hosted = config.add_hosted_organisations();
      hosted->set_organisation_id(org);
      hosted->set_secret_key_file(absl::StrCat(*dir_, "/", org, ".key"));
    }
    // The access log is a plain file, not in the RocksDB Env.
    config.set_access_log_dir(absl::StrCat(
        *dir_, "/access-log-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    Configure(&config);
    options.clock = &clock_;
    options.env = env_.get();
    options.serve_grpc = false;
    auto node = Node::Start(std::move(options));
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    auto channel = node_->InProcessChannel();
    directory_ = v1::Directory::NewStub(channel);
    admin_ = v1::Admin::NewStub(channel);
  }

  // Tests change the configuration here before the node starts.
  virtual void Configure(v1::NodeConfig*) {}

  void RestartNode() {
    directory_.reset();
    admin_.reset();
    node_.reset();
    StartNode();
  }

  grpc::Status Publish(const v1::Entry& entry,
                       v1::PublishResponse* response = nullptr) {
    v1::PublishRequest request;
    *request.mutable_entry() = entry;
    return Publish(request, response);
  }
  grpc::Status Publish(const v1::PublishRequest& request,
                       v1::PublishResponse* response = nullptr) {
    grpc::ClientContext context;
    v1::PublishResponse ignored;
    return directory_->Publish(&context, request,
                               response ? response : &ignored);
  }
  grpc::Status Get(const std::string& id, v1::GetResponse* response,
                   bool reveal = false) {
    grpc::ClientContext context;
    v1::GetRequest request;
    request.set_id(id);
    request.set_reveal_contacts(reveal);
    return directory_->Get(&context, request, response);
  }
  grpc::Status Search(const v1::SearchRequest& request,
                      v1::SearchResponse* response) {
    grpc::ClientContext context;
    return directory_->Search(&context, request, response);
  }
  grpc::Status Withdraw(const v1::WithdrawRequest& request,
                        v1::WithdrawResponse* response = nullptr) {
    grpc::ClientContext context;
    v1::WithdrawResponse ignored;
    return directory_->Withdraw(&context, request,
                                response ? response : &ignored);
  }

  static inline std::string* dir_ = nullptr;
  static inline TestRegion* region_ = nullptr;
  FakeClock clock_{absl::FromUnixSeconds(1767225600 + 86400)};
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<v1::Directory::Stub> directory_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

enum Who {
  kAnonymous,
  kReader,
  kPublisherOwn,    // publisher of mondriaan, the owner of the test entry
  kPublisherOther,  // publisher of azm
  kRegionAdmin,
  kNodeAdmin,
  kWhoCount
};
inline const char* kWhoNames[] = {"anonymous",       "reader",
                                  "publisher (own)", "publisher (other)",
                                  "region-admin",    "node-admin"};

// NodeFixture with a tokens file: one token per role, and an entry of
// mondriaan published by its publisher.
class TokenNodeFixture : public NodeFixture {
 protected:
  void SetUp() override {
    tokens_file_ = absl::StrCat(
        *dir_, "/tokens-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    v1::TokenFile file;
    auto add = [&](Who who, trust::Role role, const std::string& org,
                   absl::Time expires = absl::InfiniteFuture()) {
      auto made =
          trust::MakeToken(role, org, expires, kWhoNames[who], clock_.Now());
      ASSERT_TRUE(made.ok()) << made.status();
      *file.add_tokens() = made->stored;
      tokens_[who] = made->token;
      ids_[who] = made->stored.id();
    };
    add(kReader, trust::Role::kReader, "");
    add(kPublisherOwn, trust::Role::kPublisher, "mondriaan");
    add(kPublisherOther, trust::Role::kPublisher, "azm");
    add(kRegionAdmin, trust::Role::kRegionAdmin, "");
    add(kNodeAdmin, trust::Role::kNodeAdmin, "");
    ASSERT_TRUE(trust::WriteTokenFile(tokens_file_, file).ok());
    NodeFixture::SetUp();
    // The entry every call is about, published by its owner.
    grpc::ClientContext context;
    AuthorizeAs(&context, kPublisherOwn);
    v1::PublishRequest request;
    *request.mutable_entry() = model::testdata::IpsHeerlen();
    v1::PublishResponse response;
    ASSERT_TRUE(directory_->Publish(&context, request, &response).ok());
    version_ = response.entry().version();
  }

  void Configure(v1::NodeConfig* config) override {
    config->set_http_listen(http_listen_);
    config->set_tokens_file(tokens_file_);
    config->set_allow_anonymous(allow_anonymous_);
    config->set_token_rate_per_second(rate_);
    config->set_max_watch_streams(max_watch_streams_);
  }

  void AuthorizeAs(grpc::ClientContext* context, Who who) {
    if (who != kAnonymous)
      context->AddMetadata("authorization", "Bearer " + tokens_[who]);
  }

  std::string tokens_file_;
  std::map<Who, std::string> tokens_;
  std::map<Who, std::string> ids_;
  v1::Version version_;
  bool allow_anonymous_ = false;
  uint32_t rate_ = 1000;
  uint32_t max_watch_streams_ = 4;
  std::string http_listen_;  // empty: no HTTP
};

}  // namespace kaartnet::services::testing

#endif  // KAARTNET_SERVICES_TESTING_NODE_FIXTURE_H_
