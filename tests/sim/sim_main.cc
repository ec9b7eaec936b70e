// kaartnet-sim: runs the deterministic replication simulation by hand.
//
//   kaartnet-sim --seed 7 --nodes 30                 one faulty run
//   kaartnet-sim --sweep 1000 --seed 1 --nodes 40    many seeds
//   kaartnet-sim --scale --nodes 700 --clusters 35 --entries 100000
//
// A failing seed prints the violation with the faults that led to it; the
// same command with that --seed reproduces it exactly.
#include <cstdio>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "tests/sim/simulator.h"

int main(int argc, char** argv) {
  kaartnet::sim::SimOptions options;
  CLI::App app{"kaartnet replication simulator"};
  uint64_t sweep = 0;
  double active_seconds = 120;
  app.add_option("--seed", options.seed, "seed of the (first) run");
  app.add_option("--sweep", sweep, "run this many seeds from --seed on");
  app.add_option("--nodes", options.nodes);
  app.add_option("--clusters", options.clusters);
  app.add_option("--entries", options.entries);
  app.add_option("--organisations", options.organisations);
  app.add_option("--writes-per-second", options.writes_per_second);
  app.add_option("--active-seconds", active_seconds,
                 "how long writes and faults go on");
  app.add_option("--payload-bytes", options.payload_bytes);
  app.add_option("--partitions-per-minute", options.partitions_per_minute);
  app.add_option("--crashes-per-minute", options.crashes_per_minute);
  app.add_option("--restores-per-minute", options.restores_per_minute);
  app.add_option("--clock-jumps-per-minute", options.clock_jumps_per_minute);
  app.add_option("--stream-breaks-per-1000-messages",
                 options.stream_breaks_per_1000_messages);
  app.add_option("--joiners", options.joiners);
  app.add_option("--leavers", options.leavers);
  app.add_option("--divergent-writes", options.divergent_writes);
  double load_window_seconds = 60;
  app.add_option("--load-window-seconds", load_window_seconds,
                 "scale: the burst of first publishes lasts this long");
  app.add_flag("--scale", options.scale,
               "burst load, then split the clusters in two and heal; no "
               "random faults");
  app.add_flag("--verbose", options.verbose);
  app.add_flag("!--eager-relay", options.lazy_relay,
               "Relay every record at once (no DirectOrigins), to compare");
  CLI11_PARSE(app, argc, argv);
  // Deadlock detection costs a graph update per lock (the simulation test
  // keeps it on).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  options.active = absl::Seconds(active_seconds);
  options.load_window = absl::Seconds(load_window_seconds);
  if (options.scale) options.faults = false;

  int failures = 0;
  const uint64_t runs = sweep == 0 ? 1 : sweep;
  for (uint64_t i = 0; i < runs; ++i) {
    kaartnet::sim::SimOptions run = options;
    run.seed = options.seed + i;
    kaartnet::sim::SimReport report = kaartnet::sim::RunSimulation(run);
    printf("%s\n", report.Summary().c_str());
    if (!report.ok) {
      ++failures;
      printf("%s\n", report.violation.c_str());
    }
    fflush(stdout);
  }
  if (sweep > 0)
    printf("%llu seeds, %d failed\n", static_cast<unsigned long long>(runs),
           failures);
  return failures == 0 ? 0 : 1;
}
