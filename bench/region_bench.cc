// kaart-region-bench: replication figures of a region of real kaartnetd
// processes on 127.0.0.1 (bench/README.md, "Replication").
//
//   kaart-region-bench --demo var/bench/100000/data --work /tmp/rb
//       [--nodes 10] [--rate 50] [--seconds 10] [--divergent 1000]
//       [--bootstrap-from 127.0.0.1:PORT]
//       [--out replication.json]
//
// 1. propagation: N nodes in a full mesh of direct links; one client
//    publishes on node1 at --rate per second; a watcher on every node notes
//    when each entry arrives. Latency counts from the moment the publish was
//    sent (so it includes the durable write on node1).
// 2. heal: N nodes, every link through a TCP proxy; the region is cut in two
//    halves, each half takes --divergent/2 writes (new entries and, for a
//    tenth of them, an update of an entry the other half updates too), then
//    the links are restored: time until every stream is back (the dialers'
//    backoff) and until every node shows the same state digest and the
//    expected number of entries.
// 3. bootstrap (with --bootstrap-from): a fresh node peering only with the
//    given node; time until it holds as many entries as that node.
#include <iostream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tests/testing/region.h"

namespace kaartnet::bench {
namespace {

using testing::Client;
using testing::Millis;
using testing::Percentile;
using testing::Region;
using testing::Steady;
using testing::Watcher;

struct Options {
  std::string demo_dir;
  std::string work_dir;
  std::string out;
  int nodes = 10;
  double rate = 50;
  double seconds = 10;
  int divergent = 1000;
  std::string bootstrap_from;
  uint64_t bootstrap_entries = 0;
  bool bootstrap_only = false;
};

nlohmann::json Quantiles(const std::vector<double>& values) {
  return {{"count", values.size()},
          {"p50", Percentile(values, 0.5)},
          {"p99", Percentile(values, 0.99)},
          {"max", Percentile(values, 1.0)}};
}

bool Start(Region& region) {
  std::string error;
  if (region.StartAll(&error)) return true;
  std::cerr << "kaart-region-bench: a node did not start:\n" << error << "\n";
  return false;
}

nlohmann::json Propagation(const Options& options,
                           const std::vector<v1::Entry>& entries) {
  Region region(options.nodes, options.demo_dir, options.work_dir + "/mesh",
                /*proxied=*/false);
  if (!Start(region)) return nullptr;
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int i = 0; i < region.size(); ++i)
    watchers.push_back(std::make_unique<Watcher>(region.node(i).address()));
  Client writer(region.node(0).address());
  // A first entry proves every watcher and link is up before measuring.
  if (!writer.Publish(entries[0]).ok() ||
      !testing::WaitFor(
          [&] {
            for (auto& w : watchers)
              if (!w->SeenAt(entries[0].id())) return false;
            return true;
          },
          absl::Seconds(60))) {
    std::cerr << "kaart-region-bench: the mesh did not connect\n";
    return nullptr;
  }
  // The first second of publishing warms the nodes up and is not counted.
  const int warm = static_cast<int>(options.rate);
  const int count =
      std::min<int>(warm + static_cast<int>(options.rate * options.seconds),
                    static_cast<int>(entries.size()) - 1);
  std::vector<std::pair<std::string, Steady::time_point>> sent;
  const auto begin = Steady::now();
  const auto interval = std::chrono::duration_cast<Steady::duration>(
      std::chrono::duration<double>(1.0 / options.rate));
  int failed = 0;
  for (int k = 1; k <= count; ++k) {
    std::this_thread::sleep_until(begin + interval * (k - 1));
    const auto at = Steady::now();
    if (!writer.Publish(entries[k]).ok()) {
      ++failed;
    } else if (k > warm) {
      sent.emplace_back(entries[k].id(), at);
    }
  }
  const size_t expected = static_cast<size_t>(count - failed) + 1;
  testing::WaitFor(
      [&] {
        for (auto& w : watchers)
          if (w->seen() < expected) return false;
        return true;
      },
      absl::Seconds(60));
  // Records each node received per record it applied: 1 is the floor, a
  // full mesh that relays blindly would be near N-1.
  uint64_t received = 0, applied = 0;
  for (int i = 1; i < region.size(); ++i) {
    const v1::NodeStatus status = Client(region.node(i).address()).Status();
    for (const v1::PeerState& peer : status.peers()) {
      received += peer.records_received();
      applied += peer.records_applied();
    }
  }
  std::vector<double> deliveries, everywhere;
  std::vector<std::tuple<double, int, int>> slowest;  // ms, node, publish
  int missing = 0;
  int publish = 0;
  for (const auto& [id, at] : sent) {
    double last = 0;
    for (int i = 1; i < region.size(); ++i) {
      auto seen = watchers[i]->SeenAt(id);
      if (!seen) {
        ++missing;
        continue;
      }
      const double ms = std::max(0.0, Millis(*seen - at));
      deliveries.push_back(ms);
      slowest.emplace_back(ms, i + 1, publish);
      last = std::max(last, ms);
    }
    everywhere.push_back(last);
    ++publish;
  }
  std::sort(slowest.rbegin(), slowest.rend());
  slowest.resize(std::min<size_t>(slowest.size(), 10));
  nlohmann::json slow = nlohmann::json::array();
  for (const auto& [ms, node, k] : slowest)
    slow.push_back({{"ms", ms}, {"node", node}, {"publish", k}});
  return {{"nodes", options.nodes},
          {"topology", "full mesh, direct loopback links"},
          {"rate_per_second", options.rate},
          {"published", sent.size()},
          {"failed_publishes", failed},
          {"missing_deliveries", missing},
          {"records_received_per_applied",
           applied ? static_cast<double>(received) / applied : 0.0},
          {"delivery_ms", Quantiles(deliveries)},
          {"visible_everywhere_ms", Quantiles(everywhere)},
          {"slowest_deliveries", slow}};
}

nlohmann::json Heal(const Options& options,
                    const std::vector<v1::Entry>& entries) {
  Region region(options.nodes, options.demo_dir, options.work_dir + "/heal",
                /*proxied=*/true);
  if (!Start(region)) return nullptr;
  const int half = options.nodes / 2;
  std::set<int> left;
  for (int i = 0; i < half; ++i) left.insert(i);
  Client a(region.node(0).address());
  Client b(region.node(options.nodes - 1).address());
  const int per_side = options.divergent / 2;
  const int shared = per_side / 10;  // entries updated on both sides
  const int base = shared;
  if (static_cast<int>(entries.size()) < base + 2 * (per_side - shared)) {
    std::cerr
        << "kaart-region-bench: not enough demo entries for --divergent\n";
    return nullptr;
  }
  for (int k = 0; k < base; ++k) a.Publish(entries[k]);
  if (region.AwaitConvergence(base, absl::Seconds(60)) < 0) {
    std::cerr << "kaart-region-bench: the region did not converge before "
                 "the partition\n";
    return nullptr;
  }
  region.Partition(left, true);
  auto write_side = [&](Client& client, int first_new, const char* tag) {
    for (int k = 0; k < shared; ++k) {
      v1::Entry update = entries[k];
      update.set_title(absl::StrCat(update.title(), " (", tag, ")"));
      client.Publish(update);
    }
    for (int k = 0; k < per_side - shared; ++k)
      client.Publish(entries[first_new + k]);
  };
  std::thread left_writer(
      [&] { write_side(a, base, "bijgewerkt aan de ene kant"); });
  write_side(b, base + per_side - shared, "bijgewerkt aan de andere kant");
  left_writer.join();
  const uint64_t side_live = base + per_side - shared;
  const bool sides_settled = testing::WaitFor(
      [&] {
        for (int i = 0; i < region.size(); ++i) {
          if (Client(region.node(i).address()).Status().live_entries() !=
              side_live)
            return false;
        }
        return true;
      },
      absl::Seconds(60));
  const uint64_t total = base + 2 * (per_side - shared);
  // Records received and applied on the open streams: the difference
  // across the heal says how many copies of each record the nodes took.
  auto copies = [&region] {
    std::pair<uint64_t, uint64_t> sums;
    for (int i = 0; i < region.size(); ++i) {
      const v1::NodeStatus status = Client(region.node(i).address()).Status();
      for (const v1::PeerState& peer : status.peers()) {
        if (!peer.connected()) continue;
        sums.first += peer.records_received();
        sums.second += peer.records_applied();
      }
    }
    return sums;
  };
  const auto before = copies();
  const auto healed = Steady::now();
  region.Partition(left, false);
  // Dialers retry with backoff (up to 1.5 s): first the time until every
  // stream is back, then until every node holds the same state.
  std::vector<Client> clients;
  for (int i = 0; i < region.size(); ++i)
    clients.emplace_back(region.node(i).address());
  testing::WaitFor(
      [&] {
        for (Client& client : clients) {
          int connected = 0;
          const v1::NodeStatus status = client.Status();
          for (const v1::PeerState& peer : status.peers())
            connected += peer.connected() && peer.outbound();
          if (connected < static_cast<int>(&client - clients.data()))
            return false;
        }
        return true;
      },
      absl::Seconds(60));
  const double reconnect_ms = Millis(Steady::now() - healed);
  const double rest_ms = region.AwaitConvergence(total, absl::Seconds(60));
  const double converge_ms = rest_ms < 0 ? -1 : Millis(Steady::now() - healed);
  const auto after = copies();
  const uint64_t received = after.first - before.first;
  const uint64_t applied = after.second - before.second;
  return {{"nodes", options.nodes},
          {"topology", "full mesh, every link through a TCP proxy"},
          {"divergent_writes", 2 * per_side},
          {"conflicting_entries", shared},
          {"sides_settled_before_heal", sides_settled},
          {"reconnect_ms", reconnect_ms},
          {"converge_ms", converge_ms},
          {"converge_after_reconnect_ms", rest_ms},
          {"records_received", received},
          {"records_applied", applied}};
}

nlohmann::json Bootstrap(const Options& options) {
  testing::NodeProcess node(
      "bootstrap", options.demo_dir, options.work_dir + "/bootstrap",
      absl::StrCat("peers: \"", options.bootstrap_from, "\"\n"));
  const auto begin = Steady::now();
  std::string error;
  if (!node.Start(&error)) {
    std::cerr << "kaart-region-bench: the bootstrap node did not start:\n"
              << error << "\n";
    return nullptr;
  }
  const double serving_ms = Millis(Steady::now() - begin);
  Client client(node.address());
  uint64_t expected = options.bootstrap_entries;
  if (expected == 0)
    expected = Client(options.bootstrap_from).Status().live_entries();
  uint64_t live = 0;
  const bool done = testing::WaitFor(
      [&] {
        live = client.Status().live_entries();
        return live >= expected;
      },
      absl::Seconds(600));
  const double total_ms = Millis(Steady::now() - begin);
  node.Stop();
  return {{"entries", live},
          {"complete", done},
          {"serving_after_ms", serving_ms},
          {"total_ms", total_ms},
          {"entries_per_second", live / (total_ms / 1000.0)}};
}

void Print(const nlohmann::json& result) {
  if (result.contains("propagation") && !result["propagation"].is_null()) {
    const auto& p = result["propagation"];
    std::cout << absl::StrFormat(
        "propagation to %d nodes, %.0f publishes/s: delivery p50 %.1f ms, p99 "
        "%.1f ms; visible everywhere p50 %.1f ms, p99 %.1f ms (target p99 < "
        "100 ms); %.2f records received per record applied\n",
        p["nodes"].get<int>(), p["rate_per_second"].get<double>(),
        p["delivery_ms"]["p50"].get<double>(),
        p["delivery_ms"]["p99"].get<double>(),
        p["visible_everywhere_ms"]["p50"].get<double>(),
        p["visible_everywhere_ms"]["p99"].get<double>(),
        p["records_received_per_applied"].get<double>());
  }
  if (result.contains("heal") && !result["heal"].is_null()) {
    const auto& h = result["heal"];
    std::cout << absl::StrFormat(
        "heal of %d nodes after %d divergent writes: equal after %.0f ms "
        "(target < 2000 ms), of which %.0f ms until every stream was back; "
        "%d records received for %d applied\n",
        h["nodes"].get<int>(), h["divergent_writes"].get<int>(),
        h["converge_ms"].get<double>(), h["reconnect_ms"].get<double>(),
        h["records_received"].get<uint64_t>(),
        h["records_applied"].get<uint64_t>());
  }
  if (result.contains("bootstrap") && !result["bootstrap"].is_null()) {
    const auto& b = result["bootstrap"];
    std::cout << absl::StrFormat(
        "bootstrap of a new node: %d entries in %.1f s, %.0f entries/s "
        "(target >= 20000/s)\n",
        b["entries"].get<uint64_t>(), b["total_ms"].get<double>() / 1000,
        b["entries_per_second"].get<double>());
  }
}

}  // namespace
}  // namespace kaartnet::bench

int main(int argc, char** argv) {
  using namespace kaartnet::bench;
  CLI::App app{"kaart-region-bench: replication figures of a local region"};
  Options options;
  app.add_option("--demo", options.demo_dir, "Demo data (kaart demo-data)")
      ->required();
  app.add_option("--work", options.work_dir, "Working directory for nodes")
      ->required();
  app.add_option("--out", options.out, "Write the result as JSON");
  app.add_option("--nodes", options.nodes, "Nodes in the region")
      ->check(CLI::Range(2, 40));
  app.add_option("--rate", options.rate, "Publishes per second on node1")
      ->check(CLI::Range(1.0, 5000.0));
  app.add_option("--seconds", options.seconds,
                 "Seconds of publishing (after one second of warm-up)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--divergent", options.divergent,
                 "Writes during the partition (both halves together)")
      ->check(CLI::Range(2, 100000));
  app.add_option("--bootstrap-from", options.bootstrap_from,
                 "Node to bootstrap a fresh node from");
  app.add_option("--bootstrap-entries", options.bootstrap_entries,
                 "Entries to wait for (default: as many as the source holds)");
  app.add_flag("--bootstrap-only", options.bootstrap_only,
               "Only the bootstrap (needs --bootstrap-from)");
  CLI11_PARSE(app, argc, argv);
  if (options.bootstrap_only && options.bootstrap_from.empty()) {
    std::cerr
        << "kaart-region-bench: --bootstrap-only needs --bootstrap-from\n";
    return 2;
  }

  nlohmann::json result;
  if (!options.bootstrap_only) {
    const std::vector<kaartnet::v1::Entry> entries =
        kaartnet::testing::ReadDemoEntries(options.demo_dir);
    if (entries.size() < 2) {
      std::cerr << "kaart-region-bench: no entries in " << options.demo_dir
                << "/entries.jsonl\n";
      return 1;
    }
    result["propagation"] = Propagation(options, entries);
    result["heal"] = Heal(options, entries);
  }
  if (!options.bootstrap_from.empty()) result["bootstrap"] = Bootstrap(options);
  Print(result);
  if (!options.out.empty()) {
    std::ofstream out(options.out);
    out << result.dump(2) << "\n";
  }
  for (const auto& [name, part] : result.items()) {
    if (part.is_null()) return 1;
  }
  return 0;
}
