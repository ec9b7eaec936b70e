// Files of data/ compiled into the search library.
#ifndef KAARTNET_SEARCH_EMBEDDED_SEARCH_DATA_H_
#define KAARTNET_SEARCH_EMBEDDED_SEARCH_DATA_H_

#include "absl/strings/string_view.h"

namespace kaartnet::search::embedded {

// data/synonyms.txt
absl::string_view SynonymsTxt();
// data/places.txt
absl::string_view PlacesTxt();

}  // namespace kaartnet::search::embedded

#endif  // KAARTNET_SEARCH_EMBEDDED_SEARCH_DATA_H_
