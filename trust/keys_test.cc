#include "trust/keys.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "gtest/gtest.h"

namespace kaartnet::trust {
namespace {

std::filesystem::path TestDir() {
  return std::filesystem::temp_directory_path() /
         ("kaartnet_keys_test_" + std::to_string(::getpid()));
}

// Removes the key files of this run when the tests end.
class TestDirCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(TestDir(), ignored);
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new TestDirCleanup);

std::string TempPath(const std::string& name) {
  std::filesystem::create_directories(TestDir());
  return (TestDir() / name).string();
}

TEST(KeysTest, SignAndVerify) {
  SigningKey key = SigningKey::Generate();
  const std::string sig = key.Sign("hallo");
  EXPECT_EQ(sig.size(), kSignatureBytes);
  EXPECT_TRUE(VerifySignature(key.public_key(), "hallo", sig));
  EXPECT_FALSE(VerifySignature(key.public_key(), "hallo!", sig));
  std::string flipped = sig;
  flipped[10] ^= 1;
  EXPECT_FALSE(VerifySignature(key.public_key(), "hallo", flipped));
  EXPECT_FALSE(
      VerifySignature(SigningKey::Generate().public_key(), "hallo", sig));
  EXPECT_FALSE(VerifySignature("short", "hallo", sig));
}

TEST(KeysTest, KeyIdIsStableAndDistinct) {
  SigningKey a = *SigningKey::FromSeed(std::string(32, 'a'));
  SigningKey a2 = *SigningKey::FromSeed(std::string(32, 'a'));
  SigningKey b = *SigningKey::FromSeed(std::string(32, 'b'));
  EXPECT_EQ(a.key_id(), a2.key_id());
  EXPECT_NE(a.key_id(), b.key_id());
  EXPECT_EQ(a.key_id().size(), 17u);
  EXPECT_EQ(a.key_id()[0], 'k');
}

TEST(KeysTest, FilesRoundTripWithPrivateMode) {
  SigningKey key = SigningKey::Generate();
  const std::string secret = TempPath("org.key");
  const std::string pub = TempPath("org.pub");
  std::remove(secret.c_str());
  ASSERT_TRUE(key.WriteSecretFile(secret).ok());
  ASSERT_TRUE(key.WritePublicFile(pub).ok());
  struct stat st;
  ASSERT_EQ(::stat(secret.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = SigningKey::ReadFile(secret);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->public_key(), key.public_key());
  auto pk = ReadPublicKeyFile(pub);
  ASSERT_TRUE(pk.ok()) << pk.status();
  EXPECT_EQ(*pk, key.public_key());
  // Never overwrite a secret key.
  EXPECT_FALSE(key.WriteSecretFile(secret).ok());
  // Refuse a secret key readable by others.
  ::chmod(secret.c_str(), 0644);
  auto refused = SigningKey::ReadFile(secret);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  std::remove(secret.c_str());
  std::remove(pub.c_str());
}

TEST(KeysTest, ParsePublicKeyRefusesGarbage) {
  EXPECT_FALSE(ParsePublicKey("kaartnet-ed25519-public-v1 bm90IGEga2V5").ok());
  EXPECT_FALSE(ParsePublicKey("").ok());
  SigningKey key = SigningKey::Generate();
  EXPECT_EQ(*ParsePublicKey(FormatPublicKey(key.public_key())),
            key.public_key());
}

}  // namespace
}  // namespace kaartnet::trust
