#include "common/csv.h"

#include "absl/strings/str_cat.h"

namespace kaartnet {

absl::StatusOr<std::vector<CsvRow>> ParseCsv(absl::string_view text,
                                             char separator) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_was_quoted = false;
  bool row_has_content = false;
  size_t i = 0;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    if (row_has_content || row.fields.size() > 1 || !row.fields[0].empty()) {
      rows.push_back(std::move(row));
    }
    row = CsvRow();
    row.line = line;
    row_has_content = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        in_quotes = false;
        ++i;
        continue;
      }
      if (c == '\n') ++line;
      field += c;
      ++i;
      continue;
    }
    if (c == separator) {
      end_field();
      row_has_content = true;
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", line, ": quote inside an unquoted field"));
        }
        in_quotes = true;
        field_was_quoted = true;
        row_has_content = true;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++line;
        end_row();
        break;
      case '\n':
        ++line;
        end_row();
        break;
      default:
        if (field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line, ": text after the closing quote of a field"));
        }
        field += c;
        break;
    }
    ++i;
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", row.line, ": quoted field is never closed"));
  }
  if (!field.empty() || !row.fields.empty() || field_was_quoted) end_row();
  return rows;
}

std::string CsvEscape(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string SpreadsheetLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ';';
    const bool formula =
        !fields[i].empty() && absl::string_view("=+-@\t").find(fields[i][0]) !=
                                  absl::string_view::npos;
    const std::string field = formula ? "'" + fields[i] : fields[i];
    if (field.find_first_of(";\"\r\n") == std::string::npos) {
      out += field;
      continue;
    }
    out += '"';
    for (char c : field) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvEscape(fields[i]);
  }
  out += '\n';
  return out;
}

}  // namespace kaartnet
