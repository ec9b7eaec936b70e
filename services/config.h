// Loading and checking a node's configuration (kaartnet.v1.NodeConfig in
// protobuf text format).
#ifndef KAARTNET_SERVICES_CONFIG_H_
#define KAARTNET_SERVICES_CONFIG_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kaartnet/v1/config.pb.h"
#include "kaartnet/v1/organisation.pb.h"

namespace kaartnet::services {

// Reads the file, resolves relative paths against its directory and fills
// defaults. INVALID_ARGUMENT naming the line for syntax errors and the field
// for bad values.
absl::StatusOr<v1::NodeConfig> LoadConfig(const std::string& path);
// The same for text read elsewhere; `name` is used in errors, relative
// paths are resolved against `base`.
absl::StatusOr<v1::NodeConfig> ParseConfig(const std::string& text,
                                           const std::string& name,
                                           const std::filesystem::path& base);

// Defaults for fields left empty.
void ApplyDefaults(v1::NodeConfig* config);

// Every problem of a configuration, as field violations.
absl::Status CheckConfig(const v1::NodeConfig& config);
// 127.x.x.x, localhost or ::1 (with or without a port).
bool IsLoopbackAddress(absl::string_view address);
// INVALID_ARGUMENT unless `address` is host:port.
absl::Status CheckPeerAddress(const std::string& address);

// The trust anchors of the configuration, keys decoded.
absl::StatusOr<std::vector<v1::TrustAnchor>> LoadTrustAnchors(
    const v1::NodeConfig& config);

// Reads a SignedAdmission written by `kaart admin admit` (binary or text).
absl::StatusOr<v1::SignedAdmission> ReadAdmissionFile(const std::string& path);

// Regular files in `dir` ending in `suffix`, sorted (empty for no dir).
std::vector<std::string> FilesWithSuffix(const std::string& dir,
                                         const std::string& suffix);

absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_CONFIG_H_
