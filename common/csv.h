// RFC 4180 CSV reading and writing (quoted fields, "" escapes, CRLF or LF).
#ifndef KAARTNET_COMMON_CSV_H_
#define KAARTNET_COMMON_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaartnet {

struct CsvRow {
  // 1-based line number where the row starts (for error messages).
  int line = 0;
  std::vector<std::string> fields;
};

// Parses the whole text, fields separated by `separator`. Fails on an
// unterminated quote or a stray quote inside an unquoted field, naming the
// line.
absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text,
                                             char separator = ',');

// Quotes a field when needed (comma, quote, CR or LF).
std::string CsvEscape(absl::string_view field);
// Joins escaped fields with commas and ends the line with "\n".
std::string CsvLine(const std::vector<std::string>& fields);

// A line of a file meant for a spreadsheet (what Dutch Excel reads and
// writes): fields separated by ';', quoted when needed, CRLF at the end, and
// a field that a spreadsheet would run as a formula (starting with = + - @
// or a tab) prefixed with ' so it stays text. Start the file with
// kUtf8Bom so the spreadsheet reads UTF-8.
std::string SpreadsheetLine(const std::vector<std::string>& fields);
inline constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_CSV_H_
