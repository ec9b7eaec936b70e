// The Werkbedrijf's view of its region: coverage gemeente × kind and the
// contact list of every entry (AdminCore::GetCoverage, ExportContacts).
#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/field_violations.h"
#include "common/reference_data.h"
#include "common/status_macros.h"
#include "services/directory_core.h"

namespace kaartnet::services {
namespace {

struct Area {
  std::string code;
  std::string name;
  std::vector<const Gemeente*> gemeenten;  // by name
};

// An arbeidsmarktregio or gemeente code; empty means the node's region.
absl::StatusOr<Area> ResolveArea(const NodeContext& context,
                                 const std::string& requested) {
  const ReferenceData& ref = ReferenceData::Get();
  Area area;
  area.code = requested.empty() ? context.region : requested;
  if (const Arbeidsmarktregio* regio = ref.FindRegio(area.code)) {
    area.name = regio->naam;
    for (const std::string& code : regio->gemeentecodes) {
      if (const Gemeente* g = ref.FindGemeente(code))
        area.gemeenten.push_back(g);
    }
  } else if (const Gemeente* g = ref.FindGemeente(area.code)) {
    area.name = g->naam;
    area.gemeenten.push_back(g);
  } else {
    return InvalidArgumentWithViolations(
        "unknown area",
        {{"area_code",
          requested.empty()
              ? absl::StrCat("this node's region \"", context.region,
                             "\" is not an arbeidsmarktregio code; pass one "
                             "(AMxx) or a gemeentecode (GMxxxx)")
              : absl::StrCat("\"", requested,
                             "\" is neither an arbeidsmarktregio code (AMxx) "
                             "nor a gemeentecode (GMxxxx)")}});
  }
  std::sort(area.gemeenten.begin(), area.gemeenten.end(),
            [](const Gemeente* a, const Gemeente* b) {
              return FoldForMatching(a->naam) < FoldForMatching(b->naam);
            });
  return area;
}

}  // namespace

absl::StatusOr<v1::Coverage> AdminCore::GetCoverage(
    const trust::Caller& caller, const v1::GetCoverageRequest& request) {
  RETURN_IF_ERROR(trust::Authorize(caller, trust::Action::kRegionOverview));
  ASSIGN_OR_RETURN(Area area, ResolveArea(*context_, request.area_code()));
  v1::Coverage coverage;
  coverage.set_area_code(area.code);
  coverage.set_area_name(area.name);
  // One counting search per kind: the gemeente facet counts every gemeente
  // an entry serves, an arbeidsmarktregio expanded to its gemeenten.
  std::map<std::string, std::vector<uint32_t>> counts;
  const auto* kinds = v1::EntryKind_descriptor();
  for (int i = 0; i < kinds->value_count(); ++i) {
    const auto kind = static_cast<v1::EntryKind>(kinds->value(i)->number());
    if (kind == v1::ENTRY_KIND_UNSPECIFIED) continue;
    const int column = coverage.kinds_size();
    coverage.add_kinds(kind);
    v1::SearchRequest count;
    count.add_kinds(kind);
    count.add_area_codes(area.code);
    count.add_facets(v1::FACET_FIELD_GEMEENTE);
    count.set_page_size(1);
    ASSIGN_OR_RETURN(search::SearchResult result,
                     context_->index->Search(count));
    for (const v1::FacetCount& c : result.facets.at(0).counts()) {
      std::vector<uint32_t>& row = counts[c.value()];
      row.resize(kinds->value_count() - 1);
      row[column] = static_cast<uint32_t>(c.count());
    }
  }
  for (const Gemeente* g : area.gemeenten) {
    v1::CoverageRow* row = coverage.add_rows();
    row->set_gemeentecode(g->code);
    row->set_name(g->naam);
    const auto it = counts.find(g->code);
    for (int k = 0; k < coverage.kinds_size(); ++k) {
      row->add_counts(it == counts.end() ? 0 : it->second[k]);
    }
  }
  return coverage;
}

absl::StatusOr<v1::ExportContactsResponse> AdminCore::ExportContacts(
    const trust::Caller& caller, const v1::ExportContactsRequest& request) {
  RETURN_IF_ERROR(trust::Authorize(caller, trust::Action::kRegionOverview));
  ASSIGN_OR_RETURN(Area area, ResolveArea(*context_, request.area_code()));
  if (context_->access_log == nullptr) {
    return absl::FailedPreconditionError(
        "this node has no access log, so it exports no contacts");
  }
  v1::ExportContactsResponse response;
  v1::SearchRequest page;
  page.add_area_codes(area.code);
  page.set_page_size(100);
  page.set_sort(v1::SORT_ORDER_LAST_VERIFIED);
  std::vector<std::string> ids;
  while (true) {
    ASSIGN_OR_RETURN(search::SearchResult result,
                     context_->index->Search(page));
    for (const search::Hit& hit : result.hits) ids.push_back(hit.id);
    if (result.next_page_token.empty()) break;
    page.set_page_token(result.next_page_token);
  }
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    v1::EntryStatus status;
    auto entry = LoadStoredEntry(*context_, id, &status);
    if (absl::IsNotFound(entry.status())) continue;  // withdrawn meanwhile
    RETURN_IF_ERROR(entry.status());
    if (entry->withdrawn()) continue;
    for (const v1::Contact& contact : entry->contacts()) {
      v1::ContactRow* row = response.add_rows();
      row->set_entry_id(entry->id());
      row->set_entry_title(entry->title());
      row->set_kind(entry->kind());
      row->set_organisation_id(entry->organisation_id());
      row->set_organisation_name(status.organisation_name());
      *row->mutable_contact() = contact;
    }
  }
  // No contacts leave the node without a durable record of it.
  trust::AccessRecord record;
  record.caller = caller;
  record.entry_id = absl::StrCat("export:", area.code);
  record.entry_organisation = "*";
  record.purpose = "overzicht";
  RETURN_IF_ERROR(context_->access_log->Append(record));
  return response;
}

}  // namespace kaartnet::services
