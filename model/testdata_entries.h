// Valid example entries for tests of every component.
#ifndef KAARTNET_MODEL_TESTDATA_ENTRIES_H_
#define KAARTNET_MODEL_TESTDATA_ENTRIES_H_

#include <string>

#include "kaartnet/v1/entry.pb.h"

namespace kaartnet::model::testdata {

// An IPS-trajectbegeleider of a GGZ-instelling in Heerlen, with a public and
// a professionals-only contact. Unsigned (no version, no region).
kaartnet::v1::Entry IpsHeerlen(const std::string& organisation_id = "mondriaan",
                               const std::string& slug = "ips-heerlen");

// A werkgever with garantiebanen in Maastricht.
kaartnet::v1::Entry WerkgeverMaastricht(
    const std::string& organisation_id = "azm",
    const std::string& slug = "garantiebanen");

}  // namespace kaartnet::model::testdata

#endif  // KAARTNET_MODEL_TESTDATA_ENTRIES_H_
