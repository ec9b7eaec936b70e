#include "web/web_assets.h"

#include "absl/strings/match.h"
#include "common/reference_data.h"
#include "kaartnet/v1/entry.pb.h"
#include "kaartnet/v1/organisation.pb.h"
#include "model/vocabulary.h"
#include "nlohmann/json.hpp"
#include "search/document.h"

namespace kaartnet::web {
namespace embedded {
absl::string_view index_html();
absl::string_view app_css();
absl::string_view app_js();
absl::string_view zoeken_js();
absl::string_view detail_js();
absl::string_view beheer_js();
absl::string_view regio_js();
absl::string_view aanmelden_js();
}  // namespace embedded

namespace {

constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJs[] = "text/javascript; charset=utf-8";

nlohmann::json EnumValues(const google::protobuf::EnumDescriptor* type) {
  nlohmann::json values = nlohmann::json::array();
  for (int i = 0; i < type->value_count(); ++i) {
    const int number = type->value(i)->number();
    if (number == 0) continue;
    values.push_back({{"value", type->value(i)->name()},
                      {"short", model::ShortName(type, number)},
                      {"label", model::Label(type, number)}});
  }
  return values;
}

}  // namespace

const Asset* FindAsset(absl::string_view path) {
  static const Asset index{embedded::index_html(), kHtml};
  static const Asset css{embedded::app_css(), "text/css; charset=utf-8"};
  static const Asset app{embedded::app_js(), kJs};
  static const Asset zoeken{embedded::zoeken_js(), kJs};
  static const Asset detail{embedded::detail_js(), kJs};
  static const Asset beheer{embedded::beheer_js(), kJs};
  static const Asset regio{embedded::regio_js(), kJs};
  static const Asset aanmelden{embedded::aanmelden_js(), kJs};
  if (path == "/" || path == "/beheer" || path == "/regio" ||
      path == "/aanmelden" || absl::StartsWith(path, "/aanbod/")) {
    return &index;
  }
  if (path == "/static/app.css") return &css;
  if (path == "/static/app.js") return &app;
  if (path == "/static/zoeken.js") return &zoeken;
  if (path == "/static/detail.js") return &detail;
  if (path == "/static/beheer.js") return &beheer;
  if (path == "/static/regio.js") return &regio;
  if (path == "/static/aanmelden.js") return &aanmelden;
  return nullptr;
}

const std::vector<std::string>& AssetRoutes() {
  static const auto* routes = new std::vector<std::string>{
      "/", "/beheer", "/regio", "/aanmelden", "/aanbod/.+", "/static/.+"};
  return *routes;
}

std::string VocabularyJson(absl::string_view region) {
  nlohmann::json enums = {
      {"kind", EnumValues(v1::EntryKind_descriptor())},
      {"intervention", EnumValues(v1::Intervention_descriptor())},
      {"target_group", EnumValues(v1::TargetGroup_descriptor())},
      {"regeling", EnumValues(v1::Regeling_descriptor())},
      {"funding", EnumValues(v1::Funding_descriptor())},
      {"quality_mark", EnumValues(v1::QualityMarkType_descriptor())},
      {"offer", EnumValues(v1::EmployerOffer_descriptor())},
      {"org_type", EnumValues(v1::OrganisationType_descriptor())},
      {"visibility", EnumValues(v1::Visibility_descriptor())},
  };
  nlohmann::json sectors = nlohmann::json::array();
  for (char letter = 'A'; letter <= 'U'; ++letter) {
    const std::string code(1, letter);
    const std::string label = model::SectorLabel(code);
    if (!label.empty()) sectors.push_back({{"value", code}, {"label", label}});
  }
  const ReferenceData& ref = ReferenceData::Get();
  nlohmann::json gemeenten = nlohmann::json::array();
  for (const Gemeente& g : ref.gemeenten()) {
    gemeenten.push_back({{"code", g.code},
                         {"name", g.naam},
                         {"regio", g.arbeidsmarktregio_code}});
  }
  nlohmann::json regios = nlohmann::json::array();
  for (const Arbeidsmarktregio& r : ref.regios())
    regios.push_back({{"code", r.code}, {"name", r.naam}});
  nlohmann::json here = {{"code", std::string(region)}};
  if (const Arbeidsmarktregio* r = ref.FindRegio(region)) {
    here["name"] = r->naam;
    here["gemeenten"] = r->gemeentecodes;
  }
  nlohmann::json languages = nlohmann::json::array();
  for (absl::string_view code : model::LanguageCodes()) {
    const char* name = code == "nl" ? "Nederlands" : search::LanguageName(code);
    if (name != nullptr)
      languages.push_back({{"value", std::string(code)}, {"label", name}});
  }
  return nlohmann::json{{"enums", enums},         {"sectors", sectors},
                        {"languages", languages}, {"gemeenten", gemeenten},
                        {"regios", regios},       {"region", here}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace kaartnet::web
