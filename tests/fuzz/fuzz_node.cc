#include "tests/fuzz/fuzz_node.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "model/testdata_entries.h"
#include "rocksdb/env.h"
#include "trust/test_region.h"

namespace kaartnet::fuzz {
namespace {

void RemoveDir() { std::filesystem::remove_all(FuzzDir()); }

}  // namespace

const std::string& FuzzDir() {
  static const std::string* dir = [] {
    auto* d = new std::string((std::filesystem::temp_directory_path() /
                               absl::StrCat("kaartnet_fuzz_", ::getpid()))
                                  .string());
    std::filesystem::create_directories(*d);
    std::atexit(RemoveDir);
    return d;
  }();
  return *dir;
}

services::Node* FuzzNode() {
  static services::Node* node = [] {
    SetMinLogLevel(LogLevel::kError);  // refused input is logged: keep quiet
    const std::string& dir = FuzzDir();
    trust::testing::TestRegion region;
    (void)region.anchor().WritePublicFile(dir + "/region.pub");
    services::NodeOptions options;
    v1::NodeConfig& config = options.config;
    config.set_node_id("fuzz");
    config.set_region("AM30");
    config.set_data_dir("/fuzz/data");
    config.set_access_log_dir(dir + "/access-log");
    config.set_sync_writes(false);
    auto* anchor = config.add_trust_anchors();
    anchor->set_region("AM30");
    anchor->set_public_key_file(dir + "/region.pub");
    for (const auto& [id, admission] : region.admissions()) {
      const std::string file = absl::StrCat(dir, "/", id, ".admission");
      std::ofstream(file, std::ios::binary) << admission.SerializeAsString();
      config.add_admission_files(file);
    }
    for (const char* org : {"mondriaan", "azm"}) {
      const std::string file = absl::StrCat(dir, "/", org, ".key");
      (void)region.key(org).WriteSecretFile(file);
      auto* hosted = config.add_hosted_organisations();
      hosted->set_organisation_id(org);
      hosted->set_secret_key_file(file);
    }
    options.env = rocksdb::NewMemEnv(rocksdb::Env::Default());
    options.serve_grpc = false;
    auto started = services::Node::Start(std::move(options));
    if (!started.ok()) {
      KLOG(ERROR) << "fuzz node: " << started.status();
      std::abort();
    }
    services::Node* n = started->release();
    const trust::Caller caller = trust::Caller::Trusted();
    for (const char* slug : {"ips-heerlen", "ips-kerkrade", "ips-sittard"}) {
      v1::PublishRequest request;
      *request.mutable_entry() = model::testdata::IpsHeerlen("mondriaan", slug);
      (void)n->directory()->Publish(caller, request);
    }
    v1::PublishRequest request;
    *request.mutable_entry() = model::testdata::WerkgeverMaastricht();
    (void)n->directory()->Publish(caller, request);
    return n;
  }();
  return node;
}

}  // namespace kaartnet::fuzz
