// In-process benchmark of the search engines on demo data and the
// benchmark query mix, without gRPC or storage: the engine's own cost.
//
//   build/bin/search_benchmark --entries=100000
//       [--engine=inverted|inverted-nocache|scan|xapian|xapian-exact|xapian-bm25]
//
// xapian is the prototype of bench/xapian_engine.h (Xapian estimates the
// total); xapian-exact counts every match, as kaartnet does; xapian-bm25
// ranks by text alone (no availability/freshness boost).
//
// Prints the time per query (mean over repetitions) for the slowest
// queries, by query class, and the whole mix; plus build and memory.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/clock.h"
#include "bench/query_mix.h"
#include "clients/demo/demo_data.h"
#include "search/hit_card.h"
#include "search/inverted_index_engine.h"
#include "search/scan_engine.h"
#include "search/search_index.h"
#ifdef KAARTNET_HAVE_XAPIAN
#include "bench/xapian_engine.h"
#endif

namespace kaartnet::search {
namespace {

using bench::NowSeconds;

int Main(int argc, char** argv) {
  size_t entries = 100000;
  std::string engine_name = "inverted";
  std::string queries_file = "bench/queries.jsonl";
  int repetitions = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--entries=", 0) == 0)
      absl::SimpleAtoi(arg.substr(10), &entries);
    if (arg.rfind("--engine=", 0) == 0) engine_name = arg.substr(9);
    if (arg.rfind("--queries=", 0) == 0) queries_file = arg.substr(10);
    if (arg.rfind("--repetitions=", 0) == 0)
      absl::SimpleAtoi(arg.substr(14), &repetitions);
  }
  demo::DemoOptions options;
  options.count = entries;
  const absl::Time now = options.now;
  double t0 = NowSeconds();
  const demo::DemoData data = demo::Generate(options);
  std::map<std::string, std::pair<std::string, v1::OrganisationType>> orgs;
  for (const auto& o : data.organisations) {
    orgs[o.organisation.organisation_id()] = {o.organisation.name(),
                                              o.organisation.type()};
  }
  std::printf("generated %zu entries in %.1f s\n", data.entries.size(),
              NowSeconds() - t0);

  FakeClock clock(now);
  std::unique_ptr<SearchEngine> engine;
  if (engine_name == "scan") {
    engine = std::make_unique<ScanEngine>();
#ifdef KAARTNET_HAVE_XAPIAN
  } else if (engine_name.rfind("xapian", 0) == 0) {
    XapianEngine::Options xapian;
    xapian.exact_totals = engine_name == "xapian-exact";
    xapian.quality_boost = engine_name != "xapian-bm25";
    engine = std::make_unique<XapianEngine>(
        absl::StrCat("/tmp/kaartnet-xapian-bench-", ::getpid()), xapian);
#endif
  } else if (engine_name != "inverted" && engine_name != "inverted-nocache") {
    std::fprintf(stderr, "unknown engine %s\n", engine_name.c_str());
    return 2;
  } else {
    InvertedIndexEngine::Options engine_options;
    engine_options.clock = &clock;
    engine_options.background_merges = false;
    if (engine_name == "inverted-nocache")
      engine_options.radius_cache_bytes = 0;
    engine = std::make_unique<InvertedIndexEngine>(engine_options);
  }
  t0 = NowSeconds();
  std::vector<SearchEngine::Update> batch;
  for (const v1::Entry& entry : data.entries) {
    SearchEngine::Update u;
    u.id = entry.id();
    const auto& org = orgs[entry.organisation_id()];
    u.doc = MakeDocument(entry, org.first);
    // The node's index also holds each entry's result card.
    if (engine_name.rfind("inverted", 0) == 0)
      u.doc.card = MakeHitCard(entry, org.first, org.second);
    u.organisation_type = org.second;
    batch.push_back(std::move(u));
    if (batch.size() == 25000) {
      engine->Apply(std::move(batch));
      batch.clear();
    }
  }
  engine->Apply(std::move(batch));
  const double built = NowSeconds() - t0;
  t0 = NowSeconds();
  engine->Compact();
  std::printf("indexed in %.2f s, merged in %.2f s, %.0f MB\n", built,
              NowSeconds() - t0, engine->MemoryBytes() / 1e6);

  auto mix = bench::ReadQueryMix(queries_file);
  if (!mix.ok()) {
    std::fprintf(stderr, "%s\n", std::string(mix.status().message()).c_str());
    return 1;
  }
  // Postcodes in queries are placed as the node places them: at the mean
  // of the entry locations seen in that PC4 area.
  PostcodeTable postcodes;
  for (const v1::Entry& entry : data.entries) {
    for (const v1::Location& loc : entry.locations()) {
      if (loc.has_latitude() && loc.has_longitude() &&
          loc.postcode().size() >= 4) {
        postcodes.Learn(loc.postcode().substr(0, 4), loc.latitude(),
                        loc.longitude());
      }
    }
  }
  QueryContext context;
  context.now = now;
  context.locate_postcode = [&postcodes](absl::string_view pc4) {
    return postcodes.Find(pc4);
  };
  struct Timing {
    std::string name, cls;
    double seconds;
    uint64_t total;
  };
  std::vector<Timing> timings;
  std::map<std::string, std::vector<double>> by_class;
  double all = 0;
  for (const bench::QuerySpec& spec : *mix) {
    auto query = CompileQuery(spec.request, context);
    if (!query.ok()) {
      std::fprintf(stderr, "query %s: %s\n", spec.name.c_str(),
                   std::string(query.status().message()).c_str());
      return 1;
    }
    uint64_t total = engine->Search(*query).total;  // warm up
    const double start = NowSeconds();
    for (int r = 0; r < repetitions; ++r) total = engine->Search(*query).total;
    const double per = (NowSeconds() - start) / repetitions;
    all += per;
    timings.push_back({spec.name, spec.query_class, per, total});
    by_class[spec.query_class].push_back(per);
  }
  std::sort(
      timings.begin(), timings.end(),
      [](const Timing& a, const Timing& b) { return a.seconds > b.seconds; });
  std::printf("\nslowest queries (engine only):\n");
  for (size_t i = 0; i < timings.size() && i < 15; ++i) {
    std::printf("  %8.3f ms  %7llu matches  [%s] %s\n",
                timings[i].seconds * 1e3,
                static_cast<unsigned long long>(timings[i].total),
                timings[i].cls.c_str(), timings[i].name.c_str());
  }
  std::printf("\nby class (mean, max):\n");
  for (auto& [cls, times] : by_class) {
    double sum = 0, max = 0;
    for (double t : times) {
      sum += t;
      max = std::max(max, t);
    }
    std::printf("  %-10s %8.3f ms %8.3f ms\n", cls.c_str(),
                sum / times.size() * 1e3, max * 1e3);
  }
  std::printf("\nwhole mix: mean %.3f ms per query\n",
              all / timings.size() * 1e3);
  return 0;
}

}  // namespace
}  // namespace kaartnet::search

int main(int argc, char** argv) { return kaartnet::search::Main(argc, argv); }
