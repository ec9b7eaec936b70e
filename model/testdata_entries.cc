#include "model/testdata_entries.h"

#include "google/protobuf/text_format.h"

namespace kaartnet::model::testdata {
namespace {

v1::Entry FromText(const std::string& text) {
  v1::Entry entry;
  google::protobuf::TextFormat::ParseFromString(text, &entry);
  return entry;
}

}  // namespace

v1::Entry IpsHeerlen(const std::string& organisation_id,
                     const std::string& slug) {
  v1::Entry entry = FromText(R"pb(
    kind: ENTRY_KIND_IPS_TRAJECTBEGELEIDER
    title: "IPS-trajectbegeleiding FACT-team Heerlen"
    description: "Wij helpen mensen met een psychische aandoening aan betaald werk, volgens IPS.\nEerst plaatsen, dan trainen."
    interventions: [ INTERVENTION_IPS, INTERVENTION_JOBCOACHING ]
    target_groups: [ TARGET_GROUP_PSYCHOSE, TARGET_GROUP_PERSOONLIJKHEID ]
    regelingen: [ REGELING_PARTICIPATIEWET, REGELING_WIA ]
    service_area {
      gemeentecodes: [ "GM0917", "GM0928" ]
      arbeidsmarktregio_codes: "AM30"
    }
    locations {
      name: "Polikliniek Heerlen"
      street: "Akerstraat"
      house_number: "92"
      postcode: "6411 HB"
      city: "Heerlen"
      gemeentecode: "GM0917"
      latitude: 50.8853
      longitude: 5.9792
    }
    contacts {
      role: "aanmelding"
      phone: "045-1234567"
      email: "aanmelding@example.nl"
      visibility: VISIBILITY_PUBLIC
    }
    contacts {
      name: "Sanne Jacobs"
      role: "IPS-trajectbegeleider"
      phone: "06-12345678"
      visibility: VISIBILITY_PROFESSIONALS
    }
    availability { accepting_new_clients: true wait_weeks: 2 }
    funding: [ FUNDING_ZVW, FUNDING_GEMEENTE ]
    quality_marks {
      type: QUALITY_MARK_TYPE_IPS_FIDELITY
      fidelity_score: 105
      assessed_on { seconds: 1735689600 }
    }
    languages: [ "nl", "en" ]
    last_verified { seconds: 1767225600 }
  )pb");
  entry.set_organisation_id(organisation_id);
  entry.set_id(organisation_id + "/" + slug);
  return entry;
}

v1::Entry WerkgeverMaastricht(const std::string& organisation_id,
                              const std::string& slug) {
  v1::Entry entry = FromText(R"pb(
    kind: ENTRY_KIND_WERKGEVER
    title: "Garantiebanen in de zorg"
    description: "Werkplekken in de facilitaire dienst en de logistiek, met jobcoach."
    target_groups: TARGET_GROUP_IEDEREEN
    regelingen: [ REGELING_WAJONG, REGELING_PARTICIPATIEWET ]
    service_area { gemeentecodes: "GM0935" }
    locations {
      name: "Hoofdlocatie"
      city: "Maastricht"
      postcode: "6229 HX"
      gemeentecode: "GM0935"
    }
    contacts {
      role: "werkgeversservicepunt"
      email: "wsp@example.nl"
      visibility: VISIBILITY_PUBLIC
    }
    availability { accepting_new_clients: true free_places: 3 }
    employer {
      sector: "Q"
      offers: [ EMPLOYER_OFFER_GARANTIEBAAN, EMPLOYER_OFFER_PROEFPLAATSING ]
      de_normaalste_zaak: true
      open_places: 3
      uses_no_riskpolis: true
    }
    last_verified { seconds: 1767225600 }
  )pb");
  entry.set_organisation_id(organisation_id);
  entry.set_id(organisation_id + "/" + slug);
  return entry;
}

}  // namespace kaartnet::model::testdata
