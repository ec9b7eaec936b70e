// Ed25519 keys (libsodium) for organisations and regional trust anchors.
//
// Key files are small text files:
//   secret: "kaartnet-ed25519-secret-v1 <base64 of the 32-byte seed>"
//   public: "kaartnet-ed25519-public-v1 <base64 of the 32-byte key>"
// Secret key files are written with mode 0600 and refused when readable by
// group or others.
//
// Thread-safety: SigningKey is immutable after construction.
#ifndef KAARTNET_TRUST_KEYS_H_
#define KAARTNET_TRUST_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaartnet::trust {

inline constexpr size_t kPublicKeyBytes = 32;
inline constexpr size_t kSignatureBytes = 64;

// Identifier of a public key: "k" + 16 hex digits of its BLAKE2b hash.
std::string KeyIdFor(absl::string_view public_key);

class SigningKey {
 public:
  static SigningKey Generate();
  static absl::StatusOr<SigningKey> FromSeed(absl::string_view seed);
  static absl::StatusOr<SigningKey> ReadFile(const std::string& path);

  // Writes the secret key (mode 0600); fails if the file exists.
  absl::Status WriteSecretFile(const std::string& path) const;
  // Writes the public key; overwrites.
  absl::Status WritePublicFile(const std::string& path) const;

  // 64-byte detached signature over `message`.
  std::string Sign(absl::string_view message) const;

  const std::string& public_key() const { return public_key_; }
  const std::string& key_id() const { return key_id_; }

 private:
  SigningKey(std::string secret, std::string public_key);

  std::string secret_;  // libsodium's 64-byte secret key (seed + public)
  std::string public_key_;
  std::string key_id_;
};

// Reads a public key file (or the secret key file, taking its public half).
absl::StatusOr<std::string> ReadPublicKeyFile(const std::string& path);
// Decodes "kaartnet-ed25519-public-v1 <base64>" or bare base64.
absl::StatusOr<std::string> ParsePublicKey(absl::string_view text);
std::string FormatPublicKey(absl::string_view public_key);

// Constant-time check of a detached Ed25519 signature.
bool VerifySignature(absl::string_view public_key, absl::string_view message,
                     absl::string_view signature);

// Random bytes from libsodium's CSPRNG.
std::string RandomBytes(size_t n);

// SHA-256 of `bytes` (32 raw bytes).
std::string Sha256(absl::string_view bytes);
// Constant-time equality of two byte strings of the same length.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// Writes `content` to a temporary file with `mode`, syncs it and renames it
// over `path`: readers see the old or the new file, never half of one.
absl::Status ReplaceFile(const std::string& path, const std::string& content,
                         int mode);

std::string Base64Encode(absl::string_view bytes);
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

}  // namespace kaartnet::trust

#endif  // KAARTNET_TRUST_KEYS_H_
