// The HTTP/JSON API and /metrics of a real node, over real HTTP on
// 127.0.0.1 (cpp-httplib client): the same messages, tokens, roles and
// field errors as gRPC.
#include <httplib.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/testing/node_fixture.h"

namespace kaartnet::services {
namespace {

using ::testing::HasSubstr;
using namespace testing;  // Who, kReader, ... of TokenNodeFixture
using Json = nlohmann::json;

class HttpApiTest : public TokenNodeFixture {
 protected:
  void SetUp() override {
    http_listen_ = "127.0.0.1:0";
    TokenNodeFixture::SetUp();
    ASSERT_GT(node_->http_port(), 0);
    client_ =
        std::make_unique<httplib::Client>("127.0.0.1", node_->http_port());
  }

  httplib::Headers As(Who who) {
    if (who == kAnonymous) return {};
    return {{"Authorization", "Bearer " + tokens_[who]}};
  }

  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpApiTest, SearchGetAndRevealAsJson) {
  auto res = client_->Post("/api/v1/search", As(kReader),
                           R"({"query": "ips heerlen", "pageSize": 5})",
                           "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  Json found = Json::parse(res->body);
  ASSERT_GE(found["hits"].size(), 1u);
  EXPECT_EQ(found["hits"][0]["entry"]["id"], "mondriaan/ips-heerlen");

  // Every filter as a query parameter: a URL to share or print.
  res = client_->Get(
      "/api/v1/search?q=ips&kind=ips-trajectbegeleider&area=GM0917"
      "&near=6411+AB&radius=20&sort=distance&facets=kind&page_size=1",
      As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  found = Json::parse(res->body);
  ASSERT_EQ(found["hits"].size(), 1u);
  EXPECT_EQ(found["facets"][0]["field"], "FACET_FIELD_KIND");
  res = client_->Get("/api/v1/search?kind=jobcoch&sort=alfabet", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(Json::parse(res->body)["error"]["fieldViolations"].size(), 2u);

  res = client_->Get("/api/v1/entries/mondriaan/ips-heerlen", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  Json got = Json::parse(res->body);
  EXPECT_EQ(got["entry"]["contacts"].size(), 1u);
  EXPECT_EQ(got["status"]["hiddenContacts"], 1);

  res = client_->Get(
      "/api/v1/entries/mondriaan/ips-heerlen?reveal_contacts=true&purpose="
      "doorverwijzing",
      As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Json::parse(res->body)["entry"]["contacts"].size(), 2u);
  auto verified = client_->Get("/api/v1/status", As(kNodeAdmin));
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->status, 200);

  res = client_->Get("/api/v1/entries/mondriaan/nope", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(Json::parse(res->body)["error"]["status"], "NOT_FOUND");
}

TEST_F(HttpApiTest, PublishErrorsNameTheFieldWithTheRightStatus) {
  // Invalid entry: 400 with field violations.
  auto res = client_->Post(
      "/api/v1/entries", As(kPublisherOwn),
      R"({"entry": {"id": "mondriaan/x", "organisationId": "mondriaan",
                    "kind": "ENTRY_KIND_JOBCOACH", "title": "J",
                    "locations": [{"postcode": "12345"}]}})",
      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  Json error = Json::parse(res->body)["error"];
  EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
  std::vector<std::string> fields;
  for (const auto& v : error["fieldViolations"]) fields.push_back(v["field"]);
  EXPECT_THAT(fields, ::testing::Contains("title"));
  EXPECT_THAT(fields, ::testing::Contains("locations[0].postcode"));

  // Not JSON of the message.
  res = client_->Post("/api/v1/entries", As(kPublisherOwn),
                      R"({"entry": {"colour": "blue"}})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("kaartnet.v1.PublishRequest"));

  // Valid, but by the wrong people.
  Json entry;
  {
    auto got = client_->Get("/api/v1/entries/mondriaan/ips-heerlen",
                            As(kPublisherOwn));
    ASSERT_TRUE(got);
    entry = Json::parse(got->body)["entry"];
    entry.erase("version");
    entry.erase("region");
    entry["id"] = "mondriaan/ips-http";
  }
  const std::string body = Json{{"entry", entry}}.dump();
  for (auto [who, status] :
       {std::pair{kAnonymous, 401}, {kReader, 403}, {kPublisherOther, 403}}) {
    res = client_->Post("/api/v1/entries", As(who), body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << kWhoNames[who] << " " << res->body;
  }
  res = client_->Post("/api/v1/entries", As(kPublisherOwn), body,
                      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201) << res->body;
  res = client_->Post("/api/v1/entries/mondriaan/ips-http/withdraw",
                      As(kPublisherOwn), "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Json::parse(res->body)["entry"]["withdrawn"], true);

  // Too large a body.
  res = client_->Post("/api/v1/entries", As(kPublisherOwn),
                      std::string(5 << 20, ' '), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST_F(HttpApiTest, MetricsAreScraped) {
  ASSERT_TRUE(client_->Get("/api/v1/search?q=ips", As(kReader)));
  ASSERT_TRUE(client_->Get("/api/v1/status", As(kReader)));  // 403
  {
    grpc::ClientContext context;
    AuthorizeAs(&context, kReader);
    v1::SearchResponse out;
    ASSERT_TRUE(directory_->Search(&context, {}, &out).ok());
  }
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const std::string& text = res->body;
  EXPECT_THAT(text, HasSubstr("kaartnet_calls_total{"));
  EXPECT_THAT(text, HasSubstr(R"(method="Search",transport="http")"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(code="PERMISSION_DENIED",method="GetNodeStatus",transport="http")"));
  EXPECT_THAT(text, HasSubstr(R"(method="Search",transport="grpc")"));
  EXPECT_THAT(text, HasSubstr("kaartnet_call_seconds_bucket{"));
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(kaartnet_entries{kind="ENTRY_KIND_IPS_TRAJECTBEGELEIDER"} 1)"));
  EXPECT_THAT(text, HasSubstr(R"(kaartnet_node{what="live_entries"} 1)"));
  EXPECT_THAT(text,
              HasSubstr(R"(kaartnet_rocksdb{property="estimate-num-keys"})"));
  EXPECT_THAT(text,
              HasSubstr(R"(kaartnet_rocksdb{property="background-errors"} 0)"));
  auto health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok\n");
}

TEST_F(HttpApiTest, WerkbedrijfSeesCoverageAndExportsTheContactList) {
  auto res = client_->Get("/api/v1/coverage", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = client_->Get("/api/v1/coverage", As(kRegionAdmin));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json coverage = Json::parse(res->body);
  EXPECT_EQ(coverage["areaCode"], "AM30");
  EXPECT_EQ(coverage["areaName"], "Zuid-Limburg");
  ASSERT_EQ(coverage["kinds"][0], "ENTRY_KIND_IPS_TRAJECTBEGELEIDER");
  ASSERT_EQ(coverage["kinds"][1], "ENTRY_KIND_JOBCOACH");
  // The entry serves all of AM30: one IPS in every gemeente, no jobcoach.
  ASSERT_GE(coverage["rows"].size(), 15u);
  for (const Json& row : coverage["rows"]) {
    EXPECT_EQ(row["counts"][0], 1) << row["name"];
    EXPECT_EQ(row["counts"][1], 0) << row["name"];
  }
  EXPECT_EQ(coverage["rows"][0]["name"], "Beek (L.)");  // by name

  res = client_->Get("/api/v1/coverage?area=XX12", As(kRegionAdmin));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(Json::parse(res->body)["error"]["fieldViolations"][0]["field"],
            "area_code");

  res = client_->Get("/api/v1/export/contacts.csv", As(kPublisherOwn));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(Json::parse(res->body)["error"]["status"], "PERMISSION_DENIED");
  res = client_->Get("/api/v1/export/contacts.csv", As(kRegionAdmin));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_THAT(res->get_header_value("Content-Disposition"),
              HasSubstr("attachment"));
  EXPECT_EQ(res->body,
            "\xEF\xBB\xBF"
            "organisatie;organisatie_id;aanbod;aanbod_id;soort;naam;rol;"
            "telefoon;e-mail;zichtbaarheid\r\n"
            "Mondriaan;mondriaan;IPS-trajectbegeleiding FACT-team Heerlen;"
            "mondriaan/ips-heerlen;IPS-trajectbegeleider;;aanmelding;"
            "045-1234567;aanmelding@example.nl;openbaar\r\n"
            "Mondriaan;mondriaan;IPS-trajectbegeleiding FACT-team Heerlen;"
            "mondriaan/ips-heerlen;IPS-trajectbegeleider;Sanne Jacobs;"
            "IPS-trajectbegeleider;06-12345678;;professionals\r\n");
  // The export is in the access log, and the chain holds.
  grpc::ClientContext context;
  AuthorizeAs(&context, kNodeAdmin);
  v1::VerifyAccessLogResponse verified;
  ASSERT_TRUE(admin_->VerifyAccessLog(&context, {}, &verified).ok());
  EXPECT_TRUE(verified.intact());
  EXPECT_EQ(verified.records(), 1u);
}

TEST_F(HttpApiTest, HsdsApiAndSpreadsheetExport) {
  auto res = client_->Get("/hsds/services?per_page=10", As(kReader));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json page = Json::parse(res->body);
  EXPECT_EQ(page["total_items"], 1);
  EXPECT_EQ(page["page_number"], 1);
  EXPECT_EQ(page["last_page"], true);
  const Json& service = page["contents"][0];
  EXPECT_EQ(service["name"], "IPS-trajectbegeleiding FACT-team Heerlen");
  EXPECT_EQ(service["organization"]["name"], "Mondriaan");
  EXPECT_THAT(service["url"].get<std::string>(),
              HasSubstr("/aanbod/mondriaan/ips-heerlen"));
  EXPECT_EQ(res->body.find("Sanne Jacobs"),
            std::string::npos);  // PROFESSIONALS

  res = client_->Get("/hsds/services/" + service["id"].get<std::string>(),
                     As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(Json::parse(res->body)["id"], service["id"]);
  res = client_->Get("/hsds/services/00000000-0000-4000-8000-000000000000",
                     As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = client_->Get("/hsds/services?per_page=0", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(Json::parse(res->body)["error"]["fieldViolations"][0]["field"],
            "per_page");
  res = client_->Get("/hsds/services?modified_after=2999-01-01", As(kReader));
  ASSERT_TRUE(res);
  EXPECT_EQ(Json::parse(res->body)["total_items"], 0);
  res = client_->Get("/hsds/services");  // a token is needed, as for search
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);

  res = client_->Get("/api/v1/export/entries.csv?kind=ips-trajectbegeleider",
                     As(kReader));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("mondriaan/ips-heerlen;mondriaan;"
                                   "IPS-trajectbegeleider;"));
  // Search results carry no PROFESSIONALS contacts, so neither does this.
  EXPECT_EQ(res->body.find("Sanne Jacobs"), std::string::npos);
}

TEST_F(HttpApiTest, ServesTheWebPageVocabularyAndWhoIsSignedIn) {
  for (const char* path : {"/", "/beheer", "/regio", "/aanmelden",
                           "/aanbod/mondriaan/ips-heerlen"}) {
    auto res = client_->Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"),
              "text/html; charset=utf-8");
    EXPECT_THAT(res->body, HasSubstr("<html lang=\"nl\">"));
    EXPECT_THAT(res->get_header_value("Content-Security-Policy"),
                HasSubstr("default-src 'self'"));
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  auto res = client_->Get("/static/zoeken.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("javascript"));
  EXPECT_THAT(res->body, HasSubstr("export async function render"));
  res = client_->Get("/static/nope.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);

  res = client_->Get("/api/v1/vocabulary");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  Json vocabulary = Json::parse(res->body);
  EXPECT_EQ(vocabulary["enums"]["kind"][0]["label"], "IPS-trajectbegeleider");
  EXPECT_EQ(vocabulary["enums"]["kind"][0]["short"], "ips-trajectbegeleider");
  EXPECT_EQ(vocabulary["region"]["name"], "Zuid-Limburg");
  EXPECT_GE(vocabulary["region"]["gemeenten"].size(), 15u);
  EXPECT_GE(vocabulary["gemeenten"].size(), 340u);
  EXPECT_EQ(vocabulary["regios"].size(), 35u);

  res = client_->Get("/api/v1/me", As(kPublisherOwn));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(Json::parse(res->body)["role"], "publisher");
  EXPECT_EQ(Json::parse(res->body)["organisationId"], "mondriaan");
  res = client_->Get("/api/v1/me");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

}  // namespace
}  // namespace kaartnet::services
