#include "model/vocabulary.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace kaartnet::model {
namespace {

struct Term {
  const char* label;
  const char* search_terms;
};

const absl::flat_hash_map<std::string, Term>& Terms() {
  static const auto* terms = new absl::flat_hash_map<std::string, Term>{
      // EntryKind
      {"ENTRY_KIND_IPS_TRAJECTBEGELEIDER",
       {"IPS-trajectbegeleider",
        "ips individuele plaatsing en steun trajectbegeleider"}},
      {"ENTRY_KIND_JOBCOACH", {"Jobcoach", "jobcoach jobcoaching"}},
      {"ENTRY_KIND_ERVARINGSDESKUNDIGE",
       {"Ervaringsdeskundige", "ervaringsdeskundige ervaringsdeskundigheid"}},
      {"ENTRY_KIND_WERKGEVER", {"Werkgever", "werkgever werkplek"}},
      {"ENTRY_KIND_RE_INTEGRATIETRAJECT",
       {"Re-integratietraject", "re-integratie reintegratie traject"}},
      {"ENTRY_KIND_GGZ_TEAM",
       {"GGZ-team (FACT/ACT/POH-GGZ)", "ggz team fact act"}},
      {"ENTRY_KIND_ARBEIDSDESKUNDIGE",
       {"Arbeidsdeskundige", "arbeidsdeskundige"}},
      {"ENTRY_KIND_WERKGEVERSSERVICEPUNT",
       {"Werkgeversservicepunt", "werkgeversservicepunt wsp"}},
      {"ENTRY_KIND_CLIENTONDERSTEUNING",
       {"Cliëntondersteuning", "clientondersteuning onafhankelijke"}},
      {"ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG",
       {"Arbeidsmatige dagbesteding", "dagbesteding arbeidsmatig"}},
      {"ENTRY_KIND_SCHOLING", {"Scholing", "scholing opleiding training"}},
      // Intervention
      {"INTERVENTION_IPS", {"IPS", "ips individuele plaatsing en steun"}},
      {"INTERVENTION_SUPPORTED_EMPLOYMENT",
       {"Supported employment", "supported employment begeleid werken"}},
      {"INTERVENTION_JOBCOACHING", {"Jobcoaching", "jobcoaching jobcoach"}},
      {"INTERVENTION_JOBCARVING", {"Jobcarving", "jobcarving"}},
      {"INTERVENTION_JOBCREATION", {"Jobcreation", "jobcreation"}},
      {"INTERVENTION_JOBCRAFTING", {"Jobcrafting", "jobcrafting"}},
      {"INTERVENTION_IRB",
       {"IRB (individuele rehabilitatiebenadering)",
        "irb individuele rehabilitatiebenadering"}},
      {"INTERVENTION_EMPOWERMENT", {"Empowerment", "empowerment"}},
      {"INTERVENTION_FIT4WORK", {"Fit4Work", "fit4work"}},
      {"INTERVENTION_E_MENTAL_HEALTH",
       {"E-mental health", "e-mental health online"}},
      {"INTERVENTION_WERKPLEKDIAGNOSE",
       {"Werkplekdiagnose", "werkplekdiagnose"}},
      {"INTERVENTION_PEER_SUPPORT",
       {"Peer support (ervaringsdeskundigheid)",
        "peer support ervaringsdeskundigheid"}},
      {"INTERVENTION_WERKERVARINGSPLAATS",
       {"Werkervaringsplaats", "werkervaringsplaats"}},
      {"INTERVENTION_PROEFPLAATSING", {"Proefplaatsing", "proefplaatsing"}},
      {"INTERVENTION_SCHULDHULP_DOORVERWIJZING",
       {"Doorverwijzing schuldhulp",
        "schuldhulp schuldhulpverlening schulden"}},
      {"INTERVENTION_LOONWAARDEBEPALING",
       {"Loonwaardebepaling", "loonwaardebepaling loonwaarde"}},
      {"INTERVENTION_SOLLICITATIETRAINING",
       {"Sollicitatietraining", "sollicitatietraining solliciteren"}},
      {"INTERVENTION_HERSTELONDERSTEUNING",
       {"Herstelondersteuning", "herstelondersteuning herstel wrap"}},
      // TargetGroup
      {"TARGET_GROUP_PSYCHOSE", {"Psychose", "psychose psychotisch epa"}},
      {"TARGET_GROUP_ANGST_STEMMING",
       {"Angst- en stemmingsklachten", "angst depressie stemming burn-out"}},
      {"TARGET_GROUP_PERSOONLIJKHEID",
       {"Persoonlijkheidsproblematiek",
        "persoonlijkheid persoonlijkheidsstoornis"}},
      {"TARGET_GROUP_AUTISME", {"Autisme", "autisme ass"}},
      {"TARGET_GROUP_ADHD", {"ADHD", "adhd add"}},
      {"TARGET_GROUP_VERSLAVING", {"Verslaving", "verslaving verslavingszorg"}},
      {"TARGET_GROUP_LVB",
       {"Licht verstandelijke beperking (LVB)",
        "lvb licht verstandelijke beperking"}},
      {"TARGET_GROUP_JONGEREN", {"Jongeren", "jongeren jongere"}},
      {"TARGET_GROUP_TRAUMA", {"Trauma / PTSS", "trauma ptss"}},
      {"TARGET_GROUP_IEDEREEN", {"Iedereen", ""}},
      // Regeling
      {"REGELING_PARTICIPATIEWET",
       {"Participatiewet", "participatiewet bijstand"}},
      {"REGELING_WAJONG", {"Wajong", "wajong"}},
      {"REGELING_WIA", {"WIA", "wia wga"}},
      {"REGELING_WW", {"WW", "ww werkloosheidswet"}},
      {"REGELING_NUGGER",
       {"Niet-uitkeringsgerechtigde (nugger)",
        "nugger niet-uitkeringsgerechtigd"}},
      {"REGELING_PRAKTIJK_VSO",
       {"Praktijkonderwijs / VSO", "praktijkonderwijs vso"}},
      {"REGELING_ZIEKTEWET", {"Ziektewet", "ziektewet"}},
      // Funding
      {"FUNDING_GEMEENTE", {"Gemeente", ""}},
      {"FUNDING_UWV", {"UWV", ""}},
      {"FUNDING_ZVW", {"Zorgverzekeraar (Zvw)", ""}},
      {"FUNDING_WMO", {"Wmo", ""}},
      {"FUNDING_WERKGEVER", {"Werkgever", ""}},
      {"FUNDING_PGB", {"Persoonsgebonden budget (pgb)", ""}},
      // QualityMarkType
      {"QUALITY_MARK_TYPE_BLIK_OP_WERK",
       {"Blik op Werk", "blik op werk keurmerk"}},
      {"QUALITY_MARK_TYPE_NOLOC", {"Noloc", "noloc"}},
      {"QUALITY_MARK_TYPE_JOBCOACH_REGISTER",
       {"Beroepsregister Jobcoaches", "register jobcoach"}},
      {"QUALITY_MARK_TYPE_IPS_FIDELITY",
       {"IPS-modelgetrouwheid", "ips fidelity"}},
      {"QUALITY_MARK_TYPE_ISO_9001", {"ISO 9001", "iso 9001"}},
      {"QUALITY_MARK_TYPE_OTHER", {"Ander keurmerk", ""}},
      // EmployerOffer
      {"EMPLOYER_OFFER_GARANTIEBAAN",
       {"Garantiebaan", "garantiebaan banenafspraak"}},
      {"EMPLOYER_OFFER_WERKERVARINGSPLAATS",
       {"Werkervaringsplaats", "werkervaringsplaats"}},
      {"EMPLOYER_OFFER_PROEFPLAATSING", {"Proefplaatsing", "proefplaatsing"}},
      {"EMPLOYER_OFFER_JOBCARVING", {"Jobcarving", "jobcarving"}},
      {"EMPLOYER_OFFER_STAGE", {"Stage", "stage"}},
      // Visibility
      {"VISIBILITY_PUBLIC", {"Openbaar", ""}},
      {"VISIBILITY_PROFESSIONALS", {"Alleen professionals", ""}},
      // OrganisationType
      {"ORGANISATION_TYPE_GEMEENTE", {"Gemeente", "gemeente"}},
      {"ORGANISATION_TYPE_UWV", {"UWV", "uwv"}},
      {"ORGANISATION_TYPE_WERKBEDRIJF", {"Werkbedrijf", "werkbedrijf"}},
      {"ORGANISATION_TYPE_GGZ_INSTELLING",
       {"GGZ-instelling", "ggz instelling"}},
      {"ORGANISATION_TYPE_RCO",
       {"Regionale cliëntenorganisatie (RCO)", "rco clientenorganisatie"}},
      {"ORGANISATION_TYPE_HERSTELACADEMIE",
       {"Herstelacademie", "herstelacademie"}},
      {"ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF",
       {"Re-integratiebedrijf", "re-integratiebedrijf reintegratiebedrijf"}},
      {"ORGANISATION_TYPE_SW_BEDRIJF",
       {"Sw-bedrijf / leerwerkbedrijf", "sw-bedrijf sociale werkvoorziening"}},
      {"ORGANISATION_TYPE_WERKGEVER", {"Werkgever", "werkgever"}},
      {"ORGANISATION_TYPE_MEE_CLIENTONDERSTEUNING",
       {"MEE / cliëntondersteuning", "mee clientondersteuning"}},
      {"ORGANISATION_TYPE_HUISARTSENZORG",
       {"Huisartsenzorg", "huisarts poh-ggz"}},
      {"ORGANISATION_TYPE_ZORGVERZEKERAAR",
       {"Zorgverzekeraar", "zorgverzekeraar"}},
      {"ORGANISATION_TYPE_ONDERWIJS", {"Onderwijs", "onderwijs school"}},
      // FacetField
      {"FACET_FIELD_KIND", {"Soort", ""}},
      {"FACET_FIELD_INTERVENTION", {"Interventie", ""}},
      {"FACET_FIELD_TARGET_GROUP", {"Doelgroep", ""}},
      {"FACET_FIELD_REGELING", {"Regeling", ""}},
      {"FACET_FIELD_GEMEENTE", {"Gemeente", ""}},
      {"FACET_FIELD_ARBEIDSMARKTREGIO", {"Arbeidsmarktregio", ""}},
      {"FACET_FIELD_LANGUAGE", {"Taal", ""}},
      {"FACET_FIELD_FUNDING", {"Financiering", ""}},
      {"FACET_FIELD_ORGANISATION_TYPE", {"Type organisatie", ""}},
      {"FACET_FIELD_ACCEPTING_NEW_CLIENTS", {"Neemt nieuwe cliënten aan", ""}},
      {"FACET_FIELD_QUALITY_MARK", {"Keurmerk", ""}},
      {"FACET_FIELD_ORGANISATION", {"Organisatie", ""}},
  };
  return *terms;
}

// The enum's value prefix, e.g. "ENTRY_KIND_" for EntryKind.
std::string Prefix(const google::protobuf::EnumDescriptor* type) {
  const auto* unspecified = type->FindValueByNumber(0);
  if (unspecified != nullptr &&
      absl::EndsWith(unspecified->name(), "_UNSPECIFIED")) {
    return unspecified->name().substr(
        0, unspecified->name().size() - std::string("UNSPECIFIED").size());
  }
  return "";
}

std::string Normalize(absl::string_view text) {
  std::string out = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  absl::StrReplaceAll({{"-", "_"}, {" ", "_"}}, &out);
  return out;
}

}  // namespace

std::string Label(absl::string_view full_value_name) {
  auto it = Terms().find(full_value_name);
  if (it != Terms().end()) return it->second.label;
  std::string out = absl::AsciiStrToLower(full_value_name);
  absl::StrReplaceAll({{"_", " "}}, &out);
  return out;
}

std::string Label(const google::protobuf::EnumDescriptor* type, int value) {
  const auto* v = type->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : Label(v->name());
}

std::string ShortName(const google::protobuf::EnumDescriptor* type, int value) {
  const auto* v = type->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  std::string name = v->name();
  const std::string prefix = Prefix(type);
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  name = absl::AsciiStrToLower(name);
  absl::StrReplaceAll({{"_", "-"}}, &name);
  return name;
}

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* type,
                              absl::string_view text) {
  const std::string wanted = Normalize(text);
  const std::string prefix = Prefix(type);
  for (int i = 0; i < type->value_count(); ++i) {
    const auto* v = type->value(i);
    if (v->number() == 0) continue;
    if (v->name() == wanted || v->name() == prefix + wanted) return v->number();
  }
  std::vector<std::string> accepted;
  for (int value : EnumValues(type)) accepted.push_back(ShortName(type, value));
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a known ", type->name(),
                   " (one of: ", absl::StrJoin(accepted, ", "), ")"));
}

std::vector<int> EnumValues(const google::protobuf::EnumDescriptor* type) {
  std::vector<int> out;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) out.push_back(type->value(i)->number());
  }
  return out;
}

std::string SearchTerms(absl::string_view full_value_name) {
  auto it = Terms().find(full_value_name);
  return it == Terms().end() ? "" : it->second.search_terms;
}

namespace {

struct SectorName {
  const char* label;         // short name as used in the field
  const char* search_terms;  // the official SBI 2008 name and common words
};

// SBI 2008 sections (CBS), A..U.
const SectorName kSectorNames[] = {
    {"Landbouw en groen", "landbouw bosbouw visserij groen tuinbouw hovenier"},
    {"Delfstoffenwinning", "delfstoffen winning"},
    {"Industrie", "industrie productie fabriek"},
    {"Energievoorziening", "energie elektriciteit gas"},
    {"Water en afval", "waterbedrijven afvalbeheer afval recycling"},
    {"Bouw", "bouwnijverheid bouw"},
    {"Handel", "groothandel detailhandel winkel supermarkt handel"},
    {"Logistiek", "vervoer opslag transport logistiek"},
    {"Horeca", "logies maaltijden dranken horeca hotel restaurant cafe"},
    {"ICT en media", "informatie communicatie ict media"},
    {"Financiële dienstverlening",
     "financiele dienstverlening bank verzekeraar"},
    {"Vastgoed", "verhuur handel onroerend goed vastgoed"},
    {"Zakelijke dienstverlening", "specialistische zakelijke diensten advies"},
    {"Schoonmaak en facilitair",
     "verhuur overige zakelijke diensten schoonmaak facilitair uitzendbureau"},
    {"Overheid", "openbaar bestuur overheidsdiensten overheid gemeente"},
    {"Onderwijs", "onderwijs school"},
    {"Zorg en welzijn", "gezondheidszorg welzijnszorg zorg welzijn"},
    {"Cultuur, sport en recreatie", "cultuur sport recreatie"},
    {"Overige dienstverlening", "overige dienstverlening"},
    {"Huishoudens", "huishoudens als werkgever huishoudelijk"},
    {"Extraterritoriale organisaties", "extraterritoriale organisaties"},
};

const SectorName* FindSector(absl::string_view letter) {
  if (letter.size() != 1 || letter[0] < 'A' || letter[0] > 'U') return nullptr;
  return &kSectorNames[letter[0] - 'A'];
}

}  // namespace

std::string SectorLabel(absl::string_view letter) {
  const SectorName* s = FindSector(letter);
  return s == nullptr ? "" : s->label;
}

std::string SectorSearchTerms(absl::string_view letter) {
  const SectorName* s = FindSector(letter);
  return s == nullptr ? "" : s->search_terms;
}

const std::vector<absl::string_view>& LanguageCodes() {
  static const auto* codes = new std::vector<absl::string_view>{
      "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az",
      "ba", "be", "bg", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch",
      "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el",
      "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
      "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht",
      "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it",
      "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko",
      "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
      "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt",
      "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny",
      "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm",
      "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
      "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te",
      "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty",
      "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo",
      "za", "zh", "zu"};
  return *codes;
}

bool IsLanguageCode(absl::string_view code) {
  const auto& codes = LanguageCodes();
  return std::binary_search(codes.begin(), codes.end(), code);
}

}  // namespace kaartnet::model
