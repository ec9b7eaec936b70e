#include "interop/hsds.h"

#include <openssl/evp.h>

#include <array>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/hlc.h"
#include "common/reference_data.h"
#include "interop/spreadsheet.h"
#include "model/vocabulary.h"

namespace kaartnet::interop {
namespace {

using google::protobuf::EnumDescriptor;
using Json = nlohmann::json;

// kaartnet's UUID namespace (a random version-4 UUID, fixed forever).
constexpr std::array<uint8_t, 16> kNamespace = {
    0x5b, 0x0f, 0x7c, 0x1e, 0x3d, 0x2a, 0x4c, 0x8e,
    0x9f, 0x6b, 0x2a, 0x1d, 0x4e, 0x7c, 0x9b, 0x30};

// The taxonomies: enum-valued facts of an entry.
struct Taxonomy {
  const char* name;  // "kaartnet-soort"
  const char* title;
  const EnumDescriptor* (*type)();
};
const Taxonomy kTaxonomies[] = {
    {"kaartnet-soort", "Soort aanbod", v1::EntryKind_descriptor},
    {"kaartnet-interventie", "Interventie", v1::Intervention_descriptor},
    {"kaartnet-doelgroep", "Doelgroep", v1::TargetGroup_descriptor},
    {"kaartnet-regeling", "Regeling", v1::Regeling_descriptor},
    {"kaartnet-werkgeversaanbod", "Aanbod van werkgevers",
     v1::EmployerOffer_descriptor},
    {"kaartnet-keurmerk", "Keurmerk", v1::QualityMarkType_descriptor},
    {"kaartnet-organisatietype", "Soort organisatie",
     v1::OrganisationType_descriptor},
};
// Scalar facts, with a value.
constexpr const char* kFacts = "kaartnet-kenmerk";
const std::pair<const char*, const char*> kFactTerms[] = {
    {"accepting_new_clients", "Neemt nieuwe cliënten aan (true/false)"},
    {"wait_weeks", "Wachttijd in weken"},
    {"free_places", "Vrije plekken"},
    {"employer_sector", "SBI-sectie van de werkgever (A–U)"},
    {"employer_open_places", "Open plekken bij de werkgever"},
    {"de_normaalste_zaak", "Aangesloten bij De Normaalste Zaak"},
    {"uses_no_riskpolis", "Werkt met de no-riskpolis"},
    {"uses_loonkostensubsidie", "Werkt met loonkostensubsidie"},
    {"contact_public", "Contact is openbaar"},
};

std::string TaxonomyId(absl::string_view name) {
  return StableUuid(absl::StrCat("taxonomy:", name));
}

std::string TermId(absl::string_view taxonomy, absl::string_view code) {
  return StableUuid(absl::StrCat("term:", taxonomy, ":", code));
}

Json Term(absl::string_view taxonomy, absl::string_view code,
          absl::string_view name, absl::string_view description) {
  return {{"id", TermId(taxonomy, code)},
          {"code", std::string(code)},
          {"name", std::string(name)},
          {"description", std::string(description)},
          // The taxonomy by id only: HSDS 3.0 drafts differ on whether
          // "taxonomy" is a name or an object.
          {"taxonomy_id", TaxonomyId(taxonomy)},
          {"language", "nl"}};
}

Json EnumTerm(const Taxonomy& t, int value) {
  const EnumDescriptor* type = t.type();
  const std::string code = type->FindValueByNumber(value)->name();
  const std::string label = model::Label(type, value);
  return Term(t.name, code, label, absl::StrCat(t.title, ": ", label));
}

std::string FactDescription(absl::string_view code) {
  for (const auto& [c, d] : kFactTerms)
    if (code == c) return d;
  return std::string(code);
}

// An attribute linking `link_id` (of `entity`) to a term.
Json Attribute(absl::string_view link_id, absl::string_view entity,
               const Json& term, absl::string_view value) {
  Json a = {{"id", StableUuid(absl::StrCat("attribute:", link_id, ":",
                                           term["id"].get<std::string>()))},
            {"link_id", std::string(link_id)},
            {"link_type", entity == "service" ? "service_type" : "other"},
            {"link_entity", std::string(entity)},
            {"taxonomy_term_id", term["id"]},
            {"taxonomy_term", term}};
  if (!value.empty()) a["value"] = std::string(value);
  return a;
}

std::string DateOf(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

// Organisation types in Dutch for descriptions.
std::string TypeLabel(v1::OrganisationType type) {
  return model::Label(v1::OrganisationType_descriptor(), type);
}

// "Akerstraat 92" -> street, number.
std::pair<std::string, std::string> SplitAddress(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  const size_t space = line.rfind(' ');
  if (space != absl::string_view::npos && space + 1 < line.size() &&
      absl::ascii_isdigit(static_cast<unsigned char>(line[space + 1]))) {
    return {std::string(line.substr(0, space)),
            std::string(line.substr(space + 1))};
  }
  return {std::string(line), ""};
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

std::string StableUuid(absl::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kNamespace.data(), kNamespace.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    absl::StrAppendFormat(&out, "%02x", digest[i]);
  }
  return out;
}

std::string HsdsServiceId(absl::string_view entry_id) {
  return StableUuid(absl::StrCat("service:", entry_id));
}

Json HsdsOrganization(const v1::Organisation& org) {
  const std::string id =
      StableUuid(absl::StrCat("organization:", org.organisation_id()));
  std::string description = TypeLabel(org.type());
  if (const Arbeidsmarktregio* r =
          ReferenceData::Get().FindRegio(org.region())) {
    absl::StrAppend(&description, " in de arbeidsmarktregio ", r->naam);
  }
  Json o = {{"id", id},
            {"name", org.name()},
            {"alternate_name", org.organisation_id()},
            {"description", description}};
  if (!org.website().empty()) o["website"] = org.website();
  if (!org.kvk_number().empty()) {
    o["organization_identifiers"] = Json::array(
        {{{"id", StableUuid(absl::StrCat("kvk:", org.organisation_id()))},
          {"organization_id", id},
          {"identifier_scheme", "NL-KVK"},
          {"identifier_type", "Kamer van Koophandel"},
          {"identifier", org.kvk_number()}}});
  }
  const Taxonomy& types = kTaxonomies[6];
  o["attributes"] = Json::array(
      {Attribute(id, "organization", EnumTerm(types, org.type()), "")});
  return o;
}

Json HsdsService(const v1::Entry& e, const v1::Organisation* org,
                 absl::string_view base_url) {
  const std::string id = HsdsServiceId(e.id());
  const std::string org_id =
      StableUuid(absl::StrCat("organization:", e.organisation_id()));
  Json s = {{"id", id},
            {"organization_id", org_id},
            {"name", e.title()},
            {"status", "active"}};
  if (!e.description().empty()) s["description"] = e.description();
  if (!base_url.empty()) s["url"] = absl::StrCat(base_url, "/aanbod/", e.id());
  const auto& a = e.availability();
  s["wait_time"] = a.wait_weeks() == 0
                       ? std::string("geen wachttijd")
                       : absl::StrCat(a.wait_weeks(),
                                      a.wait_weeks() == 1 ? " week" : " weken");
  if (e.has_last_verified()) s["assured_date"] = DateOf(e.last_verified());
  if (e.version().hlc() != 0) {
    s["last_modified"] = absl::FormatTime(
        "%Y-%m-%dT%H:%M:%SZ", HybridLogicalClock::ToTime(e.version().hlc()),
        absl::UTCTimeZone());
  }
  std::vector<std::string> marks;
  for (const auto& m : e.quality_marks()) {
    std::string text =
        m.name().empty()
            ? model::Label(v1::QualityMarkType_descriptor(), m.type())
            : m.name();
    if (m.fidelity_score() != 0)
      absl::StrAppend(&text, " (score ", m.fidelity_score(), ")");
    marks.push_back(text);
  }
  if (!marks.empty()) s["accreditations"] = absl::StrJoin(marks, "; ");
  std::vector<std::string> groups;
  for (int g : e.target_groups())
    groups.push_back(model::Label(v1::TargetGroup_descriptor(), g));
  if (!groups.empty())
    s["eligibility_description"] =
        absl::StrCat("Voor: ", absl::StrJoin(groups, ", "));

  const ReferenceData& ref = ReferenceData::Get();
  Json areas = Json::array();
  auto add_area = [&](const std::string& code, const std::string& name,
                      const char* what, const char* extent_type) {
    areas.push_back(
        {{"id", StableUuid(absl::StrCat("area:", e.id(), ":", code))},
         {"service_id", id},
         {"name", name},
         {"description", absl::StrCat(what, " ", code)},
         {"extent", code},
         {"extent_type", extent_type}});
  };
  for (const std::string& code : e.service_area().gemeentecodes()) {
    const Gemeente* g = ref.FindGemeente(code);
    add_area(code, g ? g->naam : code, "gemeente", "cbs_gemeentecode");
  }
  for (const std::string& code : e.service_area().arbeidsmarktregio_codes()) {
    const Arbeidsmarktregio* r = ref.FindRegio(code);
    add_area(code, r ? r->naam : code, "arbeidsmarktregio",
             "arbeidsmarktregio");
  }
  s["service_areas"] = areas;

  Json at_locations = Json::array();
  for (int i = 0; i < e.locations_size(); ++i) {
    const v1::Location& l = e.locations(i);
    const std::string key = absl::StrCat(e.id(), "#", i);
    const std::string location_id = StableUuid(absl::StrCat("location:", key));
    const Gemeente* g = ref.FindGemeente(l.gemeentecode());
    Json location = {{"id", location_id},
                     {"location_type", "physical"},
                     {"organization_id", org_id},
                     {"name", l.name().empty() ? l.city() : l.name()}};
    if (!l.gemeentecode().empty()) {
      location["external_identifier"] = l.gemeentecode();
      location["external_identifier_type"] = "cbs_gemeentecode";
    }
    if (l.has_latitude() && l.has_longitude()) {
      location["latitude"] = l.latitude();
      location["longitude"] = l.longitude();
    }
    if (!l.city().empty() || !l.postcode().empty()) {
      std::string line = l.street();
      if (!l.house_number().empty())
        absl::StrAppend(&line, " ", l.house_number());
      location["addresses"] =
          Json::array({{{"id", StableUuid(absl::StrCat("address:", key))},
                        {"location_id", location_id},
                        {"address_1", line},
                        {"city", l.city()},
                        {"state_province", g ? g->provincie_naam : ""},
                        {"postal_code", l.postcode()},
                        {"country", "NL"},
                        {"address_type", "physical"}}});
    }
    at_locations.push_back(
        {{"id", StableUuid(absl::StrCat("service_at_location:", key))},
         {"service_id", id},
         {"location", location}});
  }
  s["service_at_locations"] = at_locations;

  Json contacts = Json::array();
  const Json public_term = Term(kFacts, "contact_public", "contact_public",
                                FactDescription("contact_public"));
  for (int i = 0; i < e.contacts_size(); ++i) {
    const v1::Contact& c = e.contacts(i);
    if (c.visibility() != v1::VISIBILITY_PUBLIC) continue;
    const std::string contact_id =
        StableUuid(absl::StrCat("contact:", e.id(), "#", i));
    Json contact = {{"id", contact_id}, {"service_id", id}};
    if (!c.name().empty()) contact["name"] = c.name();
    if (!c.role().empty()) contact["title"] = c.role();
    if (!c.email().empty()) contact["email"] = c.email();
    if (!c.phone().empty()) {
      contact["phones"] = Json::array(
          {{{"id", StableUuid(absl::StrCat("phone:", e.id(), "#", i))},
            {"contact_id", contact_id},
            {"number", c.phone()}}});
    }
    contact["attributes"] =
        Json::array({Attribute(contact_id, "contact", public_term, "true")});
    contacts.push_back(contact);
  }
  s["contacts"] = contacts;

  Json languages = Json::array();
  for (const std::string& code : e.languages()) {
    languages.push_back(
        {{"id", StableUuid(absl::StrCat("language:", e.id(), ":", code))},
         {"service_id", id},
         {"code", code}});
  }
  s["languages"] = languages;
  Json funding = Json::array();
  for (int f : e.funding()) {
    funding.push_back(
        {{"id", StableUuid(absl::StrCat("funding:", e.id(), ":", f))},
         {"service_id", id},
         {"source", model::Label(v1::Funding_descriptor(), f)}});
  }
  s["funding"] = funding;

  Json attributes = Json::array();
  auto add_enum = [&](const Taxonomy& t, int value, std::string v = "") {
    attributes.push_back(Attribute(id, "service", EnumTerm(t, value), v));
  };
  add_enum(kTaxonomies[0], e.kind());
  for (int v : e.interventions()) add_enum(kTaxonomies[1], v);
  for (int v : e.target_groups()) add_enum(kTaxonomies[2], v);
  for (int v : e.regelingen()) add_enum(kTaxonomies[3], v);
  for (const auto& m : e.quality_marks()) {
    std::string value = m.name();
    if (m.fidelity_score() != 0) {
      value = absl::StrCat(m.fidelity_score());
      if (m.has_assessed_on())
        absl::StrAppend(&value, " ", DateOf(m.assessed_on()));
    }
    add_enum(kTaxonomies[5], m.type(), value);
  }
  auto add_fact = [&](const char* code, const std::string& value) {
    attributes.push_back(Attribute(
        id, "service", Term(kFacts, code, code, FactDescription(code)), value));
  };
  add_fact("accepting_new_clients",
           a.accepting_new_clients() ? "true" : "false");
  add_fact("wait_weeks", absl::StrCat(a.wait_weeks()));
  if (a.free_places() != 0)
    add_fact("free_places", absl::StrCat(a.free_places()));
  if (e.has_employer()) {
    const v1::Employer& w = e.employer();
    for (int v : w.offers()) add_enum(kTaxonomies[4], v);
    add_fact("employer_sector", w.sector());
    add_fact("employer_open_places", absl::StrCat(w.open_places()));
    if (w.de_normaalste_zaak()) add_fact("de_normaalste_zaak", "true");
    if (w.uses_no_riskpolis()) add_fact("uses_no_riskpolis", "true");
    if (w.uses_loonkostensubsidie())
      add_fact("uses_loonkostensubsidie", "true");
  }
  s["attributes"] = attributes;
  if (org != nullptr) s["organization"] = HsdsOrganization(*org);
  return s;
}

Json HsdsTaxonomies() {
  Json out = Json::array();
  for (const Taxonomy& t : kTaxonomies) {
    out.push_back({{"id", TaxonomyId(t.name)},
                   {"name", t.name},
                   {"description", absl::StrCat(t.title,
                                                " (kaartnet; code = de waarde "
                                                "in kaartnet.v1)")},
                   {"version", "1"}});
  }
  out.push_back(
      {{"id", TaxonomyId(kFacts)},
       {"name", kFacts},
       {"description", "Kenmerken van een aanbod met een waarde (kaartnet)"},
       {"version", "1"}});
  return out;
}

Json HsdsTaxonomyTerms() {
  Json out = Json::array();
  for (const Taxonomy& t : kTaxonomies) {
    for (int v : model::EnumValues(t.type())) out.push_back(EnumTerm(t, v));
  }
  for (const auto& [code, description] : kFactTerms)
    out.push_back(Term(kFacts, code, code, description));
  return out;
}

Json HsdsDataset(const std::vector<v1::Entry>& entries,
                 const std::vector<v1::Organisation>& organisations,
                 absl::string_view base_url) {
  std::map<std::string, const v1::Organisation*> by_id;
  for (const auto& o : organisations) by_id[o.organisation_id()] = &o;
  Json orgs = Json::array();
  std::map<std::string, bool> used;
  Json services = Json::array();
  for (const v1::Entry& e : entries) {
    if (e.withdrawn()) continue;
    services.push_back(HsdsService(e, nullptr, base_url));
    used[e.organisation_id()] = true;
  }
  for (const auto& [id, _] : used) {
    if (auto it = by_id.find(id); it != by_id.end())
      orgs.push_back(HsdsOrganization(*it->second));
  }
  return {{"organizations", orgs},
          {"services", services},
          {"taxonomies", HsdsTaxonomies()},
          {"taxonomy_terms", HsdsTaxonomyTerms()}};
}

// ------------------------------------------------------------ import

namespace {

struct TermRef {
  std::string taxonomy;
  std::string code;
};

// Our taxonomies' names by id.
std::string TaxonomyNameOf(const Json& term) {
  static const auto* by_id = [] {
    auto* m = new std::map<std::string, std::string>;
    for (const Taxonomy& t : kTaxonomies) (*m)[TaxonomyId(t.name)] = t.name;
    (*m)[TaxonomyId(kFacts)] = kFacts;
    return m;
  }();
  if (auto it = term.find("taxonomy"); it != term.end()) {
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) return Str(*it, "name");
  }
  auto it = by_id->find(Str(term, "taxonomy_id"));
  return it == by_id->end() ? "" : it->second;
}

// A term's taxonomy and code: from the embedded term, or by id among ours.
std::optional<TermRef> TermOf(const Json& attribute) {
  static const auto* by_id = [] {
    auto* m = new std::map<std::string, TermRef>;
    for (const Json& t : HsdsTaxonomyTerms())
      (*m)[t["id"]] = {TaxonomyNameOf(t), t["code"]};
    return m;
  }();
  if (auto it = attribute.find("taxonomy_term");
      it != attribute.end() && it->is_object()) {
    TermRef ref{TaxonomyNameOf(*it), Str(*it, "code")};
    if (!ref.code.empty() && !ref.taxonomy.empty()) return ref;
  }
  auto it = by_id->find(Str(attribute, "taxonomy_term_id"));
  if (it != by_id->end()) return it->second;
  return std::nullopt;
}

class ServiceReader {
 public:
  ServiceReader(const Json& service, std::string where,
                const std::string& organisation_id,
                std::vector<HsdsProblem>* problems)
      : s_(service),
        where_(std::move(where)),
        org_(organisation_id),
        problems_(problems) {}

  void Problem(const std::string& path, std::string message) {
    problems_->push_back({absl::StrCat(where_, path), std::move(message)});
  }

  v1::Entry Read() {
    v1::Entry e;
    e.set_organisation_id(org_);
    e.set_title(Str(s_, "name"));
    e.set_description(Str(s_, "description"));
    // The id: from a kaartnet url of this organisation, else the name.
    const std::string url = Str(s_, "url");
    const size_t at = url.find("/aanbod/");
    std::string id;
    if (at != std::string::npos) {
      id = url.substr(at + 8);
      if (!absl::StartsWith(id, org_ + "/")) id.clear();
    }
    e.set_id(id.empty() ? absl::StrCat(org_, "/", Slugify(e.title())) : id);
    e.mutable_availability()->set_accepting_new_clients(true);
    Attributes(&e);
    Areas(&e);
    Locations(&e);
    Contacts(&e);
    for (const Json& l : Array("languages")) {
      const std::string code = absl::AsciiStrToLower(Str(l, "code"));
      if (!code.empty()) e.add_languages(code);
    }
    for (const Json& f : Array("funding")) {
      const std::string source = Str(f, "source");
      if (source.empty()) continue;
      bool found = false;
      for (int v : model::EnumValues(v1::Funding_descriptor())) {
        if (FoldForMatching(model::Label(v1::Funding_descriptor(), v)) ==
            FoldForMatching(source)) {
          e.add_funding(static_cast<v1::Funding>(v));
          found = true;
        }
      }
      if (!found)
        Problem(".funding",
                absl::StrCat("\"", source, "\" is geen bekende financiering"));
    }
    return e;
  }

 private:
  std::vector<Json> Array(const char* key) const {
    auto it = s_.find(key);
    if (it == s_.end() || !it->is_array()) return {};
    std::vector<Json> out;
    for (const Json& item : *it)
      if (item.is_object()) out.push_back(item);
    return out;
  }

  void Attributes(v1::Entry* e) {
    int i = -1;
    for (const Json& a : Array("attributes")) {
      ++i;
      auto term = TermOf(a);
      if (!term) continue;  // a term of another taxonomy: not ours to read
      const std::string value = Str(a, "value");
      const std::string path = absl::StrCat(".attributes[", i, "]");
      if (term->taxonomy == kFacts) {
        Fact(e, term->code, value, path);
        continue;
      }
      for (const Taxonomy& t : kTaxonomies) {
        if (term->taxonomy != t.name) continue;
        const auto* v = t.type()->FindValueByName(term->code);
        if (v == nullptr) {
          Problem(path, absl::StrCat("\"", term->code, "\" is geen waarde van ",
                                     t.name));
          break;
        }
        const int n = v->number();
        const std::string tax = t.name;
        if (tax == "kaartnet-soort") e->set_kind(static_cast<v1::EntryKind>(n));
        if (tax == "kaartnet-interventie")
          e->add_interventions(static_cast<v1::Intervention>(n));
        if (tax == "kaartnet-doelgroep")
          e->add_target_groups(static_cast<v1::TargetGroup>(n));
        if (tax == "kaartnet-regeling")
          e->add_regelingen(static_cast<v1::Regeling>(n));
        if (tax == "kaartnet-werkgeversaanbod")
          e->mutable_employer()->add_offers(static_cast<v1::EmployerOffer>(n));
        if (tax == "kaartnet-keurmerk") Mark(e, n, value, path);
        break;
      }
    }
  }

  void Mark(v1::Entry* e, int type, const std::string& value,
            const std::string& path) {
    v1::QualityMark* m = e->add_quality_marks();
    m->set_type(static_cast<v1::QualityMarkType>(type));
    std::vector<std::string> parts = absl::StrSplit(value, ' ');
    uint32_t score = 0;
    if (!parts.empty() && absl::SimpleAtoi(parts[0], &score)) {
      m->set_fidelity_score(score);
      absl::Time t;
      std::string error;
      if (parts.size() > 1 &&
          absl::ParseTime("%Y-%m-%d", parts[1], absl::UTCTimeZone(), &t,
                          &error)) {
        m->mutable_assessed_on()->set_seconds(absl::ToUnixSeconds(t));
      } else if (parts.size() > 1) {
        Problem(path, absl::StrCat("\"", parts[1], "\" is geen datum"));
      }
    } else {
      m->set_name(value);
    }
  }

  void Fact(v1::Entry* e, const std::string& code, const std::string& value,
            const std::string& path) {
    auto number = [&]() -> uint32_t {
      uint32_t n = 0;
      if (!absl::SimpleAtoi(value, &n))
        Problem(path, absl::StrCat(code, ": \"", value, "\" is geen getal"));
      return n;
    };
    const bool yes = value == "true" || value == "ja" || value == "1";
    if (code == "accepting_new_clients")
      e->mutable_availability()->set_accepting_new_clients(yes);
    else if (code == "wait_weeks")
      e->mutable_availability()->set_wait_weeks(number());
    else if (code == "free_places")
      e->mutable_availability()->set_free_places(number());
    else if (code == "employer_sector")
      e->mutable_employer()->set_sector(value);
    else if (code == "employer_open_places")
      e->mutable_employer()->set_open_places(number());
    else if (code == "de_normaalste_zaak")
      e->mutable_employer()->set_de_normaalste_zaak(yes);
    else if (code == "uses_no_riskpolis")
      e->mutable_employer()->set_uses_no_riskpolis(yes);
    else if (code == "uses_loonkostensubsidie")
      e->mutable_employer()->set_uses_loonkostensubsidie(yes);
  }

  void Areas(v1::Entry* e) {
    const ReferenceData& ref = ReferenceData::Get();
    int i = -1;
    for (const Json& area : Array("service_areas")) {
      ++i;
      const std::string extent = absl::AsciiStrToUpper(Str(area, "extent"));
      const std::string name = Str(area, "name");
      if (ref.FindGemeente(extent) != nullptr) {
        e->mutable_service_area()->add_gemeentecodes(extent);
      } else if (ref.FindRegio(extent) != nullptr) {
        e->mutable_service_area()->add_arbeidsmarktregio_codes(extent);
      } else if (const Gemeente* g = ref.FindGemeenteByName(name)) {
        e->mutable_service_area()->add_gemeentecodes(g->code);
      } else {
        bool found = false;
        for (const Arbeidsmarktregio& r : ref.regios()) {
          if (FoldForMatching(r.naam) == FoldForMatching(name)) {
            e->mutable_service_area()->add_arbeidsmarktregio_codes(r.code);
            found = true;
          }
        }
        if (!found) {
          Problem(absl::StrCat(".service_areas[", i, "]"),
                  absl::StrCat("\"", name,
                               "\" is geen gemeente of arbeidsmarktregio "
                               "(extent: GMxxxx of AMxx)"));
        }
      }
    }
  }

  void Locations(v1::Entry* e) {
    const ReferenceData& ref = ReferenceData::Get();
    for (const Json& sal : Array("service_at_locations")) {
      auto it = sal.find("location");
      if (it == sal.end() || !it->is_object()) continue;
      const Json& l = *it;
      v1::Location* loc = e->add_locations();
      loc->set_name(Str(l, "name"));
      if (auto a = l.find("addresses");
          a != l.end() && a->is_array() && !a->empty() && (*a)[0].is_object()) {
        const Json& address = (*a)[0];
        auto [street, number] = SplitAddress(Str(address, "address_1"));
        loc->set_street(street);
        loc->set_house_number(number);
        loc->set_postcode(Str(address, "postal_code"));
        loc->set_city(Str(address, "city"));
      }
      const std::string code =
          absl::AsciiStrToUpper(Str(l, "external_identifier"));
      if (ref.FindGemeente(code) != nullptr) {
        loc->set_gemeentecode(code);
      } else if (const Gemeente* g = ref.FindGemeenteByName(loc->city())) {
        loc->set_gemeentecode(g->code);
      }
      if (l.contains("latitude") && l["latitude"].is_number() &&
          l.contains("longitude") && l["longitude"].is_number()) {
        loc->set_latitude(l["latitude"].get<double>());
        loc->set_longitude(l["longitude"].get<double>());
      }
    }
  }

  void Contacts(v1::Entry* e) {
    for (const Json& c : Array("contacts")) {
      v1::Contact* contact = e->add_contacts();
      contact->set_name(Str(c, "name"));
      contact->set_role(Str(c, "title"));
      contact->set_email(Str(c, "email"));
      if (auto p = c.find("phones");
          p != c.end() && p->is_array() && !p->empty() && (*p)[0].is_object()) {
        contact->set_phone(Str((*p)[0], "number"));
      }
      contact->set_visibility(v1::VISIBILITY_PROFESSIONALS);
      if (auto a = c.find("attributes"); a != c.end() && a->is_array()) {
        for (const Json& attribute : *a) {
          if (!attribute.is_object()) continue;
          auto term = TermOf(attribute);
          if (term && term->taxonomy == kFacts &&
              term->code == "contact_public" &&
              Str(attribute, "value") != "false") {
            contact->set_visibility(v1::VISIBILITY_PUBLIC);
          }
        }
      }
    }
  }

  const Json& s_;
  const std::string where_;
  const std::string& org_;
  std::vector<HsdsProblem>* problems_;
};

}  // namespace

HsdsImport ParseHsds(absl::string_view json_text,
                     const std::string& organisation_id) {
  HsdsImport result;
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    result.problems.push_back({"", "geen geldige JSON"});
    return result;
  }
  const Json* services = &doc;
  std::string prefix = "services";
  Json single;
  if (doc.is_object()) {
    if (doc.contains("services") && doc["services"].is_array()) {
      services = &doc["services"];
    } else if (doc.contains("contents") && doc["contents"].is_array()) {
      services = &doc["contents"];
      prefix = "contents";
    } else {
      single = Json::array({doc});
      services = &single;
    }
  }
  if (!services->is_array()) {
    result.problems.push_back(
        {"",
         "verwacht een service, een lijst services of {\"services\": "
         "[...]}"});
    return result;
  }
  for (size_t i = 0; i < services->size(); ++i) {
    const Json& s = (*services)[i];
    const std::string where = absl::StrCat(prefix, "[", i, "]");
    if (!s.is_object()) {
      result.problems.push_back({where, "is geen object"});
      continue;
    }
    ServiceReader reader(s, where, organisation_id, &result.problems);
    result.entries.push_back({where, reader.Read()});
  }
  return result;
}

}  // namespace kaartnet::interop
