#include "trust/organisation_registry.h"

#include "common/hlc.h"
#include "gtest/gtest.h"
#include "model/testdata_entries.h"
#include "trust/signing.h"
#include "trust/test_region.h"

namespace kaartnet::trust {
namespace {

using ::kaartnet::trust::testing::TestRegion;

const uint64_t kHlc =
    HybridLogicalClock::FromTime(absl::FromUnixSeconds(1767225600));

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() : registry_(region_.NewRegistry()) {}

  absl::Status Verify(const v1::SignedRecord& record) {
    auto entry = ParseRecord(record);
    if (!entry.ok()) return entry.status();
    return registry_->VerifyRecord(record, *entry);
  }

  TestRegion region_;
  std::unique_ptr<OrganisationRegistry> registry_;
};

TEST_F(RegistryTest, AcceptsOwnersSignature) {
  EXPECT_TRUE(
      Verify(region_.SignEntry(model::testdata::IpsHeerlen(), kHlc)).ok());
}

TEST_F(RegistryTest, RefusesForgedSignature) {
  v1::SignedRecord record =
      region_.SignEntry(model::testdata::IpsHeerlen(), kHlc);
  std::string bytes = record.entry();
  bytes[bytes.size() / 2] ^= 0x01;
  record.set_entry(bytes);
  absl::Status status = Verify(record);
  if (status.code() == absl::StatusCode::kInvalidArgument)
    return;  // no longer parses
  EXPECT_EQ(RejectReasonOf(status), RejectReason::kBadSignature) << status;
}

TEST_F(RegistryTest, RefusesWrongOrganisation) {
  v1::Entry entry = model::testdata::IpsHeerlen();
  entry.mutable_version()->set_hlc(kHlc);
  entry.mutable_version()->set_node_id("node1");
  entry.set_region("AM30");
  // Signed by the RCO's key, but the entry belongs to mondriaan.
  const v1::SignedRecord record = SignEntry(entry, region_.key("rco-zl"));
  EXPECT_EQ(RejectReasonOf(Verify(record)), RejectReason::kWrongOrganisation);
}

TEST_F(RegistryTest, RefusesUnknownKey) {
  v1::Entry entry = model::testdata::IpsHeerlen();
  entry.mutable_version()->set_hlc(kHlc);
  entry.mutable_version()->set_node_id("node1");
  entry.set_region("AM30");
  EXPECT_EQ(RejectReasonOf(Verify(SignEntry(entry, SigningKey::Generate()))),
            RejectReason::kUnknownKey);
}

TEST_F(RegistryTest, RefusesKindOutsideAdmission) {
  v1::Entry entry = model::testdata::IpsHeerlen("rco-zl", "ips");
  absl::Status status = Verify(region_.SignEntry(entry, kHlc));
  EXPECT_EQ(RejectReasonOf(status), RejectReason::kKindNotAllowed) << status;
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryTest, RefusesAreaOutsideAdmission) {
  // azm may publish for Maastricht only; AM30 is the whole region.
  v1::Entry entry = model::testdata::WerkgeverMaastricht();
  EXPECT_TRUE(Verify(region_.SignEntry(entry, kHlc)).ok());
  entry.mutable_service_area()->add_gemeentecodes("GM0917");
  absl::Status status = Verify(region_.SignEntry(entry, kHlc));
  EXPECT_EQ(RejectReasonOf(status), RejectReason::kAreaNotAllowed) << status;
  EXPECT_NE(status.message().find("GM0917"), absl::string_view::npos);
  entry.mutable_service_area()->clear_gemeentecodes();
  entry.mutable_service_area()->add_arbeidsmarktregio_codes("AM30");
  EXPECT_EQ(RejectReasonOf(Verify(region_.SignEntry(entry, kHlc))),
            RejectReason::kAreaNotAllowed);
}

TEST_F(RegistryTest, KeyValidityWindowAndRotation) {
  // Rotate mondriaan's key: the old key is valid until T, the new from T.
  const absl::Time t = absl::FromUnixSeconds(1767225600);
  SigningKey new_key = *SigningKey::FromSeed(std::string(32, 'N'));
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(2);
  org.mutable_public_keys(0)->mutable_valid_until()->set_seconds(
      absl::ToUnixSeconds(t));
  auto* pk = org.add_public_keys();
  pk->set_key_id(new_key.key_id());
  pk->set_ed25519(new_key.public_key());
  pk->mutable_valid_from()->set_seconds(absl::ToUnixSeconds(t));
  ASSERT_TRUE(*registry_->Install(region_.Sign(org)));

  v1::Entry entry = model::testdata::IpsHeerlen();
  entry.set_region("AM30");
  entry.mutable_version()->set_node_id("node1");
  // Old key before T: still valid (entries signed before the rotation stay).
  entry.mutable_version()->set_hlc(
      HybridLogicalClock::FromTime(t - absl::Hours(1)));
  EXPECT_TRUE(Verify(SignEntry(entry, region_.key("mondriaan"))).ok());
  // Old key after T: refused as expired.
  entry.mutable_version()->set_hlc(
      HybridLogicalClock::FromTime(t + absl::Hours(1)));
  EXPECT_EQ(RejectReasonOf(Verify(SignEntry(entry, region_.key("mondriaan")))),
            RejectReason::kKeyNotValid);
  // New key after T: fine.
  EXPECT_TRUE(Verify(SignEntry(entry, new_key)).ok());
}

TEST_F(RegistryTest, RevokedKeyRefusedWhenever) {
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(2);
  org.mutable_public_keys(0)->set_revoked(true);
  ASSERT_TRUE(*registry_->Install(region_.Sign(org)));
  EXPECT_EQ(RejectReasonOf(
                Verify(region_.SignEntry(model::testdata::IpsHeerlen(), 1000))),
            RejectReason::kKeyRevoked);
}

TEST_F(RegistryTest, RevokedOrganisationRefused) {
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(2);
  org.set_revoked(true);
  ASSERT_TRUE(*registry_->Install(region_.Sign(org)));
  EXPECT_EQ(RejectReasonOf(
                Verify(region_.SignEntry(model::testdata::IpsHeerlen(), kHlc))),
            RejectReason::kOrganisationRevoked);
}

TEST_F(RegistryTest, RollbackOfAdmissionRefused) {
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(3);
  ASSERT_TRUE(*registry_->Install(region_.Sign(org)));
  // Re-installing the same version is a no-op.
  EXPECT_FALSE(*registry_->Install(region_.Sign(org)));
  // The old version 1 is refused.
  auto rolled_back = registry_->Install(region_.admission("mondriaan"));
  EXPECT_EQ(rolled_back.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RejectReasonOf(rolled_back.status()),
            RejectReason::kAdmissionRollback);
  // A different admission with the same version number is refused too.
  org.set_name("Mondriaan (gewijzigd)");
  EXPECT_EQ(RejectReasonOf(registry_->Install(region_.Sign(org)).status()),
            RejectReason::kAdmissionRollback);
  EXPECT_EQ(registry_->Find("mondriaan")->version(), 3u);
}

// The same admission again is recognised without a new signature check;
// the same organisation bytes under another signature are checked.
TEST_F(RegistryTest, TheSameAdmissionAgainIsANoOpAForgedTwinIsNot) {
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(4);
  const v1::SignedAdmission admission = region_.Sign(org);
  ASSERT_TRUE(*registry_->Install(admission));
  EXPECT_FALSE(*registry_->Install(admission));
  v1::SignedAdmission twin = admission;
  twin.set_signature(std::string(64, 'x'));
  EXPECT_EQ(RejectReasonOf(registry_->Install(twin).status()),
            RejectReason::kBadSignature);
  twin = admission;
  twin.set_anchor_key_id("someone-else");
  EXPECT_FALSE(registry_->Install(twin).ok());
}

TEST_F(RegistryTest, AdmissionMustComeFromAnAnchor) {
  v1::Organisation org = region_.organisation("mondriaan");
  org.set_version(9);
  SigningKey impostor = SigningKey::Generate();
  auto refused = registry_->Install(SignAdmission(org, impostor));
  EXPECT_EQ(RejectReasonOf(refused.status()), RejectReason::kUnknownAnchor);
  v1::SignedAdmission forged = region_.Sign(org);
  forged.set_signature(std::string(64, 'x'));
  EXPECT_EQ(RejectReasonOf(registry_->Install(forged).status()),
            RejectReason::kBadSignature);
}

TEST_F(RegistryTest, AnchorMayEraseButNotPublish) {
  v1::Entry tombstone;
  tombstone.set_id("mondriaan/ips-heerlen");
  tombstone.set_organisation_id("mondriaan");
  tombstone.set_region("AM30");
  tombstone.mutable_version()->set_hlc(kHlc);
  tombstone.mutable_version()->set_node_id("node1");
  tombstone.set_withdrawn(true);
  tombstone.set_erased(true);
  EXPECT_TRUE(Verify(SignEntry(tombstone, region_.anchor())).ok());
  tombstone.set_erased(false);
  EXPECT_EQ(RejectReasonOf(Verify(SignEntry(tombstone, region_.anchor()))),
            RejectReason::kUnknownKey);
}

}  // namespace
}  // namespace kaartnet::trust
