// End-to-end: a real kaartnetd process on 127.0.0.1, driven by the real
// `kaart` binary (and a gRPC client for the durability burst).
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testing/node_harness.h"

namespace kaartnet::testing {
namespace {

using ::testing::HasSubstr;

class NodeE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    demo_dir_ = new std::string(NewTempDir("e2e_demo"));
    MakeDemoData(*demo_dir_, 300);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*demo_dir_);
    delete demo_dir_;
  }

  void SetUp() override {
    work_dir_ = NewTempDir("e2e");
    node_ = std::make_unique<NodeProcess>("node1", *demo_dir_, work_dir_);
    std::string error;
    ASSERT_TRUE(node_->Start(&error)) << error;
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(work_dir_);
  }

  RunResult K(std::vector<std::string> args) {
    return Kaart(node_->address(), std::move(args));
  }

  static std::vector<v1::Entry> DemoEntries() {
    std::vector<v1::Entry> entries;
    for (absl::string_view line :
         absl::StrSplit(ReadFile(*demo_dir_ + "/entries.jsonl"), '\n',
                        absl::SkipEmpty())) {
      v1::Entry entry;
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(std::string(line), &entry)
              .ok());
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  static inline std::string* demo_dir_ = nullptr;
  std::string work_dir_;
  std::unique_ptr<NodeProcess> node_;
};

TEST_F(NodeE2eTest, PublishSearchGetWithdrawWatch) {
  RunResult published =
      K({"publish", *demo_dir_ + "/entries.jsonl", "--parallel", "8"});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  EXPECT_THAT(published.out, HasSubstr("300 nieuw"));

  // Search, as JSON, with filters.
  RunResult found =
      K({"--json", "search", "ips", "--area", "AM30", "--limit", "5"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  auto json = nlohmann::json::parse(found.out);
  ASSERT_TRUE(json.contains("hits"));
  ASSERT_FALSE(json["hits"].empty());
  const std::string id = json["hits"][0]["entry"]["id"];
  EXPECT_EQ(json["hits"][0]["entry"]["kind"],
            "ENTRY_KIND_IPS_TRAJECTBEGELEIDER");

  // The table form names the columns in Dutch.
  RunResult table = K({"search", "jobcoach", "--limit", "3"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("Organisatie"));
  EXPECT_THAT(table.out, HasSubstr("resultaten"));

  RunResult got = K({"get", id});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr(id));
  EXPECT_THAT(got.out, HasSubstr("IPS-trajectbegeleider"));

  RunResult withdrawn = K({"withdraw", id});
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.err;
  RunResult again = K({"--json", "get", id});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_TRUE(
      nlohmann::json::parse(again.out)["entry"]["withdrawn"].get<bool>());

  // Watch lists every entry once, in apply order, the withdrawn one last.
  RunResult watched = K({"watch"});
  ASSERT_EQ(watched.exit_code, 0) << watched.err;
  std::vector<std::string> lines =
      absl::StrSplit(watched.out, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 300u);
  EXPECT_THAT(lines.back(), HasSubstr(id));
  EXPECT_THAT(lines.back(), HasSubstr("ingetrokken"));

  RunResult unknown = K({"get", "nobody/nothing"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("NOT_FOUND"));
}

TEST_F(NodeE2eTest, RefusedPublishNamesTheField) {
  const std::string file = work_dir_ + "/bad.json";
  WriteFile(
      file,
      R"({"id": "ggz-zuid-limburg/fout", "organisationId": "ggz-zuid-limburg",
    "kind": "ENTRY_KIND_JOBCOACH", "title": "Jobcoach",
    "serviceArea": {"gemeentecodes": ["GM0935"]},
    "locations": [{"city": "Maastricht", "gemeentecode": "GM0935", "postcode": "12345"}]})");
  RunResult result = K({"publish", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(result.err, HasSubstr("locations[0].postcode: \"12345\" is not a "
                                    "Dutch postcode (1234 AB)"));
  // A typo in a field name is caught before anything is sent.
  WriteFile(file, R"({"id": "a/b", "titel": "x"})");
  result = K({"publish", file});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("titel"));
}

TEST_F(NodeE2eTest, WatchFollowSeesNewChanges) {
  ASSERT_EQ(K({"publish", *demo_dir_ + "/entries.jsonl"}).exit_code, 0);
  RunResult first = K({"--json", "watch"});
  std::vector<std::string> lines =
      absl::StrSplit(first.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 300u);
  const std::string cursor = nlohmann::json::parse(lines.back())["cursor"];

  Process follower({BinDir() + "/kaart", "--node", node_->address(), "watch",
                    "--follow", "--cursor", cursor},
                   work_dir_ + "/watch.log");
  auto entries = DemoEntries();
  v1::Entry changed = entries[0];
  changed.set_title("Nieuw tijdens het volgen");
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(changed, &json).ok());
  WriteFile(work_dir_ + "/changed.json", json);
  ASSERT_EQ(K({"publish", work_dir_ + "/changed.json"}).exit_code, 0);
  EXPECT_TRUE(
      follower.WaitForLog("Nieuw tijdens het volgen", absl::Seconds(20)))
      << follower.Log();
  // Only the new change, not the 300 before the cursor.
  std::vector<std::string> followed =
      absl::StrSplit(follower.Log(), '\n', absl::SkipEmpty());
  EXPECT_EQ(followed.size(), 1u) << follower.Log();
}

TEST_F(NodeE2eTest, KillDuringPublishBurstLosesNoAcknowledgedWrite) {
  auto entries = DemoEntries();
  auto channel =
      grpc::CreateChannel(node_->address(), grpc::InsecureChannelCredentials());
  std::mutex mu;
  std::map<std::string, uint64_t> acknowledged;  // id -> highest acked hlc
  std::atomic<int> acks{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> publishers;
  for (int t = 0; t < 16; ++t) {
    publishers.emplace_back([&, t] {
      auto stub = v1::Directory::NewStub(channel);
      for (int round = 0; !stop; ++round) {
        v1::Entry entry = entries[(t * 19 + round) % entries.size()];
        entry.set_title(absl::StrCat(entry.title(), " (ronde ", round, ")"));
        v1::PublishRequest request;
        *request.mutable_entry() = entry;
        v1::PublishResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(5));
        if (stub->Publish(&context, request, &response).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          uint64_t& hlc = acknowledged[entry.id()];
          hlc = std::max(hlc, response.entry().version().hlc());
          ++acks;
        } else if (acks > 0) {
          return;  // the node is gone
        }
      }
    });
  }
  ASSERT_TRUE(WaitFor([&] { return acks.load() >= 400; }, absl::Seconds(60)));
  node_->Kill();  // kill -9 in the middle of the burst
  stop = true;
  for (auto& p : publishers) p.join();

  std::string error;
  ASSERT_TRUE(node_->Start(&error)) << error;
  auto stub = v1::Directory::NewStub(grpc::CreateChannel(
      node_->address(), grpc::InsecureChannelCredentials()));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(acknowledged.size(), 100u);
  for (const auto& [id, hlc] : acknowledged) {
    grpc::ClientContext context;
    v1::GetRequest request;
    request.set_id(id);
    v1::GetResponse response;
    ASSERT_TRUE(stub->Get(&context, request, &response).ok()) << id << " lost";
    EXPECT_GE(response.entry().version().hlc(), hlc)
        << id << ": acknowledged version lost";
  }
}

TEST_F(NodeE2eTest, GracefulShutdownOnSigterm) {
  ASSERT_EQ(K({"publish", *demo_dir_ + "/entries.jsonl"}).exit_code, 0);
  EXPECT_EQ(node_->Stop(), 0);
  EXPECT_THAT(node_->Log(), HasSubstr("received SIGTERM"));
  EXPECT_THAT(node_->Log(), HasSubstr("stopped"));
  std::string error;
  ASSERT_TRUE(node_->Start(&error)) << error;
  EXPECT_THAT(node_->Log(), HasSubstr("300 entries"));
}

// A stopping node saves its search index; the next start loads it instead
// of rebuilding, and only when it still describes the store.
TEST_F(NodeE2eTest, RestartLoadsTheSavedIndexOnlyWhenItIsCurrent) {
  ASSERT_EQ(K({"publish", *demo_dir_ + "/entries.jsonl"}).exit_code, 0);
  auto ids = [&](const std::string& text) {
    RunResult found = K({"--json", "search", text, "--limit", "50"});
    EXPECT_EQ(found.exit_code, 0) << found.err;
    std::vector<std::string> out;
    auto json = nlohmann::json::parse(found.out);
    if (!json.contains("hits")) return out;
    for (const auto& hit : json["hits"]) out.push_back(hit["entry"]["id"]);
    return out;
  };
  const std::vector<std::string> queries = {"werk", "jobcoach", "ips",
                                            "ervaringsdeskundige", "herstel"};
  std::vector<std::string> withdrawn_from = ids("werk");
  ASSERT_GE(withdrawn_from.size(), 2u);
  ASSERT_EQ(K({"withdraw", withdrawn_from[0]}).exit_code, 0);
  std::map<std::string, std::vector<std::string>> before;
  for (const std::string& q : queries) before[q] = ids(q);
  const std::string index_file = node_->data_dir() + "/search-index";

  EXPECT_EQ(node_->Stop(), 0);
  EXPECT_THAT(node_->Log(), HasSubstr("search index saved"));
  ASSERT_TRUE(std::filesystem::exists(index_file));
  const std::string saved = ReadFile(index_file);
  EXPECT_THAT(saved, ::testing::Not(HasSubstr(withdrawn_from[0])));
  std::string error;
  ASSERT_TRUE(node_->Start(&error)) << error;
  EXPECT_THAT(node_->Log(), HasSubstr("search index loaded"));
  // Used once: it describes the store only until the next change.
  EXPECT_FALSE(std::filesystem::exists(index_file));
  for (const std::string& q : queries) EXPECT_EQ(ids(q), before[q]) << q;

  // The loaded index takes new changes.
  const std::vector<v1::Entry> entries = DemoEntries();
  v1::Entry changed = entries[7];
  changed.set_title("Zwemcoach voor werkzoekenden");
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(changed, &json).ok());
  WriteFile(work_dir_ + "/changed.jsonl", json + "\n");
  ASSERT_EQ(K({"publish", work_dir_ + "/changed.jsonl"}).exit_code, 0);
  EXPECT_EQ(ids("zwemcoach"), std::vector<std::string>{changed.id()});

  // A saved file that no longer matches the store (put back after the
  // change above) is not used: the node rebuilds and finds the change.
  EXPECT_EQ(node_->Stop(), 0);
  ASSERT_TRUE(std::filesystem::exists(index_file));
  ASSERT_TRUE(node_->Start(&error)) << error;
  changed.set_title("Fietscoach voor werkzoekenden");
  json.clear();
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(changed, &json).ok());
  WriteFile(work_dir_ + "/changed.jsonl", json + "\n");
  RunResult republished = K({"publish", work_dir_ + "/changed.jsonl"});
  ASSERT_EQ(republished.exit_code, 0) << republished.out << republished.err;
  node_->Kill();
  WriteFile(index_file, saved);
  ASSERT_TRUE(node_->Start(&error)) << error;
  EXPECT_THAT(node_->Log(), HasSubstr("is of another state"));
  EXPECT_THAT(node_->Log(), ::testing::Not(HasSubstr("search index loaded")));
  EXPECT_EQ(ids("fietscoach"), std::vector<std::string>{changed.id()});
  EXPECT_TRUE(ids("zwemcoach").empty());

  // A damaged file is not used either.
  EXPECT_EQ(node_->Stop(), 0);
  std::string damaged = ReadFile(index_file);
  ASSERT_GT(damaged.size(), 1000u);
  damaged[damaged.size() / 2] ^= 0x55;
  WriteFile(index_file, damaged);
  // So is the temporary file of a save that was cut short: removed.
  WriteFile(index_file + ".tmp", saved);
  ASSERT_TRUE(node_->Start(&error)) << error;
  EXPECT_THAT(node_->Log(), HasSubstr("damaged"));
  EXPECT_FALSE(std::filesystem::exists(index_file));
  EXPECT_FALSE(std::filesystem::exists(index_file + ".tmp"));
  EXPECT_EQ(ids("fietscoach"), std::vector<std::string>{changed.id()});
}

TEST_F(NodeE2eTest, SecondNodeOnTheSameDirectoryIsRefused) {
  // Same data dir, another port.
  const std::string config = ReadFile(node_->config_path());
  const std::string other = work_dir_ + "/other.textproto";
  std::string changed = config;
  const std::string port = absl::StrCat(node_->port());
  changed.replace(changed.find(port), port.size(),
                  absl::StrCat(PickFreePort()));
  WriteFile(other, changed);
  RunResult second = RunCommand({BinDir() + "/kaartnetd", "--config", other},
                                absl::Seconds(30));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("in use by another process"));
}

TEST_F(NodeE2eTest, SecondNodeOnTheSamePortIsRefused) {
  // Another data dir, the same port.
  std::string config = ReadFile(node_->config_path());
  const std::string key = "data_dir: \"";
  const size_t begin = config.find(key);
  ASSERT_NE(begin, std::string::npos) << config;
  const size_t value = begin + key.size();
  const size_t end = config.find('"', value);
  config.replace(value, end - value, work_dir_ + "/other-data");
  const std::string other = work_dir_ + "/other.textproto";
  WriteFile(other, config);
  RunResult second = RunCommand({BinDir() + "/kaartnetd", "--config", other},
                                absl::Seconds(30));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("cannot listen on"));
  // The first node still answers.
  EXPECT_EQ(K({"status"}).exit_code, 0);
}

TEST_F(NodeE2eTest, CorruptDatabaseGivesAClearError) {
  ASSERT_EQ(K({"publish", *demo_dir_ + "/entries.jsonl"}).exit_code, 0);
  EXPECT_EQ(node_->Stop(), 0);
  // Damage every table file and the manifest.
  for (const auto& file :
       std::filesystem::directory_iterator(node_->data_dir())) {
    const std::string name = file.path().filename().string();
    if (name.rfind("MANIFEST", 0) == 0) {
      std::string bytes = ReadFile(file.path().string());
      for (size_t i = 20; i < bytes.size(); i += 7) bytes[i] ^= 0x5a;
      WriteFile(file.path().string(), bytes);
    }
  }
  RunResult result =
      RunCommand({BinDir() + "/kaartnetd", "--config", node_->config_path()},
                 absl::Seconds(30));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("corrupt"));
  EXPECT_THAT(result.err, HasSubstr("Restore it from a backup"));
}

TEST_F(NodeE2eTest, BadConfigNamesTheField) {
  const std::string config = work_dir_ + "/bad.textproto";
  WriteFile(config, "node_id: \"node9\"\nregion: \"AM99\"\n");
  RunResult result = RunCommand({BinDir() + "/kaartnetd", "--config", config},
                                absl::Seconds(30));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              HasSubstr("region: \"AM99\" is not an arbeidsmarktregio"));
  EXPECT_THAT(result.err, HasSubstr("data_dir: is required"));
  WriteFile(config, "node_id: \"node9\"\nregoin: \"AM30\"\n");
  result = RunCommand({BinDir() + "/kaartnetd", "--config", config},
                      absl::Seconds(30));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("line 2"));
}

}  // namespace
}  // namespace kaartnet::testing
