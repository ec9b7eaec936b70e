// The Directory and Admin services over an in-process gRPC channel against a
// real node (RocksDB on an in-memory Env): every RPC and every error status.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "kaartnet/v1/admin.grpc.pb.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "model/testdata_entries.h"
#include "rocksdb/env.h"
#include "services/node.h"
#include "services/testing/node_fixture.h"
#include "trust/signing.h"
#include "trust/test_region.h"

namespace kaartnet::services {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;
using trust::testing::TestRegion;

class DirectoryServiceTest : public testing::NodeFixture {};

using testing::ViolatedFields;

TEST_F(DirectoryServiceTest, PublishThenGet) {
  v1::PublishResponse published;
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen(), &published).ok());
  EXPECT_TRUE(published.created());
  EXPECT_EQ(published.entry().region(), "AM30");
  EXPECT_EQ(published.entry().version().node_id(), "node1");
  EXPECT_GT(published.entry().version().hlc(), 0u);

  v1::GetResponse got;
  ASSERT_TRUE(Get("mondriaan/ips-heerlen", &got).ok());
  EXPECT_EQ(got.entry().title(), "IPS-trajectbegeleiding FACT-team Heerlen");
  EXPECT_EQ(got.status().organisation_name(), "Mondriaan");
  EXPECT_EQ(got.status().key_id(), region_->key("mondriaan").key_id());
  EXPECT_FALSE(got.status().stale());

  v1::PublishResponse again;
  v1::Entry changed = model::testdata::IpsHeerlen();
  changed.set_title("IPS Heerlen, nieuwe titel");
  ASSERT_TRUE(Publish(changed, &again).ok());
  EXPECT_FALSE(again.created());
  EXPECT_GT(again.entry().version().hlc(), published.entry().version().hlc());
}

TEST_F(DirectoryServiceTest, InvalidEntryNamesEveryField) {
  v1::Entry entry = model::testdata::IpsHeerlen();
  entry.mutable_locations(0)->set_postcode("12345");
  entry.clear_title();
  grpc::Status status = Publish(entry);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("locations[0].postcode: \"12345\" is not a Dutch "
                        "postcode (1234 AB)"));
  EXPECT_THAT(ViolatedFields(status), Contains("locations[0].postcode"));
  EXPECT_THAT(ViolatedFields(status), Contains("title"));
  v1::GetResponse got;
  EXPECT_EQ(Get("mondriaan/ips-heerlen", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DirectoryServiceTest, EmptyPublishRequestIsRefused) {
  EXPECT_EQ(Publish(v1::PublishRequest()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DirectoryServiceTest, OrganisationNotAdmitted) {
  grpc::Status status = Publish(model::testdata::IpsHeerlen("onbekend", "x"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(ViolatedFields(status), Contains("organisation_id"));
}

TEST_F(DirectoryServiceTest, KindAndAreaOutsideAdmission) {
  v1::Entry entry = model::testdata::WerkgeverMaastricht();
  entry.mutable_service_area()->add_gemeentecodes("GM0917");
  grpc::Status status = Publish(entry);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("GM0917"));
  v1::Entry jobcoach = model::testdata::IpsHeerlen("azm", "jobcoach");
  jobcoach.mutable_service_area()->Clear();
  jobcoach.mutable_service_area()->add_gemeentecodes("GM0935");
  status = Publish(jobcoach);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("kind"));
}

TEST_F(DirectoryServiceTest, NotHostedNeedsOwnSignature) {
  v1::Entry entry = model::testdata::IpsHeerlen("rco-zl", "ed-heerlen");
  entry.set_kind(v1::ENTRY_KIND_ERVARINGSDESKUNDIGE);
  grpc::Status status = Publish(entry);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("--key"));
  // Signed by rco-zl itself, it is accepted.
  v1::PublishRequest request;
  *request.mutable_signed_record() =
      region_->SignEntry(entry, HybridLogicalClock::FromTime(clock_.Now()));
  v1::PublishResponse response;
  ASSERT_TRUE(Publish(request, &response).ok());
  EXPECT_TRUE(response.created());
  // Replaying the same (or an older) signed version is refused.
  status = Publish(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("old version"));
}

TEST_F(DirectoryServiceTest, ForgedSignatureIsRefused) {
  v1::Entry entry = model::testdata::IpsHeerlen("rco-zl", "ed");
  entry.set_kind(v1::ENTRY_KIND_ERVARINGSDESKUNDIGE);
  v1::SignedRecord record =
      region_->SignEntry(entry, HybridLogicalClock::FromTime(clock_.Now()));
  record.set_signature(std::string(64, '\x01'));
  v1::PublishRequest request;
  *request.mutable_signed_record() = record;
  grpc::Status status = Publish(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("signature"));
  EXPECT_EQ(node_->ledger()
                ->counters()
                .rejected[static_cast<int>(trust::RejectReason::kBadSignature)],
            1u);
}

TEST_F(DirectoryServiceTest, CreateOnlyAndExpectedVersion) {
  v1::PublishResponse first;
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen(), &first).ok());
  v1::PublishRequest create;
  *create.mutable_entry() = model::testdata::IpsHeerlen();
  create.set_create_only(true);
  EXPECT_EQ(Publish(create).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::PublishRequest guarded;
  *guarded.mutable_entry() = model::testdata::IpsHeerlen();
  guarded.mutable_expected_version()->set_hlc(1);
  guarded.mutable_expected_version()->set_node_id("node1");
  EXPECT_EQ(Publish(guarded).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  *guarded.mutable_expected_version() = first.entry().version();
  EXPECT_TRUE(Publish(guarded).ok());
}

TEST_F(DirectoryServiceTest, ValidateOnlyStoresNothing) {
  v1::PublishRequest request;
  *request.mutable_entry() = model::testdata::IpsHeerlen();
  request.set_validate_only(true);
  v1::PublishResponse response;
  ASSERT_TRUE(Publish(request, &response).ok());
  EXPECT_TRUE(response.created());
  v1::GetResponse got;
  EXPECT_EQ(Get("mondriaan/ips-heerlen", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DirectoryServiceTest, GetErrorsAndContactRedaction) {
  v1::GetResponse got;
  EXPECT_EQ(Get("", &got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Get("mondriaan/nope", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  ASSERT_TRUE(Get("mondriaan/ips-heerlen", &got).ok());
  EXPECT_EQ(got.entry().contacts_size(), 1);
  EXPECT_EQ(got.entry().contacts(0).visibility(), v1::VISIBILITY_PUBLIC);
  EXPECT_EQ(got.status().hidden_contacts(), 1u);
  ASSERT_TRUE(Get("mondriaan/ips-heerlen", &got, /*reveal=*/true).ok());
  EXPECT_EQ(got.entry().contacts_size(), 2);
  EXPECT_EQ(got.status().hidden_contacts(), 0u);
}

TEST_F(DirectoryServiceTest, WithdrawAndErase) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  ASSERT_TRUE(Publish(model::testdata::WerkgeverMaastricht()).ok());
  v1::WithdrawRequest request;
  request.set_id("nobody/nothing");
  EXPECT_EQ(Withdraw(request).error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_id("mondriaan/ips-heerlen");
  v1::WithdrawResponse withdrawn;
  ASSERT_TRUE(Withdraw(request, &withdrawn).ok());
  EXPECT_TRUE(withdrawn.entry().withdrawn());
  EXPECT_TRUE(withdrawn.entry().title().empty());
  // Again: idempotent.
  ASSERT_TRUE(Withdraw(request).ok());
  v1::GetResponse got;
  ASSERT_TRUE(Get("mondriaan/ips-heerlen", &got).ok());
  EXPECT_TRUE(got.entry().withdrawn());
  v1::SearchResponse found;
  ASSERT_TRUE(Search(v1::SearchRequest(), &found).ok());
  EXPECT_EQ(found.total_size(), 1u);

  v1::WithdrawRequest erase;
  erase.set_id("azm/garantiebanen");
  erase.set_erase(true);
  v1::WithdrawResponse erased;
  ASSERT_TRUE(Withdraw(erase, &erased).ok());
  EXPECT_TRUE(erased.entry().erased());
  node_->ledger()->WaitForPurges();
  EXPECT_EQ(node_->ledger()->counters().purges.load(), 1u);
  ASSERT_TRUE(Search(v1::SearchRequest(), &found).ok());
  EXPECT_EQ(found.total_size(), 0u);
}

TEST_F(DirectoryServiceTest, SearchFiltersAndRedacts) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  ASSERT_TRUE(Publish(model::testdata::WerkgeverMaastricht()).ok());
  v1::SearchRequest request;
  request.set_query("ips");
  request.add_area_codes("GM0928");
  request.add_facets(v1::FACET_FIELD_KIND);
  request.set_view(v1::ENTRY_VIEW_FULL);
  v1::SearchResponse response;
  ASSERT_TRUE(Search(request, &response).ok());
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).entry().id(), "mondriaan/ips-heerlen");
  EXPECT_EQ(response.hits(0).organisation_name(), "Mondriaan");
  EXPECT_EQ(response.hits(0).entry().contacts_size(), 1);
  EXPECT_EQ(response.hits(0).hidden_contacts(), 1u);
  ASSERT_EQ(response.facets_size(), 1);
  // The default view leaves out description and contacts.
  request.clear_view();
  ASSERT_TRUE(Search(request, &response).ok());
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_TRUE(response.hits(0).entry().description().empty());
  EXPECT_EQ(response.hits(0).entry().contacts_size(), 0);
  EXPECT_EQ(response.hits(0).hidden_contacts(), 1u);
  EXPECT_EQ(response.hits(0).organisation_name(), "Mondriaan");
  EXPECT_EQ(response.hits(0).entry().title(),
            model::testdata::IpsHeerlen().title());
  EXPECT_GT(response.hits(0).score(), 0);

  v1::SearchRequest bad;
  bad.add_area_codes("GM0000");
  grpc::Status status = Search(bad, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), Contains("area_codes[0]"));
}

TEST_F(DirectoryServiceTest, WatchChangesFromCursorAndFollow) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  ASSERT_TRUE(Publish(model::testdata::WerkgeverMaastricht()).ok());
  std::string cursor;
  {
    grpc::ClientContext context;
    v1::WatchChangesRequest request;
    auto reader = directory_->WatchChanges(&context, request);
    v1::ChangeEvent event;
    std::vector<std::string> ids;
    while (reader->Read(&event)) {
      ids.push_back(event.entry().id());
      cursor = event.cursor();
      EXPECT_EQ(event.entry().contacts_size(),
                event.entry().id() == "mondriaan/ips-heerlen" ? 1 : 1);
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_THAT(ids, ::testing::ElementsAre("mondriaan/ips-heerlen",
                                            "azm/garantiebanen"));
  }
  // Follow from the cursor: only the new change arrives.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
  v1::WatchChangesRequest request;
  request.set_cursor(cursor);
  request.set_follow(true);
  auto reader = directory_->WatchChanges(&context, request);
  std::thread publisher([&] {
    v1::Entry changed = model::testdata::IpsHeerlen();
    changed.set_title("Gewijzigd tijdens het volgen");
    EXPECT_TRUE(Publish(changed).ok());
  });
  v1::ChangeEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.entry().title(), "Gewijzigd tijdens het volgen");
  publisher.join();
  context.TryCancel();
  reader->Finish();

  grpc::ClientContext bad_context;
  v1::WatchChangesRequest bad;
  bad.set_cursor("elders.1234:5");
  auto bad_reader = directory_->WatchChanges(&bad_context, bad);
  while (bad_reader->Read(&event)) {
  }
  EXPECT_EQ(bad_reader->Finish().error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DirectoryServiceTest, AdminOrganisationsAndStatus) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  grpc::ClientContext context;
  v1::ListOrganisationsResponse orgs;
  ASSERT_TRUE(
      admin_->ListOrganisations(&context, v1::ListOrganisationsRequest(), &orgs)
          .ok());
  ASSERT_EQ(orgs.organisations_size(), 3);
  std::map<std::string, std::pair<bool, uint64_t>> seen;
  for (const auto& info : orgs.organisations()) {
    seen[info.organisation().organisation_id()] = {info.hosted_here(),
                                                   info.entry_count()};
  }
  EXPECT_THAT(seen,
              Contains(Pair("mondriaan", std::make_pair(true, uint64_t{1}))));
  EXPECT_THAT(seen,
              Contains(Pair("rco-zl", std::make_pair(false, uint64_t{0}))));

  grpc::ClientContext status_context;
  v1::NodeStatus status;
  ASSERT_TRUE(
      admin_
          ->GetNodeStatus(&status_context, v1::GetNodeStatusRequest(), &status)
          .ok());
  EXPECT_EQ(status.node_id(), "node1");
  EXPECT_EQ(status.live_entries(), 1u);
  EXPECT_EQ(status.organisations(), 3u);
  ASSERT_EQ(status.frontier_size(), 1);
  EXPECT_EQ(status.frontier(0).frontier(), 1u);
}

// A new admission that renames an organisation re-indexes its entries: a
// search by the new name finds them, by the old one no longer.
TEST_F(DirectoryServiceTest, RenamedOrganisationIsFoundByItsNewName) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  v1::Organisation org = region_->organisation("mondriaan");
  org.set_version(2);
  org.set_name("Zonnebloemzorg");
  v1::PutAdmissionRequest request;
  *request.mutable_admission() = region_->Sign(org);
  v1::PutAdmissionResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(admin_->PutAdmission(&context, request, &response).ok());
  v1::SearchRequest by_name;
  by_name.set_query("zonnebloemzorg");
  v1::SearchResponse found;
  ASSERT_TRUE(Search(by_name, &found).ok());
  ASSERT_EQ(found.hits_size(), 1);
  EXPECT_EQ(found.hits(0).entry().id(), model::testdata::IpsHeerlen().id());
}

TEST_F(DirectoryServiceTest, AdmissionRollbackAndForgery) {
  v1::Organisation org = region_->organisation("mondriaan");
  org.set_version(2);
  org.set_name("Mondriaan GGZ");
  v1::PutAdmissionRequest request;
  *request.mutable_admission() = region_->Sign(org);
  v1::PutAdmissionResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(admin_->PutAdmission(&context, request, &response).ok());
  }
  *request.mutable_admission() = region_->admission("mondriaan");  // version 1
  {
    grpc::ClientContext context;
    EXPECT_EQ(admin_->PutAdmission(&context, request, &response).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  org.set_version(3);
  *request.mutable_admission() =
      trust::SignAdmission(org, trust::SigningKey::Generate());
  {
    grpc::ClientContext context;
    EXPECT_EQ(admin_->PutAdmission(&context, request, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // The new name reaches search results.
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  v1::SearchRequest search;
  search.set_query("mondriaan ggz");
  v1::SearchResponse found;
  ASSERT_TRUE(Search(search, &found).ok());
  ASSERT_EQ(found.hits_size(), 1);
  EXPECT_EQ(found.hits(0).organisation_name(), "Mondriaan GGZ");
}

TEST_F(DirectoryServiceTest, EverythingSurvivesARestart) {
  ASSERT_TRUE(Publish(model::testdata::IpsHeerlen()).ok());
  v1::Organisation org = region_->organisation("mondriaan");
  org.set_version(5);
  grpc::ClientContext context;
  v1::PutAdmissionRequest request;
  *request.mutable_admission() = region_->Sign(org);
  v1::PutAdmissionResponse response;
  ASSERT_TRUE(admin_->PutAdmission(&context, request, &response).ok());
  RestartNode();
  v1::GetResponse got;
  ASSERT_TRUE(Get("mondriaan/ips-heerlen", &got).ok());
  v1::SearchRequest search;
  search.set_query("heerlen");
  v1::SearchResponse found;
  ASSERT_TRUE(Search(search, &found).ok());
  EXPECT_EQ(found.total_size(), 1u);
  // The configured version-1 admission file does not roll back version 5.
  EXPECT_EQ(node_->context()->registry->Find("mondriaan")->version(), 5u);
}

}  // namespace
}  // namespace kaartnet::services
