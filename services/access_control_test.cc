// Tokens, roles and limits at the gRPC boundary (trust-and-privacy T5, T6):
// every role against every RPC, redaction for anonymous callers, the access
// log of contact reveals, revocation and expiry without a restart, rate
// limits, stream limits and oversize requests.
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"
#include "services/testing/node_fixture.h"
#include "trust/tokens.h"

namespace kaartnet::services {
namespace {

using ::testing::HasSubstr;

using namespace testing;  // Who, kReader, ... of TokenNodeFixture

class AccessControlTest : public TokenNodeFixture {};

bool Refused(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

// T6: the table of trust-and-privacy.md, written out here on its own (not
// derived from trust::Authorize), against every RPC.
TEST_F(AccessControlTest, EveryRoleAgainstEveryRpc) {
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;
  const std::string id = "mondriaan/ips-heerlen";
  v1::Version stale = version_;
  stale.set_hlc(stale.hlc() - 1);  // auth passes, then the version check fails
  struct Row {
    const char* rpc;
    Call call;
    // anonymous, reader, publisher own, publisher other, region, node admin
    std::array<bool, kWhoCount> allowed;
  };
  const std::vector<Row> rows = {
      {"Search",
       [&](grpc::ClientContext* c) {
         v1::SearchRequest r;
         r.set_query("ips");
         v1::SearchResponse out;
         return directory_->Search(c, r, &out);
       },
       {false, true, true, true, true, false}},
      {"Get",
       [&](grpc::ClientContext* c) {
         v1::GetRequest r;
         r.set_id(id);
         v1::GetResponse out;
         return directory_->Get(c, r, &out);
       },
       {false, true, true, true, true, false}},
      {"Get reveal_contacts",
       [&](grpc::ClientContext* c) {
         v1::GetRequest r;
         r.set_id(id);
         r.set_reveal_contacts(true);
         v1::GetResponse out;
         return directory_->Get(c, r, &out);
       },
       {false, true, true, false, true, false}},
      {"Publish",
       [&](grpc::ClientContext* c) {
         v1::PublishRequest r;
         *r.mutable_entry() = model::testdata::IpsHeerlen();
         r.set_validate_only(true);
         v1::PublishResponse out;
         return directory_->Publish(c, r, &out);
       },
       {false, false, true, false, false, false}},
      {"Withdraw",
       [&](grpc::ClientContext* c) {
         v1::WithdrawRequest r;
         r.set_id(id);
         *r.mutable_expected_version() = stale;
         v1::WithdrawResponse out;
         return directory_->Withdraw(c, r, &out);
       },
       {false, false, true, false, false, false}},
      {"Withdraw erase",
       [&](grpc::ClientContext* c) {
         v1::WithdrawRequest r;
         r.set_id(id);
         r.set_erase(true);
         *r.mutable_expected_version() = stale;
         v1::WithdrawResponse out;
         return directory_->Withdraw(c, r, &out);
       },
       {false, false, true, false, true, false}},
      {"WatchChanges",
       [&](grpc::ClientContext* c) {
         v1::WatchChangesRequest r;
         auto reader = directory_->WatchChanges(c, r);
         v1::ChangeEvent event;
         while (reader->Read(&event)) {
         }
         return reader->Finish();
       },
       {false, true, true, true, true, false}},
      {"ListOrganisations",
       [&](grpc::ClientContext* c) {
         v1::ListOrganisationsResponse out;
         return admin_->ListOrganisations(c, {}, &out);
       },
       {false, true, true, true, true, false}},
      {"PutAdmission",
       [&](grpc::ClientContext* c) {
         v1::PutAdmissionRequest r;
         *r.mutable_admission() = region_->admission("mondriaan");
         v1::PutAdmissionResponse out;
         return admin_->PutAdmission(c, r, &out);
       },
       {false, false, false, false, true, false}},
      {"GetNodeStatus",
       [&](grpc::ClientContext* c) {
         v1::NodeStatus out;
         return admin_->GetNodeStatus(c, {}, &out);
       },
       {false, false, false, false, true, true}},
      // The Werkbedrijf sees peer state in its overview; changing peers is
      // the node admin's.
      {"ListPeers",
       [&](grpc::ClientContext* c) {
         v1::ListPeersResponse out;
         return admin_->ListPeers(c, {}, &out);
       },
       {false, false, false, false, true, true}},
      {"RemovePeer",
       [&](grpc::ClientContext* c) {
         v1::RemovePeerRequest r;
         r.set_address("127.0.0.1:1");
         v1::ListPeersResponse out;
         return admin_->RemovePeer(c, r, &out);
       },
       {false, false, false, false, false, true}},
      {"CreateBackup",
       [&](grpc::ClientContext* c) {
         v1::CreateBackupResponse out;
         return admin_->CreateBackup(c, {}, &out);
       },
       {false, false, false, false, false, true}},
      {"VerifyAccessLog",
       [&](grpc::ClientContext* c) {
         v1::VerifyAccessLogResponse out;
         return admin_->VerifyAccessLog(c, {}, &out);
       },
       {false, false, false, false, true, true}},
      {"GetCoverage",
       [&](grpc::ClientContext* c) {
         v1::GetCoverageRequest r;
         r.set_area_code("AM30");
         v1::Coverage out;
         return admin_->GetCoverage(c, r, &out);
       },
       {false, false, false, false, true, false}},
      {"ExportContacts",
       [&](grpc::ClientContext* c) {
         v1::ExportContactsRequest r;
         r.set_area_code("AM30");
         v1::ExportContactsResponse out;
         return admin_->ExportContacts(c, r, &out);
       },
       {false, false, false, false, true, false}},
  };
  for (const Row& row : rows) {
    for (int who = 0; who < kWhoCount; ++who) {
      grpc::ClientContext context;
      AuthorizeAs(&context, static_cast<Who>(who));
      const grpc::Status status = row.call(&context);
      EXPECT_EQ(!Refused(status), row.allowed[who])
          << row.rpc << " as " << kWhoNames[who] << ": " << status.error_code()
          << " " << status.error_message();
      if (who == kAnonymous) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << row.rpc;
      }
    }
  }
  // The entry is untouched by all of that.
  grpc::ClientContext context;
  AuthorizeAs(&context, kReader);
  v1::GetRequest get;
  get.set_id(id);
  v1::GetResponse got;
  ASSERT_TRUE(directory_->Get(&context, get, &got).ok());
  EXPECT_FALSE(got.entry().withdrawn());
}

TEST_F(AccessControlTest, RevealsAreLoggedWithTheTokenId) {
  for (Who who : {kReader, kRegionAdmin}) {
    grpc::ClientContext context;
    AuthorizeAs(&context, who);
    v1::GetRequest r;
    r.set_id("mondriaan/ips-heerlen");
    r.set_reveal_contacts(true);
    r.set_purpose("afstemming");
    v1::GetResponse out;
    ASSERT_TRUE(directory_->Get(&context, r, &out).ok());
    EXPECT_EQ(out.entry().contacts_size(), 2);
  }
  grpc::ClientContext context;
  AuthorizeAs(&context, kNodeAdmin);
  v1::VerifyAccessLogResponse verified;
  ASSERT_TRUE(admin_->VerifyAccessLog(&context, {}, &verified).ok());
  EXPECT_TRUE(verified.intact()) << verified.problem();
  EXPECT_EQ(verified.records(), 2u);
  std::string log;
  for (const auto& f :
       std::filesystem::directory_iterator(node_->context()->access_log_dir)) {
    std::ifstream in(f.path());
    log.append(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_THAT(log, HasSubstr(absl::StrCat("\"subject\":\"", ids_[kReader],
                                          "\",\"role\":\"reader\"")));
  EXPECT_THAT(log, HasSubstr("\"purpose\":\"afstemming\""));
  // Secrets never reach the log.
  EXPECT_EQ(log.find(tokens_[kReader].substr(20)), std::string::npos);
}

class AnonymousAccessTest : public AccessControlTest {
 protected:
  void SetUp() override {
    allow_anonymous_ = true;
    AccessControlTest::SetUp();
  }
};

TEST_F(AnonymousAccessTest, AnonymousSearchSeesOnlyPublicContacts) {
  {
    grpc::ClientContext context;
    v1::GetRequest r;
    r.set_id("mondriaan/ips-heerlen");
    v1::GetResponse out;
    ASSERT_TRUE(directory_->Get(&context, r, &out).ok());
    ASSERT_EQ(out.entry().contacts_size(), 1);
    EXPECT_EQ(out.entry().contacts(0).visibility(), v1::VISIBILITY_PUBLIC);
    EXPECT_EQ(out.status().hidden_contacts(), 1u);
  }
  {
    grpc::ClientContext context;
    v1::GetRequest r;
    r.set_id("mondriaan/ips-heerlen");
    r.set_reveal_contacts(true);
    v1::GetResponse out;
    EXPECT_EQ(directory_->Get(&context, r, &out).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    grpc::ClientContext context;
    v1::SearchRequest r;
    r.set_query("ips heerlen");
    v1::SearchResponse out;
    ASSERT_TRUE(directory_->Search(&context, r, &out).ok());
    ASSERT_GE(out.hits_size(), 1);
    for (const auto& contact : out.hits(0).entry().contacts())
      EXPECT_EQ(contact.visibility(), v1::VISIBILITY_PUBLIC);
  }
  // A wrong token is an error, not a silent fall-back to anonymous.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer kn_nope");
  v1::SearchResponse out;
  EXPECT_EQ(directory_->Search(&context, {}, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(AccessControlTest, RevokedExpiredAndNewTokensApplyWithoutRestart) {
  auto search_as = [&](const std::string& token) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    v1::SearchRequest r;
    r.set_query("ips");
    v1::SearchResponse out;
    return directory_->Search(&context, r, &out).error_code();
  };
  ASSERT_EQ(search_as(tokens_[kReader]), grpc::StatusCode::OK);
  // A follower whose token is revoked is cut off too.
  grpc::ClientContext watching;
  AuthorizeAs(&watching, kReader);
  v1::WatchChangesRequest follow;
  follow.set_follow(true);
  auto stream = directory_->WatchChanges(&watching, follow);
  v1::ChangeEvent event;
  ASSERT_TRUE(stream->Read(&event));
  auto file = trust::ReadTokenFile(tokens_file_);
  ASSERT_TRUE(file.ok());
  // Revoke the reader, add a reader that expires in an hour.
  file->mutable_tokens()->DeleteSubrange(0, 1);
  auto fresh =
      trust::MakeToken(trust::Role::kReader, "", clock_.Now() + absl::Hours(1),
                       "", clock_.Now());
  ASSERT_TRUE(fresh.ok());
  *file->add_tokens() = fresh->stored;
  ASSERT_TRUE(trust::WriteTokenFile(tokens_file_, *file).ok());
  clock_.Advance(absl::Seconds(2));  // the node looks at the file each second
  EXPECT_EQ(search_as(tokens_[kReader]), grpc::StatusCode::UNAUTHENTICATED);
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(search_as(fresh->token), grpc::StatusCode::OK);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(search_as(fresh->token), grpc::StatusCode::UNAUTHENTICATED);
  // A broken file keeps the tokens read before.
  std::ofstream(tokens_file_, std::ios::trunc) << "tokens { this is not }";
  clock_.Advance(absl::Seconds(2));
  EXPECT_EQ(search_as(tokens_[kPublisherOwn]), grpc::StatusCode::OK);
}

class LimitsTest : public AccessControlTest {
 protected:
  void SetUp() override {
    rate_ = 5;  // bursts of 10
    max_watch_streams_ = 1;
    AccessControlTest::SetUp();
  }
};

// T5: over its rate a token gets RESOURCE_EXHAUSTED, others are served.
TEST_F(LimitsTest, RatePerToken) {
  auto search_as = [&](Who who) {
    grpc::ClientContext context;
    AuthorizeAs(&context, who);
    v1::SearchResponse out;
    return directory_->Search(&context, {}, &out);
  };
  int ok = 0;
  grpc::Status last;
  for (int i = 0; i < 20; ++i) {
    last = search_as(kReader);
    if (last.ok()) ++ok;
  }
  EXPECT_EQ(ok, 10);
  EXPECT_EQ(last.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(last.error_message(), HasSubstr(ids_[kReader]));
  EXPECT_TRUE(search_as(kRegionAdmin).ok());
  clock_.Advance(absl::Seconds(1));  // 5 more
  EXPECT_TRUE(search_as(kReader).ok());
}

// T5: a second follower is refused while the first one is open, and served
// once it is gone.
TEST_F(LimitsTest, WatchStreams) {
  grpc::ClientContext first;
  AuthorizeAs(&first, kReader);
  v1::WatchChangesRequest follow;
  follow.set_follow(true);
  auto stream = directory_->WatchChanges(&first, follow);
  v1::ChangeEvent event;
  ASSERT_TRUE(stream->Read(&event));  // the first stream is open
  {
    grpc::ClientContext second;
    AuthorizeAs(&second, kRegionAdmin);
    auto refused = directory_->WatchChanges(&second, follow);
    while (refused->Read(&event)) {
    }
    const grpc::Status status = refused->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  first.TryCancel();
  stream->Finish();
  // The slot comes free when the server notices the cancel.
  grpc::Status status;
  for (int i = 0; i < 50; ++i) {
    grpc::ClientContext again;
    AuthorizeAs(&again, kRegionAdmin);
    auto reader = directory_->WatchChanges(&again, v1::WatchChangesRequest());
    while (reader->Read(&event)) {
    }
    status = reader->Finish();
    if (status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    clock_.Advance(absl::Seconds(1));  // stay under the token's rate
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// T5: one caller cannot take every follower slot.
TEST_F(AccessControlTest, WatchStreamsPerCaller) {
  v1::WatchChangesRequest follow;
  follow.set_follow(true);
  v1::ChangeEvent event;
  grpc::ClientContext first;
  AuthorizeAs(&first, kReader);
  auto open = directory_->WatchChanges(&first, follow);
  ASSERT_TRUE(open->Read(&event));
  {
    grpc::ClientContext again;
    AuthorizeAs(&again, kReader);
    auto refused = directory_->WatchChanges(&again, follow);
    while (refused->Read(&event)) {
    }
    const grpc::Status status = refused->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(), HasSubstr("per caller"));
  }
  grpc::ClientContext other;
  AuthorizeAs(&other, kRegionAdmin);
  auto served = directory_->WatchChanges(&other, follow);
  EXPECT_TRUE(served->Read(&event));
  other.TryCancel();
  served->Finish();
  first.TryCancel();
  open->Finish();
}

// T5: a follower that stops reading holds only its own stream; publishes,
// searches and other followers go on.
TEST_F(AccessControlTest, SlowWatcherDoesNotStallOthers) {
  grpc::ClientContext slow;
  AuthorizeAs(&slow, kReader);
  v1::WatchChangesRequest follow;
  follow.set_follow(true);
  auto stalled = directory_->WatchChanges(&slow, follow);  // never read
  // Far more than the stream's flow-control window (64 KiB).
  for (int i = 0; i < 300; ++i) {
    grpc::ClientContext context;
    AuthorizeAs(&context, kPublisherOwn);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::PublishRequest r;
    *r.mutable_entry() =
        model::testdata::IpsHeerlen("mondriaan", absl::StrCat("ips-", i));
    v1::PublishResponse out;
    ASSERT_TRUE(directory_->Publish(&context, r, &out).ok()) << i;
  }
  grpc::ClientContext context;
  AuthorizeAs(&context, kRegionAdmin);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::SearchRequest r;
  r.set_query("ips");
  v1::SearchResponse out;
  ASSERT_TRUE(directory_->Search(&context, r, &out).ok());
  EXPECT_GT(out.total_size(), 300u);
  slow.TryCancel();
}

// T5: a request over the message limit is refused before it is parsed; an
// entry over 64 KiB is refused naming the limit; the node serves on.
TEST_F(AccessControlTest, OversizeRequests) {
  {
    grpc::ClientContext context;
    AuthorizeAs(&context, kPublisherOwn);
    v1::PublishRequest r;
    *r.mutable_entry() = model::testdata::IpsHeerlen();
    r.mutable_entry()->set_description(std::string(5 << 20, 'x'));
    v1::PublishResponse out;
    EXPECT_EQ(directory_->Publish(&context, r, &out).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  {
    grpc::ClientContext context;
    AuthorizeAs(&context, kPublisherOwn);
    v1::PublishRequest r;
    *r.mutable_entry() = model::testdata::IpsHeerlen();
    for (int i = 0; i < 40; ++i)
      r.mutable_entry()->add_languages(std::string(2000, 'a'));
    v1::PublishResponse out;
    const grpc::Status status = directory_->Publish(&context, r, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message() +
                    absl::StrJoin(testing::ViolatedFields(status), ","),
                HasSubstr("entry"));
  }
  grpc::ClientContext context;
  AuthorizeAs(&context, kReader);
  v1::SearchResponse out;
  EXPECT_TRUE(directory_->Search(&context, {}, &out).ok());
}

}  // namespace
}  // namespace kaartnet::services
