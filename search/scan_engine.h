// The simplest correct engine: every search scans every document. It is the
// reference the real engine is tested against (same matches, same filter
// semantics), and the first engine kaartnet shipped with.
//
// Text semantics: every query word must occur in some field (AND); the last
// word also matches as a prefix. Words are compared after Tokenize (case
// and diacritics folded), without stemming or typo tolerance.
#ifndef KAARTNET_SEARCH_SCAN_ENGINE_H_
#define KAARTNET_SEARCH_SCAN_ENGINE_H_

#include <map>
#include <memory>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"
#include "search/engine.h"

namespace kaartnet::search {

class ScanEngine final : public SearchEngine {
 public:
  ScanEngine() = default;

  void Upsert(Document doc, v1::OrganisationType organisation_type) override;
  void Remove(const std::string& id) override;
  SearchResult Search(const CompiledQuery& query) const override;
  size_t size() const override;
  size_t MemoryBytes() const override;
  const char* name() const override { return "scan"; }

 private:
  struct Stored {
    Document doc;
    v1::OrganisationType organisation_type;
    std::vector<std::string> tokens[static_cast<int>(TextField::kCount)];
  };

  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const Stored>> docs_
      ABSL_GUARDED_BY(mu_);
  uint64_t total_tokens_[static_cast<int>(TextField::kCount)] ABSL_GUARDED_BY(
      mu_) = {};
};

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_SCAN_ENGINE_H_
