#include "clients/demo/demo_data.h"

#include <map>
#include <set>

#include "common/reference_data.h"
#include "gtest/gtest.h"
#include "model/validation.h"
#include "trust/organisation_registry.h"
#include "trust/signing.h"

namespace kaartnet::demo {
namespace {

DemoOptions Options(size_t count, uint64_t seed = 7) {
  DemoOptions options;
  options.count = count;
  options.seed = seed;
  return options;
}

TEST(DemoDataTest, DeterministicForASeed) {
  const DemoData a = Generate(Options(500));
  const DemoData b = Generate(Options(500));
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    ASSERT_EQ(a.entries[i].SerializeAsString(),
              b.entries[i].SerializeAsString())
        << i;
  }
  const DemoData c = Generate(Options(500, 8));
  EXPECT_NE(a.entries[10].SerializeAsString(),
            c.entries[10].SerializeAsString());
}

TEST(DemoDataTest, ExactCountUniqueIdsAllValid) {
  const DemoData data = Generate(Options(2000));
  EXPECT_EQ(data.entries.size(), 2000u);
  std::set<std::string> ids;
  const absl::Time now = DemoOptions().now;
  for (const v1::Entry& entry : data.entries) {
    EXPECT_TRUE(ids.insert(entry.id()).second) << entry.id();
    const auto violations =
        model::ValidateEntry(entry, model::EntryOrigin::kUnsigned, now);
    EXPECT_TRUE(violations.empty())
        << entry.id() << ": " << model::ToStatus(violations);
  }
}

TEST(DemoDataTest, EveryEntryFitsItsSignedAdmission) {
  const DemoData data = Generate(Options(1500));
  std::vector<v1::TrustAnchor> anchors;
  std::map<std::string, trust::SigningKey> anchor_keys;
  for (const DemoRegion& region : data.regions) {
    trust::SigningKey key = *trust::SigningKey::FromSeed(region.key_seed);
    v1::TrustAnchor& anchor = anchors.emplace_back();
    anchor.set_region(region.region);
    anchor.mutable_key()->set_ed25519(key.public_key());
    anchor_keys.emplace(region.region, std::move(key));
  }
  trust::OrganisationRegistry registry(anchors);
  std::map<std::string, std::string> seeds;
  for (const DemoOrganisation& org : data.organisations) {
    auto installed = registry.Install(trust::SignAdmission(
        org.organisation, anchor_keys.at(org.organisation.region())));
    ASSERT_TRUE(installed.ok())
        << org.organisation.organisation_id() << ": " << installed.status();
    seeds[org.organisation.organisation_id()] = org.key_seed;
  }
  for (v1::Entry entry : data.entries) {
    ASSERT_TRUE(seeds.contains(entry.organisation_id()))
        << entry.organisation_id();
    const auto org = registry.Find(entry.organisation_id());
    entry.set_region(org->region());
    entry.mutable_version()->set_hlc(uint64_t{1767225600000} << 16);
    entry.mutable_version()->set_node_id("node1");
    const auto key =
        *trust::SigningKey::FromSeed(seeds.at(entry.organisation_id()));
    const v1::SignedRecord record = trust::SignEntry(entry, key);
    absl::Status status = registry.VerifyRecord(record, entry);
    EXPECT_TRUE(status.ok()) << entry.id() << ": " << status;
  }
}

TEST(DemoDataTest, ZuidLimburgIsRichAndAllRegionsPresent) {
  const DemoData data = Generate(Options(1000));
  std::map<std::string, int> per_region;
  std::map<v1::EntryKind, int> zl_kinds;
  for (const v1::Entry& entry : data.entries) {
    const Gemeente* g =
        ReferenceData::Get().FindGemeente(entry.locations(0).gemeentecode());
    ASSERT_NE(g, nullptr);
    ++per_region[g->arbeidsmarktregio_code];
    if (g->arbeidsmarktregio_code == "AM30") ++zl_kinds[entry.kind()];
  }
  EXPECT_EQ(per_region.size(), 35u);
  EXPECT_GE(per_region["AM30"], 300);
  // Every kind of offer exists in Zuid-Limburg.
  EXPECT_EQ(zl_kinds.size(), 11u);
  EXPECT_GE(zl_kinds[v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER], 15);
  EXPECT_GE(zl_kinds[v1::ENTRY_KIND_WERKGEVER], 30);
}

}  // namespace
}  // namespace kaartnet::demo
