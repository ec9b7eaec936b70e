// Names and Dutch labels of the taxonomies (enums) of kaartnet.v1, shared by
// the CLI, the web page, search facets and the exports.
//
//   Label("ENTRY_KIND_IPS_TRAJECTBEGELEIDER") == "IPS-trajectbegeleider"
//   ShortName(EntryKind_descriptor(), 1) == "ips-trajectbegeleider"
//   ParseEnum(EntryKind_descriptor(), "IPS_trajectbegeleider") == 1
#ifndef KAARTNET_MODEL_VOCABULARY_H_
#define KAARTNET_MODEL_VOCABULARY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace kaartnet::model {

// Dutch display label of an enum value given by its full name; falls back to
// a readable form of the name.
std::string Label(absl::string_view full_value_name);
std::string Label(const google::protobuf::EnumDescriptor* type, int value);

// Lower-case value name without the enum's prefix, with dashes:
// "ENTRY_KIND_IPS_TRAJECTBEGELEIDER" -> "ips-trajectbegeleider".
std::string ShortName(const google::protobuf::EnumDescriptor* type, int value);

// Accepts the full name, the name without prefix, or the short name, in any
// case, with '-' or '_'. Refuses *_UNSPECIFIED and unknown names, listing the
// accepted ones.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view text);

// Every value of the enum except *_UNSPECIFIED, in declaration order.
std::vector<int> EnumValues(const google::protobuf::EnumDescriptor* type);

// Extra search words for an enum value (beyond its label), e.g.
// INTERVENTION_IPS -> "individuele plaatsing en steun".
std::string SearchTerms(absl::string_view full_value_name);

// Dutch name of an SBI section (Employer.sector, "A".."U"), "" when unknown:
// SectorLabel("I") == "Horeca".
std::string SectorLabel(absl::string_view letter);
// Extra search words for a sector: "I" -> "logies maaltijden dranken ...".
std::string SectorSearchTerms(absl::string_view letter);

// The ISO 639-1 language codes, sorted.
const std::vector<absl::string_view>& LanguageCodes();
// Whether `code` is an ISO 639-1 code (lower case).
bool IsLanguageCode(absl::string_view code);

}  // namespace kaartnet::model

#endif  // KAARTNET_MODEL_VOCABULARY_H_
