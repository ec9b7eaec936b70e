#include "clients/kaart/client.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/field_violations.h"
#include "common/utf8.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace kaartnet::cli {

void ApplyEnvironment(GlobalOptions* options) {
  if (const char* node = std::getenv("KAARTNET_NODE");
      node != nullptr && *node) {
    options->node = node;
  }
  if (const char* token = std::getenv("KAARTNET_TOKEN");
      token != nullptr && *token) {
    options->token = token;
  }
  if (const char* ca = std::getenv("KAARTNET_CA_CERT"); ca != nullptr && *ca) {
    options->ca_cert = ca;
  }
}

std::shared_ptr<grpc::Channel> Connect(const GlobalOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  if (!options.ca_cert.empty()) {
    std::ifstream in(options.ca_cert);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().empty()) {
      std::cerr << "kaart: cannot read the CA certificate " << options.ca_cert
                << " (--ca-cert or KAARTNET_CA_CERT)\n";
      std::exit(1);
    }
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(ssl);
  }
  return grpc::CreateCustomChannel(options.node, credentials, args);
}

namespace {

// "127.x.x.x:port", "localhost:port" or "[::1]:port".
bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") ||
         absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

}  // namespace

std::string TokenFor(const GlobalOptions& options, TokenUse use,
                     const std::string& organisation_id) {
  if (!options.token.empty()) return options.token;
  std::string name;
  switch (use) {
    case TokenUse::kRead:
      name = "KAARTNET_TOKEN_READER";
      break;
    case TokenUse::kNodeAdmin:
      name = "KAARTNET_TOKEN_ADMIN";
      break;
    case TokenUse::kRegionAdmin:
      name = "KAARTNET_TOKEN_REGION";
      break;
    case TokenUse::kPublish:
      name = absl::StrCat("KAARTNET_TOKEN_PUBLISHER_",
                          absl::AsciiStrToUpper(organisation_id));
      std::replace(name.begin(), name.end(), '-', '_');
      break;
  }
  const char* value = std::getenv(name.c_str());
  return value == nullptr ? "" : value;
}

std::unique_ptr<grpc::ClientContext> NewContext(
    const GlobalOptions& options, TokenUse use,
    const std::string& organisation_id, bool streaming) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!streaming && options.timeout_seconds > 0) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(static_cast<int64_t>(
                              options.timeout_seconds * 1000)));
  }
  const std::string token = TokenFor(options, use, organisation_id);
  if (!token.empty() && options.ca_cert.empty() && !IsLoopback(options.node)) {
    std::cerr << "kaart: refusing to send a token to " << options.node
              << " without TLS; give the region's CA certificate (--ca-cert "
                 "or KAARTNET_CA_CERT)\n";
    std::exit(1);
  }
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  return context;
}

namespace {

const char* CodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "ERROR";
}

int ExitCode(int code) {
  switch (code) {
    case 14:  // UNAVAILABLE
    case 4:   // DEADLINE_EXCEEDED
      return 3;
    default:
      return 1;
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(
    const grpc::Status& status) {
  google::rpc::Status rich;
  std::vector<std::pair<std::string, std::string>> violations;
  if (!status.error_details().empty() &&
      rich.ParseFromString(status.error_details())) {
    for (const auto& any : rich.details()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) continue;
      for (const auto& v : bad_request.field_violations()) {
        violations.push_back({v.field(), v.description()});
      }
    }
  }
  return violations;
}

int ReportError(const grpc::Status& status, const std::string& what) {
  std::string message = status.error_message();
  std::cerr << "kaart: " << (what.empty() ? "" : what + ": ")
            << CodeName(status.error_code()) << ": ";
  const auto violations = FieldViolationsOf(status);
  if (violations.empty()) {
    std::cerr << message << "\n";
  } else {
    // The summary, then one problem per line.
    const size_t colon = message.find(": ");
    std::cerr << (colon == std::string::npos ? message
                                             : message.substr(0, colon))
              << "\n";
    for (const auto& [field, description] : violations) {
      std::cerr << "  " << (field.empty() ? "(entry)" : field) << ": "
                << description << "\n";
    }
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::cerr << "  (is kaartnetd running and reachable? see --node or "
                 "KAARTNET_NODE; a node with TLS needs --ca-cert or "
                 "KAARTNET_CA_CERT)\n";
  }
  return ExitCode(status.error_code());
}

int ReportError(const absl::Status& status, const std::string& what) {
  std::cerr << "kaart: " << (what.empty() ? "" : what + ": ")
            << status.message() << "\n";
  for (const FieldViolation& v : GetFieldViolations(status)) {
    std::cerr << "  " << v.field << ": " << v.description << "\n";
  }
  return 1;
}

std::string ToJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status FromJson(const std::string& json,
                      google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok())
    return absl::InvalidArgumentError(std::string(status.message()));
  return absl::OkStatus();
}

int TerminalWidth() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    const int n = std::atoi(columns);
    if (n >= 40) return n;
  }
  struct winsize ws;
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
      ws.ws_col >= 40) {
    return ws.ws_col;
  }
  return 120;
}

std::string Fit(const std::string& text, size_t width) {
  if (CodePointCount(text) <= width) return text;
  std::string out;
  size_t pos = 0, count = 0;
  while (pos < text.size() && count + 1 < width) {
    const size_t start = pos;
    NextCodePoint(text, &pos);
    out.append(text, start, pos - start);
    ++count;
  }
  return out + "…";
}

std::string Pad(const std::string& text, size_t width) {
  const size_t n = CodePointCount(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}

grpc::Status RetryWhenOverloaded(const std::function<grpc::Status()>& call) {
  grpc::Status status = call();
  int wait_ms = 50;
  for (int waited = 0;
       status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
       waited < 30000;
       waited += wait_ms, wait_ms = std::min(wait_ms * 2, 1000)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    status = call();
  }
  return status;
}

void ForEachParallel(size_t count, int parallel,
                     const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) fn(i);
  };
  std::vector<std::thread> threads;
  const size_t n = std::max<size_t>(
      1, std::min<size_t>(static_cast<size_t>(std::max(parallel, 1)), count));
  for (size_t t = 0; t < n; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

}  // namespace kaartnet::cli
