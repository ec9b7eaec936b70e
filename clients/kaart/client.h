// What every `kaart` command shares: the connection to a node, bearer
// tokens, printing errors with their field paths, proto JSON.
#ifndef KAARTNET_CLIENTS_KAART_CLIENT_H_
#define KAARTNET_CLIENTS_KAART_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

namespace kaartnet::cli {

struct GlobalOptions {
  std::string node = "127.0.0.1:7401";  // --node or KAARTNET_NODE
  std::string token;                    // --token or KAARTNET_TOKEN
  std::string ca_cert;                  // --ca-cert or KAARTNET_CA_CERT
  bool json = false;                    // --json
  double timeout_seconds = 30;          // --timeout
};

// Fills defaults from the environment.
void ApplyEnvironment(GlobalOptions* options);

// TLS when a CA certificate is given (the node's region CA).
std::shared_ptr<grpc::Channel> Connect(const GlobalOptions& options);

// What a call needs a token for. Without --token or KAARTNET_TOKEN, the
// token comes from the variable for that use (as written by the demo's
// var/demo/tokens.env): KAARTNET_TOKEN_READER, KAARTNET_TOKEN_ADMIN (node
// admin), KAARTNET_TOKEN_REGION (region admin), or
// KAARTNET_TOKEN_PUBLISHER_<ORG> (organisation id in capitals, "-" as "_").
enum class TokenUse { kRead, kNodeAdmin, kRegionAdmin, kPublish };

// The token for `use` (empty: none).
std::string TokenFor(const GlobalOptions& options, TokenUse use,
                     const std::string& organisation_id = "");

// A context with deadline and authorization metadata.
std::unique_ptr<grpc::ClientContext> NewContext(
    const GlobalOptions& options, TokenUse use = TokenUse::kRead,
    const std::string& organisation_id = "", bool streaming = false);

// Prints "kaart: <CODE>: <message>" and one line per field violation to
// stderr; returns the exit code for the status (1 usage/data, 2 node).
int ReportError(const grpc::Status& status, const std::string& what = "");
// The (field, description) pairs of a refused request's BadRequest detail.
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(
    const grpc::Status& status);
int ReportError(const absl::Status& status, const std::string& what = "");

// Proto JSON (standard mapping, field names as in the .proto).
std::string ToJson(const google::protobuf::Message& message,
                   bool pretty = true);
absl::Status FromJson(const std::string& json,
                      google::protobuf::Message* message);

// Runs `call` (which makes its own context) again while the node answers
// RESOURCE_EXHAUSTED (over the token's rate), waiting longer each time, up
// to about 30 s in all.
grpc::Status RetryWhenOverloaded(const std::function<grpc::Status()>& call);

// Runs fn(0) .. fn(count - 1) on up to `parallel` threads.
void ForEachParallel(size_t count, int parallel,
                     const std::function<void(size_t)>& fn);

// Terminal width for tables (COLUMNS or 120).
int TerminalWidth();
// Cuts UTF-8 text to at most `width` code points, with "…" when cut.
std::string Fit(const std::string& text, size_t width);
// Pads UTF-8 text with spaces to `width` code points.
std::string Pad(const std::string& text, size_t width);

}  // namespace kaartnet::cli

#endif  // KAARTNET_CLIENTS_KAART_CLIENT_H_
