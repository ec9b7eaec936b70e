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
  // Entries are indexed in batches; batches are built on two threads.
  constexpr size_t kBatch = 25000;
  absl::Status parse_error;
  std::vector<SearchEngine::Update> batch;
  std::vector<std::thread> builders;
  auto flush = [&] {
    if (batch.empty()) return;
    if (builders.size() >= 2) {
      builders.front().join();
      builders.erase(builders.begin());
    }
    builders.emplace_back([this, updates = std::move(batch)]() mutable {
      engine_->Apply(std::move(updates));
    });
    batch = {};
  };
  absl::Status status =
      store.ForEachEntry([&](const internal::StoredEntry& stored) {
        if (stored.withdrawn()) return true;
        auto entry = trust::ParseRecord(stored.record());
        if (!entry.ok()) {
          parse_error = entry.status();
          return false;
        }
        batch.push_back(MakeUpdate(*entry));
        if (batch.size() >= kBatch) flush();
        return true;
      });
  flush();
  for (auto& builder : builders) builder.join();
  engine_->Compact();
  if (!status.ok()) return status;
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
