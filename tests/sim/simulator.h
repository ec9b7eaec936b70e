// Deterministic simulation of a region (or the country) of kaartnet nodes:
// the production replication::Session of every link runs in one process, on
// a simulated network and clock, single-threaded, every choice drawn from
// one seeded generator. The same seed gives the same run, event for event.
//
// Fault model (docs/simulation.md): per-message delay with spikes; streams
// that break (messages in flight are lost; sessions start again with Hello,
// as a gRPC stream would); partitions that form and heal; node crashes and
// restarts (every acknowledged apply is durable, as with the store's synced
// WAL; only session state and messages in flight are lost); restores from
// old backups; clock skew and jumps; nodes that join late or leave for good;
// organisations publishing, updating, withdrawing and erasing, sometimes
// through two nodes at once (real conflicts).
//
// Invariants: see CheckQuiescent and CheckContinuous in simulator.cc.
#ifndef KAARTNET_TESTS_SIM_SIMULATOR_H_
#define KAARTNET_TESTS_SIM_SIMULATOR_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace kaartnet::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 10;
  // Regional clusters: a ring plus random links inside each, and a ring of
  // links between clusters.
  int clusters = 1;
  int extra_links_per_node = 1;
  int links_between_clusters = 2;
  int entries = 200;
  int organisations = 20;
  // Organisation writes per simulated second, region-wide, while active.
  double writes_per_second = 10;
  // Publishing (and faults, when on) last this long; then every fault heals
  // and the run continues until all nodes hold the same state.
  absl::Duration active = absl::Seconds(120);
  absl::Duration settle_limit = absl::Minutes(20);
  // Bytes of text in every live entry (a real signed entry is ~1 KiB).
  size_t payload_bytes = 600;
  bool faults = true;
  double partitions_per_minute = 1;
  double crashes_per_minute = 2;
  double restores_per_minute = 0.5;
  double clock_jumps_per_minute = 1;
  double stream_breaks_per_1000_messages = 0.5;
  int joiners = 1;
  int leavers = 1;
  absl::Duration digest_interval = absl::Seconds(30);
  // Scale mode: every entry is first published once by its home node within
  // `load_window` (a burst), then the clusters are split in two halves,
  // `divergent_writes` are made on both sides, and the split heals.
  bool scale = false;
  absl::Duration load_window = absl::Seconds(60);
  int divergent_writes = 1000;
  bool verbose = false;
  // Sessions tell their peers their direct feeds and relay lazily, as the
  // replicator does; off: every record is relayed at once (for comparison).
  bool lazy_relay = true;
  // Test of the checker: node n000 keeps older versions over newer ones.
  bool sabotage_conflict_rule = false;
};

struct SimReport {
  bool ok = true;
  std::string violation;  // with the seed and the relevant events
  uint64_t seed = 0;
  int nodes = 0;
  uint64_t writes = 0;
  uint64_t entries = 0;
  uint64_t faults = 0;
  // Simulated time from the end of the burst / the heal until every node
  // held the same state.
  absl::Duration burst_converged = absl::ZeroDuration();
  absl::Duration heal_converged = absl::ZeroDuration();
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t record_bytes = 0;  // of which records' own bytes
  uint64_t records_sent = 0;
  uint64_t records_applied = 0;
  uint64_t repairs = 0;  // buckets repaired after digests
  uint64_t origin_rotations = 0;
  uint64_t stream_errors = 0;
  double simulated_seconds = 0;
  double wall_seconds = 0;
  std::string Summary() const;
};

SimReport RunSimulation(const SimOptions& options);

}  // namespace kaartnet::sim

#endif  // KAARTNET_TESTS_SIM_SIMULATOR_H_
