#include "search/search_index.h"

#include "common/log.h"
#include "trust/signing.h"

namespace kaartnet::search {

PostcodeTable::PostcodeTable() = default;

void PostcodeTable::Learn(absl::string_view pc4, double latitude,
                          double longitude) {
  absl::MutexLock lock(&mu_);
  Sum& sum = sums_[pc4];
  sum.latitude += latitude;
  sum.longitude += longitude;
  ++sum.n;
}

std::optional<GeoPoint> PostcodeTable::Find(absl::string_view pc4) const {
  absl::MutexLock lock(&mu_);
  auto it = sums_.find(pc4);
  if (it == sums_.end()) return std::nullopt;
  return GeoPoint{it->second.latitude / it->second.n,
                  it->second.longitude / it->second.n};
}

SearchIndex::SearchIndex(std::unique_ptr<SearchEngine> engine,
                         const trust::OrganisationRegistry* registry,
                         Clock* clock, absl::Duration freshness)
    : engine_(std::move(engine)),
      registry_(registry),
      clock_(clock),
      freshness_(freshness) {}

void SearchIndex::Index(const v1::Entry& entry) {
  if (entry.withdrawn()) {
    engine_->Remove(entry.id());
    return;
  }
  std::string organisation_name = entry.organisation_id();
  v1::OrganisationType organisation_type = v1::ORGANISATION_TYPE_UNSPECIFIED;
  if (registry_ != nullptr) {
    if (auto org = registry_->Find(entry.organisation_id())) {
      organisation_name = org->name();
      organisation_type = org->type();
    }
  }
  for (const v1::Location& loc : entry.locations()) {
    if (loc.has_latitude() && loc.has_longitude() &&
        loc.postcode().size() >= 4) {
      postcodes_.Learn(loc.postcode().substr(0, 4), loc.latitude(),
                       loc.longitude());
    }
  }
  engine_->Upsert(MakeDocument(entry, organisation_name,
                               [this](absl::string_view pc4) {
                                 return postcodes_.Find(pc4);
                               }),
                  organisation_type);
}

absl::Status SearchIndex::Rebuild(const storage::Store& store) {
  absl::Status parse_error;
  absl::Status status =
      store.ForEachEntry([&](const internal::StoredEntry& stored) {
        if (stored.withdrawn()) return true;
        auto entry = trust::ParseRecord(stored.record());
        if (!entry.ok()) {
          parse_error = entry.status();
          return false;
        }
        Index(*entry);
        return true;
      });
  if (!status.ok()) return status;
  return parse_error;
}

absl::Status SearchIndex::ReindexOrganisation(
    const storage::Store& store, const std::string& organisation_id) {
  return store.ForEachEntry([&](const internal::StoredEntry& stored) {
    if (stored.withdrawn() || stored.organisation_id() != organisation_id)
      return true;
    if (auto entry = trust::ParseRecord(stored.record()); entry.ok())
      Index(*entry);
    return true;
  });
}

void SearchIndex::OnChanges(absl::Span<const storage::Change> changes) {
  for (const storage::Change& change : changes) Index(*change.entry);
}

absl::StatusOr<SearchResult> SearchIndex::Search(
    const v1::SearchRequest& request) const {
  QueryContext context;
  context.now = clock_->Now();
  context.freshness = freshness_;
  context.locate_postcode = [this](absl::string_view pc4) {
    return postcodes_.Find(pc4);
  };
  auto query = CompileQuery(request, context);
  if (!query.ok()) return query.status();
  return engine_->Search(*query);
}

}  // namespace kaartnet::search
