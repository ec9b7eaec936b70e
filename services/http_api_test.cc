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
  auto health = client_->Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok\n");
}

}  // namespace
}  // namespace kaartnet::services
