#include "services/http_api.h"

#include <httplib.h>  // CPPHTTPLIB_* defines come from its pkg-config file

#include <chrono>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/field_violations.h"
#include "common/hlc.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"
#include "interop/hsds.h"
#include "interop/spreadsheet.h"
#include "model/search_params.h"
#include "model/vocabulary.h"
#include "nlohmann/json.hpp"
#include "web/web_assets.h"

namespace kaartnet::services {
namespace {

// The HTTP status for a status code (as grpc-gateway maps them).
int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

// {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": ...,
//            "fieldViolations": [{"field": ..., "description": ...}]}}
std::string ErrorJson(const absl::Status& status) {
  nlohmann::json error = {{"code", HttpStatusOf(status.code())},
                          {"status", absl::StatusCodeToString(status.code())},
                          {"message", std::string(status.message())}};
  for (const FieldViolation& v : GetFieldViolations(status)) {
    error["fieldViolations"].push_back(
        {{"field", v.field}, {"description", v.description}});
  }
  if (status.code() == absl::StatusCode::kInvalidArgument &&
      !error.contains("fieldViolations")) {
    error["fieldViolations"] = nlohmann::json::array();
  }
  return nlohmann::json{{"error", error}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out);
  return out;
}

template <typename Message>
absl::StatusOr<Message> FromJson(const std::string& body) {
  Message message;
  if (body.empty()) return message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(body, &message, options);
  if (!status.ok()) {
    const std::string why(status.message().data(), status.message().size());
    return InvalidArgumentWithViolations(
        "the request body is not valid",
        {{"(body)", absl::StrCat("not a ", Message::descriptor()->full_name(),
                                 " in JSON: ", why)}});
  }
  return message;
}

template <typename Response>
absl::StatusOr<std::string> JsonOf(absl::StatusOr<Response> response) {
  if (!response.ok()) return response.status();
  return ToJson(*response);
}

// Every value of a (repeatable) query parameter.
std::vector<std::string> All(const httplib::Request& req, const char* name) {
  std::vector<std::string> out;
  const size_t n = req.get_param_value_count(name);
  for (size_t i = 0; i < n; ++i) out.push_back(req.get_param_value(name, i));
  return out;
}

bool Flag(const httplib::Request& req, const char* name) {
  const std::string v = req.get_param_value(name);
  return req.has_param(name) && v != "false" && v != "0";
}

// The query parameters of GET /api/v1/search, named as in SearchParams.
// A number that does not parse is passed on out of range, so the search
// refuses it naming the field.
model::SearchParams ParamsOf(const httplib::Request& req) {
  model::SearchParams p;
  p.query = req.get_param_value("q");
  p.kinds = All(req, "kind");
  p.interventions = All(req, "intervention");
  p.target_groups = All(req, "target_group");
  p.regelingen = All(req, "regeling");
  p.areas = All(req, "area");
  p.organisations = All(req, "org");
  p.organisation_types = All(req, "org_type");
  p.languages = All(req, "language");
  p.funding = All(req, "funding");
  p.quality_marks = All(req, "quality_mark");
  p.sectors = All(req, "sector");
  p.offers = All(req, "offer");
  p.facets = All(req, "facets");
  p.accepting = Flag(req, "accepting");
  p.fresh = Flag(req, "fresh");
  p.explain = Flag(req, "explain");
  p.near = req.get_param_value("near");
  p.sort = req.get_param_value("sort");
  p.page_token = req.get_param_value("page_token");
  if (req.has_param("radius") &&
      !absl::SimpleAtod(req.get_param_value("radius"), &p.radius)) {
    p.radius = -1;
  }
  if (req.has_param("page_size") &&
      !absl::SimpleAtoi(req.get_param_value("page_size"), &p.page_size)) {
    p.page_size = -1;
  }
  return p;
}

// The contact list as a spreadsheet file, one row per contact.
std::string ContactsCsv(const v1::ExportContactsResponse& contacts) {
  std::string out(kUtf8Bom);
  out += SpreadsheetLine({"organisatie", "organisatie_id", "aanbod",
                          "aanbod_id", "soort", "naam", "rol", "telefoon",
                          "e-mail", "zichtbaarheid"});
  for (const v1::ContactRow& row : contacts.rows()) {
    const v1::Contact& c = row.contact();
    out += SpreadsheetLine(
        {row.organisation_name(), row.organisation_id(), row.entry_title(),
         row.entry_id(), model::Label(v1::EntryKind_descriptor(), row.kind()),
         c.name(), c.role(), c.phone(), c.email(),
         c.visibility() == v1::VISIBILITY_PUBLIC ? "openbaar"
                                                 : "professionals"});
  }
  return out;
}

// Every entry matching the search parameters (all pages, whole entries;
// paging and facets of `params` are ignored).
absl::StatusOr<std::vector<v1::Entry>> AllEntries(DirectoryCore* directory,
                                                  const trust::Caller& caller,
                                                  model::SearchParams params) {
  params.page_size = 0;
  params.page_token.clear();
  params.facets.clear();
  ASSIGN_OR_RETURN(v1::SearchRequest request, model::ToSearchRequest(params));
  request.set_view(v1::ENTRY_VIEW_FULL);
  request.set_page_size(100);
  std::vector<v1::Entry> entries;
  while (true) {
    ASSIGN_OR_RETURN(v1::SearchResponse page,
                     directory->Search(caller, request));
    for (auto& hit : *page.mutable_hits())
      entries.push_back(std::move(*hit.mutable_entry()));
    if (page.next_page_token().empty()) return entries;
    request.set_page_token(page.next_page_token());
  }
}

// One page of an HSDS list: {"total_items", "total_pages", "page_number",
// "size", "first_page", "last_page", "empty", "contents"} (HSDS API 3.0).
absl::StatusOr<nlohmann::json> HsdsPage(const httplib::Request& req,
                                        std::vector<nlohmann::json> items) {
  int page = 1, per_page = 50;
  if ((req.has_param("page") &&
       !absl::SimpleAtoi(req.get_param_value("page"), &page)) ||
      page < 1) {
    return InvalidArgumentWithViolations("bad page",
                                         {{"page", "is a number from 1"}});
  }
  if ((req.has_param("per_page") &&
       !absl::SimpleAtoi(req.get_param_value("per_page"), &per_page)) ||
      per_page < 1 || per_page > 500) {
    return InvalidArgumentWithViolations(
        "bad per_page", {{"per_page", "is a number from 1 to 500"}});
  }
  const size_t total = items.size();
  const size_t pages = (total + per_page - 1) / per_page;
  nlohmann::json contents = nlohmann::json::array();
  for (size_t i = static_cast<size_t>(page - 1) * per_page;
       i < total && i < static_cast<size_t>(page) * per_page; ++i) {
    contents.push_back(std::move(items[i]));
  }
  return nlohmann::json{{"total_items", total},
                        {"total_pages", pages},
                        {"page_number", page},
                        {"size", contents.size()},
                        {"first_page", page == 1},
                        {"last_page", static_cast<size_t>(page) >= pages},
                        {"empty", contents.empty()},
                        {"contents", contents}};
}

// Headers of every answer: no sniffing, no framing, only our own scripts.
void SecurityHeaders(httplib::Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; "
                 "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    HttpOptions options, DirectoryCore* directory, AdminCore* admin,
    Authenticator* auth, Metrics* metrics) {
  std::unique_ptr<HttpServer> http(new HttpServer());
  http->directory_ = directory;
  http->admin_ = admin;
  http->auth_ = auth;
  http->metrics_ = metrics;
  http->vocabulary_json_ = web::VocabularyJson(options.region);
  if (!options.cert_file.empty() && !options.key_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.cert_file.c_str(),
                                                    options.key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tls: cannot use ", options.cert_file, " and ",
                       options.key_file, " for HTTPS"));
    }
    http->server_ = std::move(ssl);
    http->https_ = true;
  } else {
    http->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *http->server_;
  server.set_payload_max_length(options.max_body_bytes);
  // Small answers go out at once (no 40 ms wait for a delayed ACK).
  server.set_tcp_nodelay(true);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  http->Routes();

  const size_t colon = options.listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_listen \"", options.listen, "\" is not host:port"));
  }
  const std::string host = options.listen.substr(0, colon);
  if (port == 0) {
    port = server.bind_to_any_port(host.c_str());
  } else if (!server.bind_to_port(host.c_str(), port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " for HTTP (in use, or not an address of this machine)"));
  }
  http->port_ = port;
  http->thread_ =
      std::thread([s = http->server_.get()] { s->listen_after_bind(); });
  return http;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpServer::RouteHandler HttpServer::Api(const char* method,
                                         JsonHandler handler,
                                         const char* download_name) {
  return [this, method, handler, download_name](const httplib::Request& req,
                                                httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    int http_status = 200;
    absl::StatusOr<std::string> body = [&]() -> absl::StatusOr<std::string> {
      ASSIGN_OR_RETURN(
          trust::Caller caller,
          auth_->Authenticate(req.get_header_value("Authorization")));
      return handler(caller, req, &http_status);
    }();
    if (body.ok() && download_name != nullptr) {
      res.set_content(*body, "text/csv; charset=utf-8");
      res.set_header(
          "Content-Disposition",
          absl::StrCat("attachment; filename=\"", download_name, "\""));
    } else if (body.ok()) {
      res.status = http_status;
      res.set_content(*body, "application/json");
    } else {
      res.status = HttpStatusOf(body.status().code());
      res.set_content(ErrorJson(body.status()), "application/json");
    }
    res.set_header("Cache-Control", "no-store");
    SecurityHeaders(res);
    metrics_->RecordCall(
        "http", method, body.status().code(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  };
}

void HttpServer::Routes() {
  httplib::Server& server = *server_;
  // Authenticate, run, answer JSON, count.

  const std::string entry_id = R"(([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*))";

  server.Post(
      "/api/v1/search",
      Api("Search",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(auto request,
                             FromJson<v1::SearchRequest>(req.body));
            return JsonOf(directory_->Search(caller, request));
          }));
  server.Get(
      "/api/v1/search",
      Api("Search",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(v1::SearchRequest request,
                             model::ToSearchRequest(ParamsOf(req)));
            return JsonOf(directory_->Search(caller, request));
          }));
  server.Get(
      "/api/v1/entries/" + entry_id,
      Api("Get",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            v1::GetRequest request;
            request.set_id(req.matches[1]);
            request.set_reveal_contacts(
                req.get_param_value("reveal_contacts") == "true");
            request.set_purpose(req.get_param_value("purpose"));
            return JsonOf(directory_->Get(caller, request));
          }));
  server.Post(
      "/api/v1/entries",
      Api("Publish",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int* http_status) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(auto request,
                             FromJson<v1::PublishRequest>(req.body));
            ASSIGN_OR_RETURN(v1::PublishResponse response,
                             directory_->Publish(caller, request));
            if (response.created()) *http_status = 201;
            return ToJson(response);
          }));
  server.Post(
      "/api/v1/entries/" + entry_id + "/withdraw",
      Api("Withdraw",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(auto request,
                             FromJson<v1::WithdrawRequest>(req.body));
            if (!request.id().empty() && request.id() != req.matches[1]) {
              return InvalidArgumentWithViolations(
                  "withdraw refused", {{"id", "differs from the path"}});
            }
            request.set_id(req.matches[1]);
            return JsonOf(directory_->Withdraw(caller, request));
          }));
  server.Get("/api/v1/organisations",
             Api("ListOrganisations",
                 [this](const trust::Caller& caller, const httplib::Request&,
                        int*) -> absl::StatusOr<std::string> {
                   return JsonOf(admin_->ListOrganisations(caller, {}));
                 }));
  server.Get("/api/v1/status",
             Api("GetNodeStatus",
                 [this](const trust::Caller& caller, const httplib::Request&,
                        int*) -> absl::StatusOr<std::string> {
                   return JsonOf(admin_->GetNodeStatus(caller, {}));
                 }));
  server.Get("/api/v1/me",
             Api("Me",
                 [](const trust::Caller& caller, const httplib::Request&,
                    int*) -> absl::StatusOr<std::string> {
                   nlohmann::json me = {{"role", trust::RoleName(caller.role)}};
                   if (!caller.organisation_id.empty())
                     me["organisationId"] = caller.organisation_id;
                   if (!caller.subject.empty()) me["subject"] = caller.subject;
                   if (caller.trusted) me["trusted"] = true;
                   return me.dump();
                 }));
  server.Get("/api/v1/vocabulary",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(vocabulary_json_, "application/json");
               SecurityHeaders(res);
             });
  server.Get(
      "/api/v1/coverage",
      Api("GetCoverage",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            v1::GetCoverageRequest request;
            request.set_area_code(req.get_param_value("area"));
            return JsonOf(admin_->GetCoverage(caller, request));
          }));
  // Spreadsheet files (errors are still JSON).
  server.Get(
      "/api/v1/export/contacts.csv",
      Api(
          "ExportContacts",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            v1::ExportContactsRequest request;
            request.set_area_code(req.get_param_value("area"));
            ASSIGN_OR_RETURN(auto contacts,
                             admin_->ExportContacts(caller, request));
            return ContactsCsv(contacts);
          },
          "contactlijst.csv"));
  server.Get(
      "/api/v1/export/entries.csv",
      Api(
          "ExportEntries",
          [this](const trust::Caller& caller, const httplib::Request& req,
                 int*) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(std::vector<v1::Entry> entries,
                             AllEntries(directory_, caller, ParamsOf(req)));
            return interop::EntriesToSpreadsheet(entries);
          },
          "sociale-kaart.csv"));
  HsdsRoutes();
  // The web page: every page path answers index.html; app.js draws the view.
  const auto page = [](const httplib::Request& req, httplib::Response& res) {
    const web::Asset* asset = web::FindAsset(req.path);
    if (asset == nullptr) {
      res.status = 404;
      return;
    }
    res.set_content(asset->content.data(), asset->content.size(),
                    asset->content_type);
    res.set_header("Cache-Control", "no-cache");
    SecurityHeaders(res);
  };
  for (const std::string& route : web::AssetRoutes()) server.Get(route, page);
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server.Get("/metrics",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(metrics_->Scrape(directory_, admin_),
                               "text/plain; version=0.0.4");
             });
  // Errors httplib answers itself (unknown path, body too large) as JSON.
  server.set_error_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        absl::Status status =
            res.status == 413
                ? absl::ResourceExhaustedError("the request body is too large")
            : res.status == 404
                ? absl::NotFoundError(absl::StrCat("no such path: ", req.path))
                : absl::InvalidArgumentError("bad request");
        res.set_content(ErrorJson(status), "application/json");
      });
}

absl::StatusOr<std::vector<nlohmann::json>> HttpServer::HsdsServices(
    const trust::Caller& caller, const httplib::Request& req,
    absl::string_view only_id) {
  model::SearchParams params = ParamsOf(req);
  if (req.has_param("search")) params.query = req.get_param_value("search");
  absl::Time after = absl::InfinitePast();
  if (req.has_param("modified_after")) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full,
                         req.get_param_value("modified_after"), &after,
                         &error) &&
        !absl::ParseTime("%Y-%m-%d", req.get_param_value("modified_after"),
                         absl::UTCTimeZone(), &after, &error)) {
      return InvalidArgumentWithViolations(
          "bad modified_after",
          {{"modified_after",
            "is a date (2026-12-01) or time (2026-12-01T08:00:00Z)"}});
    }
  }
  ASSIGN_OR_RETURN(std::vector<v1::Entry> entries,
                   AllEntries(directory_, caller, std::move(params)));
  ASSIGN_OR_RETURN(v1::ListOrganisationsResponse orgs,
                   admin_->ListOrganisations(caller, {}));
  std::map<std::string, const v1::Organisation*> by_id;
  for (const auto& info : orgs.organisations())
    by_id[info.organisation().organisation_id()] = &info.organisation();
  const std::string base = absl::StrCat(https_ ? "https://" : "http://",
                                        req.get_header_value("Host"));
  std::vector<nlohmann::json> services;
  for (const v1::Entry& entry : entries) {
    if (HybridLogicalClock::ToTime(entry.version().hlc()) <= after) continue;
    if (!only_id.empty() && interop::HsdsServiceId(entry.id()) != only_id) {
      continue;
    }
    auto org = by_id.find(entry.organisation_id());
    services.push_back(interop::HsdsService(
        entry, org == by_id.end() ? nullptr : org->second, base));
  }
  return services;
}

void HttpServer::HsdsRoutes() {
  httplib::Server& server = *server_;
  const std::string uuid =
      "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})";
  auto dump = [](const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  server.Get("/hsds", Api("HsdsInfo",
                          [](const trust::Caller&, const httplib::Request&,
                             int*) -> absl::StatusOr<std::string> {
                            return nlohmann::json{
                                {"version", "3.0"},
                                {"profile",
                                 "kaartnet: de regionale sociale kaart "
                                 "(werk en psychische aandoeningen)"},
                                {"openapi_url", ""}}
                                .dump();
                          }));
  server.Get(
      "/hsds/services",
      Api("HsdsServices",
          [this, dump](const trust::Caller& caller, const httplib::Request& req,
                       int*) -> absl::StatusOr<std::string> {
            ASSIGN_OR_RETURN(auto services, HsdsServices(caller, req));
            ASSIGN_OR_RETURN(auto page, HsdsPage(req, std::move(services)));
            return dump(page);
          }));
  server.Get(
      "/hsds/services/" + uuid,
      Api("HsdsService",
          [this, dump](const trust::Caller& caller, const httplib::Request& req,
                       int*) -> absl::StatusOr<std::string> {
            const std::string id = req.matches[1];
            ASSIGN_OR_RETURN(auto services, HsdsServices(caller, req, id));
            if (!services.empty()) return dump(services.front());
            return absl::NotFoundError(
                absl::StrCat("no service ", req.matches[1].str()));
          }));
  auto organizations = [this](const trust::Caller& caller)
      -> absl::StatusOr<std::vector<nlohmann::json>> {
    ASSIGN_OR_RETURN(v1::ListOrganisationsResponse orgs,
                     admin_->ListOrganisations(caller, {}));
    std::vector<nlohmann::json> out;
    for (const auto& info : orgs.organisations()) {
      if (!info.organisation().revoked())
        out.push_back(interop::HsdsOrganization(info.organisation()));
    }
    return out;
  };
  server.Get("/hsds/organizations",
             Api("HsdsOrganizations",
                 [organizations, dump](const trust::Caller& caller,
                                       const httplib::Request& req,
                                       int*) -> absl::StatusOr<std::string> {
                   ASSIGN_OR_RETURN(auto orgs, organizations(caller));
                   ASSIGN_OR_RETURN(auto page, HsdsPage(req, std::move(orgs)));
                   return dump(page);
                 }));
  server.Get("/hsds/organizations/" + uuid,
             Api("HsdsOrganization",
                 [organizations, dump](const trust::Caller& caller,
                                       const httplib::Request& req,
                                       int*) -> absl::StatusOr<std::string> {
                   ASSIGN_OR_RETURN(auto orgs, organizations(caller));
                   for (const auto& o : orgs) {
                     if (o["id"] == req.matches[1]) return dump(o);
                   }
                   return absl::NotFoundError(
                       absl::StrCat("no organization ", req.matches[1].str()));
                 }));
  server.Get("/hsds/taxonomies",
             Api("HsdsTaxonomies",
                 [dump](const trust::Caller&, const httplib::Request& req,
                        int*) -> absl::StatusOr<std::string> {
                   std::vector<nlohmann::json> all;
                   for (auto& t : interop::HsdsTaxonomies()) all.push_back(t);
                   ASSIGN_OR_RETURN(auto page, HsdsPage(req, std::move(all)));
                   return dump(page);
                 }));
  server.Get("/hsds/taxonomy_terms",
             Api("HsdsTaxonomyTerms",
                 [dump](const trust::Caller&, const httplib::Request& req,
                        int*) -> absl::StatusOr<std::string> {
                   std::vector<nlohmann::json> all;
                   for (auto& t : interop::HsdsTaxonomyTerms())
                     all.push_back(t);
                   ASSIGN_OR_RETURN(auto page, HsdsPage(req, std::move(all)));
                   return dump(page);
                 }));
}

}  // namespace kaartnet::services
