#include "trust/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/durable_file.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace kaartnet::trust {
namespace {

constexpr absl::string_view kSecretTag = "kaartnet-ed25519-secret-v1";
constexpr absl::string_view kPublicTag = "kaartnet-ed25519-public-v1";

void EnsureSodium() {
  static const bool ok = [] {
    if (sodium_init() < 0) {
      KLOG(ERROR) << "libsodium failed to initialise";
      std::abort();
    }
    return true;
  }();
  (void)ok;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read key file ", path, ": ",
                                            std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The file's text without "#" comment lines.
std::string StripComments(absl::string_view text) {
  std::string body;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "#"))
      continue;
    absl::StrAppend(&body, line, "\n");
  }
  return body;
}

absl::StatusOr<std::string> DecodeTagged(absl::string_view text,
                                         absl::string_view tag,
                                         const std::string& what) {
  absl::string_view body = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(body, tag)) {
    body = absl::StripAsciiWhitespace(body.substr(tag.size()));
  }
  auto decoded = Base64Decode(body);
  if (!decoded.ok() || decoded->size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not a kaartnet Ed25519 key (expected \"", tag,
                     " <base64 of 32 bytes>\")"));
  }
  return decoded;
}

absl::Status WriteFileWithMode(const std::string& path,
                               const std::string& content, int mode,
                               bool exclusive) {
  int flags = O_WRONLY | O_CREAT | (exclusive ? O_EXCL : O_TRUNC);
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  const ssize_t n = ::write(fd, content.data(), content.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(content.size()) || !synced) {
    return absl::InternalError(absl::StrCat("short write to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

std::string Sha256(absl::string_view bytes) {
  EnsureSodium();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() &&
         sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status ReplaceFile(const std::string& path, const std::string& content,
                         int mode) {
  return ReplaceFileDurably(path, content, mode);
}

std::string Base64Encode(absl::string_view bytes) {
  return absl::Base64Escape(bytes);
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  std::string out;
  if (!absl::Base64Unescape(text, &out)) {
    return absl::InvalidArgumentError("not valid base64");
  }
  return out;
}

std::string KeyIdFor(absl::string_view public_key) {
  EnsureSodium();
  unsigned char hash[8];
  crypto_generichash(hash, sizeof(hash),
                     reinterpret_cast<const unsigned char*>(public_key.data()),
                     public_key.size(), nullptr, 0);
  return absl::StrCat("k",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(hash), sizeof(hash))));
}

SigningKey::SigningKey(std::string secret, std::string public_key)
    : secret_(std::move(secret)),
      public_key_(std::move(public_key)),
      key_id_(KeyIdFor(public_key_)) {}

SigningKey SigningKey::Generate() {
  EnsureSodium();
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());
  auto key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return *std::move(key);
}

absl::StatusOr<SigningKey> SigningKey::FromSeed(absl::string_view seed) {
  EnsureSodium();
  if (seed.size() != crypto_sign_SEEDBYTES) {
    return absl::InvalidArgumentError("an Ed25519 seed has 32 bytes");
  }
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pk.data()),
                           reinterpret_cast<unsigned char*>(sk.data()),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return SigningKey(std::move(sk), std::move(pk));
}

absl::StatusOr<SigningKey> SigningKey::ReadFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read key file ", path, ": ",
                                            std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("secret key file ", path,
                     " is readable by others; run: chmod 600 ", path));
  }
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const std::string body = StripComments(*text);
  if (!absl::StartsWith(absl::StripAsciiWhitespace(body), kSecretTag)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a kaartnet secret key file"));
  }
  auto seed = DecodeTagged(body, kSecretTag, path);
  if (!seed.ok()) return seed.status();
  auto key = FromSeed(*seed);
  sodium_memzero(seed->data(), seed->size());
  return key;
}

absl::Status SigningKey::WriteSecretFile(const std::string& path) const {
  std::string content = absl::StrCat(
      "# kaartnet Ed25519 secret key ", key_id_, ": keep private\n", kSecretTag,
      " ",
      Base64Encode(absl::string_view(secret_).substr(0, crypto_sign_SEEDBYTES)),
      "\n");
  absl::Status status =
      WriteFileWithMode(path, content, 0600, /*exclusive=*/true);
  sodium_memzero(content.data(), content.size());
  return status;
}

absl::Status SigningKey::WritePublicFile(const std::string& path) const {
  return WriteFileWithMode(
      path,
      absl::StrCat("# kaartnet Ed25519 public key ", key_id_, "\n",
                   FormatPublicKey(public_key_), "\n"),
      0644, /*exclusive=*/false);
}

std::string SigningKey::Sign(absl::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(),
                       reinterpret_cast<const unsigned char*>(secret_.data()));
  return sig;
}

std::string FormatPublicKey(absl::string_view public_key) {
  return absl::StrCat(kPublicTag, " ", Base64Encode(public_key));
}

absl::StatusOr<std::string> ParsePublicKey(absl::string_view text) {
  return DecodeTagged(text, kPublicTag, "public key");
}

absl::StatusOr<std::string> ReadPublicKeyFile(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  const std::string body = StripComments(*text);
  if (absl::StartsWith(absl::StripAsciiWhitespace(body), kSecretTag)) {
    auto key = SigningKey::ReadFile(path);
    if (!key.ok()) return key.status();
    return key->public_key();
  }
  return DecodeTagged(body, kPublicTag, path);
}

bool VerifySignature(absl::string_view public_key, absl::string_view message,
                     absl::string_view signature) {
  EnsureSodium();
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()),
             message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

std::string RandomBytes(size_t n) {
  EnsureSodium();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

}  // namespace kaartnet::trust
