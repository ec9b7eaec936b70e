// The benchmark's query mix: deterministic, realistic klantmanager queries
// for the demo data (rare, medium and very frequent words, 1-4 words,
// prefixes, filters, geo), one JSON object per line:
//   {"name": "...", "class": "frequent", "request": {SearchRequest JSON}}
#ifndef KAARTNET_BENCH_QUERY_MIX_H_
#define KAARTNET_BENCH_QUERY_MIX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kaartnet/v1/directory.pb.h"

namespace kaartnet::bench {

struct QuerySpec {
  std::string name;
  // frequent, medium, rare, multi, prefix, filter (no text), geo
  std::string query_class;
  v1::SearchRequest request;
};

std::vector<QuerySpec> MakeQueryMix(uint64_t seed);
absl::Status WriteQueryMix(const std::string& path, uint64_t seed);
absl::StatusOr<std::vector<QuerySpec>> ReadQueryMix(const std::string& path);

}  // namespace kaartnet::bench

#endif  // KAARTNET_BENCH_QUERY_MIX_H_
