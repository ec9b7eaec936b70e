#include "trust/test_region.h"

#include "trust/signing.h"

namespace kaartnet::trust::testing {
namespace {

SigningKey KeyFromByte(char b) {
  return *SigningKey::FromSeed(std::string(32, b));
}

}  // namespace

TestRegion::TestRegion() : anchor_(KeyFromByte('A')) {
  struct Spec {
    const char* id;
    const char* name;
    v1::OrganisationType type;
    std::vector<v1::EntryKind> kinds;
    const char* area_gemeente;
    char seed;
  };
  const Spec specs[] = {
      {"mondriaan",
       "Mondriaan",
       v1::ORGANISATION_TYPE_GGZ_INSTELLING,
       {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER, v1::ENTRY_KIND_GGZ_TEAM,
        v1::ENTRY_KIND_JOBCOACH, v1::ENTRY_KIND_ERVARINGSDESKUNDIGE},
       nullptr,
       'M'},
      {"azm",
       "Maastricht UMC+",
       v1::ORGANISATION_TYPE_WERKGEVER,
       {v1::ENTRY_KIND_WERKGEVER},
       "GM0935",
       'Z'},
      {"rco-zl",
       "RCO Zuid-Limburg",
       v1::ORGANISATION_TYPE_RCO,
       {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE},
       nullptr,
       'R'},
  };
  for (const Spec& spec : specs) {
    SigningKey key = KeyFromByte(spec.seed);
    v1::Organisation org;
    org.set_organisation_id(spec.id);
    org.set_name(spec.name);
    org.set_type(spec.type);
    org.set_version(1);
    org.set_region("AM30");
    auto* pk = org.add_public_keys();
    pk->set_key_id(key.key_id());
    pk->set_ed25519(key.public_key());
    for (auto kind : spec.kinds) org.add_allowed_kinds(kind);
    if (spec.area_gemeente != nullptr) {
      org.mutable_allowed_area()->add_gemeentecodes(spec.area_gemeente);
    } else {
      org.mutable_allowed_area()->add_arbeidsmarktregio_codes("AM30");
    }
    admissions_[spec.id] = trust::SignAdmission(org, anchor_);
    keys_.emplace(spec.id, std::move(key));
  }
}

v1::TrustAnchor TestRegion::anchor_proto() const {
  v1::TrustAnchor anchor;
  anchor.set_region("AM30");
  anchor.mutable_key()->set_key_id(anchor_.key_id());
  anchor.mutable_key()->set_ed25519(anchor_.public_key());
  return anchor;
}

v1::Organisation TestRegion::organisation(
    const std::string& organisation_id) const {
  return *ParseAdmission(admissions_.at(organisation_id));
}

v1::SignedAdmission TestRegion::Sign(
    const v1::Organisation& organisation) const {
  return trust::SignAdmission(organisation, anchor_);
}

std::unique_ptr<OrganisationRegistry> TestRegion::NewRegistry() const {
  auto registry = std::make_unique<OrganisationRegistry>(
      std::vector<v1::TrustAnchor>{anchor_proto()});
  for (const auto& [id, admission] : admissions_) {
    auto installed = registry->Install(admission);
    if (!installed.ok()) std::abort();
  }
  return registry;
}

v1::SignedRecord TestRegion::SignEntry(v1::Entry entry, uint64_t hlc,
                                       const std::string& node_id) const {
  entry.mutable_version()->set_hlc(hlc);
  entry.mutable_version()->set_node_id(node_id);
  entry.set_region("AM30");
  return trust::SignEntry(entry, keys_.at(entry.organisation_id()));
}

}  // namespace kaartnet::trust::testing
