// Fuzz target: the search index as saved in a node's index file
// (InvertedIndexEngine::LoadFrom: segment, postings, bitsets, places).
// The file has a checksum; this is what stands behind it when the bytes are
// damaged anyway or written by another build.
#include <cstdint>

#include "search/inverted_index_engine.h"
#include "search/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet::search;
  InvertedIndexEngine::Options options;
  options.background_merges = false;
  InvertedIndexEngine engine(options);
  if (!engine
           .LoadFrom(
               absl::string_view(reinterpret_cast<const char*>(data), size))
           .ok()) {
    return 0;
  }
  // What loaded must answer queries and take updates.
  for (const char* text : {"ips", "jobcoach heerlen", "werk", ""}) {
    kaartnet::v1::SearchRequest request;
    request.set_query(text);
    request.add_facets(kaartnet::v1::FACET_FIELD_GEMEENTE);
    request.mutable_near()->set_gemeentecode("GM0917");
    QueryContext context;
    auto query = CompileQuery(request, context);
    if (query.ok()) (void)engine.Search(*query);
  }
  std::string again;
  (void)engine.SaveTo(&again);
  return 0;
}
