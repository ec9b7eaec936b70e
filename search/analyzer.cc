#include "search/analyzer.h"

#include "absl/strings/ascii.h"
#include "common/reference_data.h"
#include "common/utf8.h"

namespace kaartnet::search {
namespace {

// Non-ASCII code points that separate words: Latin-1 punctuation and
// symbols, general punctuation (dashes, quotes), currency, arrows, ...
bool IsSeparator(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
         (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
         cp == 0xFEFF || cp == 0xFFFD;
}

}  // namespace

std::vector<std::string> Tokenize(absl::string_view text) {
  const std::string folded = FoldForMatching(text);
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) tokens.push_back(std::move(current));
    current.clear();
  };
  size_t pos = 0;
  while (pos < folded.size()) {
    const size_t start = pos;
    const uint32_t cp = NextCodePoint(folded, &pos);
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (!absl::ascii_isalnum(c)) {
        flush();
        continue;
      }
      // Split digits from letters: "6411ab" -> "6411", "ab".
      if (!current.empty() &&
          absl::ascii_isdigit(current.back()) != absl::ascii_isdigit(c)) {
        flush();
      }
      current += c;
    } else if (IsSeparator(cp)) {
      flush();
    } else {
      current.append(folded, start, pos - start);
    }
  }
  flush();
  return tokens;
}

}  // namespace kaartnet::search
