// The node's HTTP side, next to gRPC: a JSON API over the same cores and
// messages (standard protobuf JSON mapping), Prometheus /metrics and
// /healthz. Same tokens and roles as gRPC (Authorization: Bearer ...), same
// validation errors, as JSON with the matching HTTP status.
//
//   POST /api/v1/search                 SearchRequest  -> SearchResponse
//   GET  /api/v1/search?q=&kind=&near=...  (model/search_params.h)
//   GET  /api/v1/entries/{org}/{slug}[?reveal_contacts=true&purpose=...]
//   POST /api/v1/entries                PublishRequest -> PublishResponse
//   POST /api/v1/entries/{org}/{slug}/withdraw  WithdrawRequest (optional)
//   GET  /api/v1/organisations          ListOrganisationsResponse
//   GET  /api/v1/status                 NodeStatus
//   GET  /api/v1/me                     who the token belongs to
//   GET  /api/v1/vocabulary             Dutch labels, gemeenten, regio's
//   GET  /api/v1/coverage[?area=]       Coverage (region admin)
//   GET  /api/v1/export/contacts.csv[?area=]  contact list (region admin,
//                                       logged), ';'-separated for Excel
//   GET  /metrics, GET /healthz
//   GET  /, /aanbod/..., /beheer, /regio, /aanmelden, /static/...  the web
//        page (web/web_assets.h)
//
// Thread-safety: Start and Stop from one thread.
#ifndef KAARTNET_SERVICES_HTTP_API_H_
#define KAARTNET_SERVICES_HTTP_API_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "services/auth.h"
#include "services/directory_core.h"
#include "services/metrics.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace kaartnet::services {

struct HttpOptions {
  // "host:port"; port 0 picks a free port.
  std::string listen;
  // HTTPS with this certificate and key when both are set.
  std::string cert_file;
  std::string key_file;
  size_t max_body_bytes = 4 << 20;
  // The node's region (AMxx), the default area of the web page.
  std::string region;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpOptions options, DirectoryCore* directory, AdminCore* admin,
      Authenticator* auth, Metrics* metrics);
  ~HttpServer();

  // Stops accepting and waits for running requests.
  void Stop();
  int port() const { return port_; }

 private:
  // A JSON call: answers the body (and may set the HTTP status).
  using JsonHandler = std::function<absl::StatusOr<std::string>(
      const trust::Caller&, const httplib::Request&, int* http_status)>;
  using RouteHandler =
      std::function<void(const httplib::Request&, httplib::Response&)>;

  HttpServer() = default;
  void Routes();
  // Open Referral HSDS 3.0 endpoints under /hsds.
  void HsdsRoutes();
  // Authenticates, runs `handler`, answers JSON (errors too), counts. With
  // `download_name` a successful answer is that spreadsheet file instead.
  RouteHandler Api(const char* method, JsonHandler handler,
                   const char* download_name = nullptr);
  // The services (as HSDS) matching the request's search parameters and
  // modified_after; with `only_id`, only the service of that HSDS id.
  absl::StatusOr<std::vector<nlohmann::json>> HsdsServices(
      const trust::Caller& caller, const httplib::Request& req,
      absl::string_view only_id = "");

  DirectoryCore* directory_ = nullptr;
  AdminCore* admin_ = nullptr;
  Authenticator* auth_ = nullptr;
  Metrics* metrics_ = nullptr;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  bool https_ = false;
  std::string vocabulary_json_;
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_HTTP_API_H_
