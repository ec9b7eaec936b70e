#include "services/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "prometheus/text_serializer.h"
#include "services/directory_core.h"
#include "trust/access.h"

namespace kaartnet::services {
namespace {

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    default:
      return "OTHER";
  }
}

// 0.1 ms .. ~3 s, doubling.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  prometheus::Histogram::BucketBoundaries b;
  for (double s = 0.0001; s < 4; s *= 2) b.push_back(s);
  return b;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      calls_(prometheus::BuildCounter()
                 .Name("kaartnet_calls_total")
                 .Help("Finished calls by transport, method and status code")
                 .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("kaartnet_call_seconds")
                   .Help("Time in the node per call (search: the Search "
                         "method), by transport and method")
                   .Register(*registry_)),
      entries_(prometheus::BuildGauge()
                   .Name("kaartnet_entries")
                   .Help("Live entries by kind")
                   .Register(*registry_)),
      node_(prometheus::BuildGauge()
                .Name("kaartnet_node")
                .Help("State of the node: live, withdrawn and stale entries, "
                      "organisations, disk bytes, records refused from "
                      "peers, records with a skewed clock")
                .Register(*registry_)),
      peer_lag_records_(prometheus::BuildGauge()
                            .Name("kaartnet_peer_lag_records")
                            .Help("Records the peer is behind this node")
                            .Register(*registry_)),
      peer_lag_seconds_(prometheus::BuildGauge()
                            .Name("kaartnet_peer_lag_seconds")
                            .Help("Seconds the peer has been behind")
                            .Register(*registry_)),
      peer_connected_(prometheus::BuildGauge()
                          .Name("kaartnet_peer_connected")
                          .Help("1 when the replication stream is open")
                          .Register(*registry_)),
      peer_records_(prometheus::BuildGauge()
                        .Name("kaartnet_peer_records")
                        .Help("Records sent, received, applied and refused "
                              "on the current stream with the peer")
                        .Register(*registry_)),
      refused_(prometheus::BuildGauge()
                   .Name("kaartnet_refused_records")
                   .Help("Records from peers refused since start, by reason "
                         "(bad_signature, kind_not_allowed, ...)")
                   .Register(*registry_)),
      rocksdb_(prometheus::BuildGauge()
                   .Name("kaartnet_rocksdb")
                   .Help("RocksDB's own figures, summed over column "
                         "families, by property")
                   .Register(*registry_)) {}

void Metrics::RecordCall(absl::string_view transport, absl::string_view method,
                         absl::StatusCode code, double seconds) {
  const std::string t(transport), m(method);
  calls_.Add({{"transport", t}, {"method", m}, {"code", CodeName(code)}})
      .Increment();
  latency_.Add({{"transport", t}, {"method", m}}, LatencyBuckets())
      .Observe(seconds);
}

void Metrics::UpdateState(DirectoryCore* directory, AdminCore* admin) {
  const trust::Caller local = trust::Caller::Trusted();
  v1::SearchRequest by_kind;
  by_kind.set_page_size(1);
  by_kind.add_facets(v1::FACET_FIELD_KIND);
  if (auto found = directory->Search(local, by_kind); found.ok()) {
    for (const v1::Facet& facet : found->facets()) {
      for (const v1::FacetCount& count : facet.counts())
        entries_.Add({{"kind", count.value()}}).Set(count.count());
    }
  }
  auto status = admin->GetNodeStatus(local, {});
  if (!status.ok()) return;
  const std::pair<const char*, double> values[] = {
      {"live_entries", static_cast<double>(status->live_entries())},
      {"withdrawn_entries", static_cast<double>(status->withdrawn_entries())},
      {"stale_entries", static_cast<double>(status->stale_entries())},
      {"organisations", static_cast<double>(status->organisations())},
      {"disk_bytes", static_cast<double>(status->disk_bytes())},
      {"refused_records", static_cast<double>(status->refused_records())},
      {"skewed_records", static_cast<double>(status->skewed_records())},
      {"tombstones_removed", static_cast<double>(status->tombstones_removed())},
      {"entries_pruned", static_cast<double>(status->entries_pruned())},
  };
  for (const auto& [what, value] : values)
    node_.Add({{"what", what}}).Set(value);
  for (const auto& [reason, n] : status->refused_by_reason())
    refused_.Add({{"reason", reason}}).Set(static_cast<double>(n));
  for (const auto& [name, value] : status->storage_stats())
    rocksdb_.Add({{"property", name}}).Set(static_cast<double>(value));
  // Peers come and go (incoming streams have a new address each time):
  // series of peers no longer listed are removed.
  std::vector<
      std::pair<prometheus::Family<prometheus::Gauge>*, prometheus::Gauge*>>
      now;
  auto set = [&](prometheus::Family<prometheus::Gauge>& family,
                 const prometheus::Labels& labels, double value) {
    prometheus::Gauge& gauge = family.Add(labels);
    gauge.Set(value);
    now.emplace_back(&family, &gauge);
  };
  for (const v1::PeerState& peer : status->peers()) {
    const prometheus::Labels labels = {
        {"peer", peer.node_id().empty() ? peer.address() : peer.node_id()},
        {"address", peer.address()},
        {"direction", peer.outbound() ? "out" : "in"}};
    set(peer_lag_records_, labels, static_cast<double>(peer.lag_records()));
    set(peer_lag_seconds_, labels, peer.lag_seconds());
    set(peer_connected_, labels, peer.connected() ? 1 : 0);
    for (const auto& [what, value] :
         {std::pair<const char*, uint64_t>{"sent", peer.records_sent()},
          {"received", peer.records_received()},
          {"applied", peer.records_applied()},
          {"refused", peer.records_refused()}}) {
      prometheus::Labels with = labels;
      with["what"] = what;
      set(peer_records_, with, static_cast<double>(value));
    }
  }
  for (const auto& before : peer_series_) {
    if (std::find(now.begin(), now.end(), before) == now.end())
      before.first->Remove(before.second);
  }
  peer_series_ = std::move(now);
}

std::string Metrics::Scrape(DirectoryCore* directory, AdminCore* admin) {
  absl::MutexLock lock(&scrape_mu_);
  UpdateState(directory, admin);
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace kaartnet::services
