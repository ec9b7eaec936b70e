#include "model/validation.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"
#include "google/protobuf/util/time_util.h"
#include "model/vocabulary.h"

namespace kaartnet::model {
namespace {

using ::kaartnet::v1::Contact;
using ::kaartnet::v1::Entry;
using ::kaartnet::v1::Location;
using ::kaartnet::v1::QualityMark;
using ::kaartnet::v1::ServiceArea;

class Checker {
 public:
  explicit Checker(std::vector<FieldViolation>* out) : out_(out) {}

  void Add(const std::string& field, std::string reason) {
    out_->push_back({field, std::move(reason)});
  }

  // Plain text: valid UTF-8, no control characters, bounded length.
  void Text(const std::string& field, const std::string& value,
            size_t max_chars, bool allow_newline = false) {
    if (!IsValidUtf8(value)) {
      Add(field, "is not valid UTF-8");
      return;
    }
    if (HasControlCharacter(value, allow_newline)) {
      Add(field,
          allow_newline
              ? "contains a control character (only newlines are allowed)"
              : "contains a control character or newline");
    }
    const size_t chars = CodePointCount(value);
    if (chars > max_chars) {
      Add(field, absl::StrCat("is ", chars, " characters long; at most ",
                              max_chars, " allowed"));
    }
  }

  template <typename Repeated, typename IsValid>
  void EnumList(const std::string& field, const Repeated& values,
                IsValid is_valid) {
    std::set<int> seen;
    for (int i = 0; i < values.size(); ++i) {
      const int v = values[i];
      const std::string path = absl::StrCat(field, "[", i, "]");
      if (v == 0) {
        Add(path, "is unspecified; choose a value");
      } else if (!is_valid(v)) {
        Add(path, absl::StrCat(v, " is not a known value"));
      } else if (!seen.insert(v).second) {
        Add(path, "appears more than once");
      }
    }
  }

 private:
  std::vector<FieldViolation>* out_;
};

bool IsSlugChar(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
}

bool IsSlug(absl::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  if (s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), IsSlugChar);
}

bool IsGemeentecodeShape(absl::string_view code) {
  return code.size() == 6 && absl::StartsWith(code, "GM") &&
         std::all_of(code.begin() + 2, code.end(), absl::ascii_isdigit);
}

bool IsRegioCodeShape(absl::string_view code) {
  return code.size() == 4 && absl::StartsWith(code, "AM") &&
         absl::ascii_isdigit(code[2]) && absl::ascii_isdigit(code[3]);
}

bool IsEmail(absl::string_view email) {
  if (email.size() > 254 || email.size() < 6) return false;
  const size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 || email.rfind('@') != at)
    return false;
  const absl::string_view local = email.substr(0, at);
  const absl::string_view domain = email.substr(at + 1);
  if (local.size() > 64) return false;
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == ',' || c == ';' ||
        c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == '\\') {
      return false;
    }
  }
  const size_t dot = domain.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return false;
  const absl::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2 ||
      !std::all_of(tld.begin(), tld.end(), absl::ascii_isalpha)) {
    return false;
  }
  return !absl::StrContains(domain, "..") && domain.front() != '.' &&
         domain.front() != '-';
}

// Dutch phone numbers as people write them: "043-123 45 67", "+31 6 1234 5678",
// "0800-1234", or any international number with "+".
bool IsPhoneNumber(absl::string_view phone) {
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (absl::ascii_isdigit(c)) {
      digits += c;
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  if (plus) {
    if (absl::StartsWith(digits, "31")) return digits.size() == 11;
    return digits.size() >= 8 && digits.size() <= 15;
  }
  if (absl::StartsWith(digits, "0031")) return digits.size() == 13;
  if (absl::StartsWith(digits, "0800") || absl::StartsWith(digits, "0900")) {
    return digits.size() >= 8 && digits.size() <= 11;
  }
  if (absl::StartsWith(digits, "14") && digits.size() >= 5 &&
      digits.size() <= 7) {
    return true;  // gemeente short numbers, e.g. 14 043
  }
  return digits.size() == 10 && digits[0] == '0';
}

void CheckArea(Checker& check, const std::string& field,
               const ServiceArea& area, const ReferenceData& reference,
               bool required) {
  if (required && area.gemeentecodes().empty() &&
      area.arbeidsmarktregio_codes().empty()) {
    check.Add(field,
              "names no gemeente (GMxxxx) or arbeidsmarktregio (AMxx); name at "
              "least one");
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < area.gemeentecodes_size(); ++i) {
    const std::string& code = area.gemeentecodes(i);
    const std::string path = absl::StrCat(field, ".gemeentecodes[", i, "]");
    if (!IsGemeentecodeShape(code)) {
      check.Add(path,
                absl::StrCat("\"", code,
                             "\" is not a gemeentecode (GM and 4 digits)"));
    } else if (reference.FindGemeente(code) == nullptr) {
      check.Add(path,
                absl::StrCat("\"", code, "\" is not a current Dutch gemeente"));
    } else if (!seen.insert(code).second) {
      check.Add(path, "appears more than once");
    }
  }
  for (int i = 0; i < area.arbeidsmarktregio_codes_size(); ++i) {
    const std::string& code = area.arbeidsmarktregio_codes(i);
    const std::string path =
        absl::StrCat(field, ".arbeidsmarktregio_codes[", i, "]");
    if (!IsRegioCodeShape(code)) {
      check.Add(path,
                absl::StrCat(
                    "\"", code,
                    "\" is not an arbeidsmarktregio code (AM and 2 digits)"));
    } else if (reference.FindRegio(code) == nullptr) {
      check.Add(path,
                absl::StrCat("\"", code,
                             "\" is not one of the 35 arbeidsmarktregio's"));
    } else if (!seen.insert(code).second) {
      check.Add(path, "appears more than once");
    }
  }
}

void CheckLocation(Checker& check, const std::string& field,
                   const Location& loc, const ReferenceData& reference) {
  check.Text(field + ".name", loc.name(), kMaxShortTextChars);
  check.Text(field + ".street", loc.street(), kMaxShortTextChars);
  check.Text(field + ".house_number", loc.house_number(), 12);
  check.Text(field + ".city", loc.city(), 100);
  if (loc.city().empty()) check.Add(field + ".city", "is required");
  if (!loc.postcode().empty() && !IsDutchPostcode(loc.postcode())) {
    check.Add(field + ".postcode",
              absl::StrCat("\"", loc.postcode(),
                           "\" is not a Dutch postcode (1234 AB)"));
  }
  if (!loc.house_number().empty()) {
    if (loc.street().empty()) {
      check.Add(field + ".street", "is required when a house number is given");
    }
    if (!absl::ascii_isdigit(loc.house_number()[0]) ||
        loc.house_number()[0] == '0') {
      check.Add(field + ".house_number",
                absl::StrCat("\"", loc.house_number(),
                             "\" must start with a number, e.g. 12 or 12a"));
    }
  }
  if (loc.gemeentecode().empty()) {
    check.Add(field + ".gemeentecode", "is required (GMxxxx of the location)");
  } else if (!IsGemeentecodeShape(loc.gemeentecode()) ||
             reference.FindGemeente(loc.gemeentecode()) == nullptr) {
    check.Add(field + ".gemeentecode",
              absl::StrCat("\"", loc.gemeentecode(),
                           "\" is not a current Dutch gemeente"));
  }
  if (loc.has_latitude() != loc.has_longitude()) {
    check.Add(field + (loc.has_latitude() ? ".longitude" : ".latitude"),
              "latitude and longitude go together; give both or neither");
  } else if (loc.has_latitude()) {
    // Generous box around the Netherlands (incl. the Wadden islands).
    if (!(loc.latitude() >= 50.70 && loc.latitude() <= 53.70)) {
      check.Add(field + ".latitude",
                absl::StrCat(loc.latitude(),
                             " lies outside the Netherlands (50.70–53.70)"));
    }
    if (!(loc.longitude() >= 3.20 && loc.longitude() <= 7.30)) {
      check.Add(field + ".longitude",
                absl::StrCat(loc.longitude(),
                             " lies outside the Netherlands (3.20–7.30)"));
    }
  }
}

void CheckContact(Checker& check, const std::string& field,
                  const Contact& contact) {
  check.Text(field + ".name", contact.name(), 100);
  check.Text(field + ".role", contact.role(), 100);
  if (contact.name().empty() && contact.role().empty()) {
    check.Add(field, "needs a name or a role (e.g. \"aanmelding\")");
  }
  if (contact.phone().empty() && contact.email().empty()) {
    check.Add(field, "needs a phone number or an e-mail address");
  }
  if (!contact.phone().empty() && !IsPhoneNumber(contact.phone())) {
    check.Add(
        field + ".phone",
        absl::StrCat(
            "\"", contact.phone(),
            "\" is not a phone number (e.g. 043-1234567 or +31 6 12345678)"));
  }
  if (!contact.email().empty() && !IsEmail(contact.email())) {
    check.Add(field + ".email", absl::StrCat("\"", contact.email(),
                                             "\" is not an e-mail address"));
  }
  if (contact.visibility() == v1::VISIBILITY_UNSPECIFIED) {
    check.Add(
        field + ".visibility",
        "is unspecified; choose VISIBILITY_PUBLIC or VISIBILITY_PROFESSIONALS");
  } else if (!v1::Visibility_IsValid(contact.visibility())) {
    check.Add(field + ".visibility", "is not a known value");
  }
}

void CheckQualityMark(Checker& check, const std::string& field,
                      const QualityMark& mark, absl::Time now) {
  check.Text(field + ".name", mark.name(), kMaxShortTextChars);
  if (mark.type() == v1::QUALITY_MARK_TYPE_UNSPECIFIED) {
    check.Add(field + ".type", "is unspecified; choose a quality mark");
    return;
  }
  if (!v1::QualityMarkType_IsValid(mark.type())) {
    check.Add(field + ".type", "is not a known value");
    return;
  }
  if (mark.type() == v1::QUALITY_MARK_TYPE_OTHER && mark.name().empty()) {
    check.Add(field + ".name", "is required for QUALITY_MARK_TYPE_OTHER");
  }
  if (mark.type() == v1::QUALITY_MARK_TYPE_IPS_FIDELITY) {
    if (mark.fidelity_score() < 25 || mark.fidelity_score() > 125) {
      check.Add(field + ".fidelity_score",
                absl::StrCat(mark.fidelity_score(),
                             " is not an IPS-25 fidelity score (25–125)"));
    }
    if (!mark.has_assessed_on()) {
      check.Add(field + ".assessed_on",
                "is required for an IPS fidelity review");
    }
  } else if (mark.fidelity_score() != 0) {
    check.Add(field + ".fidelity_score",
              "only applies to QUALITY_MARK_TYPE_IPS_FIDELITY");
  }
  if (mark.has_assessed_on()) {
    const absl::Time t = absl::FromUnixSeconds(mark.assessed_on().seconds());
    if (t > now + absl::Hours(24)) {
      check.Add(field + ".assessed_on", "lies in the future");
    }
  }
}

void CheckCommonIdentity(Checker& check, const Entry& entry) {
  if (entry.organisation_id().empty()) {
    check.Add("organisation_id", "is required");
  } else if (!IsOrganisationId(entry.organisation_id())) {
    check.Add(
        "organisation_id",
        absl::StrCat("\"", entry.organisation_id(),
                     "\" is not an organisation id (2–64 lower-case letters, "
                     "digits and dashes)"));
  }
  if (entry.id().empty()) {
    check.Add("id", "is required (\"<organisation_id>/<slug>\")");
  } else if (!IsEntryId(entry.id())) {
    check.Add("id", absl::StrCat(
                        "\"", entry.id(),
                        "\" is not an entry id (\"<organisation_id>/<slug>\", "
                        "lower-case letters, digits and dashes)"));
  } else if (!entry.organisation_id().empty() &&
             !absl::StartsWith(entry.id(), entry.organisation_id() + "/")) {
    check.Add("id", absl::StrCat("must start with the organisation id: \"",
                                 entry.organisation_id(), "/...\""));
  }
}

void CheckSignedFields(Checker& check, const Entry& entry, EntryOrigin origin) {
  if (origin == EntryOrigin::kUnsigned) {
    if (entry.has_version())
      check.Add("version", "is set by the node; leave it empty");
    if (entry.withdrawn())
      check.Add("withdrawn", "use Withdraw to withdraw an entry");
    if (entry.erased())
      check.Add("erased", "use Withdraw with erase to erase an entry");
    return;
  }
  if (!entry.has_version() || entry.version().hlc() == 0) {
    check.Add("version.hlc", "is required in a signed record");
  }
  if (entry.version().node_id().empty()) {
    check.Add("version.node_id", "is required in a signed record");
  } else if (!IsSlug(entry.version().node_id(), 1, 64)) {
    check.Add("version.node_id",
              "is not a node id (lower-case letters, digits, dashes)");
  }
  if (entry.region().empty()) {
    check.Add("region", "is required in a signed record");
  } else if (!IsRegioCodeShape(entry.region())) {
    check.Add("region", absl::StrCat("\"", entry.region(),
                                     "\" is not a region code (AMxx)"));
  }
}

}  // namespace

bool IsEntryId(absl::string_view id) {
  const size_t slash = id.find('/');
  if (slash == absl::string_view::npos) return false;
  return IsOrganisationId(id.substr(0, slash)) &&
         IsSlug(id.substr(slash + 1), 1, 64);
}

bool IsOrganisationId(absl::string_view id) { return IsSlug(id, 2, 64); }

std::string NormalizePostcode(absl::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += absl::ascii_toupper(c);
  }
  if (compact.size() != 6) return "";
  for (int i = 0; i < 4; ++i) {
    if (!absl::ascii_isdigit(compact[i])) return "";
  }
  if (compact[0] == '0') return "";
  if (!absl::ascii_isupper(compact[4]) || !absl::ascii_isupper(compact[5]))
    return "";
  const std::string letters = compact.substr(4);
  // PostNL never issues these letter pairs.
  if (letters == "SA" || letters == "SD" || letters == "SS") return "";
  return compact.substr(0, 4) + " " + letters;
}

bool IsDutchPostcode(absl::string_view text) {
  return !NormalizePostcode(text).empty() && text.size() == 7 &&
         text[4] == ' ' && absl::ascii_isupper(text[5]) &&
         absl::ascii_isupper(text[6]);
}

void Normalize(v1::Entry* entry) {
  auto trim = [](std::string* s) {
    absl::string_view stripped = absl::StripAsciiWhitespace(*s);
    if (stripped.size() != s->size()) *s = std::string(stripped);
  };
  trim(entry->mutable_id());
  trim(entry->mutable_organisation_id());
  trim(entry->mutable_title());
  absl::StrReplaceAll({{"\r\n", "\n"}}, entry->mutable_description());
  trim(entry->mutable_description());
  for (auto& code : *entry->mutable_service_area()->mutable_gemeentecodes()) {
    trim(&code);
    absl::AsciiStrToUpper(&code);
  }
  for (auto& code :
       *entry->mutable_service_area()->mutable_arbeidsmarktregio_codes()) {
    trim(&code);
    absl::AsciiStrToUpper(&code);
  }
  for (auto& loc : *entry->mutable_locations()) {
    trim(loc.mutable_name());
    trim(loc.mutable_street());
    trim(loc.mutable_house_number());
    trim(loc.mutable_city());
    trim(loc.mutable_gemeentecode());
    absl::AsciiStrToUpper(loc.mutable_gemeentecode());
    const std::string postcode = NormalizePostcode(loc.postcode());
    if (!postcode.empty()) loc.set_postcode(postcode);
  }
  for (auto& contact : *entry->mutable_contacts()) {
    trim(contact.mutable_name());
    trim(contact.mutable_role());
    trim(contact.mutable_phone());
    trim(contact.mutable_email());
  }
  for (auto& lang : *entry->mutable_languages()) {
    trim(&lang);
    absl::AsciiStrToLower(&lang);
  }
  if (entry->has_employer()) {
    trim(entry->mutable_employer()->mutable_sector());
    absl::AsciiStrToUpper(entry->mutable_employer()->mutable_sector());
  }
}

std::vector<FieldViolation> ValidateEntry(const v1::Entry& entry,
                                          EntryOrigin origin, absl::Time now,
                                          const ReferenceData& reference) {
  std::vector<FieldViolation> violations;
  Checker check(&violations);

  const size_t bytes = entry.ByteSizeLong();
  if (bytes > kMaxEntryBytes) {
    check.Add("", absl::StrCat("entry is ", bytes, " bytes; at most ",
                               kMaxEntryBytes, " allowed"));
  }
  CheckCommonIdentity(check, entry);
  CheckSignedFields(check, entry, origin);

  if (entry.kind() == v1::ENTRY_KIND_UNSPECIFIED) {
    check.Add("kind", "is required (e.g. ENTRY_KIND_JOBCOACH)");
  } else if (!v1::EntryKind_IsValid(entry.kind())) {
    check.Add("kind", absl::StrCat(entry.kind(), " is not a known kind"));
  }

  check.Text("title", entry.title(), kMaxTitleChars);
  if (CodePointCount(entry.title()) < kMinTitleChars) {
    check.Add("title", absl::StrCat("is required, at least ", kMinTitleChars,
                                    " characters"));
  }
  check.Text("description", entry.description(), kMaxDescriptionChars,
             /*allow_newline=*/true);

  check.EnumList("interventions", entry.interventions(),
                 v1::Intervention_IsValid);
  check.EnumList("target_groups", entry.target_groups(),
                 v1::TargetGroup_IsValid);
  check.EnumList("regelingen", entry.regelingen(), v1::Regeling_IsValid);
  check.EnumList("funding", entry.funding(), v1::Funding_IsValid);

  CheckArea(check, "service_area", entry.service_area(), reference,
            /*required=*/true);

  if (entry.locations_size() > kMaxLocations) {
    check.Add("locations",
              absl::StrCat(entry.locations_size(), " locations; at most ",
                           kMaxLocations, " allowed"));
  } else {
    for (int i = 0; i < entry.locations_size(); ++i) {
      CheckLocation(check, absl::StrCat("locations[", i, "]"),
                    entry.locations(i), reference);
    }
  }
  if (entry.contacts_size() > kMaxContacts) {
    check.Add("contacts",
              absl::StrCat(entry.contacts_size(), " contacts; at most ",
                           kMaxContacts, " allowed"));
  } else {
    for (int i = 0; i < entry.contacts_size(); ++i) {
      CheckContact(check, absl::StrCat("contacts[", i, "]"), entry.contacts(i));
    }
  }

  if (entry.availability().wait_weeks() > kMaxWaitWeeks) {
    check.Add("availability.wait_weeks",
              absl::StrCat(entry.availability().wait_weeks(),
                           " weeks; at most ", kMaxWaitWeeks, " (two years)"));
  }

  for (int i = 0; i < entry.quality_marks_size(); ++i) {
    CheckQualityMark(check, absl::StrCat("quality_marks[", i, "]"),
                     entry.quality_marks(i), now);
  }

  absl::flat_hash_set<std::string> languages;
  for (int i = 0; i < entry.languages_size(); ++i) {
    const std::string& lang = entry.languages(i);
    const std::string path = absl::StrCat("languages[", i, "]");
    if (!IsLanguageCode(lang)) {
      check.Add(path,
                absl::StrCat(
                    "\"", lang,
                    "\" is not an ISO 639-1 language code (e.g. nl, en, ar)"));
    } else if (!languages.insert(lang).second) {
      check.Add(path, "appears more than once");
    }
  }

  const bool is_employer = entry.kind() == v1::ENTRY_KIND_WERKGEVER;
  if (entry.has_employer() && !is_employer) {
    check.Add(
        "employer",
        "only entries of kind ENTRY_KIND_WERKGEVER have employer details");
  }
  if (is_employer && !entry.has_employer()) {
    check.Add("employer",
              "is required for kind ENTRY_KIND_WERKGEVER (sector and offers)");
  }
  if (entry.has_employer()) {
    const std::string& sector = entry.employer().sector();
    if (sector.size() != 1 || sector[0] < 'A' || sector[0] > 'U') {
      check.Add(
          "employer.sector",
          absl::StrCat("\"", sector, "\" is not an SBI section letter (A–U)"));
    }
    check.EnumList("employer.offers", entry.employer().offers(),
                   v1::EmployerOffer_IsValid);
  }

  if (entry.has_last_verified()) {
    const absl::Time t = absl::FromUnixSeconds(entry.last_verified().seconds());
    if (t > now + absl::Hours(24)) {
      check.Add("last_verified", "lies in the future");
    } else if (t < absl::FromCivil(absl::CivilDay(2000, 1, 1),
                                   absl::UTCTimeZone())) {
      check.Add("last_verified", "lies before 2000");
    }
  }
  return violations;
}

std::vector<FieldViolation> ValidateTombstone(const v1::Entry& entry) {
  std::vector<FieldViolation> violations;
  Checker check(&violations);
  CheckCommonIdentity(check, entry);
  CheckSignedFields(check, entry, EntryOrigin::kSigned);
  if (!entry.withdrawn())
    check.Add("withdrawn", "must be true in a withdrawal");
  v1::Entry content = entry;
  content.clear_id();
  content.clear_organisation_id();
  content.clear_version();
  content.clear_region();
  content.clear_withdrawn();
  content.clear_erased();
  if (content.ByteSizeLong() != 0) {
    check.Add("",
              "a withdrawn entry carries no content (only id, organisation_id, "
              "version and region)");
  }
  return violations;
}

absl::Status ToStatus(const std::vector<FieldViolation>& violations) {
  if (violations.empty()) return absl::OkStatus();
  return InvalidArgumentWithViolations("entry refused", violations);
}

std::vector<std::string> ExpandArea(const v1::ServiceArea& area,
                                    const ReferenceData& reference) {
  std::set<std::string> codes(area.gemeentecodes().begin(),
                              area.gemeentecodes().end());
  for (const std::string& am : area.arbeidsmarktregio_codes()) {
    if (const Arbeidsmarktregio* regio = reference.FindRegio(am)) {
      codes.insert(regio->gemeentecodes.begin(), regio->gemeentecodes.end());
    }
  }
  return {codes.begin(), codes.end()};
}

bool IsStale(const v1::Entry& entry, absl::Time now, absl::Duration freshness) {
  if (!entry.has_last_verified()) return true;
  const absl::Time verified =
      absl::FromUnixSeconds(entry.last_verified().seconds());
  return now - verified > freshness;
}

}  // namespace kaartnet::model
