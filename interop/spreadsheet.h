// Entries as a spreadsheet: the columns a Werkbedrijf keeps, one row per
// entry, for `kaart export --format csv` / `kaart import --format csv` and
// GET /api/v1/export/entries.csv.
//
// The file is what Dutch Excel reads and writes: UTF-8 with a BOM, ';'
// between fields, CRLF. On import ',' and tab separated files work too.
// Lists within a cell are separated by " | ". Taxonomy values are written as
// their Dutch labels ("IPS-trajectbegeleider") and read as label, short name
// or full name; gemeenten and arbeidsmarktregio's as names (codes are read
// too); yes/no as "ja"/"nee". Locations and contacts use one column per
// field, the values of the n-th location (contact) at the n-th place of
// each of those columns:
//
//   locatie_plaats      locatie_postcode
//   Heerlen | Kerkrade  6411 HB | 6461 AA
//
// Reading checks the shape of every cell and names row and column of each
// problem; whether an entry is acceptable is up to the node's validation,
// whose field paths ColumnOf maps back to columns.
#ifndef KAARTNET_INTEROP_SPREADSHEET_H_
#define KAARTNET_INTEROP_SPREADSHEET_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kaartnet/v1/entry.pb.h"

namespace kaartnet::interop {

// The header row, in order.
const std::vector<std::string>& SpreadsheetColumns();

// The whole file: BOM, header, one row per entry (withdrawn ones left out).
std::string EntriesToSpreadsheet(const std::vector<v1::Entry>& entries);

struct SpreadsheetProblem {
  int line = 0;        // 1-based line of the row in the file
  std::string column;  // header name, or "" for the whole row
  std::string message;
};

struct SpreadsheetRow {
  int line = 0;
  v1::Entry entry;
};

struct SpreadsheetImport {
  std::vector<SpreadsheetRow> rows;
  std::vector<SpreadsheetProblem> problems;  // empty: every row was read
};

// Reads the file for `organisation_id`: every row becomes an entry of that
// organisation (a row naming another organisation is a problem). An empty
// id column makes the id from the title.
SpreadsheetImport ParseSpreadsheet(absl::string_view text,
                                   const std::string& organisation_id);

// The column (and, for lists, which value: "2e waarde") of a field path of
// a validation error, e.g. "locations[1].postcode" -> "locatie_postcode
// (2e waarde)"; the path itself when no column holds it.
std::string ColumnOf(absl::string_view field_path);

// "IPS-trajectbegeleiding Heerlen" -> "ips-trajectbegeleiding-heerlen".
std::string Slugify(absl::string_view text);

}  // namespace kaartnet::interop

#endif  // KAARTNET_INTEROP_SPREADSHEET_H_
