// Prometheus metrics of a node: calls by transport, method and status code
// with their latency, and at each scrape the node's state (entries by kind,
// stale entries, organisations, disk, refused records, replication peers).
//
// Thread-safety: every method may be called from any thread.
#ifndef KAARTNET_SERVICES_METRICS_H_
#define KAARTNET_SERVICES_METRICS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace kaartnet::services {

class DirectoryCore;
class AdminCore;

class Metrics {
 public:
  Metrics();

  // One finished call. `transport` is "grpc" or "http".
  void RecordCall(absl::string_view transport, absl::string_view method,
                  absl::StatusCode code, double seconds);

  // The text exposition format, with the node's state read now.
  std::string Scrape(DirectoryCore* directory, AdminCore* admin);

 private:
  void UpdateState(DirectoryCore* directory, AdminCore* admin)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(scrape_mu_);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& entries_;
  prometheus::Family<prometheus::Gauge>& node_;
  prometheus::Family<prometheus::Gauge>& peer_lag_records_;
  prometheus::Family<prometheus::Gauge>& peer_lag_seconds_;
  prometheus::Family<prometheus::Gauge>& peer_connected_;
  prometheus::Family<prometheus::Gauge>& peer_records_;
  prometheus::Family<prometheus::Gauge>& refused_;
  prometheus::Family<prometheus::Gauge>& rocksdb_;
  absl::Mutex scrape_mu_;
  // The peer series set by the last scrape.
  std::vector<
      std::pair<prometheus::Family<prometheus::Gauge>*, prometheus::Gauge*>>
      peer_series_ ABSL_GUARDED_BY(scrape_mu_);
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_METRICS_H_
