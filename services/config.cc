#include "services/config.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/field_violations.h"
#include "common/reference_data.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "model/validation.h"
#include "trust/keys.h"

namespace kaartnet::services {
namespace {

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty())
      first = absl::StrCat("line ", line + 1, ", column ", column + 1, ": ",
                           message);
  }
  std::string first;
};

std::string Resolve(const std::filesystem::path& base,
                    const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (base / path).lexically_normal().string();
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ApplyDefaults(v1::NodeConfig* config) {
  if (config->grpc_listen().empty()) config->set_grpc_listen("127.0.0.1:7401");
  if (config->freshness_days() == 0) config->set_freshness_days(180);
  if (config->max_clock_skew_seconds() == 0)
    config->set_max_clock_skew_seconds(600);
  if (!config->has_sync_writes()) config->set_sync_writes(true);
  if (config->digest_interval_seconds() == 0)
    config->set_digest_interval_seconds(30);
  if (config->tombstone_horizon_seconds() == 0)
    config->set_tombstone_horizon_seconds(30 * 86400);
  if (config->tombstone_sweep_seconds() == 0)
    config->set_tombstone_sweep_seconds(600);
  if (config->token_rate_per_second() == 0)
    config->set_token_rate_per_second(50);
  if (config->access_log_retention_days() == 0)
    config->set_access_log_retention_days(365);
  if (config->max_watch_streams() == 0) config->set_max_watch_streams(256);
  if (config->max_peer_streams() == 0) config->set_max_peer_streams(64);
}

absl::StatusOr<v1::NodeConfig> LoadConfig(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseConfig(
      *text, path,
      std::filesystem::absolute(std::filesystem::path(path)).parent_path());
}

absl::StatusOr<v1::NodeConfig> ParseConfig(const std::string& text,
                                           const std::string& name,
                                           const std::filesystem::path& base) {
  v1::NodeConfig config;
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config ", name, ": ", errors.first));
  }
  config.set_data_dir(Resolve(base, config.data_dir()));
  for (auto& anchor : *config.mutable_trust_anchors()) {
    anchor.set_public_key_file(Resolve(base, anchor.public_key_file()));
  }
  for (auto& file : *config.mutable_admission_files())
    file = Resolve(base, file);
  config.set_admissions_dir(Resolve(base, config.admissions_dir()));
  config.set_backup_dir(Resolve(base, config.backup_dir()));
  config.set_hosted_keys_dir(Resolve(base, config.hosted_keys_dir()));
  config.set_tokens_file(Resolve(base, config.tokens_file()));
  config.set_access_log_dir(Resolve(base, config.access_log_dir()));
  if (config.has_tls()) {
    auto* tls = config.mutable_tls();
    tls->set_ca_file(Resolve(base, tls->ca_file()));
    tls->set_cert_file(Resolve(base, tls->cert_file()));
    tls->set_key_file(Resolve(base, tls->key_file()));
  }
  for (auto& hosted : *config.mutable_hosted_organisations()) {
    hosted.set_secret_key_file(Resolve(base, hosted.secret_key_file()));
  }
  ApplyDefaults(&config);
  return config;
}

absl::Status CheckPeerAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", address, "\" is not host:port, e.g. 10.0.0.2:7401"));
  }
  return absl::OkStatus();
}

bool IsLoopbackAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  absl::string_view host =
      colon == absl::string_view::npos ? address : address.substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  return absl::StartsWith(host, "127.") || host == "localhost" || host == "::1";
}

absl::Status CheckConfig(const v1::NodeConfig& config) {
  std::vector<FieldViolation> violations;
  if (config.node_id().empty()) {
    violations.push_back({"node_id", "is required (e.g. \"node1\")"});
  } else if (!model::IsOrganisationId(config.node_id()) &&
             config.node_id().size() != 1) {
    violations.push_back({"node_id", "lower-case letters, digits and dashes"});
  }
  if (std::abs(config.clock_offset_seconds()) > 86400) {
    violations.push_back(
        {"clock_offset_seconds", "is a test hook of at most a day (86400)"});
  }
  if (ReferenceData::Get().FindRegio(config.region()) == nullptr) {
    violations.push_back(
        {"region", absl::StrCat("\"", config.region(),
                                "\" is not an arbeidsmarktregio (AMxx)")});
  }
  if (config.data_dir().empty())
    violations.push_back({"data_dir", "is required"});
  if (config.grpc_listen().find(':') == std::string::npos) {
    violations.push_back(
        {"grpc_listen", "must be host:port, e.g. 127.0.0.1:7401"});
  }
  for (int i = 0; i < config.peers_size(); ++i) {
    if (absl::Status s = CheckPeerAddress(config.peers(i)); !s.ok()) {
      violations.push_back(
          {absl::StrCat("peers[", i, "]"), std::string(s.message())});
    }
  }
  if (config.trust_anchors().empty()) {
    violations.push_back(
        {"trust_anchors", "at least one region's trust anchor is required"});
  }
  for (int i = 0; i < config.trust_anchors_size(); ++i) {
    const auto& anchor = config.trust_anchors(i);
    if (anchor.public_key().empty() == anchor.public_key_file().empty()) {
      violations.push_back(
          {absl::StrCat("trust_anchors[", i, "]"),
           "give exactly one of public_key and public_key_file"});
    }
  }
  for (int i = 0; i < config.hosted_organisations_size(); ++i) {
    const auto& hosted = config.hosted_organisations(i);
    if (!model::IsOrganisationId(hosted.organisation_id())) {
      violations.push_back(
          {absl::StrCat("hosted_organisations[", i, "].organisation_id"),
           "is not an organisation id"});
    }
    if (hosted.secret_key_file().empty()) {
      violations.push_back(
          {absl::StrCat("hosted_organisations[", i, "].secret_key_file"),
           "is required"});
    }
  }
  for (const auto& [field, dir] :
       {std::pair<const char*, std::string>{"admissions_dir",
                                            config.admissions_dir()},
        {"hosted_keys_dir", config.hosted_keys_dir()}}) {
    if (!dir.empty() && !std::filesystem::is_directory(dir)) {
      violations.push_back(
          {field, absl::StrCat("\"", dir, "\" is not a directory")});
    }
  }
  if (config.tokens_file().empty() &&
      !IsLoopbackAddress(config.grpc_listen())) {
    violations.push_back(
        {"tokens_file",
         absl::StrCat("is required when grpc_listen (", config.grpc_listen(),
                      ") is not a loopback address: without it every caller "
                      "would be trusted (make one with `kaart admin tokens "
                      "create --file ...`)")});
  }
  if (!config.has_tls() && !IsLoopbackAddress(config.grpc_listen())) {
    violations.push_back(
        {"tls",
         absl::StrCat(
             "is required when grpc_listen (", config.grpc_listen(),
             ") is not a loopback address: tokens and replication "
             "must not cross the network in the clear "
             "(deploy/make-test-ca.sh shows how to make certificates)")});
  }
  if (!config.http_listen().empty()) {
    if (config.http_listen().find(':') == std::string::npos) {
      violations.push_back(
          {"http_listen", "must be host:port, e.g. 127.0.0.1:8401"});
    } else if (!IsLoopbackAddress(config.http_listen()) &&
               (!config.has_tls() || config.tokens_file().empty())) {
      violations.push_back(
          {"http_listen",
           "beyond loopback needs tls and tokens_file (HTTPS with the "
           "node's certificate, bearer tokens)"});
    }
  }
  if (config.allow_anonymous() && config.tokens_file().empty()) {
    violations.push_back({"allow_anonymous",
                          "needs tokens_file (without it nobody is "
                          "anonymous: every caller is trusted)"});
  }
  if (config.has_tls()) {
    for (const auto& [field, path] :
         {std::pair<const char*, std::string>{"tls.ca_file",
                                              config.tls().ca_file()},
          {"tls.cert_file", config.tls().cert_file()},
          {"tls.key_file", config.tls().key_file()}}) {
      if (path.empty()) {
        violations.push_back(
            {field,
             "is required with tls (deploy/make-test-ca.sh makes "
             "test files)"});
      } else if (!std::filesystem::is_regular_file(path)) {
        violations.push_back(
            {field, absl::StrCat("\"", path, "\" is not a file")});
      }
    }
  }
  if (!config.search_engine().empty() && config.search_engine() != "inverted" &&
      config.search_engine() != "scan") {
    violations.push_back(
        {"search_engine", "is \"inverted\" (default) or \"scan\""});
  }
  if (violations.empty()) return absl::OkStatus();
  return InvalidArgumentWithViolations("configuration refused", violations);
}

absl::StatusOr<std::vector<v1::TrustAnchor>> LoadTrustAnchors(
    const v1::NodeConfig& config) {
  std::vector<v1::TrustAnchor> anchors;
  for (const auto& anchor_config : config.trust_anchors()) {
    absl::StatusOr<std::string> key =
        anchor_config.public_key_file().empty()
            ? trust::ParsePublicKey(anchor_config.public_key())
            : trust::ReadPublicKeyFile(anchor_config.public_key_file());
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("trust anchor of region ", anchor_config.region(), ": ",
                       key.status().message()));
    }
    v1::TrustAnchor& anchor = anchors.emplace_back();
    anchor.set_region(anchor_config.region());
    anchor.mutable_key()->set_ed25519(*key);
    anchor.mutable_key()->set_key_id(trust::KeyIdFor(*key));
  }
  return anchors;
}

std::vector<std::string> FilesWithSuffix(const std::string& dir,
                                         const std::string& suffix) {
  std::vector<std::string> out;
  if (dir.empty()) return out;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
    const std::string path = file.path().string();
    if (file.is_regular_file() && absl::EndsWith(path, suffix))
      out.push_back(path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<v1::SignedAdmission> ReadAdmissionFile(const std::string& path) {
  auto content = ReadFileToString(path);
  if (!content.ok()) return content.status();
  v1::SignedAdmission admission;
  if (admission.ParseFromString(*content) &&
      !admission.organisation().empty() && !admission.anchor_key_id().empty()) {
    return admission;
  }
  admission.Clear();
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors;
  parser.RecordErrorsTo(&errors);
  if (parser.ParseFromString(*content, &admission) &&
      !admission.organisation().empty()) {
    return admission;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      path, " is not a signed admission (made with `kaart admin admit`)"));
}

}  // namespace kaartnet::services
