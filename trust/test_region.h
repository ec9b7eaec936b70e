// A small admitted region for tests of every component: a trust anchor for
// AM30 (Zuid-Limburg) and three organisations with keys.
//   mondriaan (GGZ-instelling): IPS, GGZ team, jobcoach, ervaringsdeskundige;
//   AM30 azm (werkgever):            werkgever; GM0935 Maastricht only rco-zl
//   (RCO):               ervaringsdeskundige; AM30
#ifndef KAARTNET_TRUST_TEST_REGION_H_
#define KAARTNET_TRUST_TEST_REGION_H_

#include <map>
#include <memory>
#include <string>

#include "kaartnet/v1/organisation.pb.h"
#include "kaartnet/v1/record.pb.h"
#include "trust/keys.h"
#include "trust/organisation_registry.h"

namespace kaartnet::trust::testing {

class TestRegion {
 public:
  TestRegion();

  const SigningKey& anchor() const { return anchor_; }
  kaartnet::v1::TrustAnchor anchor_proto() const;
  const SigningKey& key(const std::string& organisation_id) const {
    return keys_.at(organisation_id);
  }
  const kaartnet::v1::SignedAdmission& admission(
      const std::string& organisation_id) const {
    return admissions_.at(organisation_id);
  }
  const std::map<std::string, kaartnet::v1::SignedAdmission>& admissions()
      const {
    return admissions_;
  }

  // The Organisation behind an admission, for building new versions.
  kaartnet::v1::Organisation organisation(
      const std::string& organisation_id) const;
  kaartnet::v1::SignedAdmission Sign(
      const kaartnet::v1::Organisation& organisation) const;

  // A registry with the anchor configured and every admission installed.
  std::unique_ptr<OrganisationRegistry> NewRegistry() const;

  // Sets version and region and signs with the organisation's key.
  kaartnet::v1::SignedRecord SignEntry(
      kaartnet::v1::Entry entry, uint64_t hlc,
      const std::string& node_id = "node1") const;

 private:
  SigningKey anchor_;
  std::map<std::string, SigningKey> keys_;
  std::map<std::string, kaartnet::v1::SignedAdmission> admissions_;
};

}  // namespace kaartnet::trust::testing

#endif  // KAARTNET_TRUST_TEST_REGION_H_
