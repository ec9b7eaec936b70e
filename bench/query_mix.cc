#include "bench/query_mix.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "clients/demo/demo_data.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace kaartnet::bench {
namespace {

QuerySpec Text(const std::string& cls, const std::string& text) {
  QuerySpec q;
  q.query_class = cls;
  q.name = text;
  q.request.set_query(text);
  return q;
}

}  // namespace

std::vector<QuerySpec> MakeQueryMix(uint64_t seed) {
  demo::Random rng(seed);
  std::vector<QuerySpec> mix;
  // Very frequent words of the kaart.
  for (const char* w : {"werk", "begeleiding", "gemeente", "werk begeleiding",
                        "cliënt", "ondersteuning", "regio", "werkgever"}) {
    mix.push_back(Text("frequent", w));
  }
  // Medium frequency.
  for (const char* w :
       {"jobcoach", "ervaringsdeskundige", "garantiebaan", "re-integratie",
        "psychose", "autisme", "herstel", "werkplekdiagnose",
        "loonkostensubsidie", "dagbesteding", "no-riskpolis",
        "sollicitatietraining"}) {
    mix.push_back(Text("medium", w));
  }
  // Rare words.
  for (const char* w : {"fietsenwerkplaats", "tigrinya", "wrap", "somalisch",
                        "drukkerij", "bipolaire", "ips-onderwijs", "kwekerij",
                        "zorgboerderij", "lotgenotencontact"}) {
    mix.push_back(Text("rare", w));
  }
  // Several words.
  for (const char* w :
       {"ips psychose", "jobcoach autisme jongeren",
        "ervaringsdeskundige herstel depressie", "werkervaringsplaats horeca",
        "re-integratie burn-out", "garantiebanen zorg",
        "jobcoaching werkplek begeleiding", "ips trajectbegeleider fact team",
        "schulden hulp werk inkomen", "werk na psychose"}) {
    mix.push_back(Text("multi", w));
  }
  // Typing: the last word is a prefix.
  for (const char* w :
       {"jobco", "ervaringsd", "maas", "herst", "wer", "ips tr", "garantieb"}) {
    mix.push_back(Text("prefix", w));
  }
  // Text with filters.
  const std::vector<std::string> areas = {
      "GM0935", "GM0917", "GM0928", "GM1883", "AM30",   "GM0363",
      "GM0599", "GM0344", "AM19",   "GM0014", "GM0772", "AM11"};
  const std::vector<std::pair<std::string, v1::EntryKind>> kinds = {
      {"ips", v1::ENTRY_KIND_IPS_TRAJECTBEGELEIDER},
      {"jobcoach", v1::ENTRY_KIND_JOBCOACH},
      {"ervaringsdeskundige", v1::ENTRY_KIND_ERVARINGSDESKUNDIGE},
      {"werk", v1::ENTRY_KIND_WERKGEVER},
      {"traject", v1::ENTRY_KIND_RE_INTEGRATIETRAJECT}};
  for (int i = 0; i < 24; ++i) {
    const auto& [word, kind] = kinds[i % kinds.size()];
    QuerySpec q = Text("filtered", word);
    if (rng.Chance(0.7)) q.request.add_kinds(kind);
    q.request.add_area_codes(rng.Pick(areas));
    if (rng.Chance(0.4)) q.request.set_accepting_new_clients(true);
    if (rng.Chance(0.3))
      q.request.add_target_groups(rng.Chance(0.5) ? v1::TARGET_GROUP_PSYCHOSE
                                                  : v1::TARGET_GROUP_AUTISME);
    q.name = absl::StrCat(word, " [filters ", i, "]");
    mix.push_back(std::move(q));
  }
  // Filters only (what the filter panel does without text).
  for (int i = 0; i < 20; ++i) {
    QuerySpec q;
    q.query_class = "filter";
    q.name = absl::StrCat("filters only ", i);
    q.request.add_kinds(kinds[rng.Uniform(kinds.size())].second);
    if (i % 2 == 0) q.request.add_area_codes(rng.Pick(areas));
    if (i % 3 == 0) q.request.set_accepting_new_clients(true);
    if (i % 4 == 1) q.request.add_target_groups(v1::TARGET_GROUP_PSYCHOSE);
    if (i % 5 == 2) q.request.add_languages("ar");
    mix.push_back(std::move(q));
  }
  // Near a place.
  const std::vector<std::string> postcodes = {"6411", "6211", "6461", "6131",
                                              "6441"};
  const std::vector<std::string> gemeenten = {"GM0935", "GM0363", "GM0599",
                                              "GM0344", "GM0014"};
  for (int i = 0; i < 15; ++i) {
    QuerySpec q = Text("geo", i % 3 == 0 ? "" : kinds[i % kinds.size()].first);
    if (i % 2 == 0) {
      q.request.mutable_near()->set_postcode(postcodes[i % postcodes.size()]);
    } else {
      q.request.mutable_near()->set_gemeentecode(
          gemeenten[i % gemeenten.size()]);
    }
    q.request.mutable_near()->set_radius_km(i % 4 == 0 ? 25 : 10);
    if (i % 3 == 0) {
      q.request.add_kinds(kinds[i % kinds.size()].second);
      q.request.set_sort(v1::SORT_ORDER_DISTANCE);
    }
    q.name =
        absl::StrCat(q.request.query(), " near ", q.request.near().postcode(),
                     q.request.near().gemeentecode(), " ",
                     q.request.near().radius_km(), "km");
    mix.push_back(std::move(q));
  }
  for (QuerySpec& q : mix) q.request.set_page_size(10);
  return mix;
}

absl::Status WriteQueryMix(const std::string& path, uint64_t seed) {
  std::ofstream out(path, std::ios::trunc);
  if (!out)
    return absl::FailedPreconditionError(absl::StrCat("cannot write ", path));
  google::protobuf::util::JsonPrintOptions options;
  for (const QuerySpec& q : MakeQueryMix(seed)) {
    std::string request;
    (void)google::protobuf::util::MessageToJsonString(q.request, &request,
                                                      options);
    nlohmann::json line = {{"name", q.name},
                           {"class", q.query_class},
                           {"request", nlohmann::json::parse(request)}};
    out << line.dump() << "\n";
  }
  return out.good() ? absl::OkStatus() : absl::InternalError("write failed");
}

absl::StatusOr<std::vector<QuerySpec>> ReadQueryMix(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<QuerySpec> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded() || !json.contains("request")) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": not a query line"));
    }
    QuerySpec q;
    q.name = json.value("name", "");
    q.query_class = json.value("class", "");
    if (!google::protobuf::util::JsonStringToMessage(json["request"].dump(),
                                                     &q.request)
             .ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": bad SearchRequest"));
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace kaartnet::bench
