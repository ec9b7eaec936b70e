// Fuzz target: the files `kaart import` reads from partners: spreadsheets
// (CSV, ';' ',' or tab separated) and Open Referral HSDS JSON. The first
// byte picks which. Whatever is read is written back out (spreadsheet row,
// HSDS service) and a field path is mapped to its column, so the writers
// see fuzzed entries too.
#include <cstdint>
#include <string>

#include "interop/hsds.h"
#include "interop/spreadsheet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<v1::Entry> entries;
  if (data[0] % 2 == 0) {
    interop::SpreadsheetImport got = interop::ParseSpreadsheet(text, "fuzz");
    for (auto& row : got.rows) entries.push_back(std::move(row.entry));
    (void)interop::ColumnOf(text.substr(0, 64));
  } else {
    interop::HsdsImport got = interop::ParseHsds(text, "fuzz");
    for (auto& item : got.entries) entries.push_back(std::move(item.entry));
  }
  (void)interop::EntriesToSpreadsheet(entries);
  // Bytes of a spreadsheet need not be UTF-8 (the node refuses such entries
  // on import); writers of HSDS replace them, as the node's endpoints do.
  for (const v1::Entry& entry : entries) {
    (void)interop::HsdsService(entry, nullptr, "https://fuzz")
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
