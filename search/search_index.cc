#include "search/search_index.h"

#include <thread>

#include "common/log.h"
#include "search/hit_card.h"
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
                         OrganisationLookup organisations, Clock* clock,
                         absl::Duration freshness)
    : engine_(std::move(engine)),
      organisations_(std::move(organisations)),
      clock_(clock),
      freshness_(freshness) {}

SearchEngine::Update SearchIndex::MakeUpdate(const v1::Entry& entry) {
  SearchEngine::Update update;
  update.id = entry.id();
  if (entry.withdrawn()) {
    update.remove = true;
    return update;
  }
  std::optional<OrganisationInfo> org;
  if (organisations_) org = organisations_(entry.organisation_id());
  if (org.has_value()) update.organisation_type = org->type;
  for (const v1::Location& loc : entry.locations()) {
    if (loc.has_latitude() && loc.has_longitude() &&
        loc.postcode().size() >= 4) {
      postcodes_.Learn(loc.postcode().substr(0, 4), loc.latitude(),
                       loc.longitude());
    }
  }
  update.doc = MakeDocument(
      entry, org.has_value() ? org->name : entry.organisation_id(),
      [this](absl::string_view pc4) { return postcodes_.Find(pc4); });
  update.doc.card = MakeHitCard(entry, org.has_value() ? org->name : "",
                                update.organisation_type);
  return update;
}

absl::Status SearchIndex::Rebuild(const storage::Store& store) {
  // The store is read on this thread; parsing the records, making the
  // documents and result cards and indexing them happens in batches on two
  // builder threads (the reading alone is a small part of the work).
  constexpr size_t kBatch = 12500;
  absl::Mutex error_mu;
  absl::Status parse_error;
  std::vector<v1::SignedRecord> batch;
  std::vector<std::thread> builders;
  auto build = [&](std::vector<v1::SignedRecord> records) {
    std::vector<SearchEngine::Update> updates;
    updates.reserve(records.size());
    for (const v1::SignedRecord& record : records) {
      auto entry = trust::ParseRecord(record);
      if (!entry.ok()) {
        absl::MutexLock lock(&error_mu);
        parse_error = entry.status();
        return;
      }
      updates.push_back(MakeUpdate(*entry));
    }
    engine_->Apply(std::move(updates));
  };
  auto flush = [&] {
    if (batch.empty()) return;
    if (builders.size() >= 2) {
      builders.front().join();
      builders.erase(builders.begin());
    }
    builders.emplace_back(build, std::move(batch));
    batch = {};
  };
  absl::Status status =
      store.ForEachEntry([&](const internal::StoredEntry& stored) {
        if (stored.withdrawn()) return true;
        batch.push_back(stored.record());
        if (batch.size() >= kBatch) flush();
        return true;
      });
  flush();
  for (auto& builder : builders) builder.join();
  engine_->Compact();
  if (!status.ok()) return status;
  absl::MutexLock lock(&error_mu);
  return parse_error;
}

absl::Status SearchIndex::ReindexOrganisation(
    const storage::Store& store, const std::string& organisation_id) {
  std::vector<SearchEngine::Update> batch;
  absl::Status status =
      store.ForEachEntry([&](const internal::StoredEntry& stored) {
        if (stored.withdrawn() || stored.organisation_id() != organisation_id)
          return true;
        if (auto entry = trust::ParseRecord(stored.record()); entry.ok())
          batch.push_back(MakeUpdate(*entry));
        return true;
      });
  engine_->Apply(std::move(batch));
  return status;
}

void SearchIndex::OnChanges(absl::Span<const storage::Change> changes) {
  std::vector<SearchEngine::Update> batch;
  batch.reserve(changes.size());
  for (const storage::Change& change : changes)
    batch.push_back(MakeUpdate(*change.entry));
  engine_->Apply(std::move(batch));
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
