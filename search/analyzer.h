// Dutch text analysis, shared by indexing and querying.
//
//  - Words: lower-cased, diacritics folded (é→e, ï→i), split on anything that
//    is not a letter or digit; digits split from letters ("6411AB" → "6411",
//    "ab"). Words joined by a hyphen are remembered ("POH-GGZ").
//  - Terms (what the index holds): the Snowball Dutch stem of every word
//    that is not a stop word; the stem of hyphenated compounds joined
//    ("re-integratie" also gives the term of "reintegratie"); a postcode
//    "6411 AB" also as "6411ab"; and for every synonym group one of whose
//    members occurs (a word or a phrase, see data/synonyms.txt), the group's
//    token "~name".
//  - English loanword plurals that Snowball Dutch leaves alone are reduced
//    first ("jobcoaches" → "jobcoach").
//
// Thread-safety: Get() and every method are safe from any thread (the
// stemmer and its cache are per thread).
#ifndef KAARTNET_SEARCH_ANALYZER_H_
#define KAARTNET_SEARCH_ANALYZER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/container/node_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace kaartnet::search {

struct Word {
  std::string text;  // folded
  // Joined to the previous word by a hyphen ("poh-ggz").
  bool hyphen_before = false;
};

// The terms of one field.
struct FieldTerms {
  // term → frequency in the field.
  absl::flat_hash_map<std::string, uint16_t> tf;
  // Words (not stop words) counted for length normalisation.
  uint32_t length = 0;
  // Folded words seen, each with its stem (for prefix and typo lookup).
  std::vector<std::pair<std::string, std::string>> words;
};

// One unit of a query: a word (or phrase) that documents must match.
struct QueryGroup {
  // The folded word(s) as typed, joined by spaces.
  std::string text;
  // Stem of the word; for hyphenated compounds, of the joined word. Empty
  // for a group that is only a synonym phrase.
  std::string stem;
  // Folded word for prefix and typo lookup (the joined compound, or "").
  std::string raw;
  // Synonym group tokens ("~ips") the word or phrase belongs to.
  std::vector<std::string> synonyms;
  // The last word of the query, possibly still being typed.
  bool prefix = false;
  // Four digits starting 1-9: a postcode area (PC4).
  bool postcode = false;
  // The folded words this group covers, in order.
  std::vector<std::string> words;
};

// Reusable state for indexing many fields on one thread: the folded text,
// the words as views into it, and a stem cache whose strings the terms
// point into. Views stay valid until Clear().
class IndexScratch {
 public:
  size_t cache_size() const { return stems_.size() + verbatim_.size(); }
  // Frees the cache; only between documents (views die with it).
  void Clear() {
    stems_.clear();
    verbatim_.clear();
  }

 private:
  friend class Analyzer;
  std::string folded_;
  std::vector<std::pair<absl::string_view, bool>>
      words_;  // view, hyphen_before
  std::vector<absl::string_view> stems_of_words_;
  absl::node_hash_map<std::string, std::string> stems_;  // word -> stem
  absl::node_hash_set<std::string> verbatim_;            // unstemmed terms
  std::string joined_;
};

class Analyzer {
 public:
  // The analyzer with the synonyms compiled in (data/synonyms.txt).
  static const Analyzer& Get();
  explicit Analyzer(absl::string_view synonyms_text);

  std::vector<Word> Words(absl::string_view text) const;
  // Adds the terms of `text` to `out`.
  void AnalyzeField(absl::string_view text, FieldTerms* out) const;
  // The same analysis without allocations per word: calls term(t) for every
  // term occurrence and word(w, stem) for every indexed word (views valid
  // until scratch->Clear()); returns the field length (words that are not
  // stop words).
  uint32_t AnalyzeFieldInto(
      absl::string_view text, IndexScratch* scratch,
      absl::FunctionRef<void(absl::string_view)> term,
      absl::FunctionRef<void(absl::string_view, absl::string_view)> word) const;
  std::vector<QueryGroup> AnalyzeQuery(absl::string_view query) const;

  // Stem of a folded word (cached per thread).
  std::string Stem(absl::string_view folded) const;
  bool IsStopWord(absl::string_view folded) const;

  // Synonym group names, e.g. "ips" (tokens are "~" + name).
  std::vector<std::string> SynonymGroups() const;

 private:
  struct Phrase {
    std::vector<std::string> stems;
    std::string token;  // "~name"
    // Abbreviations (one word of at most 4 letters) match only as written:
    // "ASS" (autism) must not match "Assen", whose stem is "ass".
    std::string exact_word;
  };
  static constexpr size_t kMaxAbbreviation = 4;
  // Synonym phrases starting at word i of `stems`; calls fn(token, length).
  // word_at(k) is the folded word k (for abbreviations).
  template <typename Stems, typename WordAt, typename Fn>
  void MatchSynonyms(const Stems& stems, size_t i, WordAt word_at, Fn fn) const;
  // Cached stem (a view into the scratch's cache).
  absl::string_view CachedStem(absl::string_view folded,
                               IndexScratch* scratch) const;

  absl::flat_hash_set<std::string> stop_words_;
  // First stem of a phrase → phrases starting with it (longest first).
  absl::flat_hash_map<std::string, std::vector<Phrase>> phrases_;
  std::vector<std::string> group_names_;
};

// Lower-cases, folds diacritics and splits into words (no stemming).
std::vector<std::string> Tokenize(absl::string_view text);

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_ANALYZER_H_
