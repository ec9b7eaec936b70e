#include "interop/spreadsheet.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/csv.h"
#include "common/reference_data.h"
#include "model/vocabulary.h"

namespace kaartnet::interop {
namespace {

using google::protobuf::EnumDescriptor;

constexpr absl::string_view kListSeparator = " | ";

enum Column {
  kId,
  kOrganisation,
  kKind,
  kTitle,
  kDescription,
  kInterventions,
  kTargetGroups,
  kRegelingen,
  kFunding,
  kGemeenten,
  kRegios,
  kAccepting,
  kWaitWeeks,
  kFreePlaces,
  kLanguages,
  kLocName,
  kLocStreet,
  kLocHouseNumber,
  kLocPostcode,
  kLocCity,
  kLocGemeente,
  kContactName,
  kContactRole,
  kContactPhone,
  kContactEmail,
  kContactVisibility,
  kMarkTypes,
  kMarkNames,
  kMarkScores,
  kMarkDates,
  kSector,
  kOffers,
  kOpenPlaces,
  kNormaalsteZaak,
  kNoRiskpolis,
  kLoonkostensubsidie,
  kLastVerified,
  kColumnCount,
};

const char* const kColumnNames[kColumnCount] = {
    "id",
    "organisatie",
    "soort",
    "titel",
    "omschrijving",
    "interventies",
    "doelgroepen",
    "regelingen",
    "financiering",
    "gemeenten",
    "arbeidsmarktregios",
    "neemt_nieuwe_clienten_aan",
    "wachttijd_weken",
    "vrije_plekken",
    "talen",
    "locatie_naam",
    "locatie_straat",
    "locatie_huisnummer",
    "locatie_postcode",
    "locatie_plaats",
    "locatie_gemeente",
    "contact_naam",
    "contact_rol",
    "contact_telefoon",
    "contact_email",
    "contact_zichtbaarheid",
    "keurmerken",
    "keurmerk_namen",
    "keurmerk_scores",
    "keurmerk_data",
    "werkgever_sector",
    "werkgever_biedt",
    "werkgever_open_plekken",
    "werkgever_normaalste_zaak",
    "werkgever_no_riskpolis",
    "werkgever_loonkostensubsidie",
    "laatst_gecontroleerd",
};

template <typename Values>
std::string Labels(const Values& values, const EnumDescriptor* type) {
  std::vector<std::string> labels;
  for (int v : values) labels.push_back(model::Label(type, v));
  return absl::StrJoin(labels, kListSeparator);
}

std::string YesNo(bool b) { return b ? "ja" : "nee"; }

std::string Date(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() == 0 && ts.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string GemeenteName(const std::string& code) {
  const Gemeente* g = ReferenceData::Get().FindGemeente(code);
  return g == nullptr ? code : g->naam;
}

std::string RegioName(const std::string& code) {
  const Arbeidsmarktregio* r = ReferenceData::Get().FindRegio(code);
  return r == nullptr ? code : r->naam;
}

// One column of a repeated message: the field of every element, joined.
template <typename List, typename Get>
std::string Each(const List& list, Get get) {
  std::vector<std::string> values;
  for (const auto& item : list) values.push_back(get(item));
  // All empty: an empty cell rather than " |  | ".
  if (std::all_of(values.begin(), values.end(),
                  [](const std::string& v) { return v.empty(); })) {
    return "";
  }
  return absl::StrJoin(values, kListSeparator);
}

std::vector<std::string> Row(const v1::Entry& e) {
  std::vector<std::string> row(kColumnCount);
  row[kId] = e.id();
  row[kOrganisation] = e.organisation_id();
  row[kKind] = model::Label(v1::EntryKind_descriptor(), e.kind());
  row[kTitle] = e.title();
  row[kDescription] = e.description();
  row[kInterventions] =
      Labels(e.interventions(), v1::Intervention_descriptor());
  row[kTargetGroups] = Labels(e.target_groups(), v1::TargetGroup_descriptor());
  row[kRegelingen] = Labels(e.regelingen(), v1::Regeling_descriptor());
  row[kFunding] = Labels(e.funding(), v1::Funding_descriptor());
  row[kGemeenten] = Each(e.service_area().gemeentecodes(), GemeenteName);
  row[kRegios] = Each(e.service_area().arbeidsmarktregio_codes(), RegioName);
  row[kAccepting] = YesNo(e.availability().accepting_new_clients());
  row[kWaitWeeks] = absl::StrCat(e.availability().wait_weeks());
  row[kFreePlaces] = absl::StrCat(e.availability().free_places());
  row[kLanguages] = absl::StrJoin(e.languages(), kListSeparator);
  using L = v1::Location;
  row[kLocName] = Each(e.locations(), [](const L& l) { return l.name(); });
  row[kLocStreet] = Each(e.locations(), [](const L& l) { return l.street(); });
  row[kLocHouseNumber] =
      Each(e.locations(), [](const L& l) { return l.house_number(); });
  row[kLocPostcode] =
      Each(e.locations(), [](const L& l) { return l.postcode(); });
  row[kLocCity] = Each(e.locations(), [](const L& l) { return l.city(); });
  row[kLocGemeente] = Each(
      e.locations(), [](const L& l) { return GemeenteName(l.gemeentecode()); });
  using C = v1::Contact;
  row[kContactName] = Each(e.contacts(), [](const C& c) { return c.name(); });
  row[kContactRole] = Each(e.contacts(), [](const C& c) { return c.role(); });
  row[kContactPhone] = Each(e.contacts(), [](const C& c) { return c.phone(); });
  row[kContactEmail] = Each(e.contacts(), [](const C& c) { return c.email(); });
  row[kContactVisibility] = Each(e.contacts(), [](const C& c) {
    return std::string(
        c.visibility() == v1::VISIBILITY_PUBLIC ? "openbaar" : "professionals");
  });
  using Q = v1::QualityMark;
  row[kMarkTypes] = Each(e.quality_marks(), [](const Q& q) {
    return model::Label(v1::QualityMarkType_descriptor(), q.type());
  });
  row[kMarkNames] =
      Each(e.quality_marks(), [](const Q& q) { return q.name(); });
  row[kMarkScores] = Each(e.quality_marks(), [](const Q& q) {
    return q.fidelity_score() == 0 ? std::string()
                                   : absl::StrCat(q.fidelity_score());
  });
  row[kMarkDates] =
      Each(e.quality_marks(), [](const Q& q) { return Date(q.assessed_on()); });
  if (e.has_employer()) {
    const v1::Employer& w = e.employer();
    row[kSector] = w.sector();
    row[kOffers] = Labels(w.offers(), v1::EmployerOffer_descriptor());
    row[kOpenPlaces] = absl::StrCat(w.open_places());
    row[kNormaalsteZaak] = YesNo(w.de_normaalste_zaak());
    row[kNoRiskpolis] = YesNo(w.uses_no_riskpolis());
    row[kLoonkostensubsidie] = YesNo(w.uses_loonkostensubsidie());
  }
  row[kLastVerified] = Date(e.last_verified());
  return row;
}

// ------------------------------------------------------------ reading

std::vector<std::string> SplitList(absl::string_view cell) {
  std::vector<std::string> out;
  if (absl::StripAsciiWhitespace(cell).empty()) return out;
  for (absl::string_view part : absl::StrSplit(cell, '|')) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

// A taxonomy value given as Dutch label, short name or full name.
std::optional<int> ParseTaxonomy(const EnumDescriptor* type,
                                 absl::string_view text) {
  const std::string folded = FoldForMatching(text);
  for (int v : model::EnumValues(type)) {
    if (FoldForMatching(model::Label(type, v)) == folded) return v;
  }
  auto parsed = model::ParseEnum(type, text);
  if (parsed.ok()) return *parsed;
  return std::nullopt;
}

std::optional<bool> ParseYesNo(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t == "ja" || t == "j" || t == "yes" || t == "true" || t == "1" ||
      t == "x") {
    return true;
  }
  if (t == "nee" || t == "n" || t == "no" || t == "false" || t == "0" ||
      t.empty()) {
    return false;
  }
  return std::nullopt;
}

std::optional<std::string> GemeenteCode(absl::string_view text) {
  const ReferenceData& ref = ReferenceData::Get();
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const Gemeente* g = ref.FindGemeente(upper)) return g->code;
  if (const Gemeente* g = ref.FindGemeenteByName(text)) return g->code;
  return std::nullopt;
}

std::optional<std::string> RegioCode(absl::string_view text) {
  const ReferenceData& ref = ReferenceData::Get();
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const Arbeidsmarktregio* r = ref.FindRegio(upper)) return r->code;
  const std::string folded = FoldForMatching(text);
  for (const Arbeidsmarktregio& r : ref.regios()) {
    if (FoldForMatching(r.naam) == folded) return r.code;
  }
  return std::nullopt;
}

class RowReader {
 public:
  RowReader(const CsvRow& row, const std::vector<int>& column_of_field,
            std::vector<SpreadsheetProblem>* problems)
      : row_(row), column_of_field_(column_of_field), problems_(problems) {}

  std::string Cell(Column c) const {
    const int field = column_of_field_[c];
    if (field < 0 || field >= static_cast<int>(row_.fields.size())) return "";
    absl::string_view cell = absl::StripAsciiWhitespace(row_.fields[field]);
    // A leading ' kept a spreadsheet from reading the cell as a formula.
    if (cell.size() > 1 && cell[0] == '\'' &&
        absl::string_view("=+-@\t").find(cell[1]) != absl::string_view::npos) {
      cell.remove_prefix(1);
    }
    return std::string(cell);
  }

  void Problem(Column c, std::string message) {
    problems_->push_back({row_.line, kColumnNames[c], std::move(message)});
  }

  template <typename Add>
  void Taxonomy(Column c, const EnumDescriptor* type, Add add) {
    for (const std::string& value : SplitList(Cell(c))) {
      if (auto v = ParseTaxonomy(type, value)) {
        add(*v);
      } else {
        std::vector<std::string> labels;
        for (int x : model::EnumValues(type))
          labels.push_back(model::Label(type, x));
        Problem(c, absl::StrCat("\"", value, "\" is geen waarde hiervan (",
                                absl::StrJoin(labels, ", "), ")"));
      }
    }
  }

  uint32_t Number(Column c) {
    const std::string text = Cell(c);
    uint32_t n = 0;
    if (!text.empty() && !absl::SimpleAtoi(text, &n)) {
      Problem(c, absl::StrCat("\"", text, "\" is geen geheel getal"));
    }
    return n;
  }

  bool YesNo(Column c) {
    const std::string text = Cell(c);
    auto b = ParseYesNo(text);
    if (!b) Problem(c, absl::StrCat("\"", text, "\" is geen ja of nee"));
    return b.value_or(false);
  }

  // The values of the aligned list columns `columns`; a column with values
  // must have as many as the longest.
  std::vector<std::vector<std::string>> Aligned(
      std::initializer_list<Column> columns, const char* what) {
    std::vector<std::vector<std::string>> lists;
    size_t n = 0;
    for (Column c : columns) {
      lists.push_back(SplitList(Cell(c)));
      n = std::max(n, lists.back().size());
    }
    size_t i = 0;
    for (Column c : columns) {
      std::vector<std::string>& list = lists[i++];
      if (!list.empty() && list.size() != n) {
        Problem(c, absl::StrCat(list.size(), " waarden, maar ", n, " ", what,
                                " (scheid met |, laat een plek leeg met | |)"));
      }
      list.resize(n);
    }
    return lists;
  }

 private:
  const CsvRow& row_;
  const std::vector<int>& column_of_field_;
  std::vector<SpreadsheetProblem>* problems_;
};

google::protobuf::Timestamp TimestampOf(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

v1::Entry ReadRow(RowReader& r, const std::string& organisation_id) {
  v1::Entry e;
  const std::string org = r.Cell(kOrganisation);
  if (!org.empty() && org != organisation_id) {
    r.Problem(kOrganisation, absl::StrCat("\"", org,
                                          "\" is niet de organisatie van deze "
                                          "import (\"",
                                          organisation_id, "\")"));
  }
  e.set_organisation_id(organisation_id);
  std::string id = r.Cell(kId);
  if (id.empty()) id = Slugify(r.Cell(kTitle));
  if (!absl::StrContains(id, '/')) id = absl::StrCat(organisation_id, "/", id);
  e.set_id(id);
  const std::string kind = r.Cell(kKind);
  if (!kind.empty()) {
    if (auto k = ParseTaxonomy(v1::EntryKind_descriptor(), kind)) {
      e.set_kind(static_cast<v1::EntryKind>(*k));
    } else {
      r.Problem(kKind, absl::StrCat("\"", kind, "\" is geen soort aanbod"));
    }
  }
  e.set_title(r.Cell(kTitle));
  e.set_description(r.Cell(kDescription));
  r.Taxonomy(kInterventions, v1::Intervention_descriptor(), [&](int v) {
    e.add_interventions(static_cast<v1::Intervention>(v));
  });
  r.Taxonomy(kTargetGroups, v1::TargetGroup_descriptor(), [&](int v) {
    e.add_target_groups(static_cast<v1::TargetGroup>(v));
  });
  r.Taxonomy(kRegelingen, v1::Regeling_descriptor(),
             [&](int v) { e.add_regelingen(static_cast<v1::Regeling>(v)); });
  r.Taxonomy(kFunding, v1::Funding_descriptor(),
             [&](int v) { e.add_funding(static_cast<v1::Funding>(v)); });
  for (const std::string& g : SplitList(r.Cell(kGemeenten))) {
    if (auto code = GemeenteCode(g)) {
      e.mutable_service_area()->add_gemeentecodes(*code);
    } else {
      r.Problem(kGemeenten, absl::StrCat("\"", g, "\" is geen gemeente"));
    }
  }
  for (const std::string& a : SplitList(r.Cell(kRegios))) {
    if (auto code = RegioCode(a)) {
      e.mutable_service_area()->add_arbeidsmarktregio_codes(*code);
    } else {
      r.Problem(kRegios, absl::StrCat("\"", a, "\" is geen arbeidsmarktregio"));
    }
  }
  v1::Availability* availability = e.mutable_availability();
  availability->set_accepting_new_clients(r.YesNo(kAccepting));
  availability->set_wait_weeks(r.Number(kWaitWeeks));
  availability->set_free_places(r.Number(kFreePlaces));
  for (const std::string& lang : SplitList(r.Cell(kLanguages))) {
    e.add_languages(absl::AsciiStrToLower(lang));
  }

  auto locations = r.Aligned({kLocName, kLocStreet, kLocHouseNumber,
                              kLocPostcode, kLocCity, kLocGemeente},
                             "locaties");
  for (size_t i = 0; i < locations[0].size(); ++i) {
    v1::Location* l = e.add_locations();
    l->set_name(locations[0][i]);
    l->set_street(locations[1][i]);
    l->set_house_number(locations[2][i]);
    l->set_postcode(locations[3][i]);
    l->set_city(locations[4][i]);
    const std::string& gemeente = locations[5][i];
    if (gemeente.empty()) continue;
    if (auto code = GemeenteCode(gemeente)) {
      l->set_gemeentecode(*code);
    } else {
      r.Problem(kLocGemeente,
                absl::StrCat("\"", gemeente, "\" is geen gemeente"));
    }
  }
  auto contacts = r.Aligned({kContactName, kContactRole, kContactPhone,
                             kContactEmail, kContactVisibility},
                            "contactpersonen");
  for (size_t i = 0; i < contacts[0].size(); ++i) {
    v1::Contact* c = e.add_contacts();
    c->set_name(contacts[0][i]);
    c->set_role(contacts[1][i]);
    c->set_phone(contacts[2][i]);
    c->set_email(contacts[3][i]);
    const std::string visibility = absl::AsciiStrToLower(contacts[4][i]);
    if (visibility == "openbaar" || visibility == "public") {
      c->set_visibility(v1::VISIBILITY_PUBLIC);
    } else if (visibility.empty() || visibility == "professionals") {
      c->set_visibility(v1::VISIBILITY_PROFESSIONALS);
    } else {
      r.Problem(kContactVisibility,
                absl::StrCat("\"", contacts[4][i],
                             "\" is geen zichtbaarheid (openbaar of "
                             "professionals)"));
    }
  }
  auto marks = r.Aligned({kMarkTypes, kMarkNames, kMarkScores, kMarkDates},
                         "keurmerken");
  for (size_t i = 0; i < marks[0].size(); ++i) {
    v1::QualityMark* q = e.add_quality_marks();
    if (!marks[0][i].empty()) {
      if (auto t = ParseTaxonomy(v1::QualityMarkType_descriptor(), marks[0][i]))
        q->set_type(static_cast<v1::QualityMarkType>(*t));
      else
        r.Problem(kMarkTypes,
                  absl::StrCat("\"", marks[0][i], "\" is geen keurmerk"));
    }
    q->set_name(marks[1][i]);
    uint32_t score = 0;
    if (!marks[2][i].empty() && !absl::SimpleAtoi(marks[2][i], &score)) {
      r.Problem(kMarkScores,
                absl::StrCat("\"", marks[2][i], "\" is geen geheel getal"));
    }
    q->set_fidelity_score(score);
    if (!marks[3][i].empty()) {
      absl::Time t;
      std::string error;
      if (absl::ParseTime("%Y-%m-%d", marks[3][i], absl::UTCTimeZone(), &t,
                          &error)) {
        *q->mutable_assessed_on() = TimestampOf(t);
      } else {
        r.Problem(kMarkDates, absl::StrCat("\"", marks[3][i],
                                           "\" is geen datum (JJJJ-MM-DD)"));
      }
    }
  }
  const std::string sector = r.Cell(kSector);
  const std::string offers = r.Cell(kOffers);
  if (!sector.empty() || !offers.empty() || !r.Cell(kOpenPlaces).empty()) {
    v1::Employer* w = e.mutable_employer();
    w->set_sector(absl::AsciiStrToUpper(sector));
    r.Taxonomy(kOffers, v1::EmployerOffer_descriptor(), [&](int v) {
      w->add_offers(static_cast<v1::EmployerOffer>(v));
    });
    w->set_open_places(r.Number(kOpenPlaces));
    w->set_de_normaalste_zaak(r.YesNo(kNormaalsteZaak));
    w->set_uses_no_riskpolis(r.YesNo(kNoRiskpolis));
    w->set_uses_loonkostensubsidie(r.YesNo(kLoonkostensubsidie));
  }
  return e;
}

}  // namespace

const std::vector<std::string>& SpreadsheetColumns() {
  static const auto* columns =
      new std::vector<std::string>(kColumnNames, kColumnNames + kColumnCount);
  return *columns;
}

std::string EntriesToSpreadsheet(const std::vector<v1::Entry>& entries) {
  std::string out(kUtf8Bom);
  out += SpreadsheetLine(SpreadsheetColumns());
  for (const v1::Entry& entry : entries) {
    if (!entry.withdrawn()) out += SpreadsheetLine(Row(entry));
  }
  return out;
}

SpreadsheetImport ParseSpreadsheet(absl::string_view text,
                                   const std::string& organisation_id) {
  SpreadsheetImport result;
  if (absl::StartsWith(text, kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  // The separator is whichever of ; , tab the header line has most of.
  const absl::string_view header_line = text.substr(0, text.find('\n'));
  char separator = ';';
  size_t best = 0;
  for (char c : {';', ',', '\t'}) {
    const size_t n = std::count(header_line.begin(), header_line.end(), c);
    if (n > best) best = n, separator = c;
  }
  auto rows = ParseCsv(text, separator);
  if (!rows.ok()) {
    result.problems.push_back({0, "", std::string(rows.status().message())});
    return result;
  }
  if (rows->empty()) {
    result.problems.push_back({1, "", "het bestand is leeg"});
    return result;
  }
  // Columns by header name; unknown headers are a problem, missing ones
  // are empty.
  std::vector<int> column_of_field(kColumnCount, -1);
  const CsvRow& header = rows->front();
  for (size_t f = 0; f < header.fields.size(); ++f) {
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[f]));
    if (name.empty()) continue;
    const auto* it = std::find(kColumnNames, kColumnNames + kColumnCount, name);
    if (it == kColumnNames + kColumnCount) {
      result.problems.push_back(
          {header.line, name,
           absl::StrCat("onbekende kolom (bekend: ",
                        absl::StrJoin(SpreadsheetColumns(), ", "), ")")});
      continue;
    }
    column_of_field[it - kColumnNames] = static_cast<int>(f);
  }
  if (column_of_field[kTitle] < 0 && column_of_field[kId] < 0) {
    result.problems.push_back(
        {header.line, "", "de kopregel mist de kolommen id en titel"});
    return result;
  }
  std::map<std::string, int> seen_ids;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    if (std::all_of(row.fields.begin(), row.fields.end(),
                    [](const std::string& f) {
                      return absl::StripAsciiWhitespace(f).empty();
                    })) {
      continue;  // an empty line
    }
    RowReader reader(row, column_of_field, &result.problems);
    v1::Entry entry = ReadRow(reader, organisation_id);
    auto [it, fresh] = seen_ids.emplace(entry.id(), row.line);
    if (!fresh) {
      reader.Problem(kId,
                     absl::StrCat("\"", entry.id(), "\" staat ook al op regel ",
                                  it->second));
    }
    result.rows.push_back({row.line, std::move(entry)});
  }
  return result;
}

std::string ColumnOf(absl::string_view field_path) {
  struct Prefix {
    const char* path;
    Column column;
  };
  static const Prefix kPrefixes[] = {
      {"id", kId},
      {"organisation_id", kOrganisation},
      {"kind", kKind},
      {"title", kTitle},
      {"description", kDescription},
      {"interventions", kInterventions},
      {"target_groups", kTargetGroups},
      {"regelingen", kRegelingen},
      {"funding", kFunding},
      {"service_area.arbeidsmarktregio_codes", kRegios},
      {"service_area", kGemeenten},
      {"availability.accepting_new_clients", kAccepting},
      {"availability.wait_weeks", kWaitWeeks},
      {"availability.free_places", kFreePlaces},
      {"languages", kLanguages},
      {"locations[].name", kLocName},
      {"locations[].street", kLocStreet},
      {"locations[].house_number", kLocHouseNumber},
      {"locations[].postcode", kLocPostcode},
      {"locations[].city", kLocCity},
      {"locations[].gemeentecode", kLocGemeente},
      {"locations[].latitude", kLocPostcode},
      {"locations[].longitude", kLocPostcode},
      {"locations", kLocName},
      {"contacts[].name", kContactName},
      {"contacts[].role", kContactRole},
      {"contacts[].phone", kContactPhone},
      {"contacts[].email", kContactEmail},
      {"contacts[].visibility", kContactVisibility},
      {"contacts", kContactName},
      {"quality_marks[].type", kMarkTypes},
      {"quality_marks[].name", kMarkNames},
      {"quality_marks[].fidelity_score", kMarkScores},
      {"quality_marks[].assessed_on", kMarkDates},
      {"quality_marks", kMarkTypes},
      {"employer.sector", kSector},
      {"employer.offers", kOffers},
      {"employer.open_places", kOpenPlaces},
      {"employer", kSector},
      {"last_verified", kLastVerified},
  };
  // "locations[1].postcode" -> "locations[].postcode", index 1.
  std::string shape;
  int index = -1;
  for (size_t i = 0; i < field_path.size(); ++i) {
    if (field_path[i] == '[') {
      const size_t close = field_path.find(']', i);
      if (close == absl::string_view::npos) break;
      if (index < 0) {
        (void)absl::SimpleAtoi(field_path.substr(i + 1, close - i - 1), &index);
      }
      shape += "[]";
      i = close;
      continue;
    }
    shape += field_path[i];
  }
  for (const Prefix& p : kPrefixes) {
    if (absl::StartsWith(shape, p.path)) {
      const bool listed = absl::StrContains(p.path, "[]") ||
                          p.column == kInterventions ||
                          p.column == kTargetGroups || p.column == kLanguages ||
                          p.column == kGemeenten || p.column == kRegios;
      std::string column = kColumnNames[p.column];
      if (listed && index >= 0)
        absl::StrAppend(&column, " (", index + 1, "e waarde)");
      return column;
    }
  }
  return std::string(field_path);
}

std::string Slugify(absl::string_view text) {
  const std::string folded = FoldForMatching(text);
  std::string slug;
  for (char c : folded) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
    if (slug.size() >= 60) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

}  // namespace kaartnet::interop
