// A prototype SearchEngine on Xapian (libxapian 1.4), built only to compare
// it with kaartnet's own engine on the same documents and query mix (see
// search/ENGINE_CHOICE.md). It reuses kaartnet's Dutch analysis: every
// indexed term is a term of search/analyzer.h, weighted per field through
// the within-document frequency, and ranked with Xapian's BM25. Filters
// are boolean terms; the radius is a LatLongDistancePostingSource.
//
// What it leaves out (so it does less work than the real engine): place
// names as service areas, typo tolerance, the tag factor, multiplicative
// freshness/availability/distance, facets and paging.
//
// Thread-safety: one search at a time (Xapian databases are not
// thread-safe); the comparison runs single-threaded.
#ifndef KAARTNET_BENCH_XAPIAN_ENGINE_H_
#define KAARTNET_BENCH_XAPIAN_ENGINE_H_

#include <memory>
#include <string>

#include "search/engine.h"

namespace kaartnet::search {

class XapianEngine final : public SearchEngine {
 public:
  struct Options {
    // Count every match, as kaartnet does; otherwise Xapian estimates the
    // total and stops early.
    bool exact_totals = false;
    // Add availability and freshness to BM25 (a value posting source);
    // without it the ranking is text only.
    bool quality_boost = true;
  };
  // A glass database in `directory` (created empty, removed at the end).
  XapianEngine(const std::string& directory, Options options);
  ~XapianEngine() override;

  void Upsert(Document doc, v1::OrganisationType organisation_type) override;
  void Remove(const std::string& id) override;
  // Commits what was added and reopens the reader.
  void Compact() override;
  SearchResult Search(const CompiledQuery& query) const override;
  size_t size() const override;
  // Bytes of the database files on disk (Xapian reads them through the
  // page cache, not from its own heap).
  size_t MemoryBytes() const override;
  const char* name() const override { return "xapian"; }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kaartnet::search

#endif  // KAARTNET_BENCH_XAPIAN_ENGINE_H_
