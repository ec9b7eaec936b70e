// The web page of a node: its files (compiled into the binary) and the
// vocabulary the page shows (Dutch labels of every enum value, gemeenten and
// arbeidsmarktregio's), so labels live in one place, next to the search.
//
// Pages (all the same index.html; app.js picks the view by path):
//   /                        Zoeken (klantmanager)
//   /aanbod/{org}/{slug}     one entry, contacts revealed on request
//   /beheer                  Aanbod beheren (partner organisation)
//   /regio                   Regio-overzicht (Werkbedrijf)
//   /aanmelden               sign in with a token
//   /static/{file}           CSS and JavaScript
#ifndef KAARTNET_WEB_WEB_ASSETS_H_
#define KAARTNET_WEB_WEB_ASSETS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaartnet::web {

struct Asset {
  absl::string_view content;
  const char* content_type;
};

// The asset served at `path`, or nullptr. Page paths answer index.html.
const Asset* FindAsset(absl::string_view path);

// The route patterns (httplib regular expressions) under which FindAsset
// answers: the pages and /static/.
const std::vector<std::string>& AssetRoutes();

// JSON: {"enums": {"kind": [{"value", "short", "label"}], ...},
//        "sectors": [...], "gemeenten": [...], "regios": [...],
//        "region": {"code", "name", "gemeenten": [codes]}}
std::string VocabularyJson(absl::string_view region);

}  // namespace kaartnet::web

#endif  // KAARTNET_WEB_WEB_ASSETS_H_
