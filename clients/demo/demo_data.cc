#include "clients/demo/demo_data.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/reference_data.h"
#include "google/protobuf/util/json_util.h"
#include "trust/signing.h"

namespace kaartnet::demo {
namespace {

using v1::Entry;
using v1::EntryKind;

// ---------------------------------------------------------------- helpers

std::string Slug(absl::string_view text) {
  std::string folded = FoldForMatching(text);
  std::string out;
  for (char c : folded) {
    if (absl::ascii_isalnum(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

uint64_t Hash64(absl::string_view text) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string SeedFor(uint64_t seed, absl::string_view what) {
  Random r(seed ^ Hash64(what));
  std::string out(32, '\0');
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t v = r.Next();
    for (int b = 0; b < 8; ++b)
      out[i + b] = static_cast<char>((v >> (8 * b)) & 0xff);
  }
  return out;
}

std::string Fill(std::string text,
                 const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    absl::StrReplaceAll({{absl::StrCat("{", key, "}"), value}}, &text);
  }
  return text;
}

// ---------------------------------------------------------------- vocabulary

const std::vector<std::string> kFirstNames = {
    "Sanne",   "Lotte",  "Emma",   "Anouk",   "Fleur",   "Iris",    "Noor",
    "Eva",     "Sophie", "Daan",   "Bram",    "Luuk",    "Thijs",   "Jeroen",
    "Mark",    "Ruud",   "Pieter", "Hanneke", "Marloes", "Yasmina", "Fatima",
    "Mohamed", "Ahmed",  "Emre",   "Kerem",   "Wouter",  "Joris",   "Maud",
    "Esther",  "Ingrid", "Karin",  "Marieke", "Mustafa", "Nadia",   "Rachid",
    "Sven",    "Tom",    "Koen",   "Stefan",  "Maartje", "Linda",   "Roel",
    "Femke",   "Jos",    "Mieke",  "Hans",    "Petra",   "Bas"};
const std::vector<std::string> kLastNames = {
    "Jansen",   "de Vries",  "van den Berg", "Bakker",  "Visser",   "Smeets",
    "Janssen",  "Peters",    "Hendriks",     "Dekker",  "Brouwers", "Vliegen",
    "Schreurs", "Kessels",   "Frissen",      "Hermans", "Wetzels",  "Bosch",
    "Meertens", "Claessens", "el Amrani",    "Yilmaz",  "Öztürk",   "Mulder",
    "Willems",  "Gerards",   "Coenen",       "Lemmens", "Beckers",  "Houben",
    "Ramakers", "Ploumen",   "Vaessen",      "Ernst",   "Bemelmans"};
const std::vector<std::string> kStreets = {"Kerkstraat",
                                           "Markt",
                                           "Stationsstraat",
                                           "Akerstraat",
                                           "Wilhelminastraat",
                                           "Nieuwstraat",
                                           "Molenweg",
                                           "Rijksweg",
                                           "Dorpstraat",
                                           "Schoolstraat",
                                           "Julianastraat",
                                           "Emmaweg",
                                           "Parallelweg",
                                           "Industrieweg",
                                           "Hoofdstraat",
                                           "Beatrixlaan",
                                           "Oranjeplein",
                                           "Bernhardlaan",
                                           "Zandweg",
                                           "Raadhuisplein",
                                           "Kloosterweg",
                                           "Prins Hendriklaan",
                                           "Burgemeester de Bruynlaan",
                                           "Stadhouderslaan"};

struct Sector {
  const char* letter;
  const char* name;       // "de zorg"
  const char* functions;  // example jobs
  const char* employer;   // kind of employer for names
};
const std::vector<Sector> kSectors = {
    {"Q", "zorg",
     "facilitair medewerker, gastvrouw, logistiek medewerker op de afdeling",
     "Zorggroep"},
    {"G", "detailhandel", "vakkenvuller, medewerker magazijn, kassamedewerker",
     "Supermarkt"},
    {"H", "logistiek", "orderpicker, inpakker, chauffeur bijrijder",
     "Logistiek"},
    {"I", "horeca", "afwasser, medewerker bediening, keukenhulp", "Hotel"},
    {"C", "industrie", "productiemedewerker, inpakker, operator",
     "Metaalbewerking"},
    {"F", "bouw", "hulptimmerman, terreinmedewerker, schoonmaker bouwplaats",
     "Bouwbedrijf"},
    {"N", "schoonmaak en facilitair",
     "schoonmaker, postbezorger intern, receptie", "Facilitair"},
    {"O", "overheid", "archiefmedewerker, medewerker post, groenonderhoud",
     "Gemeentelijke dienst"},
    {"A", "groen en landbouw", "hovenier, medewerker kas, dierverzorger",
     "Kwekerij"},
    {"J", "ICT", "testmedewerker software, data-invoer, helpdesk",
     "Softwarehuis"},
};

const std::vector<std::string> kExtraLanguages = {"en", "ar", "tr", "pl",
                                                  "de", "ti", "so", "fr"};
const std::vector<double> kExtraLanguageChance = {0.20, 0.06,  0.06, 0.04,
                                                  0.05, 0.015, 0.01, 0.02};

const std::vector<std::string> kReintegratieNames = {
    "Werkfit",       "Perspectief", "Loopbaan & Co", "Stap Verder",
    "De Werkplaats", "Kompas Werk", "Vooruit",       "Arbeidsrijk",
    "Bindkracht",    "Werkwijzer",  "Talentwerk",    "Sterk in Werk"};

const std::map<std::string, std::string> kLanguageNames = {
    {"en", "Engels"}, {"ar", "Arabisch"}, {"tr", "Turks"},     {"pl", "Pools"},
    {"de", "Duits"},  {"ti", "Tigrinya"}, {"so", "Somalisch"}, {"fr", "Frans"}};

// Description sentences per kind. Placeholders: {place}, {regio}, {org},
// {team}, {sector}, {functions}, {languages}, {activity}.
const std::map<EntryKind, std::vector<std::string>> kSentences = {
    {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER,
     {"Wij begeleiden mensen met ernstige psychische aandoeningen naar betaald "
      "werk volgens de "
      "IPS-methode.",
      "De trajectbegeleider maakt deel uit van het {team} en werkt nauw samen "
      "met de "
      "behandelaar.",
      "Eerst plaatsen, dan trainen: we zoeken samen met de cliënt direct naar "
      "een passende baan "
      "bij een reguliere werkgever.",
      "Ook na plaatsing blijft de begeleiding beschikbaar, zo lang als nodig.",
      "Aanmelding loopt via de regiebehandelaar of de klantmanager van de "
      "gemeente.",
      "We werken samen met het werkgeversservicepunt {regio} en met UWV.",
      "Er is aandacht voor de combinatie van werk, herstel en uitkering.",
      "Cliënten met een psychose, bipolaire stoornis of "
      "persoonlijkheidsproblematiek zijn "
      "welkom.",
      "De begeleiding is kosteloos voor de cliënt.",
      "Ook begeleiding bij het behouden van werk en bij een opleiding "
      "(IPS-onderwijs).",
      "Het team heeft een goede score op de IPS-modelgetrouwheidsschaal."}},
    {v1::ENTRY_KIND_GGZ_TEAM,
     {"Het {team} biedt behandeling en begeleiding aan huis voor mensen met "
      "ernstige "
      "psychiatrische aandoeningen.",
      "In het team werken een psychiater, verpleegkundigen, een "
      "ervaringsdeskundige en een "
      "IPS-trajectbegeleider samen.",
      "Werk en dagbesteding zijn vast onderdeel van het behandelplan.",
      "Wij werken wijkgericht in {place} en omgeving.",
      "Voor crisis is de GGZ 24 uur per dag bereikbaar via de huisarts.",
      "Verwijzing via de huisarts of de POH-GGZ."}},
    {v1::ENTRY_KIND_JOBCOACH,
     {"Onze jobcoaches begeleiden werknemers met een arbeidsbeperking op de "
      "werkplek.",
      "We helpen bij het inwerken, het structureren van taken en het gesprek "
      "met de "
      "leidinggevende.",
      "Jobcoaching wordt vergoed door UWV of de gemeente; wij regelen de "
      "aanvraag.",
      "Ervaring met autisme, ADHD, angstklachten en een licht verstandelijke "
      "beperking.",
      "Ook de werkgever krijgt advies over begeleiding en aanpassingen op de "
      "werkplek.",
      "Een interne jobcoach-opleiding voor werkgevers is mogelijk.",
      "Begeleiding van werk naar werk en bij terugval.",
      "Werkzaam in {place} en de rest van de regio {regio}."}},
    {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE,
     {"Ervaringsdeskundigen zetten hun eigen herstelervaring in om anderen te "
      "ondersteunen.",
      "Wij bieden herstelgroepen, WRAP-trainingen en individuele steun op weg "
      "naar werk.",
      "Laagdrempelig: je kunt zonder verwijzing binnenlopen in het herstelcafé "
      "in {place}.",
      "Samen kijken we naar talenten, wensen en wat nodig is om te beginnen "
      "met "
      "vrijwilligerswerk of betaald werk.",
      "Onze ervaringsdeskundigen zijn opgeleid en werken samen met "
      "professionals.",
      "Ook voor naasten en familie.",
      "Lotgenotencontact bij depressie, angst en psychose."}},
    {v1::ENTRY_KIND_WERKGEVER,
     {"{org} biedt garantiebanen en werkervaringsplaatsen in de {sector}.",
      "Nieuwe medewerkers krijgen een vaste begeleider op de werkvloer en zo "
      "nodig een "
      "jobcoach.",
      "Werken met loonkostensubsidie en de no-riskpolis is voor ons vertrouwd.",
      "Mogelijke functies: {functions}.",
      "Een proefplaatsing van twee maanden is mogelijk.",
      "Wij denken mee over jobcarving: taken worden zo verdeeld dat ze passen.",
      "Locatie in {place}, goed bereikbaar met het openbaar vervoer."}},
    {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT,
     {"Het werkgeversservicepunt {regio} is het aanspreekpunt voor werkgevers "
      "die mensen met "
      "een afstand tot de arbeidsmarkt willen aannemen.",
      "Wij adviseren over garantiebanen, loonkostensubsidie, no-riskpolis en "
      "jobcarving.",
      "Een samenwerking van de gemeenten, UWV en het sw-bedrijf in de regio.",
      "Klantmanagers kunnen kandidaten aanmelden voor vacatures in de "
      "banenafspraak.",
      "Werkgevers krijgen één vast aanspreekpunt."}},
    {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT,
     {"Individueel re-integratietraject gericht op duurzaam werk.",
      "Met werkfit-trajecten, sollicitatietraining en werkplekdiagnose.",
      "Voor mensen met een WIA-, WW- of bijstandsuitkering.",
      "We werken met een persoonlijk plan en een vaste contactpersoon.",
      "Ook loopbaanbegeleiding en coaching bij psychische klachten zoals "
      "burn-out en "
      "depressie.",
      "Trajecten in opdracht van UWV, de gemeente of de werkgever.",
      "Gesprekken op locatie in {place} of online."}},
    {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE,
     {"Arbeidsdeskundig onderzoek naar mogelijkheden en belastbaarheid.",
      "Loonwaardebepaling voor loonkostensubsidie volgens een gevalideerde "
      "methode.",
      "Advies over aanpassingen op de werkplek en jobcarving.",
      "Voor gemeenten, UWV en werkgevers in de regio {regio}."}},
    {v1::ENTRY_KIND_CLIENTONDERSTEUNING,
     {"Onafhankelijke cliëntondersteuning: gratis hulp bij vragen over werk, "
      "inkomen, zorg en "
      "Wmo.",
      "We gaan mee naar gesprekken met de gemeente of UWV.",
      "Ook hulp bij schulden en doorverwijzing naar schuldhulpverlening.",
      "Voor inwoners van {place} en omliggende gemeenten."}},
    {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG,
     {"Arbeidsmatige dagbesteding in {activity} als opstap naar werk.",
      "In een veilige omgeving werken aan ritme, vaardigheden en "
      "zelfvertrouwen.",
      "Doorstroom naar een werkervaringsplaats of betaald werk waar het kan.",
      "Begeleiding door ervaren begeleiders, ook bij psychische "
      "kwetsbaarheid."}},
    {v1::ENTRY_KIND_SCHOLING,
     {"Praktijkgerichte opleiding met een erkend certificaat "
      "(praktijkverklaring of "
      "mbo-certificaat).",
      "Combinatie van leren en werken, met begeleiding bij psychische "
      "klachten.",
      "Ook entreeopleiding en taaltraining.",
      "Lessen in kleine groepen in {place}."}},
};

const std::vector<std::string> kActivities = {
    "de fietsenwerkplaats", "het groenonderhoud",  "de kringloopwinkel",
    "de houtwerkplaats",    "het buurtrestaurant", "de wasserij",
    "de zorgboerderij",     "de drukkerij"};

// Titles per kind; {place}, {team}, {target}, {org}, {sector}.
const std::map<EntryKind, std::vector<std::string>> kTitles = {
    {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER,
     {"IPS-trajectbegeleiding {team}",
      "IPS: naar betaald werk vanuit de GGZ in {place}",
      "Individuele Plaatsing en Steun {place}",
      "IPS-trajectbegeleider {team}"}},
    {v1::ENTRY_KIND_GGZ_TEAM,
     {"{team}", "{team}: behandeling en begeleiding aan huis"}},
    {v1::ENTRY_KIND_JOBCOACH,
     {"Jobcoaching {place}", "Jobcoach bij {target}",
      "Jobcoaching op de werkplek in {place}", "Externe jobcoach {org}"}},
    {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE,
     {"Ervaringsdeskundige ondersteuning {place}", "Herstelcafé {place}",
      "Ervaringsdeskundige bij {target}", "Herstelwerkplaats en WRAP {place}"}},
    {v1::ENTRY_KIND_WERKGEVER,
     {"Garantiebanen in de {sector} - {org}", "Werkervaringsplaatsen {org}",
      "Werken bij {org} in {place}"}},
    {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT, {"Werkgeversservicepunt {place}"}},
    {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT,
     {"Re-integratietraject {org}", "Werkfit-traject {place}",
      "Re-integratie bij psychische klachten {place}",
      "Participatietraject {place}"}},
    {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE,
     {"Arbeidsdeskundig onderzoek {place}", "Loonwaardebepaling {org}"}},
    {v1::ENTRY_KIND_CLIENTONDERSTEUNING,
     {"Onafhankelijke cliëntondersteuning {place}",
      "Cliëntondersteuning werk en inkomen"}},
    {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG,
     {"Arbeidsmatige dagbesteding {place}", "Werkplaats {place}"}},
    {v1::ENTRY_KIND_SCHOLING,
     {"Leerwerktraject {place}", "Praktijkopleiding {org}"}},
};

const std::map<v1::TargetGroup, std::string> kTargetWords = {
    {v1::TARGET_GROUP_PSYCHOSE, "psychose"},
    {v1::TARGET_GROUP_ANGST_STEMMING, "angst en depressie"},
    {v1::TARGET_GROUP_PERSOONLIJKHEID, "persoonlijkheidsproblematiek"},
    {v1::TARGET_GROUP_AUTISME, "autisme"},
    {v1::TARGET_GROUP_ADHD, "ADHD"},
    {v1::TARGET_GROUP_VERSLAVING, "verslaving"},
    {v1::TARGET_GROUP_LVB, "licht verstandelijke beperking"},
    {v1::TARGET_GROUP_JONGEREN, "jongeren"},
    {v1::TARGET_GROUP_TRAUMA, "trauma"},
};

// ---------------------------------------------------------------- places

const std::vector<PostcodeArea> kZuidLimburg = {
    {6211, 6229, "GM0935", "Maastricht"},
    {6411, 6419, "GM0917", "Heerlen"},
    {6421, 6422, "GM0917", "Heerlerheide"},
    {6431, 6433, "GM0917", "Hoensbroek"},
    {6461, 6471, "GM0928", "Kerkrade"},
    {6131, 6137, "GM1883", "Sittard"},
    {6161, 6167, "GM1883", "Geleen"},
    {6121, 6121, "GM1883", "Born"},
    {6371, 6374, "GM0882", "Landgraaf"},
    {6441, 6446, "GM0899", "Brunssum"},
    {6361, 6362, "GM1954", "Nuth"},
    {6365, 6365, "GM1954", "Schinnen"},
    {6451, 6451, "GM1954", "Schinveld"},
    {6191, 6192, "GM0888", "Beek"},
    {6171, 6171, "GM0971", "Stein"},
    {6181, 6181, "GM0971", "Elsloo"},
    {6231, 6231, "GM0938", "Meerssen"},
    {6241, 6241, "GM0938", "Bunde"},
    {6301, 6305, "GM0994", "Valkenburg"},
    {6367, 6367, "GM0986", "Voerendaal"},
    {6343, 6343, "GM0986", "Klimmen"},
    {6369, 6369, "GM0965", "Simpelveld"},
    {6351, 6351, "GM0965", "Bocholtz"},
    {6291, 6295, "GM0981", "Vaals"},
    {6271, 6271, "GM1729", "Gulpen"},
    {6281, 6281, "GM1729", "Mechelen"},
    {6245, 6245, "GM1903", "Eijsden"},
    {6269, 6269, "GM1903", "Margraten"},
};

// First PC4 of each province's synthetic range (real ranges, roughly).
const std::map<std::string, std::pair<int, int>> kProvincePc4 = {
    {"PV20", {9300, 9999}}, {"PV21", {8400, 9299}}, {"PV22", {7700, 7999}},
    {"PV23", {7400, 8299}}, {"PV24", {1300, 1399}}, {"PV25", {6500, 7399}},
    {"PV26", {3400, 3999}}, {"PV27", {1000, 2199}}, {"PV28", {2200, 3399}},
    {"PV29", {4300, 4599}}, {"PV30", {4600, 5799}}, {"PV31", {5800, 6499}}};

const std::map<std::string, std::vector<std::string>> kAreaCodes = {
    {"PV20", {"050", "0598"}},
    {"PV21", {"058", "0513"}},
    {"PV22", {"0592", "0591"}},
    {"PV23", {"053", "038"}},
    {"PV24", {"036", "0320"}},
    {"PV25", {"026", "024", "055"}},
    {"PV26", {"030", "033"}},
    {"PV27", {"020", "023", "072"}},
    {"PV28", {"010", "070", "071"}},
    {"PV29", {"0118", "0113"}},
    {"PV30", {"040", "073", "076", "013"}},
    {"PV31", {"077", "0475"}}};

struct Place {
  std::string gemeentecode;
  std::string city;
  int pc4;
  double latitude;
  double longitude;
};

class Places {
 public:
  Places() {
    const ReferenceData& ref = ReferenceData::Get();
    for (const PostcodeArea& area : kZuidLimburg)
      zl_[area.gemeentecode].push_back(&area);
    // Synthetic PC4 ranges: each province's range split evenly among its
    // gemeenten in code order.
    std::map<std::string, std::vector<const Gemeente*>> by_province;
    for (const Gemeente& g : ref.gemeenten())
      by_province[g.provincie_code].push_back(&g);
    for (const auto& [province, gemeenten] : by_province) {
      auto range = kProvincePc4.find(province);
      const int lo = range == kProvincePc4.end() ? 1000 : range->second.first;
      const int hi = range == kProvincePc4.end() ? 9999 : range->second.second;
      const int step =
          std::max(1, (hi - lo + 1) / static_cast<int>(gemeenten.size()));
      for (size_t i = 0; i < gemeenten.size(); ++i) {
        synthetic_[gemeenten[i]->code] = {
            lo + static_cast<int>(i) * step,
            lo + static_cast<int>(i + 1) * step - 1};
      }
    }
  }

  // A place in gemeente `code`, with a PC4 and a coordinate near the
  // gemeente's centre (stable per PC4).
  Place In(const std::string& code, Random& rng) const {
    const Gemeente* g = ReferenceData::Get().FindGemeente(code);
    Place place;
    place.gemeentecode = code;
    if (auto it = zl_.find(code); it != zl_.end()) {
      const PostcodeArea* area = it->second[rng.Uniform(it->second.size())];
      place.city = area->place;
      place.pc4 = rng.Between(area->pc4_first, area->pc4_last);
    } else {
      place.city = CityName(*g);
      const auto& range = synthetic_.at(code);
      place.pc4 = rng.Between(range.first, range.second);
    }
    Random jitter(Hash64(absl::StrCat(place.pc4)));
    place.latitude =
        std::round((g->latitude + (jitter.Unit() - 0.5) * 0.03) * 1e5) / 1e5;
    place.longitude =
        std::round((g->longitude + (jitter.Unit() - 0.5) * 0.045) * 1e5) / 1e5;
    return place;
  }

  // A gemeente name fit as a city name: "Beek (L.)" -> "Beek".
  static std::string CityName(const Gemeente& g) {
    std::string name = g.naam;
    if (auto pos = name.find(" ("); pos != std::string::npos)
      name = name.substr(0, pos);
    if (name == "'s-Gravenhage") return "Den Haag";
    if (name == "Nuenen, Gerwen en Nederwetten") return "Nuenen";
    return name;
  }

 private:
  std::map<std::string, std::vector<const PostcodeArea*>> zl_;
  std::map<std::string, std::pair<int, int>> synthetic_;
};

// ---------------------------------------------------------------- generator

struct OrgPlan {
  std::string id;
  std::string name;
  v1::OrganisationType type;
  std::vector<EntryKind> kinds;
  std::string region;
  std::string home_gemeente;  // for werkgevers: where they are
  const Sector* sector = nullptr;
  std::string host;
  bool whole_region = true;
};

class Generator {
 public:
  explicit Generator(const DemoOptions& options)
      : options_(options), rng_(options.seed), ref_(ReferenceData::Get()) {}

  DemoData Run();

 private:
  void PlanOrganisations();
  void AddOrg(OrgPlan plan);
  Entry MakeEntry(const OrgPlan& org, EntryKind kind,
                  const std::string& gemeente);
  std::string Phone(const std::string& gemeentecode);
  std::string Person();
  void AddContacts(const OrgPlan& org, Entry* entry,
                   const std::string& gemeente);
  std::string RegioNaam(const std::string& code) const {
    return ref_.FindRegio(code)->naam;
  }
  std::vector<std::string> NeighbourGemeenten(const std::string& code, int n);

  const DemoOptions options_;
  Random rng_;
  const ReferenceData& ref_;
  Places places_;
  std::vector<OrgPlan> orgs_;
  std::map<std::string, std::vector<size_t>>
      orgs_by_kind_region_;  // "kind|region"
  std::map<std::string, int> slug_counts_;
};

void Generator::AddOrg(OrgPlan plan) {
  for (EntryKind kind : plan.kinds) {
    orgs_by_kind_region_[absl::StrCat(kind, "|", plan.region)].push_back(
        orgs_.size());
  }
  orgs_.push_back(std::move(plan));
}

void Generator::PlanOrganisations() {
  const size_t per_region =
      std::max<size_t>(1, options_.count / ref_.regios().size());
  for (const Arbeidsmarktregio& regio : ref_.regios()) {
    const bool zl = regio.code == "AM30";
    const std::string slug = Slug(regio.naam);
    const std::string naam = regio.naam;
    const std::string big = regio.gemeentecodes.front();
    // The Werkbedrijf holds the region's trust anchor and runs the WSP.
    AddOrg({zl ? "werkbedrijf-zuid-limburg" : "werkbedrijf-" + slug,
            "Werkbedrijf " + naam,
            v1::ORGANISATION_TYPE_WERKBEDRIJF,
            {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT,
             v1::ENTRY_KIND_ARBEIDSDESKUNDIGE},
            regio.code,
            big,
            nullptr,
            "node1"});
    AddOrg({zl ? "ggz-zuid-limburg" : "ggz-" + slug,
            "GGZ " + naam,
            v1::ORGANISATION_TYPE_GGZ_INSTELLING,
            {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER, v1::ENTRY_KIND_GGZ_TEAM,
             v1::ENTRY_KIND_JOBCOACH, v1::ENTRY_KIND_ERVARINGSDESKUNDIGE},
            regio.code,
            big,
            nullptr,
            "node2"});
    AddOrg({zl ? "herstelacademie-parkstad" : "herstelacademie-" + slug,
            zl ? "Herstelacademie Parkstad" : "Herstelacademie " + naam,
            v1::ORGANISATION_TYPE_HERSTELACADEMIE,
            {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE, v1::ENTRY_KIND_SCHOLING},
            regio.code,
            big,
            nullptr,
            "node2"});
    AddOrg({zl ? "rco-zuid-limburg" : "rco-" + slug,
            "Cliëntenorganisatie " + naam,
            v1::ORGANISATION_TYPE_RCO,
            {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE},
            regio.code,
            big,
            nullptr,
            "node2"});
    AddOrg({zl ? "mee-zuid-limburg" : "mee-" + slug,
            "MEE " + naam,
            v1::ORGANISATION_TYPE_MEE_CLIENTONDERSTEUNING,
            {v1::ENTRY_KIND_CLIENTONDERSTEUNING},
            regio.code,
            big,
            nullptr,
            "node3"});
    AddOrg({zl ? "uwv-zuid-limburg" : "uwv-" + slug,
            "UWV " + naam,
            v1::ORGANISATION_TYPE_UWV,
            {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE},
            regio.code,
            big,
            nullptr,
            "node3"});
    AddOrg({zl ? "leerwerkbedrijf-mijnstreek" : "sw-" + slug,
            zl ? "Leerwerkbedrijf Westelijke Mijnstreek"
               : "Leerwerkbedrijf " + naam,
            v1::ORGANISATION_TYPE_SW_BEDRIJF,
            {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG, v1::ENTRY_KIND_SCHOLING,
             v1::ENTRY_KIND_WERKGEVER},
            regio.code,
            zl ? "GM1883" : big,
            &kSectors[4],
            "node3"});
    // Re-integratiebedrijven: more with more entries.
    const size_t reintegratie =
        std::max<size_t>(2, per_region / 250 + (zl ? 2 : 0));
    for (size_t i = 0; i < reintegratie; ++i) {
      const std::string base = kReintegratieNames[(Hash64(regio.code) + i) %
                                                  kReintegratieNames.size()];
      const std::string& home =
          regio.gemeentecodes[rng_.Uniform(regio.gemeentecodes.size())];
      const std::string city = Places::CityName(*ref_.FindGemeente(home));
      std::string id = Slug(absl::StrCat(base, " ", city));
      if (slug_counts_[id]++ > 0) id = absl::StrCat(id, "-", slug_counts_[id]);
      AddOrg({id,
              absl::StrCat(base, " ", city),
              v1::ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF,
              {v1::ENTRY_KIND_JOBCOACH, v1::ENTRY_KIND_RE_INTEGRATIETRAJECT,
               v1::ENTRY_KIND_ARBEIDSDESKUNDIGE},
              regio.code,
              home,
              nullptr,
              "node3"});
    }
    // Each gemeente: its own participation offer, and as an employer.
    for (const std::string& code : regio.gemeentecodes) {
      const Gemeente* g = ref_.FindGemeente(code);
      AddOrg({"gemeente-" + Slug(g->naam),
              "Gemeente " + g->naam,
              v1::ORGANISATION_TYPE_GEMEENTE,
              {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT,
               v1::ENTRY_KIND_CLIENTONDERSTEUNING, v1::ENTRY_KIND_WERKGEVER},
              regio.code,
              code,
              &kSectors[7],
              "node1"});
      orgs_.back().whole_region = false;
    }
    // Werkgevers.
    const size_t werkgevers = std::max<size_t>(zl ? 8 : 3, per_region / 40);
    for (size_t i = 0; i < werkgevers; ++i) {
      const Sector* sector = &kSectors[rng_.Uniform(kSectors.size())];
      const std::string& home =
          regio.gemeentecodes[rng_.Uniform(regio.gemeentecodes.size())];
      const std::string city = Places::CityName(*ref_.FindGemeente(home));
      const std::string name =
          absl::StrCat(sector->employer, " ", city,
                       i >= kSectors.size() ? absl::StrCat(" ", i) : "");
      std::string id = Slug(name);
      if (slug_counts_[id]++ > 0) id = absl::StrCat(id, "-", slug_counts_[id]);
      AddOrg({id,
              name,
              v1::ORGANISATION_TYPE_WERKGEVER,
              {v1::ENTRY_KIND_WERKGEVER},
              regio.code,
              home,
              sector,
              "node1"});
      orgs_.back().whole_region = false;
    }
  }
}

std::vector<std::string> Generator::NeighbourGemeenten(const std::string& code,
                                                       int n) {
  const Gemeente* g = ref_.FindGemeente(code);
  const Arbeidsmarktregio* regio = ref_.FindRegio(g->arbeidsmarktregio_code);
  std::vector<std::pair<double, std::string>> by_distance;
  for (const std::string& other : regio->gemeentecodes) {
    const Gemeente* o = ref_.FindGemeente(other);
    by_distance.push_back(
        {HaversineKm(g->latitude, g->longitude, o->latitude, o->longitude),
         other});
  }
  std::sort(by_distance.begin(), by_distance.end());
  std::vector<std::string> out;
  for (int i = 0; i < n && i < static_cast<int>(by_distance.size()); ++i) {
    out.push_back(by_distance[i].second);
  }
  return out;
}

std::string Generator::Phone(const std::string& gemeentecode) {
  const Gemeente* g = ref_.FindGemeente(gemeentecode);
  std::string area;
  if (g->arbeidsmarktregio_code == "AM30") {
    static const std::map<std::string, std::string> kZl = {
        {"GM1883", "046"}, {"GM0888", "046"}, {"GM0971", "046"},
        {"GM1954", "046"}, {"GM0935", "043"}, {"GM0938", "043"},
        {"GM0994", "043"}, {"GM1729", "043"}, {"GM1903", "043"},
        {"GM0981", "043"}};
    auto it = kZl.find(gemeentecode);
    area = it == kZl.end() ? "045" : it->second;
  } else {
    auto it = kAreaCodes.find(g->provincie_code);
    area = it == kAreaCodes.end() ? "088" : rng_.Pick(it->second);
  }
  std::string digits;
  const size_t need = 10 - area.size();
  digits += static_cast<char>('2' + rng_.Uniform(7));
  while (digits.size() < need)
    digits += static_cast<char>('0' + rng_.Uniform(10));
  return absl::StrCat(area, "-", digits);
}

std::string Generator::Person() {
  // One draw per statement: the order in which a compiler evaluates
  // arguments is unspecified, and the data must not depend on it.
  const std::string& last = rng_.Pick(kLastNames);
  const std::string& first = rng_.Pick(kFirstNames);
  return absl::StrCat(first, " ", last);
}

void Generator::AddContacts(const OrgPlan& org, Entry* entry,
                            const std::string& gemeente) {
  v1::Contact* intake = entry->add_contacts();
  intake->set_role(entry->kind() == v1::ENTRY_KIND_WERKGEVER
                       ? "werving en selectie"
                       : "aanmelding");
  intake->set_phone(Phone(gemeente));
  intake->set_email(absl::StrCat(
      entry->kind() == v1::ENTRY_KIND_WERKGEVER ? "werken" : "aanmelding", "@",
      org.id, ".example"));
  intake->set_visibility(v1::VISIBILITY_PUBLIC);
  const int professionals = rng_.Between(0, 2);
  static const std::map<EntryKind, std::string> kRoles = {
      {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER, "IPS-trajectbegeleider"},
      {v1::ENTRY_KIND_GGZ_TEAM, "teamleider"},
      {v1::ENTRY_KIND_JOBCOACH, "jobcoach"},
      {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE, "ervaringsdeskundige"},
      {v1::ENTRY_KIND_WERKGEVER, "leidinggevende"},
      {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT, "accountmanager"},
      {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT, "re-integratiecoach"},
      {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE, "arbeidsdeskundige"},
      {v1::ENTRY_KIND_CLIENTONDERSTEUNING, "cliëntondersteuner"},
      {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG, "begeleider"},
      {v1::ENTRY_KIND_SCHOLING, "docent"}};
  for (int i = 0; i < professionals; ++i) {
    v1::Contact* c = entry->add_contacts();
    const std::string name = Person();
    c->set_name(name);
    c->set_role(kRoles.at(entry->kind()));
    c->set_phone(absl::StrCat("06-", rng_.Between(10000000, 99999999)));
    c->set_email(absl::StrCat(Slug(name), "@", org.id, ".example"));
    c->set_visibility(v1::VISIBILITY_PROFESSIONALS);
  }
}

Entry Generator::MakeEntry(const OrgPlan& org, EntryKind kind,
                           const std::string& gemeente) {
  Entry entry;
  entry.set_organisation_id(org.id);
  entry.set_kind(kind);
  const Place place = places_.In(gemeente, rng_);
  const std::string regio = RegioNaam(org.region);

  // Target groups by kind.
  std::vector<v1::TargetGroup> targets;
  auto maybe = [&](v1::TargetGroup t, double p) {
    if (rng_.Chance(p)) targets.push_back(t);
  };
  switch (kind) {
    case v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER:
    case v1::ENTRY_KIND_GGZ_TEAM:
      maybe(v1::TARGET_GROUP_PSYCHOSE, 0.9);
      maybe(v1::TARGET_GROUP_PERSOONLIJKHEID, 0.5);
      maybe(v1::TARGET_GROUP_ANGST_STEMMING, 0.3);
      maybe(v1::TARGET_GROUP_VERSLAVING, 0.2);
      maybe(v1::TARGET_GROUP_JONGEREN, 0.15);
      break;
    case v1::ENTRY_KIND_JOBCOACH:
      maybe(v1::TARGET_GROUP_AUTISME, 0.5);
      maybe(v1::TARGET_GROUP_ADHD, 0.35);
      maybe(v1::TARGET_GROUP_LVB, 0.3);
      maybe(v1::TARGET_GROUP_ANGST_STEMMING, 0.35);
      maybe(v1::TARGET_GROUP_PSYCHOSE, 0.15);
      maybe(v1::TARGET_GROUP_JONGEREN, 0.2);
      break;
    case v1::ENTRY_KIND_ERVARINGSDESKUNDIGE:
      maybe(v1::TARGET_GROUP_PSYCHOSE, 0.4);
      maybe(v1::TARGET_GROUP_ANGST_STEMMING, 0.5);
      maybe(v1::TARGET_GROUP_VERSLAVING, 0.3);
      maybe(v1::TARGET_GROUP_AUTISME, 0.25);
      maybe(v1::TARGET_GROUP_TRAUMA, 0.2);
      maybe(v1::TARGET_GROUP_JONGEREN, 0.2);
      break;
    case v1::ENTRY_KIND_RE_INTEGRATIETRAJECT:
      maybe(v1::TARGET_GROUP_ANGST_STEMMING, 0.6);
      maybe(v1::TARGET_GROUP_AUTISME, 0.2);
      maybe(v1::TARGET_GROUP_JONGEREN, 0.2);
      break;
    case v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG:
    case v1::ENTRY_KIND_SCHOLING:
      maybe(v1::TARGET_GROUP_LVB, 0.5);
      maybe(v1::TARGET_GROUP_JONGEREN, 0.4);
      maybe(v1::TARGET_GROUP_VERSLAVING, 0.2);
      break;
    default:
      break;
  }
  if (targets.empty()) targets.push_back(v1::TARGET_GROUP_IEDEREEN);
  for (auto t : targets) entry.add_target_groups(t);

  // Title.
  const bool centrum = rng_.Chance(0.3);
  const bool fact = rng_.Chance(0.8);
  const std::string team = absl::StrCat(fact ? "FACT-team " : "ACT-team ",
                                        place.city, centrum ? " Centrum" : "");
  std::string target_word = "psychische klachten";
  if (targets[0] != v1::TARGET_GROUP_IEDEREEN)
    target_word = kTargetWords.at(targets[0]);
  const std::string sector_name = org.sector ? org.sector->name : "zorg";
  const std::map<std::string, std::string> values = {
      {"place", place.city},
      {"regio", regio},
      {"org", org.name},
      {"team", team},
      {"target", target_word},
      {"sector", sector_name},
      {"functions", org.sector ? org.sector->functions : "diverse functies"},
      {"activity", rng_.Pick(kActivities)}};
  entry.set_title(Fill(rng_.Pick(kTitles.at(kind)), values));

  // Description: 3-6 sentences in their order, sometimes a language line.
  const auto& sentences = kSentences.at(kind);
  std::vector<size_t> chosen;
  const int n = std::min<int>(sentences.size(), rng_.Between(3, 6));
  std::set<size_t> picked;
  while (static_cast<int>(picked.size()) < n)
    picked.insert(rng_.Uniform(sentences.size()));
  std::string description;
  for (size_t i : picked)
    absl::StrAppend(&description, description.empty() ? "" : " ",
                    Fill(sentences[i], values));

  // Languages.
  entry.add_languages("nl");
  std::vector<std::string> spoken;
  for (size_t i = 0; i < kExtraLanguages.size(); ++i) {
    if (rng_.Chance(kExtraLanguageChance[i])) {
      entry.add_languages(kExtraLanguages[i]);
      spoken.push_back(kLanguageNames.at(kExtraLanguages[i]));
    }
  }
  if (!spoken.empty() && kind != v1::ENTRY_KIND_WERKGEVER) {
    absl::StrAppend(&description, " Wij spreken ook ",
                    absl::StrJoin(spoken, " en "), ".");
  }
  entry.set_description(description);

  // Interventions, regelingen, funding, quality marks.
  auto add_i = [&](v1::Intervention i, double p = 1.0) {
    if (rng_.Chance(p)) entry.add_interventions(i);
  };
  auto add_r = [&](v1::Regeling r, double p = 1.0) {
    if (rng_.Chance(p)) entry.add_regelingen(r);
  };
  auto add_f = [&](v1::Funding f, double p = 1.0) {
    if (rng_.Chance(p)) entry.add_funding(f);
  };
  switch (kind) {
    case v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER: {
      add_i(v1::INTERVENTION_IPS);
      add_i(v1::INTERVENTION_JOBCOACHING, 0.4);
      add_i(v1::INTERVENTION_PEER_SUPPORT, 0.2);
      add_r(v1::REGELING_PARTICIPATIEWET);
      add_r(v1::REGELING_WAJONG, 0.6);
      add_r(v1::REGELING_WIA, 0.6);
      add_r(v1::REGELING_NUGGER, 0.3);
      add_f(v1::FUNDING_ZVW);
      add_f(v1::FUNDING_GEMEENTE, 0.7);
      add_f(v1::FUNDING_UWV, 0.5);
      if (rng_.Chance(0.7)) {
        auto* m = entry.add_quality_marks();
        m->set_type(v1::QUALITY_MARK_TYPE_IPS_FIDELITY);
        m->set_fidelity_score(rng_.Between(78, 118));
        m->mutable_assessed_on()->set_seconds(
            absl::ToUnixSeconds(options_.now) - rng_.Between(60, 900) * 86400);
      }
      break;
    }
    case v1::ENTRY_KIND_GGZ_TEAM:
      add_i(v1::INTERVENTION_IPS, 0.6);
      add_i(v1::INTERVENTION_IRB, 0.3);
      add_i(v1::INTERVENTION_PEER_SUPPORT, 0.5);
      add_i(v1::INTERVENTION_E_MENTAL_HEALTH, 0.3);
      add_f(v1::FUNDING_ZVW);
      if (rng_.Chance(0.3))
        entry.add_quality_marks()->set_type(v1::QUALITY_MARK_TYPE_ISO_9001);
      break;
    case v1::ENTRY_KIND_JOBCOACH:
      add_i(v1::INTERVENTION_JOBCOACHING);
      add_i(v1::INTERVENTION_SUPPORTED_EMPLOYMENT, 0.3);
      add_i(v1::INTERVENTION_JOBCARVING, 0.2);
      add_i(v1::INTERVENTION_WERKPLEKDIAGNOSE, 0.25);
      add_r(v1::REGELING_WAJONG, 0.7);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.7);
      add_r(v1::REGELING_WIA, 0.4);
      add_f(v1::FUNDING_UWV, 0.8);
      add_f(v1::FUNDING_GEMEENTE, 0.7);
      if (rng_.Chance(0.5)) {
        entry.add_quality_marks()->set_type(
            v1::QUALITY_MARK_TYPE_JOBCOACH_REGISTER);
      }
      break;
    case v1::ENTRY_KIND_ERVARINGSDESKUNDIGE:
      add_i(v1::INTERVENTION_PEER_SUPPORT);
      add_i(v1::INTERVENTION_HERSTELONDERSTEUNING, 0.7);
      add_i(v1::INTERVENTION_EMPOWERMENT, 0.4);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.5);
      add_r(v1::REGELING_NUGGER, 0.3);
      add_f(v1::FUNDING_GEMEENTE, 0.8);
      add_f(v1::FUNDING_WMO, 0.6);
      break;
    case v1::ENTRY_KIND_WERKGEVER:
      add_i(v1::INTERVENTION_WERKERVARINGSPLAATS, 0.6);
      add_i(v1::INTERVENTION_PROEFPLAATSING, 0.4);
      add_i(v1::INTERVENTION_JOBCARVING, 0.4);
      add_r(v1::REGELING_WAJONG, 0.7);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.8);
      add_r(v1::REGELING_PRAKTIJK_VSO, 0.2);
      add_f(v1::FUNDING_WERKGEVER);
      break;
    case v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT:
      add_i(v1::INTERVENTION_JOBCARVING);
      add_i(v1::INTERVENTION_PROEFPLAATSING, 0.7);
      add_i(v1::INTERVENTION_LOONWAARDEBEPALING, 0.5);
      add_r(v1::REGELING_PARTICIPATIEWET);
      add_r(v1::REGELING_WAJONG);
      add_r(v1::REGELING_WIA, 0.5);
      add_f(v1::FUNDING_GEMEENTE);
      add_f(v1::FUNDING_UWV);
      break;
    case v1::ENTRY_KIND_RE_INTEGRATIETRAJECT:
      add_i(v1::INTERVENTION_SOLLICITATIETRAINING, 0.6);
      add_i(v1::INTERVENTION_WERKPLEKDIAGNOSE, 0.4);
      add_i(v1::INTERVENTION_FIT4WORK, 0.2);
      add_i(v1::INTERVENTION_EMPOWERMENT, 0.3);
      add_i(v1::INTERVENTION_SCHULDHULP_DOORVERWIJZING, 0.15);
      add_r(v1::REGELING_WIA, 0.6);
      add_r(v1::REGELING_WW, 0.6);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.6);
      add_r(v1::REGELING_ZIEKTEWET, 0.2);
      add_f(v1::FUNDING_UWV, 0.7);
      add_f(v1::FUNDING_GEMEENTE, 0.6);
      add_f(v1::FUNDING_WERKGEVER, 0.2);
      if (org.type == v1::ORGANISATION_TYPE_RE_INTEGRATIEBEDRIJF) {
        if (rng_.Chance(0.6)) {
          entry.add_quality_marks()->set_type(
              v1::QUALITY_MARK_TYPE_BLIK_OP_WERK);
        }
        if (rng_.Chance(0.2))
          entry.add_quality_marks()->set_type(v1::QUALITY_MARK_TYPE_NOLOC);
      }
      break;
    case v1::ENTRY_KIND_ARBEIDSDESKUNDIGE:
      add_i(v1::INTERVENTION_LOONWAARDEBEPALING, 0.7);
      add_i(v1::INTERVENTION_WERKPLEKDIAGNOSE, 0.6);
      add_r(v1::REGELING_WIA, 0.6);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.6);
      add_f(v1::FUNDING_UWV, 0.6);
      add_f(v1::FUNDING_GEMEENTE, 0.6);
      break;
    case v1::ENTRY_KIND_CLIENTONDERSTEUNING:
      add_i(v1::INTERVENTION_SCHULDHULP_DOORVERWIJZING, 0.5);
      add_i(v1::INTERVENTION_EMPOWERMENT, 0.4);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.7);
      add_r(v1::REGELING_WAJONG, 0.5);
      add_f(v1::FUNDING_GEMEENTE);
      add_f(v1::FUNDING_WMO, 0.7);
      break;
    case v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG:
      add_i(v1::INTERVENTION_WERKERVARINGSPLAATS, 0.5);
      add_i(v1::INTERVENTION_EMPOWERMENT, 0.3);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.7);
      add_r(v1::REGELING_WAJONG, 0.5);
      add_f(v1::FUNDING_WMO);
      add_f(v1::FUNDING_GEMEENTE, 0.6);
      add_f(v1::FUNDING_PGB, 0.3);
      break;
    case v1::ENTRY_KIND_SCHOLING:
      add_i(v1::INTERVENTION_SOLLICITATIETRAINING, 0.3);
      add_r(v1::REGELING_PRAKTIJK_VSO, 0.5);
      add_r(v1::REGELING_PARTICIPATIEWET, 0.6);
      add_f(v1::FUNDING_GEMEENTE, 0.8);
      break;
    default:
      break;
  }

  // Service area.
  v1::ServiceArea* area = entry.mutable_service_area();
  if (org.whole_region &&
      (kind == v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT ||
       kind == v1::ENTRY_KIND_ARBEIDSDESKUNDIGE || rng_.Chance(0.3))) {
    area->add_arbeidsmarktregio_codes(org.region);
  } else if (!org.whole_region) {
    area->add_gemeentecodes(gemeente);
  } else {
    for (const std::string& code :
         NeighbourGemeenten(gemeente, rng_.Between(1, 4))) {
      area->add_gemeentecodes(code);
    }
  }

  // Location.
  v1::Location* loc = entry.add_locations();
  loc->set_name(kind == v1::ENTRY_KIND_WERKGEVER
                    ? org.name
                    : absl::StrCat(org.name, " ", place.city));
  loc->set_street(rng_.Pick(kStreets));
  loc->set_house_number(absl::StrCat(rng_.Between(1, 180)));
  static const char kLetters[] = "ABCEGHJKLMNPRTVWXZ";
  std::string letters = {kLetters[rng_.Uniform(sizeof(kLetters) - 1)],
                         kLetters[rng_.Uniform(sizeof(kLetters) - 1)]};
  loc->set_postcode(absl::StrCat(place.pc4, " ", letters));
  loc->set_city(place.city);
  loc->set_gemeentecode(gemeente);
  loc->set_latitude(place.latitude);
  loc->set_longitude(place.longitude);

  AddContacts(org, &entry, gemeente);

  v1::Availability* availability = entry.mutable_availability();
  availability->set_accepting_new_clients(rng_.Chance(0.75));
  if (availability->accepting_new_clients()) {
    availability->set_wait_weeks(rng_.Chance(0.4) ? 0 : rng_.Between(1, 12));
  }
  if (kind == v1::ENTRY_KIND_WERKGEVER) {
    v1::Employer* employer = entry.mutable_employer();
    employer->set_sector(org.sector ? org.sector->letter : "Q");
    employer->add_offers(v1::EMPLOYER_OFFER_GARANTIEBAAN);
    if (rng_.Chance(0.6))
      employer->add_offers(v1::EMPLOYER_OFFER_WERKERVARINGSPLAATS);
    if (rng_.Chance(0.4))
      employer->add_offers(v1::EMPLOYER_OFFER_PROEFPLAATSING);
    if (rng_.Chance(0.3)) employer->add_offers(v1::EMPLOYER_OFFER_JOBCARVING);
    if (rng_.Chance(0.2)) employer->add_offers(v1::EMPLOYER_OFFER_STAGE);
    employer->set_de_normaalste_zaak(rng_.Chance(0.3));
    employer->set_open_places(rng_.Between(0, 6));
    employer->set_uses_no_riskpolis(rng_.Chance(0.7));
    employer->set_uses_loonkostensubsidie(rng_.Chance(0.7));
    availability->set_free_places(employer->open_places());
    availability->set_accepting_new_clients(employer->open_places() > 0);
    availability->set_wait_weeks(0);
    if (employer->de_normaalste_zaak()) {
      entry.set_description(entry.description() +
                            " Wij zijn lid van De Normaalste Zaak.");
    }
  }

  // Freshness: most recent, some stale (older than 180 days).
  const int age_days =
      rng_.Chance(0.85) ? rng_.Between(0, 170) : rng_.Between(181, 500);
  entry.mutable_last_verified()->set_seconds(absl::ToUnixSeconds(options_.now) -
                                             age_days * 86400 -
                                             rng_.Between(0, 86399));

  // Id.
  static const std::map<EntryKind, std::string> kShort = {
      {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER, "ips"},
      {v1::ENTRY_KIND_GGZ_TEAM, "team"},
      {v1::ENTRY_KIND_JOBCOACH, "jobcoach"},
      {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE, "ed"},
      {v1::ENTRY_KIND_WERKGEVER, "werk"},
      {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT, "wsp"},
      {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT, "traject"},
      {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE, "ad"},
      {v1::ENTRY_KIND_CLIENTONDERSTEUNING, "co"},
      {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG, "dagbesteding"},
      {v1::ENTRY_KIND_SCHOLING, "scholing"}};
  const std::string base =
      absl::StrCat(org.id, "/", kShort.at(kind), "-", Slug(place.city));
  const int seq = ++slug_counts_[base];
  entry.set_id(seq == 1 ? base : absl::StrCat(base, "-", seq));
  return entry;
}

DemoData Generator::Run() {
  PlanOrganisations();
  DemoData data;
  for (const Arbeidsmarktregio& regio : ref_.regios()) {
    data.regions.push_back(
        {regio.code, SeedFor(options_.seed, "anchor/" + regio.code)});
  }
  // Entries per region: Zuid-Limburg gets its share, the rest by size.
  const size_t zl_count =
      std::min(options_.count,
               std::max<size_t>(std::min<size_t>(300, options_.count),
                                options_.count * options_.zuid_limburg_share));
  const size_t other = options_.count - zl_count;
  const size_t other_gemeenten =
      ref_.gemeenten().size() - ref_.FindRegio("AM30")->gemeentecodes.size();

  struct KindWeight {
    EntryKind kind;
    double weight;
  };
  const std::vector<KindWeight> kinds = {
      {v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER, 12},
      {v1::ENTRY_KIND_JOBCOACH, 18},
      {v1::ENTRY_KIND_ERVARINGSDESKUNDIGE, 12},
      {v1::ENTRY_KIND_WERKGEVER, 22},
      {v1::ENTRY_KIND_RE_INTEGRATIETRAJECT, 12},
      {v1::ENTRY_KIND_GGZ_TEAM, 6},
      {v1::ENTRY_KIND_ARBEIDSDESKUNDIGE, 4},
      {v1::ENTRY_KIND_WERKGEVERSSERVICEPUNT, 2},
      {v1::ENTRY_KIND_CLIENTONDERSTEUNING, 5},
      {v1::ENTRY_KIND_DAGBESTEDING_ARBEIDSMATIG, 5},
      {v1::ENTRY_KIND_SCHOLING, 2}};
  double total_weight = 0;
  for (const auto& k : kinds) total_weight += k.weight;

  // Entries per region other than Zuid-Limburg, by gemeente count, with
  // largest remainders so the total is exactly `count`.
  std::map<std::string, size_t> per_region;
  {
    std::vector<std::pair<double, std::string>> remainders;
    size_t assigned = 0;
    for (const Arbeidsmarktregio& regio : ref_.regios()) {
      if (regio.code == "AM30") continue;
      const double share = static_cast<double>(other) *
                           regio.gemeentecodes.size() / other_gemeenten;
      per_region[regio.code] = static_cast<size_t>(share);
      assigned += per_region[regio.code];
      remainders.push_back({share - per_region[regio.code], regio.code});
    }
    std::sort(
        remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
          return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
    for (size_t i = 0; assigned < other; ++i, ++assigned) {
      ++per_region[remainders[i % remainders.size()].second];
    }
    per_region["AM30"] = zl_count;
  }

  for (const Arbeidsmarktregio& regio : ref_.regios()) {
    const bool zl = regio.code == "AM30";
    const size_t n = per_region[regio.code];
    for (size_t i = 0; i < n; ++i) {
      // Kind by weight.
      double r = rng_.Unit() * total_weight;
      EntryKind kind = kinds.back().kind;
      for (const auto& k : kinds) {
        if (r < k.weight) {
          kind = k.kind;
          break;
        }
        r -= k.weight;
      }
      auto candidates =
          orgs_by_kind_region_.find(absl::StrCat(kind, "|", regio.code));
      if (candidates == orgs_by_kind_region_.end()) {
        candidates = orgs_by_kind_region_.find(
            absl::StrCat(v1::ENTRY_KIND_WERKGEVER, "|", regio.code));
      }
      const OrgPlan& org = orgs_[rng_.Pick(candidates->second)];
      // Where: the organisation's own gemeente when it is local, otherwise
      // anywhere in the region (Zuid-Limburg: the big five more often).
      std::string gemeente = org.home_gemeente;
      if (org.whole_region) {
        static const std::vector<std::string> kZlBig = {
            "GM0935", "GM0917", "GM0928", "GM1883", "GM0899"};
        gemeente =
            (zl && rng_.Chance(0.55))
                ? rng_.Pick(kZlBig)
                : regio.gemeentecodes[rng_.Uniform(regio.gemeentecodes.size())];
        // A few gemeenten in Zuid-Limburg lack IPS: the coverage page shows it.
        if (zl && kind == v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER &&
            (gemeente == "GM0981" || gemeente == "GM0965")) {
          gemeente = "GM0917";
        }
      }
      Entry entry = MakeEntry(org, kind, gemeente);
      if (zl && kind == v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER) {
        // Keep the IPS gap visible: no regional IPS service areas.
        auto* area = entry.mutable_service_area();
        area->clear_arbeidsmarktregio_codes();
        if (area->gemeentecodes().empty()) area->add_gemeentecodes(gemeente);
        auto* codes = area->mutable_gemeentecodes();
        codes->erase(std::remove_if(codes->begin(), codes->end(),
                                    [](const std::string& c) {
                                      return c == "GM0981" || c == "GM0965";
                                    }),
                     codes->end());
      }
      data.entries.push_back(std::move(entry));
    }
  }
  // Organisations that publish something, with keys and admissions.
  std::set<std::string> publishing;
  for (const Entry& e : data.entries) publishing.insert(e.organisation_id());
  for (const OrgPlan& plan : orgs_) {
    if (!publishing.contains(plan.id) &&
        plan.type != v1::ORGANISATION_TYPE_WERKBEDRIJF)
      continue;
    DemoOrganisation org;
    org.key_seed = SeedFor(options_.seed, "org/" + plan.id);
    org.host = plan.region == "AM30" ? plan.host : "node1";
    const trust::SigningKey key = *trust::SigningKey::FromSeed(org.key_seed);
    v1::Organisation& o = org.organisation;
    o.set_organisation_id(plan.id);
    o.set_name(plan.name);
    o.set_type(plan.type);
    o.set_version(1);
    o.set_region(plan.region);
    o.set_kvk_number(
        absl::StrFormat("%08d", Hash64(plan.id) % 90000000 + 10000000));
    o.set_website(absl::StrCat("https://", plan.id, ".example"));
    auto* pk = o.add_public_keys();
    pk->set_key_id(key.key_id());
    pk->set_ed25519(key.public_key());
    for (EntryKind kind : plan.kinds) o.add_allowed_kinds(kind);
    if (plan.whole_region) {
      o.mutable_allowed_area()->add_arbeidsmarktregio_codes(plan.region);
    } else {
      o.mutable_allowed_area()->add_gemeentecodes(plan.home_gemeente);
    }
    data.organisations.push_back(std::move(org));
  }
  return data;
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  out << text;
  return out.good() ? absl::OkStatus()
                    : absl::InternalError(absl::StrCat("short write ", path));
}

}  // namespace

uint64_t Random::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

const std::vector<PostcodeArea>& ZuidLimburgPostcodes() { return kZuidLimburg; }

DemoData Generate(const DemoOptions& options) {
  return Generator(options).Run();
}

absl::Status WriteDemoData(const DemoData& data, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* sub : {"anchors", "keys", "admissions"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec)
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create ", dir, ": ", ec.message()));
  }
  std::map<std::string, trust::SigningKey> anchors;
  std::string anchors_text;
  for (const DemoRegion& region : data.regions) {
    trust::SigningKey key = *trust::SigningKey::FromSeed(region.key_seed);
    const std::string base =
        (fs::path(dir) / "anchors" / region.region).string();
    fs::remove(base + ".key", ec);
    if (auto s = key.WriteSecretFile(base + ".key"); !s.ok()) return s;
    if (auto s = key.WritePublicFile(base + ".pub"); !s.ok()) return s;
    absl::StrAppend(&anchors_text, "trust_anchors { region: \"", region.region,
                    "\" public_key: \"",
                    trust::FormatPublicKey(key.public_key()), "\" }\n");
    anchors.emplace(region.region, std::move(key));
  }
  std::string tsv = "organisation_id\tname\ttype\tregion\thost\n";
  for (const DemoOrganisation& org : data.organisations) {
    const std::string& id = org.organisation.organisation_id();
    trust::SigningKey key = *trust::SigningKey::FromSeed(org.key_seed);
    const std::string base = (fs::path(dir) / "keys" / id).string();
    fs::remove(base + ".key", ec);
    if (auto s = key.WriteSecretFile(base + ".key"); !s.ok()) return s;
    if (auto s = key.WritePublicFile(base + ".pub"); !s.ok()) return s;
    const v1::SignedAdmission admission = trust::SignAdmission(
        org.organisation, anchors.at(org.organisation.region()));
    if (auto s = WriteText(
            (fs::path(dir) / "admissions" / (id + ".admission")).string(),
            admission.SerializeAsString());
        !s.ok()) {
      return s;
    }
    absl::StrAppend(&tsv, id, "\t", org.organisation.name(), "\t",
                    v1::OrganisationType_Name(org.organisation.type()), "\t",
                    org.organisation.region(), "\t", org.host, "\n");
  }
  std::string jsonl;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  for (const v1::Entry& entry : data.entries) {
    std::string line;
    auto status =
        google::protobuf::util::MessageToJsonString(entry, &line, options);
    if (!status.ok()) return absl::InternalError(std::string(status.message()));
    absl::StrAppend(&jsonl, line, "\n");
  }
  if (auto s = WriteText((fs::path(dir) / "entries.jsonl").string(), jsonl);
      !s.ok())
    return s;
  if (auto s = WriteText((fs::path(dir) / "organisations.tsv").string(), tsv);
      !s.ok())
    return s;
  return WriteText((fs::path(dir) / "anchors.textproto").string(),
                   anchors_text);
}

}  // namespace kaartnet::demo
