// Close spellings: words of a sorted vocabulary within a small edit
// distance (Levenshtein: insert, delete, substitute one letter) of a word.
#ifndef KAARTNET_SEARCH_TYPO_H_
#define KAARTNET_SEARCH_TYPO_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaartnet::search {

// Edit distance of a and b, or max_distance + 1 when it is larger.
int BoundedEditDistance(absl::string_view a, absl::string_view b,
                        int max_distance);

// Entries (word, stem) of `vocabulary` whose word is within max_distance
// (but not equal) of `word`, nearest first, at most `limit`.
std::vector<std::pair<std::pair<std::string, std::string>, int>> TypoNeighbours(
    const std::vector<std::pair<std::string, std::string>>& vocabulary,
    absl::string_view word, int max_distance, size_t limit);

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_TYPO_H_
