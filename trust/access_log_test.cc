#include "trust/access_log.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace kaartnet::trust {
namespace {

namespace fs = std::filesystem;

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name())
               .string();
    fs::remove_all(dir_);
  }

  std::unique_ptr<AccessLog> Open(absl::Duration retention = absl::Hours(24 *
                                                                         365)) {
    AccessLogOptions options;
    options.dir = dir_;
    options.clock = &clock_;
    options.retention = retention;
    auto log = AccessLog::Open(options);
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  static AccessRecord Reveal(int i) {
    AccessRecord r;
    r.caller.role = Role::kReader;
    r.caller.subject = "0123456789abcdef";
    r.entry_id = absl::StrCat("ggz-zuid-limburg/ips-", i);
    r.entry_organisation = "ggz-zuid-limburg";
    r.purpose = "doorverwijzing";
    return r;
  }

  std::string File(absl::string_view month) {
    return (fs::path(dir_) / absl::StrCat("access-", month, ".jsonl")).string();
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }

  std::string dir_;
  // 2026-01-01T00:00:00Z
  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
};

TEST_F(AccessLogTest, ChainIsIntactAcrossMonthsAndRestarts) {
  {
    auto log = Open();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(log->Append(Reveal(i)).ok());
      clock_.Advance(absl::Hours(1));
    }
    clock_.Advance(absl::Hours(24 * 40));  // into February
    ASSERT_TRUE(log->Append(Reveal(3)).ok());
  }
  auto log = Open();  // a restart continues the chain
  ASSERT_TRUE(log->Append(Reveal(4)).ok());
  const v1::VerifyAccessLogResponse v = AccessLog::Verify(dir_);
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), 5u);
  EXPECT_EQ(v.files(), 2u);
  EXPECT_EQ(v.head_hash().size(), 64u);
  EXPECT_NE(Read(File("2026-01")).find("\"purpose\":\"doorverwijzing\""),
            std::string::npos);
}

TEST_F(AccessLogTest, ChangedRemovedAndInsertedRecordsAreFound) {
  {
    auto log = Open();
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(log->Append(Reveal(i)).ok());
  }
  const std::string path = File("2026-01");
  const std::string original = Read(path);
  std::vector<std::string> lines =
      absl::StrSplit(original, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);

  // Changed: someone hides whose contacts were seen.
  std::string changed = original;
  changed.replace(changed.find("ips-1"), 5, "ips-9");
  Write(path, changed);
  auto v = AccessLog::Verify(dir_);
  EXPECT_FALSE(v.intact());
  EXPECT_NE(v.problem().find("line 2"), std::string::npos) << v.problem();

  // Removed: the second record is gone.
  Write(path, absl::StrCat(lines[0], "\n", lines[2], "\n", lines[3], "\n"));
  v = AccessLog::Verify(dir_);
  EXPECT_FALSE(v.intact());
  EXPECT_NE(v.problem().find("line 2"), std::string::npos) << v.problem();

  // A field added after the hash (JSON readers take the last of two equal
  // keys, so this would change what the record says).
  std::string appended = original;
  const size_t end_of_first = appended.find("\"}\n");
  appended.insert(end_of_first + 1, ",\"subject\":\"someone-else\"");
  Write(path, appended);
  v = AccessLog::Verify(dir_);
  EXPECT_FALSE(v.intact());
  EXPECT_NE(v.problem().find("line 1"), std::string::npos) << v.problem();

  // Reordered.
  Write(path, absl::StrCat(lines[0], "\n", lines[2], "\n", lines[1], "\n",
                           lines[3], "\n"));
  EXPECT_FALSE(AccessLog::Verify(dir_).intact());

  // The last record cut off is not detectable from the file alone, but the
  // head hash changes: compare it with the one written down before.
  Write(path, original);
  const std::string head = AccessLog::Verify(dir_).head_hash();
  Write(path, absl::StrCat(lines[0], "\n", lines[1], "\n", lines[2], "\n"));
  v = AccessLog::Verify(dir_);
  EXPECT_TRUE(v.intact());
  EXPECT_NE(v.head_hash(), head);
}

TEST_F(AccessLogTest, ClockSteppingBackKeepsTheChainInOrder) {
  auto log = Open();
  clock_.Advance(absl::Hours(24 * 31));  // February
  ASSERT_TRUE(log->Append(Reveal(0)).ok());
  clock_.Advance(-absl::Hours(24 * 2));  // NTP steps back into January
  ASSERT_TRUE(log->Append(Reveal(1)).ok());
  const auto v = AccessLog::Verify(dir_);
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), 2u);
  EXPECT_FALSE(fs::exists(File("2026-01")));
}

TEST_F(AccessLogTest, TornLastLineIsDroppedOnOpen) {
  {
    auto log = Open();
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(log->Append(Reveal(i)).ok());
  }
  const std::string path = File("2026-01");
  Write(path, Read(path) + "{\"seq\":3,\"time\":\"2026-01-01T0");
  EXPECT_TRUE(AccessLog::Verify(dir_).intact());
  auto log = Open();
  ASSERT_TRUE(log->Append(Reveal(2)).ok());
  const auto v = AccessLog::Verify(dir_);
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), 3u);
}

TEST_F(AccessLogTest, FilesPastRetentionAreRemoved) {
  {
    auto log = Open(absl::Hours(24 * 30));
    ASSERT_TRUE(log->Append(Reveal(0)).ok());
    clock_.Advance(absl::Hours(24 * 31));  // February
    ASSERT_TRUE(log->Append(Reveal(1)).ok());
    EXPECT_TRUE(fs::exists(File("2026-01")));  // January ended < 30 days ago
    clock_.Advance(absl::Hours(24 * 31));      // March
    ASSERT_TRUE(log->Append(Reveal(2)).ok());
  }
  EXPECT_FALSE(fs::exists(File("2026-01")));
  EXPECT_TRUE(fs::exists(File("2026-02")));
  // The oldest kept record points at a removed one; the rest still chains.
  const auto v = AccessLog::Verify(dir_);
  EXPECT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.records(), 2u);
}

}  // namespace
}  // namespace kaartnet::trust
