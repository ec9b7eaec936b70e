#include "common/durable_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace kaartnet {
namespace {

class DurableFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("durable_file_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string Read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::filesystem::path dir_;
};

TEST_F(DurableFileTest, ReplacesContentAndLeavesNoTemporaryFile) {
  const std::string path = (dir_ / "state").string();
  ASSERT_TRUE(ReplaceFileDurably(path, "first").ok());
  EXPECT_EQ(Read(path), "first");
  std::string big(3 << 20, 'x');
  big[12345] = 'y';
  ASSERT_TRUE(ReplaceFileDurably(path, big).ok());
  EXPECT_EQ(Read(path), big);
  EXPECT_EQ(Names(), std::vector<std::string>{"state"});
}

TEST_F(DurableFileTest, UsesTheRequestedMode) {
  const std::string path = (dir_ / "secret").string();
  ASSERT_TRUE(ReplaceFileDurably(path, "k", 0600).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DurableFileTest, AMissingDirectoryIsAPreconditionAndLeavesNothing) {
  const std::string path = (dir_ / "no-such-dir" / "state").string();
  const absl::Status status = ReplaceFileDurably(path, "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("no-such-dir"), std::string::npos);
  EXPECT_TRUE(Names().empty());
}

TEST_F(DurableFileTest, RenameOntoADirectoryFailsAndKeepsIt) {
  const std::filesystem::path target = dir_ / "taken";
  std::filesystem::create_directories(target / "inside");
  const absl::Status status = ReplaceFileDurably(target.string(), "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(std::filesystem::is_directory(target / "inside"));
  EXPECT_EQ(Names(), std::vector<std::string>{"taken"});
}

TEST_F(DurableFileTest, RemovesOnlyTheTemporaryFilesOfThatPath) {
  const std::string path = (dir_ / "search-index").string();
  for (const char* name :
       {"search-index", "search-index.tmp", "search-index.tmp.123",
        "search-index.tmpfoo", "other.tmp.1"}) {
    std::ofstream(dir_ / name) << "x";
  }
  RemoveTemporaryFiles(path);
  EXPECT_EQ(Names(), (std::vector<std::string>{"other.tmp.1", "search-index",
                                               "search-index.tmpfoo"}));
}

}  // namespace
}  // namespace kaartnet
