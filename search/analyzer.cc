#include "search/analyzer.h"

#include <libstemmer.h>

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "common/reference_data.h"
#include "common/utf8.h"
#include "search/embedded_search_data.h"

namespace kaartnet::search {
namespace {

// Non-ASCII code points that separate words: Latin-1 punctuation and
// symbols, general punctuation (dashes, quotes), currency, arrows, ...
bool IsSeparator(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
         (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
         cp == 0xFEFF || cp == 0xFFFD;
}

// Dashes that join compounds: '-' and U+2010/U+2011 (after folding these
// stay multi-byte, so only ASCII '-' is checked here; the others split).
constexpr char kHyphen = '-';

// Dutch stop words (after the Snowball list), without words that carry
// meaning in this domain.
constexpr const char* kStopWords[] = {
    "de",    "en",     "van",     "ik",      "te",     "dat",   "die",
    "in",    "een",    "hij",     "het",     "niet",   "zijn",  "is",
    "was",   "op",     "aan",     "met",     "als",    "voor",  "had",
    "er",    "maar",   "om",      "hem",     "dan",    "zou",   "of",
    "wat",   "mijn",   "men",     "dit",     "zo",     "door",  "over",
    "ze",    "zich",   "bij",     "ook",     "tot",    "je",    "mij",
    "uit",   "der",    "daar",    "haar",    "naar",   "heb",   "hoe",
    "heeft", "hebben", "deze",    "u",       "want",   "nog",   "zal",
    "me",    "zij",    "nu",      "ge",      "omdat",  "iets",  "worden",
    "toch",  "al",     "waren",   "veel",    "meer",   "doen",  "toen",
    "moet",  "ben",    "dus",     "alles",   "onder",  "ja",    "eens",
    "hier",  "wie",    "werd",    "altijd",  "doch",   "wordt", "kunnen",
    "ons",   "zelf",   "tegen",   "na",      "reeds",  "wil",   "kon",
    "niets", "uw",     "iemand",  "geweest", "andere", "wij",   "we",
    "onze",  "jullie", "ook",     "kan",     "wel",    "zoals", "bent",
    "welke", "waar",   "wanneer", "the",     "and",    "a",     "an",
    "of",    "to"};

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// Snowball Dutch keeps English plurals such as "coaches".
std::string ReduceLoanwordPlural(absl::string_view word) {
  for (absl::string_view suffix : {"ches", "shes", "xes"}) {
    if (word.size() > suffix.size() + 2 && absl::EndsWith(word, suffix)) {
      return std::string(word.substr(0, word.size() - 2));
    }
  }
  return std::string(word);
}

bool IsPostcodeDigits(absl::string_view w) {
  return w.size() == 4 && w[0] >= '1' && w[0] <= '9' &&
         std::all_of(w.begin(), w.end(), absl::ascii_isdigit);
}

bool IsTwoLetters(absl::string_view w) {
  return w.size() == 2 && absl::ascii_isalpha(w[0]) &&
         absl::ascii_isalpha(w[1]);
}

}  // namespace

std::vector<std::string> Tokenize(absl::string_view text) {
  std::vector<std::string> out;
  for (Word& w : Analyzer::Get().Words(text)) out.push_back(std::move(w.text));
  return out;
}

const Analyzer& Analyzer::Get() {
  static const Analyzer* analyzer = new Analyzer(embedded::SynonymsTxt());
  return *analyzer;
}

Analyzer::Analyzer(absl::string_view synonyms_text) {
  for (const char* w : kStopWords) stop_words_.insert(w);
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(synonyms_text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) {
      KLOG(WARNING) << "synonyms line " << line_number
                    << " has no name: skipped";
      continue;
    }
    const std::string name(absl::StripAsciiWhitespace(line.substr(0, colon)));
    group_names_.push_back(name);
    const std::string token = "~" + name;
    for (absl::string_view member :
         absl::StrSplit(line.substr(colon + 1), ',')) {
      Phrase phrase;
      phrase.token = token;
      const std::vector<Word> words = Words(member);
      for (const Word& w : words) phrase.stems.push_back(Stem(w.text));
      if (phrase.stems.empty()) continue;
      if (words.size() == 1 && words[0].text.size() <= kMaxAbbreviation)
        phrase.exact_word = words[0].text;
      phrases_[phrase.stems[0]].push_back(std::move(phrase));
    }
  }
  for (auto& [first, list] : phrases_) {
    std::sort(list.begin(), list.end(), [](const Phrase& a, const Phrase& b) {
      return a.stems.size() > b.stems.size();
    });
  }
}

std::vector<std::string> Analyzer::SynonymGroups() const {
  return group_names_;
}

bool Analyzer::IsStopWord(absl::string_view folded) const {
  return stop_words_.contains(folded);
}

std::string Analyzer::Stem(absl::string_view folded) const {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("dutch", "UTF_8"));
  thread_local absl::flat_hash_map<std::string, std::string> cache;
  if (auto it = cache.find(folded); it != cache.end()) return it->second;
  // Numbers and very short words stay as they are.
  std::string word = ReduceLoanwordPlural(folded);
  std::string stem = word;
  if (word.size() > 2 && !absl::ascii_isdigit(word[0]) && stemmer != nullptr) {
    // Twice: Snowball Dutch removes one suffix per pass, so the plural
    // "werkervaringsplaatsen" would otherwise stop at "...plaats" while the
    // singular reaches "...plat".
    for (int pass = 0; pass < 2; ++pass) {
      const sb_symbol* out = sb_stemmer_stem(
          stemmer.get(), reinterpret_cast<const sb_symbol*>(stem.data()),
          static_cast<int>(stem.size()));
      stem.assign(reinterpret_cast<const char*>(out),
                  sb_stemmer_length(stemmer.get()));
    }
  }
  if (cache.size() > 200000) cache.clear();
  cache.emplace(std::string(folded), stem);
  return stem;
}

std::vector<Word> Analyzer::Words(absl::string_view text) const {
  const std::string folded = FoldForMatching(text);
  std::vector<Word> words;
  std::string current;
  bool hyphen_pending = false;  // a '-' directly after the last word
  bool current_hyphen_before = false;
  auto flush = [&] {
    if (!current.empty())
      words.push_back({std::move(current), current_hyphen_before});
    current.clear();
    current_hyphen_before = false;
  };
  size_t pos = 0;
  while (pos < folded.size()) {
    const size_t start = pos;
    const uint32_t cp = NextCodePoint(folded, &pos);
    bool is_word_char = false;
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (absl::ascii_isalnum(c)) {
        // Split digits from letters: "6411ab" -> "6411", "ab".
        if (!current.empty() &&
            absl::ascii_isdigit(current.back()) != absl::ascii_isdigit(c)) {
          flush();
        }
        is_word_char = true;
      } else {
        const bool was_word = !current.empty();
        flush();
        hyphen_pending = was_word && c == kHyphen;
        continue;
      }
    } else if (!IsSeparator(cp)) {
      is_word_char = true;
    } else {
      flush();
      hyphen_pending = false;
      continue;
    }
    if (is_word_char) {
      if (current.empty()) {
        current_hyphen_before = hyphen_pending;
        hyphen_pending = false;
      }
      current.append(folded, start, pos - start);
    }
  }
  flush();
  return words;
}

template <typename Stems, typename WordAt, typename Fn>
void Analyzer::MatchSynonyms(const Stems& stems, size_t i, WordAt word_at,
                             Fn fn) const {
  auto it = phrases_.find(stems[i]);
  if (it == phrases_.end()) return;
  for (const Phrase& phrase : it->second) {
    if (i + phrase.stems.size() > stems.size()) continue;
    if (!phrase.exact_word.empty() && word_at(i) != phrase.exact_word) continue;
    bool match = true;
    for (size_t k = 1; k < phrase.stems.size() && match; ++k) {
      match = stems[i + k] == phrase.stems[k];
    }
    if (match) fn(phrase.token, phrase.stems.size());
  }
}

absl::string_view Analyzer::CachedStem(absl::string_view folded,
                                       IndexScratch* scratch) const {
  auto it = scratch->stems_.find(folded);
  if (it == scratch->stems_.end()) {
    it = scratch->stems_.emplace(std::string(folded), Stem(folded)).first;
  }
  return it->second;
}

uint32_t Analyzer::AnalyzeFieldInto(
    absl::string_view text, IndexScratch* scratch,
    absl::FunctionRef<void(absl::string_view)> term,
    absl::FunctionRef<void(absl::string_view, absl::string_view)> word) const {
  // Fold once, then split into views of the folded text.
  scratch->folded_ = FoldForMatching(text);
  const std::string& folded = scratch->folded_;
  auto& words = scratch->words_;
  words.clear();
  size_t start = std::string::npos;  // of the current word
  bool hyphen_pending = false, current_hyphen = false;
  auto flush = [&](size_t end) {
    if (start != std::string::npos) {
      words.emplace_back(absl::string_view(folded).substr(start, end - start),
                         current_hyphen);
    }
    start = std::string::npos;
  };
  size_t pos = 0;
  while (pos < folded.size()) {
    const size_t at = pos;
    const uint32_t cp = NextCodePoint(folded, &pos);
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      if (!absl::ascii_isalnum(c)) {
        const bool was_word = start != std::string::npos;
        flush(at);
        hyphen_pending = was_word && c == kHyphen;
        continue;
      }
      // Split digits from letters: "6411ab" -> "6411", "ab".
      if (start != std::string::npos &&
          absl::ascii_isdigit(folded[at - 1]) != absl::ascii_isdigit(c)) {
        flush(at);
        hyphen_pending = false;
      }
    } else if (IsSeparator(cp)) {
      flush(at);
      hyphen_pending = false;
      continue;
    }
    if (start == std::string::npos) {
      start = at;
      current_hyphen = hyphen_pending;
      hyphen_pending = false;
    }
  }
  flush(folded.size());

  auto& stems = scratch->stems_of_words_;
  stems.clear();
  for (const auto& [w, hyphen] : words) stems.push_back(CachedStem(w, scratch));
  uint32_t length = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const absl::string_view w = words[i].first;
    MatchSynonyms(
        stems, i, [&](size_t k) { return words[k].first; },
        [&](const std::string& token, size_t) { term(token); });
    // Hyphenated compound: also the joined word.
    if (!words[i].second && i + 1 < words.size() && words[i + 1].second) {
      std::string& joined = scratch->joined_;
      joined.assign(w.data(), w.size());
      for (size_t j = i + 1; j < words.size() && words[j].second; ++j) {
        joined.append(words[j].first.data(), words[j].first.size());
      }
      const absl::string_view joined_stem = CachedStem(joined, scratch);
      term(joined_stem);
      // The joined word lives in the cache as its key.
      word(scratch->stems_.find(joined)->first, joined_stem);
    }
    // Postcode "6411 AB" also as one term.
    if (IsPostcodeDigits(w) && i + 1 < words.size() &&
        IsTwoLetters(words[i + 1].first)) {
      std::string& joined = scratch->joined_;
      joined.assign(w.data(), w.size());
      joined.append(words[i + 1].first.data(), words[i + 1].first.size());
      term(*scratch->verbatim_.insert(joined).first);
    }
    if (IsStopWord(w)) continue;
    term(stems[i]);
    ++length;
    word(scratch->stems_.find(w)->first, stems[i]);
  }
  return length;
}

void Analyzer::AnalyzeField(absl::string_view text, FieldTerms* out) const {
  IndexScratch scratch;
  out->length += AnalyzeFieldInto(
      text, &scratch, [&](absl::string_view term) { ++out->tf[term]; },
      [&](absl::string_view word, absl::string_view stem) {
        out->words.emplace_back(word, stem);
      });
}

std::vector<QueryGroup> Analyzer::AnalyzeQuery(absl::string_view query) const {
  std::vector<Word> words = Words(query);
  // "6411 ab" in a query is one postcode; keep the digits for the area.
  std::vector<Word> merged;
  for (size_t i = 0; i < words.size(); ++i) {
    if (IsPostcodeDigits(words[i].text) && i + 1 < words.size() &&
        IsTwoLetters(words[i + 1].text)) {
      merged.push_back(words[i]);
      ++i;  // the letters narrow to a street; the area is what matters
      continue;
    }
    merged.push_back(words[i]);
  }
  words = std::move(merged);
  std::vector<std::string> stems;
  for (const Word& w : words) stems.push_back(Stem(w.text));

  // A query ending in a space has no word still being typed.
  const bool typing = !query.empty() && !absl::ascii_isspace(query.back());
  // Are all words stop words? Then keep them.
  const bool all_stop =
      std::all_of(words.begin(), words.end(),
                  [&](const Word& w) { return IsStopWord(w.text); });
  std::vector<QueryGroup> groups;
  size_t i = 0;
  while (i < words.size()) {
    // Multi-word synonym phrase: one group.
    size_t phrase_length = 0;
    std::string phrase_token;
    auto word_at = [&](size_t k) { return absl::string_view(words[k].text); };
    MatchSynonyms(stems, i, word_at,
                  [&](const std::string& token, size_t length) {
                    if (length > phrase_length) {
                      phrase_length = length;
                      phrase_token = token;
                    }
                  });
    if (phrase_length > 1) {
      QueryGroup group;
      for (size_t k = i; k < i + phrase_length; ++k)
        group.words.push_back(words[k].text);
      group.text = absl::StrJoin(group.words, " ");
      group.synonyms.push_back(phrase_token);
      // Written as one hyphenated word: also its joined stem.
      bool hyphenated = true;
      for (size_t k = i + 1; k < i + phrase_length; ++k)
        hyphenated &= words[k].hyphen_before;
      if (hyphenated) {
        group.raw = absl::StrJoin(group.words, "");
        group.stem = Stem(group.raw);
        group.text = absl::StrJoin(group.words, "-");
      }
      group.prefix = typing && i + phrase_length == words.size();
      groups.push_back(std::move(group));
      i += phrase_length;
      continue;
    }
    // A hyphenated compound is one group (its joined stem).
    size_t end = i + 1;
    while (end < words.size() && words[end].hyphen_before) ++end;
    QueryGroup group;
    std::string joined;
    for (size_t k = i; k < end; ++k) {
      group.words.push_back(words[k].text);
      joined += words[k].text;
    }
    group.text = absl::StrJoin(group.words, end - i > 1 ? "-" : " ");
    group.raw = joined;
    group.stem = end - i > 1 ? Stem(joined) : stems[i];
    group.prefix = typing && end == words.size();
    group.postcode = end - i == 1 && IsPostcodeDigits(joined);
    if (end - i == 1) {
      MatchSynonyms(stems, i, word_at,
                    [&](const std::string& token, size_t length) {
                      if (length == 1) group.synonyms.push_back(token);
                    });
    } else {
      // Synonyms of the compound as written with the hyphen.
      std::vector<std::string> part_stems(stems.begin() + i,
                                          stems.begin() + end);
      MatchSynonyms(
          part_stems, 0,
          [&](size_t k) { return absl::string_view(words[i + k].text); },
          [&](const std::string& token, size_t length) {
            if (length == part_stems.size()) group.synonyms.push_back(token);
          });
      // ... and as one word.
      std::vector<std::string> joined_stem = {group.stem};
      MatchSynonyms(
          joined_stem, 0, [&](size_t) { return absl::string_view(joined); },
          [&](const std::string& token, size_t) {
            group.synonyms.push_back(token);
          });
    }
    std::sort(group.synonyms.begin(), group.synonyms.end());
    group.synonyms.erase(
        std::unique(group.synonyms.begin(), group.synonyms.end()),
        group.synonyms.end());
    if (end - i == 1 && !all_stop && !group.prefix &&
        IsStopWord(words[i].text) && group.synonyms.empty()) {
      i = end;
      continue;
    }
    groups.push_back(std::move(group));
    i = end;
  }
  return groups;
}

}  // namespace kaartnet::search
