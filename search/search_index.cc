#include "search/search_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/durable_file.h"
#include "common/log.h"
#include "common/status_macros.h"
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

void PostcodeTable::AppendTo(std::string* out) const {
  BinaryWriter w(out);
  absl::MutexLock lock(&mu_);
  w.Put<uint64_t>(sums_.size());
  for (const auto& [pc4, sum] : sums_) {
    w.PutString(pc4);
    w.Put(sum.latitude);
    w.Put(sum.longitude);
    w.Put<int32_t>(sum.n);
  }
}

bool PostcodeTable::Parse(BinaryReader* in) {
  uint64_t n = 0;
  if (!in->GetCount(&n, 28)) return false;
  absl::flat_hash_map<std::string, Sum> sums;
  for (uint64_t i = 0; i < n; ++i) {
    std::string pc4;
    Sum sum;
    int32_t count = 0;
    if (!in->GetString(&pc4) || !in->Get(&sum.latitude) ||
        !in->Get(&sum.longitude) || !in->Get(&count) || count <= 0) {
      return false;
    }
    sum.n = count;
    sums.emplace(std::move(pc4), sum);
  }
  absl::MutexLock lock(&mu_);
  sums_ = std::move(sums);
  return true;
}

SearchIndex::SearchIndex(std::unique_ptr<SearchEngine> engine,
                         OrganisationLookup organisations, Clock* clock,
                         absl::Duration freshness)
    : engine_(std::move(engine)),
      organisations_(std::move(organisations)),
      clock_(clock),
      freshness_(freshness),
      indexer_([this] { IndexLoop(); }) {}

SearchIndex::~SearchIndex() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  indexer_.join();
}

void SearchIndex::IndexLoop() {
  while (true) {
    std::vector<Queued> work;
    uint64_t batches = 0;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](SearchIndex* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, nothing left
      work.swap(queue_);
      batches = queued_batches_;
    }
    std::vector<SearchEngine::Update> updates;
    updates.reserve(work.size());
    uint64_t last = 0;
    for (const Queued& queued : work) {
      if (queued.store == nullptr) {
        updates.push_back(MakeUpdate(queued.entry));
        last = std::max(last, queued.change_seq);
        continue;
      }
      // A re-index: what came before it first, then the store as it is
      // now (changes after it come after it in the queue, no older).
      engine_->Apply(std::move(updates));
      updates.clear();
      if (absl::Status status =
              ReadOrganisation(*queued.store, queued.reindex, &updates);
          !status.ok()) {
        KLOG(ERROR) << "search index: cannot re-index organisation "
                    << queued.reindex << ": " << status;
        reindex_failed_ = true;
      }
    }
    engine_->Apply(std::move(updates));
    uint64_t seen = change_seq_.load();
    while (last > seen && !change_seq_.compare_exchange_weak(seen, last)) {
    }
    absl::MutexLock lock(&queue_mu_);
    indexed_batches_ = batches;
  }
}

void SearchIndex::Flush() {
  absl::MutexLock lock(&queue_mu_);
  const uint64_t wanted = queued_batches_;
  struct Wait {
    SearchIndex* self;
    uint64_t wanted;
  } wait{this, wanted};
  queue_mu_.Await(absl::Condition(
      +[](Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return w->self->indexed_batches_ >= w->wanted;
      },
      &wait));
}

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
  // No writer runs yet (the index is not a listener before this returns).
  change_seq_ = store.last_change_seq();
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
  // In the queue, so it reads the store in turn with the changes being
  // indexed (a change committed meanwhile is never overwritten by an older
  // read); returns once done.
  {
    absl::MutexLock lock(&queue_mu_);
    Queued& marker = queue_.emplace_back();
    marker.store = &store;
    marker.reindex = organisation_id;
    ++queued_batches_;
  }
  Flush();
  return absl::OkStatus();
}

absl::Status SearchIndex::ReadOrganisation(
    const storage::Store& store, const std::string& organisation_id,
    std::vector<SearchEngine::Update>* updates) {
  return store.ForEachEntry([&](const internal::StoredEntry& stored) {
    if (stored.withdrawn() || stored.organisation_id() != organisation_id)
      return true;
    if (auto entry = trust::ParseRecord(stored.record()); entry.ok())
      updates->push_back(MakeUpdate(*entry));
    return true;
  });
}

void SearchIndex::OnChanges(absl::Span<const storage::Change> changes) {
  if (changes.empty()) return;
  std::vector<Queued> copies;
  copies.reserve(changes.size());
  for (const storage::Change& change : changes)
    copies.push_back(Queued{*change.entry, change.change_seq, nullptr, {}});
  absl::MutexLock lock(&queue_mu_);
  // Bounded: a writer faster than the indexing (a bootstrap) waits here
  // rather than queueing the whole region in memory.
  constexpr size_t kMaxQueued = 8192;
  queue_mu_.Await(absl::Condition(
      +[](SearchIndex* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return self->queue_.size() < kMaxQueued;
      },
      this));
  if (queue_.empty()) {
    queue_ = std::move(copies);
  } else {
    queue_.insert(queue_.end(), std::make_move_iterator(copies.begin()),
                  std::make_move_iterator(copies.end()));
  }
  ++queued_batches_;
}

namespace {

constexpr absl::string_view kIndexMagic = "kaartnet search index\n";
// Change when the analysis or the layout of the file changes: files of
// another format are rebuilt.
constexpr uint32_t kIndexFormat = 1;

uint32_t Crc32(absl::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    const uInt n = static_cast<uInt>(std::min<size_t>(data.size(), 1 << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n);
    data.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// A file mapped into memory (read-only) for as long as this lives.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  absl::Status Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return ErrnoError("cannot open", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      absl::Status status = ErrnoError("cannot stat", path);
      ::close(fd);
      return status;
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* data =
          ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data == MAP_FAILED) {
        absl::Status status = ErrnoError("cannot map", path);
        ::close(fd);
        return status;
      }
      data_ = data;
    }
    ::close(fd);
    return absl::OkStatus();
  }
  absl::string_view view() const {
    return data_ == nullptr
               ? absl::string_view()
               : absl::string_view(static_cast<const char*>(data_), size_);
  }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

std::string SearchIndex::StoreStamp(const storage::Store& store,
                                    absl::string_view stamp) const {
  const storage::StoreCounts counts = store.counts();
  return absl::StrCat("format ", kIndexFormat, "; engine ", engine_->name(),
                      "; origin ", store.origin_id(), "; change ",
                      store.last_change_seq(), "; live ", counts.live_entries,
                      "; withdrawn ", counts.withdrawn_entries, "; freshness ",
                      absl::ToInt64Seconds(freshness_), "; ", stamp);
}

absl::Status SearchIndex::Save(const storage::Store& store,
                               const std::string& path,
                               absl::string_view stamp) {
  Flush();
  if (reindex_failed_) {
    return absl::FailedPreconditionError(
        "search index: an organisation could not be re-indexed");
  }
  if (change_seq_.load() != store.last_change_seq()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "search index: has seen changes up to ", change_seq_.load(),
        ", the store is at ", store.last_change_seq()));
  }
  std::string engine;
  RETURN_IF_ERROR(engine_->SaveTo(&engine));
  std::string payload;
  BinaryWriter(&payload).PutString(engine);
  postcodes_.AppendTo(&payload);
  std::string file(kIndexMagic);
  BinaryWriter w(&file);
  w.PutString(StoreStamp(store, stamp));
  w.Put<uint32_t>(Crc32(payload));
  w.PutString(payload);
  return ReplaceFileDurably(path, file);
}

absl::StatusOr<bool> SearchIndex::Load(const storage::Store& store,
                                       const std::string& path,
                                       absl::string_view stamp,
                                       std::string* why) {
  std::error_code error;
  // A save cut short (the process killed while writing) leaves its
  // temporary file: never read, removed like the file itself.
  RemoveTemporaryFiles(path);
  if (!engine_->saveable() || !std::filesystem::exists(path, error))
    return false;  // nothing to say: rebuilt as always
  // (Mapped, and still readable after the file is removed below.)
  MappedFile mapped;
  if (absl::Status read = mapped.Open(path); !read.ok())
    *why = std::string(read.message());
  const absl::string_view file = mapped.view();
  if (!std::filesystem::remove(path, error) && error) {
    return absl::InternalError(absl::StrCat("cannot remove the index file ",
                                            path, ": ", error.message()));
  }
  if (!why->empty()) return false;
  if (!absl::StartsWith(file, kIndexMagic)) {
    *why = "the index file is not one";
    return false;
  }
  BinaryReader in(file.substr(kIndexMagic.size()));
  std::string saved_stamp;
  uint32_t crc = 0;
  absl::string_view payload;
  if (!in.GetString(&saved_stamp) || !in.Get(&crc) || !in.GetView(&payload) ||
      !in.done()) {
    *why = "the index file is damaged (truncated)";
    return false;
  }
  const std::string expected = StoreStamp(store, stamp);
  if (saved_stamp != expected) {
    *why = absl::StrCat("the index file is of another state (", saved_stamp,
                        "; now ", expected, ")");
    return false;
  }
  if (Crc32(payload) != crc) {
    *why = "the index file is damaged (checksum)";
    return false;
  }
  BinaryReader body(payload);
  absl::string_view engine;
  if (!body.GetView(&engine) || !postcodes_.Parse(&body) || !body.done()) {
    *why = "the index file is damaged (postcodes)";
    return false;
  }
  if (absl::Status status = engine_->LoadFrom(engine); !status.ok()) {
    *why = std::string(status.message());
    return false;
  }
  change_seq_ = store.last_change_seq();
  return true;
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
