// Text analysis shared by indexing and querying.
//
// Tokenize: lower-cases, folds diacritics (é→e, ï→i), splits on anything
// that is not a letter or digit, so "POH-GGZ" gives "poh", "ggz" and
// "6411AB" gives "6411", "ab".
#ifndef KAARTNET_SEARCH_ANALYZER_H_
#define KAARTNET_SEARCH_ANALYZER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaartnet::search {

std::vector<std::string> Tokenize(absl::string_view text);

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_ANALYZER_H_
