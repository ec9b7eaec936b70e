#include "trust/tokens.h"

#include <sys/stat.h>

#include <filesystem>

#include "gtest/gtest.h"

namespace kaartnet::trust {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

TokenTable TableOf(const std::vector<v1::StoredToken>& stored) {
  v1::TokenFile file;
  for (const auto& t : stored) *file.add_tokens() = t;
  auto table = TokenTable::Build(file);
  EXPECT_TRUE(table.ok()) << table.status();
  return *std::move(table);
}

TEST(TokensTest, MadeTokenChecksAsItsRoleAndOrganisation) {
  auto reader = MakeToken(Role::kReader, "", absl::InfiniteFuture(),
                          "klantmanager Heerlen", kNow);
  auto publisher = MakeToken(Role::kPublisher, "ggz-zuid-limburg",
                             kNow + absl::Hours(24), "", kNow);
  ASSERT_TRUE(reader.ok() && publisher.ok());
  EXPECT_NE(reader->token, publisher->token);
  // Only a hash is stored: the secret does not occur in the stored record.
  const std::string secret = reader->token.substr(reader->token.rfind('_') + 1);
  EXPECT_EQ(reader->stored.DebugString().find(secret), std::string::npos);

  const TokenTable table = TableOf({reader->stored, publisher->stored});
  auto r = table.Check(reader->token, kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->role, Role::kReader);
  EXPECT_EQ(r->subject, reader->stored.id());
  EXPECT_FALSE(r->trusted);
  auto p = table.Check(publisher->token, kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->role, Role::kPublisher);
  EXPECT_EQ(p->organisation_id, "ggz-zuid-limburg");
}

TEST(TokensTest, WrongUnknownExpiredAndMalformedAreRefused) {
  auto made = MakeToken(Role::kReader, "", kNow + absl::Hours(1), "", kNow);
  ASSERT_TRUE(made.ok());
  const TokenTable table = TableOf({made->stored});
  std::string wrong = made->token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad :
       {wrong, std::string("kn_0123456789abcdef_") + std::string(64, 'a'),
        std::string("Bearer"), std::string(""), made->token + "0"}) {
    auto caller = table.Check(bad, kNow);
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated)
        << bad;
  }
  auto expired = table.Check(made->token, kNow + absl::Hours(2));
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  // The message never echoes the secret.
  auto refused = table.Check(wrong, kNow);
  EXPECT_EQ(std::string(refused.status().message())
                .find(wrong.substr(wrong.rfind('_') + 1)),
            std::string::npos);
}

TEST(TokensTest, MakeTokenChecksRoleAndOrganisation) {
  EXPECT_FALSE(
      MakeToken(Role::kPublisher, "", absl::InfiniteFuture(), "", kNow).ok());
  EXPECT_FALSE(MakeToken(Role::kReader, "ggz-zuid-limburg",
                         absl::InfiniteFuture(), "", kNow)
                   .ok());
  EXPECT_FALSE(
      MakeToken(Role::kAnonymous, "", absl::InfiniteFuture(), "", kNow).ok());
  EXPECT_FALSE(
      MakeToken(Role::kReader, "", kNow - absl::Seconds(1), "", kNow).ok());
}

TEST(TokensTest, BuildNamesTheBadToken) {
  auto made = MakeToken(Role::kReader, "", absl::InfiniteFuture(), "", kNow);
  ASSERT_TRUE(made.ok());
  v1::TokenFile file;
  *file.add_tokens() = made->stored;
  *file.add_tokens() = made->stored;
  auto duplicate = TokenTable::Build(file);
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(duplicate.status().message().find("tokens[1]"), std::string::npos);

  file.mutable_tokens()->RemoveLast();
  file.mutable_tokens(0)->set_role("superuser");
  auto role = TokenTable::Build(file);
  EXPECT_NE(role.status().message().find("superuser"), std::string::npos);

  file.mutable_tokens(0)->set_role("publisher");
  EXPECT_FALSE(TokenTable::Build(file).ok());  // no organisation
}

TEST(TokensTest, FileRoundTripsPrivately) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / "tokens-roundtrip")
          .string();
  std::filesystem::remove(path);
  auto missing = ReadTokenFile(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->tokens_size(), 0);
  auto made =
      MakeToken(Role::kNodeAdmin, "", absl::InfiniteFuture(), "IT", kNow);
  ASSERT_TRUE(made.ok());
  v1::TokenFile file;
  *file.add_tokens() = made->stored;
  ASSERT_TRUE(WriteTokenFile(path, file).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto read = ReadTokenFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->tokens_size(), 1);
  EXPECT_EQ(read->tokens(0).secret_sha256(), made->stored.secret_sha256());
}

}  // namespace
}  // namespace kaartnet::trust
