#include "search/segment.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/reference_data.h"
#include "model/vocabulary.h"
#include "search/analyzer.h"
#include "search/engine.h"

namespace kaartnet::search {

uint64_t Segment::NextUid() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
namespace {

constexpr int kFields = static_cast<int>(TextField::kCount);
// Field boosts and reference lengths (in words) for BM25F. Fixed reference
// lengths keep impacts independent of the collection, so segments never
// need rescoring when documents come and go.
constexpr double kFieldWeight[kFields] = {3.0, 2.0, 1.5, 1.5, 0.5};
constexpr double kReferenceLength[kFields] = {6, 20, 3, 8, 60};
constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
// Distinct words the indexing stem cache may hold before it is reset.
constexpr size_t kMaxScratchCache = 1 << 19;

uint8_t Quantize(double impact) {
  const double q = std::round(impact / kMaxImpact * 255.0);
  return static_cast<uint8_t>(std::clamp(q, 1.0, 255.0));
}

uint32_t CellKey(int row, int column) {
  return (static_cast<uint32_t>(row + 1024) << 16) |
         static_cast<uint32_t>(column + 1024);
}

void SetBit(std::unique_ptr<Bitset>* slot, size_t size, uint32_t doc) {
  if (*slot == nullptr) *slot = std::make_unique<Bitset>(size);
  (*slot)->Set(doc);
}

}  // namespace

int LanguageIndex(absl::string_view code) {
  const auto& codes = model::LanguageCodes();
  const auto it = std::lower_bound(codes.begin(), codes.end(), code);
  return it != codes.end() && *it == code ? static_cast<int>(it - codes.begin())
                                          : -1;
}

const char* LanguageCode(int index) {
  const auto& codes = model::LanguageCodes();
  // The codes are views of string literals, so data() ends in a NUL.
  return index >= 0 && index < static_cast<int>(codes.size())
             ? codes[index].data()
             : "";
}

double StaticQuality(const Document& doc, int64_t now_seconds,
                     int64_t freshness_seconds) {
  return QualityFactor(
      AvailabilityOf(doc.accepting_new_clients, doc.wait_weeks),
      FreshnessOf(doc.has_last_verified, doc.last_verified_seconds, now_seconds,
                  freshness_seconds));
}

uint8_t TermPostings::ImpactFrom(uint32_t doc, size_t* cursor) const {
  if (!dense_impacts.empty())
    return doc < dense_impacts.size() ? dense_impacts[doc] : 0;
  const size_t n = docs.size();
  size_t lo = *cursor;
  // Behind the cursor: start over.
  if (lo > n || (lo > 0 && docs[lo - 1] >= doc)) lo = 0;
  // Gallop from the cursor to bracket the first posting >= doc.
  size_t step = 1;
  while (lo + step <= n && docs[lo + step - 1] < doc) {
    lo += step;
    step *= 2;
  }
  const size_t hi = std::min(n, lo + step);
  const size_t at =
      std::lower_bound(docs.begin() + lo, docs.begin() + hi, doc) -
      docs.begin();
  *cursor = at;
  return at < n && docs[at] == doc ? impacts[at] : 0;
}

size_t TermPostings::MemoryBytes() const {
  return docs.capacity() * sizeof(uint32_t) + impacts.capacity() +
         dense_impacts.capacity() + block_max.capacity() +
         (bitset ? bitset->MemoryBytes() : 0);
}

int Segment::CellRow(double latitude) {
  return static_cast<int>(std::floor(latitude / kCellLat));
}
int Segment::CellColumn(double longitude) {
  return static_cast<int>(std::floor(longitude / kCellLon));
}

std::shared_ptr<const Segment> Segment::Build(std::vector<Input> inputs,
                                              int64_t now_seconds,
                                              int64_t freshness_seconds) {
  // Doc numbers follow static quality (then id), so blocks of 64 docs have
  // similar quality and the engine can stop at the first block that cannot
  // win.
  {
    std::vector<std::pair<double, size_t>> order(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      order[i] = {-StaticQuality(inputs[i].doc, now_seconds, freshness_seconds),
                  i};
    }
    std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
      return a.first != b.first
                 ? a.first < b.first
                 : inputs[a.second].doc.id < inputs[b.second].doc.id;
    });
    std::vector<Input> sorted;
    sorted.reserve(inputs.size());
    for (const auto& [quality, i] : order)
      sorted.push_back(std::move(inputs[i]));
    inputs = std::move(sorted);
  }
  std::shared_ptr<Segment> segment(new Segment());
  Segment& s = *segment;
  const uint32_t n = static_cast<uint32_t>(inputs.size());
  const Analyzer& analyzer = Analyzer::Get();
  const size_t gemeenten = ReferenceData::Get().gemeenten().size();
  const size_t regios = ReferenceData::Get().regios().size();
  s.gemeenten_.resize(gemeenten);
  s.regios_.resize(regios);
  absl::flat_hash_map<std::string, uint32_t> organisation_index;
  absl::flat_hash_map<std::string, std::string> vocabulary;  // word -> stem
  // Reused per document: no allocation per word once the cache is warm.
  IndexScratch scratch;
  absl::flat_hash_map<absl::string_view, double> weighted;
  std::vector<absl::string_view> field_terms;
  for (uint32_t d = 0; d < n; ++d) {
    Document& doc = inputs[d].doc;
    s.ids_.push_back(doc.id);
    s.cards_ += doc.card;
    s.card_ends_.push_back(s.cards_.size());
    DocAttributes a;
    a.kind = static_cast<uint8_t>(doc.kind);
    a.organisation_type = static_cast<uint8_t>(inputs[d].organisation_type);
    a.accepting_new_clients = doc.accepting_new_clients;
    a.has_last_verified = doc.has_last_verified;
    a.wait_weeks =
        static_cast<uint8_t>(std::min<uint32_t>(doc.wait_weeks, 255));
    a.employer_sector = doc.employer_sector;
    a.interventions = doc.interventions;
    a.target_groups = doc.target_groups;
    a.regelingen = doc.regelingen;
    a.funding = doc.funding;
    a.quality_marks = doc.quality_marks;
    a.employer_offers = doc.employer_offers;
    a.last_verified_seconds = doc.last_verified_seconds;
    auto [org, inserted] = organisation_index.emplace(
        doc.organisation_id, s.organisation_ids_.size());
    if (inserted) s.organisation_ids_.push_back(doc.organisation_id);
    a.organisation = org->second;
    s.organisation_docs_[doc.organisation_id].push_back(d);
    a.points_begin = static_cast<uint32_t>(s.points_.size());
    s.points_.insert(s.points_.end(), doc.points.begin(), doc.points.end());
    a.points_end = static_cast<uint32_t>(s.points_.size());
    s.attributes_.push_back(a);

    // Filters.
    auto set_bits = [&](FilterField field, uint32_t bits) {
      while (bits) {
        const int v = __builtin_ctz(bits);
        bits &= bits - 1;
        s.filters_.try_emplace(FilterKey(field, v), n).first->second.Set(d);
      }
    };
    set_bits(FilterField::kKind, 1u << a.kind);
    set_bits(FilterField::kIntervention, a.interventions);
    set_bits(FilterField::kTargetGroup, a.target_groups);
    set_bits(FilterField::kRegeling, a.regelingen);
    set_bits(FilterField::kFunding, a.funding);
    set_bits(FilterField::kQualityMark, a.quality_marks);
    set_bits(FilterField::kOrganisationType, 1u << a.organisation_type);
    set_bits(FilterField::kEmployerOffer, a.employer_offers);
    if (a.employer_sector) {
      s.filters_
          .try_emplace(FilterKey(FilterField::kSector, a.employer_sector), n)
          .first->second.Set(d);
    }
    if (a.accepting_new_clients) {
      s.filters_.try_emplace(FilterKey(FilterField::kAccepting, 1), n)
          .first->second.Set(d);
    }
    for (const std::string& language : doc.languages) {
      const int index = LanguageIndex(language);
      if (index >= 0) {
        s.filters_.try_emplace(FilterKey(FilterField::kLanguage, index), n)
            .first->second.Set(d);
      }
    }
    for (size_t g = doc.area._Find_first(); g < gemeenten;
         g = doc.area._Find_next(g)) {
      SetBit(&s.gemeenten_[g], n, d);
      const int r = RegioOfGemeente()[g];
      if (r >= 0) SetBit(&s.regios_[r], n, d);
    }

    // Text: per field terms, then one BM25F impact per term.
    // The views point into `scratch`, which lives until the doc is done.
    if (scratch.cache_size() > kMaxScratchCache) scratch.Clear();
    weighted.clear();
    for (int f = 0; f < kFields; ++f) {
      field_terms.clear();
      const uint32_t length = analyzer.AnalyzeFieldInto(
          doc.text[f], &scratch,
          [&](absl::string_view term) { field_terms.push_back(term); },
          [&](absl::string_view word, absl::string_view stem) {
            if (!vocabulary.contains(word)) vocabulary.emplace(word, stem);
          });
      const double norm =
          1.0 - kB + kB * std::max<uint32_t>(length, 1) / kReferenceLength[f];
      const double weight = kFieldWeight[f] / norm;
      for (absl::string_view term : field_terms) weighted[term] += weight;
    }
    for (const auto& [term, tf] : weighted) {
      auto it = s.terms_.find(term);
      if (it == s.terms_.end())
        it = s.terms_.emplace(std::string(term), TermPostings()).first;
      it->second.docs.push_back(d);
      it->second.impacts.push_back(Quantize(tf * (kK1 + 1) / (tf + kK1)));
    }
    // Text is no longer needed; free it early for big batches.
    for (auto& text : doc.text) std::string().swap(text);
  }
  s.vocabulary_.assign(vocabulary.begin(), vocabulary.end());
  std::sort(s.vocabulary_.begin(), s.vocabulary_.end());
  s.Finish(now_seconds, freshness_seconds);
  return segment;
}

std::shared_ptr<const Segment> Segment::Merge(
    const std::vector<const Segment*>& parts,
    const std::vector<const Bitset*>& live, int64_t now_seconds,
    int64_t freshness_seconds,
    std::vector<std::pair<uint32_t, uint32_t>>* origin) {
  std::shared_ptr<Segment> segment(new Segment());
  Segment& s = *segment;
  // The live docs of all parts, in order of static quality now, then id.
  struct Item {
    double quality;
    const std::string* id;
    uint32_t part;
    uint32_t doc;
  };
  std::vector<Item> items;
  for (uint32_t p = 0; p < parts.size(); ++p) {
    for (uint32_t d = 0; d < parts[p]->size(); ++d) {
      if (!live[p]->Test(d)) continue;
      const DocAttributes& a = parts[p]->attributes_[d];
      const double quality = QualityFactor(
          AvailabilityOf(a.accepting_new_clients, a.wait_weeks),
          FreshnessOf(a.has_last_verified, a.last_verified_seconds, now_seconds,
                      freshness_seconds));
      items.push_back({quality, &parts[p]->ids_[d], p, d});
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.quality != b.quality ? a.quality > b.quality : *a.id < *b.id;
  });
  const uint32_t n = static_cast<uint32_t>(items.size());
  // New numbers of the docs of each part (UINT32_MAX for dead ones).
  std::vector<std::vector<uint32_t>> remap(parts.size());
  for (size_t p = 0; p < parts.size(); ++p)
    remap[p].assign(parts[p]->size(), UINT32_MAX);
  for (uint32_t nd = 0; nd < n; ++nd) remap[items[nd].part][items[nd].doc] = nd;

  const size_t gemeenten = ReferenceData::Get().gemeenten().size();
  const size_t regios = ReferenceData::Get().regios().size();
  s.gemeenten_.resize(gemeenten);
  s.regios_.resize(regios);
  absl::flat_hash_map<std::string, uint32_t> organisation_index;
  if (origin != nullptr) origin->clear();
  for (uint32_t nd = 0; nd < n; ++nd) {
    const Segment& part = *parts[items[nd].part];
    const uint32_t d = items[nd].doc;
    if (origin != nullptr) origin->emplace_back(items[nd].part, d);
    s.ids_.push_back(part.ids_[d]);
    const absl::string_view card = part.card(d);
    s.cards_.append(card.data(), card.size());
    s.card_ends_.push_back(s.cards_.size());
    DocAttributes a = part.attributes_[d];
    const std::string& org_id = part.organisation_ids_[a.organisation];
    auto [org, inserted] =
        organisation_index.emplace(org_id, s.organisation_ids_.size());
    if (inserted) s.organisation_ids_.push_back(org_id);
    a.organisation = org->second;
    s.organisation_docs_[org_id].push_back(nd);
    const auto points = part.points(d);
    a.points_begin = static_cast<uint32_t>(s.points_.size());
    s.points_.insert(s.points_.end(), points.begin(), points.end());
    a.points_end = static_cast<uint32_t>(s.points_.size());
    s.attributes_.push_back(a);
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    const Segment& part = *parts[p];
    // Bitsets: remap every set bit of a live doc.
    auto remap_bitset = [&](const Bitset& from, std::unique_ptr<Bitset>* to) {
      from.ForEach([&](size_t d) {
        if (remap[p][d] != UINT32_MAX) SetBit(to, n, remap[p][d]);
        return true;
      });
    };
    for (const auto& [key, bits] : part.filters_) {
      Bitset& to = s.filters_.try_emplace(key, n).first->second;
      bits.ForEach([&](size_t d) {
        if (remap[p][d] != UINT32_MAX) to.Set(remap[p][d]);
        return true;
      });
    }
    for (size_t g = 0; g < part.gemeenten_.size(); ++g) {
      if (part.gemeenten_[g])
        remap_bitset(*part.gemeenten_[g], &s.gemeenten_[g]);
    }
    for (size_t r = 0; r < part.regios_.size(); ++r) {
      if (part.regios_[r]) remap_bitset(*part.regios_[r], &s.regios_[r]);
    }
    // Postings, remapped; sorted by doc below.
    for (const auto& kv : part.terms_) {
      // (Not a structured binding: clang 14, used for fuzzing, cannot
      // capture those in a lambda.)
      const std::string& term = kv.first;
      TermPostings* to = nullptr;
      kv.second.ForEach([&](uint32_t d, uint8_t impact) {
        const uint32_t nd = remap[p][d];
        if (nd == UINT32_MAX) return;
        if (to == nullptr) to = &s.terms_[term];
        to->docs.push_back(nd);
        to->impacts.push_back(impact);
      });
    }
  }
  for (auto& [term, postings] : s.terms_) {
    std::vector<std::pair<uint32_t, uint8_t>> pairs(postings.docs.size());
    for (size_t i = 0; i < pairs.size(); ++i)
      pairs[i] = {postings.docs[i], postings.impacts[i]};
    std::sort(pairs.begin(), pairs.end());
    for (size_t i = 0; i < pairs.size(); ++i) {
      postings.docs[i] = pairs[i].first;
      postings.impacts[i] = pairs[i].second;
    }
  }
  // Vocabulary: union (words of dead docs may linger; they expand to terms
  // without postings, which queries skip).
  for (const Segment* part : parts) {
    s.vocabulary_.insert(s.vocabulary_.end(), part->vocabulary_.begin(),
                         part->vocabulary_.end());
  }
  std::sort(s.vocabulary_.begin(), s.vocabulary_.end());
  s.vocabulary_.erase(std::unique(s.vocabulary_.begin(), s.vocabulary_.end()),
                      s.vocabulary_.end());
  s.Finish(now_seconds, freshness_seconds);
  return segment;
}

void Segment::Finish(int64_t now_seconds, int64_t freshness_seconds) {
  cards_.shrink_to_fit();
  const uint32_t n = size();
  const size_t blocks = (n + 63) / 64;
  built_at_seconds_ = now_seconds;
  units_.resize(points_.size());
  for (size_t i = 0; i < points_.size(); ++i)
    units_[i] = ToUnitVector(points_[i]);
  // Static quality from the attributes (non-increasing in doc number).
  rank_.resize(n);
  static_quality_.resize(n);
  for (uint32_t d = 0; d < n; ++d) {
    const DocAttributes& a = attributes_[d];
    RankAttributes& r = rank_[d];
    r.last_verified_seconds = a.last_verified_seconds;
    r.points_begin = a.points_begin;
    // Entries have at most a few dozen locations (validation); Parse
    // refuses a file with more than fit.
    r.points_count = static_cast<uint16_t>(a.points_end - a.points_begin);
    r.wait_weeks = a.wait_weeks;
    r.flags = (a.has_last_verified ? RankAttributes::kHasLastVerified : 0) |
              (a.accepting_new_clients ? RankAttributes::kAccepting : 0);
    static_quality_[d] = static_cast<float>(
        QualityFactor(AvailabilityOf(a.accepting_new_clients, a.wait_weeks),
                      FreshnessOf(a.has_last_verified, a.last_verified_seconds,
                                  now_seconds, freshness_seconds)));
  }
  block_quality_.assign(blocks, 0.0f);
  block_boxes_.assign(
      blocks, Box{INFINITY, -INFINITY, INFINITY, -INFINITY, true, false});
  for (uint32_t d = 0; d < n; ++d) {
    const size_t b = d / 64;
    block_quality_[b] = std::max(block_quality_[b], static_quality_[d]);
    Box& box = block_boxes_[b];
    const auto pts = points(d);
    if (pts.empty()) box.has_nowhere = true;
    for (const GeoPoint& p : pts) {
      box.empty = false;
      box.min_latitude =
          std::min(box.min_latitude, static_cast<float>(p.latitude));
      box.max_latitude =
          std::max(box.max_latitude, static_cast<float>(p.latitude));
      box.min_longitude =
          std::min(box.min_longitude, static_cast<float>(p.longitude));
      box.max_longitude =
          std::max(box.max_longitude, static_cast<float>(p.longitude));
    }
  }
  by_verified_.resize(n);
  std::iota(by_verified_.begin(), by_verified_.end(), 0);
  std::sort(by_verified_.begin(), by_verified_.end(),
            [&](uint32_t x, uint32_t y) {
              const auto& ax = attributes_[x];
              const auto& ay = attributes_[y];
              const int64_t vx =
                  ax.has_last_verified ? ax.last_verified_seconds : INT64_MIN;
              const int64_t vy =
                  ay.has_last_verified ? ay.last_verified_seconds : INT64_MIN;
              return vx != vy ? vx > vy : x < y;
            });
  ids_sorted_.resize(n);
  std::iota(ids_sorted_.begin(), ids_sorted_.end(), 0);
  std::sort(ids_sorted_.begin(), ids_sorted_.end(),
            [&](uint32_t x, uint32_t y) { return ids_[x] < ids_[y]; });
  for (auto& [term, postings] : terms_) {
    postings.df = static_cast<uint32_t>(postings.docs.size());
    postings.max_impact =
        *std::max_element(postings.impacts.begin(), postings.impacts.end());
    if (postings.docs.size() * 64 >= n && postings.docs.size() >= 64) {
      postings.bitset = std::make_unique<Bitset>(n);
      postings.block_max.assign(blocks, 0);
      for (size_t i = 0; i < postings.docs.size(); ++i) {
        const uint32_t d = postings.docs[i];
        postings.bitset->Set(d);
        uint8_t& m = postings.block_max[d / 64];
        m = std::max(m, postings.impacts[i]);
      }
      if (postings.docs.size() * 4 >= n) {
        postings.dense_impacts.assign(n, 0);
        for (size_t i = 0; i < postings.docs.size(); ++i) {
          postings.dense_impacts[postings.docs[i]] = postings.impacts[i];
        }
        std::vector<uint32_t>().swap(postings.docs);
        std::vector<uint8_t>().swap(postings.impacts);
      }
    }
  }
  nowhere_ = Bitset(n);
  for (uint32_t d = 0; d < n; ++d) {
    if (points(d).empty()) nowhere_.Set(d);
    for (const GeoPoint& p : points(d)) {
      auto& cell =
          cells_[CellKey(CellRow(p.latitude), CellColumn(p.longitude))];
      if (cell.empty() || cell.back() != d) cell.push_back(d);
    }
  }
}

int64_t Segment::Find(absl::string_view id) const {
  auto it = std::lower_bound(
      ids_sorted_.begin(), ids_sorted_.end(), id,
      [&](uint32_t doc, absl::string_view v) { return ids_[doc] < v; });
  if (it == ids_sorted_.end() || ids_[*it] != id) return -1;
  return *it;
}

const TermPostings* Segment::Postings(const std::string& term) const {
  auto it = terms_.find(term);
  return it == terms_.end() ? nullptr : &it->second;
}

const Bitset* Segment::FilterBitset(uint32_t key) const {
  auto it = filters_.find(key);
  return it == filters_.end() ? nullptr : &it->second;
}

const Bitset* Segment::GemeenteBitset(int gemeente) const {
  return gemeente >= 0 && gemeente < static_cast<int>(gemeenten_.size())
             ? gemeenten_[gemeente].get()
             : nullptr;
}

const Bitset* Segment::RegioBitset(int regio) const {
  return regio >= 0 && regio < static_cast<int>(regios_.size())
             ? regios_[regio].get()
             : nullptr;
}

const std::vector<uint32_t>* Segment::OrganisationDocs(
    absl::string_view organisation_id) const {
  auto it = organisation_docs_.find(organisation_id);
  return it == organisation_docs_.end() ? nullptr : &it->second;
}

const std::vector<uint32_t>* Segment::Cell(int row, int column) const {
  auto it = cells_.find(CellKey(row, column));
  return it == cells_.end() ? nullptr : &it->second;
}

namespace {

void PutBitset(BinaryWriter* out, const Bitset& bits) {
  out->Put<uint64_t>(bits.size());
  out->PutVector(bits.words());
}

bool GetBitset(BinaryReader* in, Bitset* bits) {
  uint64_t size = 0;
  std::vector<uint64_t> words;
  return in->Get(&size) && in->GetVector(&words) &&
         bits->Assign(size, std::move(words));
}

// Optional bitsets (per gemeente, per regio): a presence byte each.
void PutBitsets(BinaryWriter* out,
                const std::vector<std::unique_ptr<Bitset>>& all) {
  out->Put<uint64_t>(all.size());
  for (const auto& bits : all) {
    out->Put<uint8_t>(bits != nullptr);
    if (bits != nullptr) PutBitset(out, *bits);
  }
}

bool GetBitsets(BinaryReader* in, size_t expected,
                std::vector<std::unique_ptr<Bitset>>* all) {
  uint64_t n = 0;
  if (!in->Get(&n) || n != expected) return false;
  all->resize(n);
  for (auto& bits : *all) {
    uint8_t present = 0;
    if (!in->Get(&present)) return false;
    if (!present) continue;
    bits = std::make_unique<Bitset>();
    if (!GetBitset(in, bits.get())) return false;
  }
  return true;
}

void PutAttributes(BinaryWriter* out, const DocAttributes& a) {
  out->Put(a.kind);
  out->Put(a.organisation_type);
  out->Put<uint8_t>(a.accepting_new_clients);
  out->Put<uint8_t>(a.has_last_verified);
  out->Put(a.wait_weeks);
  out->Put(a.employer_sector);
  out->Put(a.interventions);
  out->Put(a.target_groups);
  out->Put(a.regelingen);
  out->Put(a.funding);
  out->Put(a.quality_marks);
  out->Put(a.employer_offers);
  out->Put(a.last_verified_seconds);
  out->Put(a.organisation);
  out->Put(a.points_begin);
  out->Put(a.points_end);
}

bool GetAttributes(BinaryReader* in, DocAttributes* a) {
  uint8_t accepting = 0, verified = 0;
  const bool ok = in->Get(&a->kind) && in->Get(&a->organisation_type) &&
                  in->Get(&accepting) && in->Get(&verified) &&
                  in->Get(&a->wait_weeks) && in->Get(&a->employer_sector) &&
                  in->Get(&a->interventions) && in->Get(&a->target_groups) &&
                  in->Get(&a->regelingen) && in->Get(&a->funding) &&
                  in->Get(&a->quality_marks) && in->Get(&a->employer_offers) &&
                  in->Get(&a->last_verified_seconds) &&
                  in->Get(&a->organisation) && in->Get(&a->points_begin) &&
                  in->Get(&a->points_end);
  a->accepting_new_clients = accepting != 0;
  a->has_last_verified = verified != 0;
  return ok;
}

}  // namespace

void Segment::AppendTo(std::string* buffer) const {
  BinaryWriter out(buffer);
  const uint32_t n = size();
  out.Put<int64_t>(built_at_seconds_);
  out.Put<uint64_t>(n);
  for (const std::string& id : ids_) out.PutString(id);
  out.PutString(cards_);
  out.PutVector(card_ends_);
  for (const DocAttributes& a : attributes_) PutAttributes(&out, a);
  static_assert(sizeof(GeoPoint) == 2 * sizeof(double));
  out.PutVector(points_);
  out.Put<uint64_t>(organisation_ids_.size());
  for (const std::string& org : organisation_ids_) out.PutString(org);
  out.Put<uint64_t>(terms_.size());
  std::vector<uint32_t> docs;
  std::vector<uint8_t> impacts;
  for (const auto& [term, postings] : terms_) {
    docs.clear();
    impacts.clear();
    postings.ForEach([&](uint32_t d, uint8_t impact) {
      docs.push_back(d);
      impacts.push_back(impact);
    });
    out.PutString(term);
    out.PutVector(docs);
    out.PutVector(impacts);
  }
  std::vector<const std::pair<std::string, std::string>*> words;
  for (const auto& pair : vocabulary_) {
    if (terms_.contains(pair.second)) words.push_back(&pair);
  }
  out.Put<uint64_t>(words.size());
  for (const auto* pair : words) {
    out.PutString(pair->first);
    out.PutString(pair->second);
  }
  out.Put<uint64_t>(filters_.size());
  for (const auto& [key, bits] : filters_) {
    out.Put<uint32_t>(key);
    PutBitset(&out, bits);
  }
  PutBitsets(&out, gemeenten_);
  PutBitsets(&out, regios_);
}

absl::StatusOr<std::shared_ptr<const Segment>> Segment::Parse(
    BinaryReader* in, int64_t freshness_seconds) {
  std::shared_ptr<Segment> segment(new Segment());
  Segment& s = *segment;
  auto damaged = [](absl::string_view what) {
    return absl::DataLossError(
        absl::StrCat("index file: a segment is damaged (", what, ")"));
  };
  uint64_t n = 0;
  // Times within ±3,000 years of 1970, so no arithmetic on them overflows.
  constexpr int64_t kMaxSeconds = int64_t{100'000'000'000};
  if (!in->Get(&s.built_at_seconds_) || !in->GetCount(&n, 8) ||
      s.built_at_seconds_ < -kMaxSeconds || s.built_at_seconds_ > kMaxSeconds)
    return damaged("header");
  s.ids_.resize(n);
  for (std::string& id : s.ids_) {
    if (!in->GetString(&id)) return damaged("ids");
  }
  if (!in->GetString(&s.cards_) || !in->GetVector(&s.card_ends_) ||
      s.card_ends_.size() != n ||
      !std::is_sorted(s.card_ends_.begin(), s.card_ends_.end()) ||
      (n > 0 && s.card_ends_.back() != s.cards_.size())) {
    return damaged("cards");
  }
  s.attributes_.resize(n);
  for (DocAttributes& a : s.attributes_) {
    if (!GetAttributes(in, &a)) return damaged("attributes");
  }
  if (!in->GetVector(&s.points_)) return damaged("points");
  for (const GeoPoint& p : s.points_) {
    if (!(p.latitude >= -90 && p.latitude <= 90 && p.longitude >= -180 &&
          p.longitude <= 180)) {
      return damaged("points");
    }
  }
  uint64_t organisations = 0;
  if (!in->GetCount(&organisations, 8)) return damaged("organisations");
  s.organisation_ids_.resize(organisations);
  for (std::string& org : s.organisation_ids_) {
    if (!in->GetString(&org)) return damaged("organisations");
  }
  uint32_t points_end = 0;
  for (uint32_t d = 0; d < n; ++d) {
    const DocAttributes& a = s.attributes_[d];
    if (a.organisation >= organisations || a.points_begin != points_end ||
        a.last_verified_seconds < -kMaxSeconds ||
        a.last_verified_seconds > kMaxSeconds ||
        a.points_end < a.points_begin || a.points_end > s.points_.size() ||
        a.points_end - a.points_begin > UINT16_MAX) {
      return damaged("attributes");
    }
    points_end = a.points_end;
    s.organisation_docs_[s.organisation_ids_[a.organisation]].push_back(d);
  }
  uint64_t terms = 0;
  if (!in->GetCount(&terms, 24)) return damaged("terms");
  s.terms_.reserve(terms);
  for (uint64_t t = 0; t < terms; ++t) {
    std::string term;
    TermPostings postings;
    if (!in->GetString(&term) || !in->GetVector(&postings.docs) ||
        !in->GetVector(&postings.impacts) || postings.docs.empty() ||
        postings.docs.size() != postings.impacts.size() ||
        postings.docs.back() >= n ||
        std::adjacent_find(postings.docs.begin(), postings.docs.end(),
                           std::greater_equal<uint32_t>()) !=
            postings.docs.end()) {
      return damaged("postings");
    }
    s.terms_.emplace(std::move(term), std::move(postings));
  }
  uint64_t words = 0;
  if (!in->GetCount(&words, 16)) return damaged("vocabulary");
  s.vocabulary_.resize(words);
  for (auto& [word, stem] : s.vocabulary_) {
    if (!in->GetString(&word) || !in->GetString(&stem))
      return damaged("vocabulary");
  }
  // Looked up by binary search.
  if (!std::is_sorted(s.vocabulary_.begin(), s.vocabulary_.end()))
    return damaged("vocabulary");
  uint64_t filters = 0;
  if (!in->GetCount(&filters, 20)) return damaged("filters");
  for (uint64_t f = 0; f < filters; ++f) {
    uint32_t key = 0;
    Bitset bits;
    if (!in->Get(&key) || !GetBitset(in, &bits) || bits.size() != n)
      return damaged("filters");
    s.filters_.emplace(key, std::move(bits));
  }
  if (!GetBitsets(in, ReferenceData::Get().gemeenten().size(), &s.gemeenten_) ||
      !GetBitsets(in, ReferenceData::Get().regios().size(), &s.regios_)) {
    return damaged("areas");
  }
  for (const auto* all : {&s.gemeenten_, &s.regios_}) {
    for (const auto& bits : *all) {
      if (bits != nullptr && bits->size() != n) return damaged("areas");
    }
  }
  s.Finish(s.built_at_seconds_, freshness_seconds);
  return segment;
}

size_t Segment::MemoryBytes() const {
  size_t bytes = sizeof(Segment);
  for (const auto& id : ids_) bytes += sizeof(std::string) + id.capacity();
  bytes += ids_sorted_.capacity() * sizeof(uint32_t);
  bytes += cards_.capacity() + card_ends_.capacity() * sizeof(uint64_t);
  bytes += attributes_.capacity() * sizeof(DocAttributes) +
           rank_.capacity() * sizeof(RankAttributes);
  bytes += points_.capacity() * sizeof(GeoPoint);
  for (const auto& [term, postings] : terms_) {
    bytes += sizeof(std::string) + term.capacity() + sizeof(TermPostings) +
             postings.MemoryBytes();
  }
  for (const auto& [word, stem] : vocabulary_) {
    bytes += 2 * sizeof(std::string) + word.capacity() + stem.capacity();
  }
  for (const auto& [key, bits] : filters_) bytes += bits.MemoryBytes() + 16;
  for (const auto& bits : gemeenten_) bytes += bits ? bits->MemoryBytes() : 0;
  for (const auto& bits : regios_) bytes += bits ? bits->MemoryBytes() : 0;
  for (const auto& [org, docs] : organisation_docs_) {
    bytes += sizeof(std::string) + org.capacity() +
             docs.capacity() * sizeof(uint32_t);
  }
  bytes += by_verified_.capacity() * sizeof(uint32_t);
  bytes +=
      (block_quality_.capacity() + static_quality_.capacity()) * sizeof(float) +
      block_boxes_.capacity() * sizeof(Box);
  bytes += nowhere_.MemoryBytes();
  for (const auto& [cell, docs] : cells_)
    bytes += docs.capacity() * sizeof(uint32_t) + 8;
  return bytes;
}

}  // namespace kaartnet::search
