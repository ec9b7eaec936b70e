// kaart-bench: load generator for a kaartnet node.
//
//   kaart-bench --workload search --queries bench/queries.jsonl
//               --concurrency 16 --duration 20 --server-pid $(pidof kaartnetd)
//
// Asynchronous gRPC (completion queues, several channels). Closed loop by
// default (each of --concurrency slots sends its next request when the
// previous answer arrives); with --rate R it is open loop: requests are due
// at fixed times and latency is measured from when a request was due, so a
// slow server cannot hide its tail by slowing the client (no coordinated
// omission). Reports QPS, latency percentiles (histogram, <1% error), the
// server-side search time, and the node's CPU per request and RSS from
// /proc/<server-pid>.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/clock.h"
#include "bench/histogram.h"
#include "bench/query_mix.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace kaartnet::bench {
namespace {

struct Options {
  std::string node = "127.0.0.1:7401";
  std::string workload = "search";
  std::string queries_file = "bench/queries.jsonl";
  std::string entries_file;
  int concurrency = 16;
  int channels = 4;
  int threads = 2;
  double duration = 10;
  double warmup = 2;
  double rate = 0;  // requests/s; 0 = closed loop
  int server_pid = 0;
  std::string out;
  std::string label;
  std::string token;
  int slowest = 0;  // print the N slowest queries of the mix
  // Decode every response into its message (as an application would); by
  // default the load client sends encoded requests and checks the status
  // only, so its own CPU, on the same cores as the node, stays small.
  bool decode = false;
};

// /proc/<pid> readings.
struct ProcessSample {
  double cpu_seconds = 0;
  uint64_t rss_bytes = 0;
};

ProcessSample SampleProcess(int pid) {
  ProcessSample sample;
  if (pid <= 0) return sample;
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string content((std::istreambuf_iterator<char>(stat)),
                      std::istreambuf_iterator<char>());
  // Fields after the ")" of the command name; utime and stime are fields
  // 14 and 15 overall.
  const size_t close = content.rfind(')');
  if (close != std::string::npos) {
    std::vector<std::string> fields =
        absl::StrSplit(content.substr(close + 2), ' ');
    if (fields.size() > 13) {
      double utime = 0, stime = 0;
      absl::SimpleAtod(fields[11], &utime);
      absl::SimpleAtod(fields[12], &stime);
      sample.cpu_seconds =
          (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      uint64_t kb = 0;
      absl::SimpleAtoi(
          absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kb);
      sample.rss_bytes = kb * 1024;
    }
  }
  return sample;
}

// What one thread measured.
struct QueryTime {
  uint64_t count = 0;
  uint64_t sum_ns = 0;
  uint64_t max_ns = 0;
};

struct ThreadResult {
  Histogram latency;
  Histogram server;                  // server-side time (search)
  std::vector<QueryTime> per_query;  // server time per query of the mix
  uint64_t ok = 0;
  std::map<int, uint64_t> errors;
  std::string first_error;
};

// The requests of a workload, shared read-only by all threads.
struct Workload {
  std::vector<v1::SearchRequest> searches;
  std::vector<grpc::ByteBuffer> encoded_searches;  // the same, encoded
  std::vector<std::string> search_names;
  std::vector<v1::Entry> entries;
  std::vector<std::string> ids;
};

class Call {
 public:
  virtual ~Call() = default;
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // Fills the result after completion; returns the status.
  virtual grpc::Status Done(ThreadResult* result, bool measured) = 0;
  int64_t due_ns = 0;
  int query = -1;  // index in the query mix
  bool is_alarm = false;
};

// Records the server's own time (trailer kaartnet-server-us) of a
// measured call.
void RecordServerTime(const grpc::ClientContext& context, int query,
                      ThreadResult* result) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find("kaartnet-server-us");
  if (it == trailers.end()) return;
  uint64_t us = 0;
  if (!absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()),
                        &us))
    return;
  result->server.Record(us * 1000);
  if (query >= 0 && query < static_cast<int>(result->per_query.size())) {
    QueryTime& t = result->per_query[query];
    ++t.count;
    t.sum_ns += us * 1000;
    t.max_ns = std::max<uint64_t>(t.max_ns, us * 1000);
  }
}

// The bearer token (if any) and a 30 s deadline, for every call.
void PrepareContext(const std::string& token, grpc::ClientContext* context) {
  if (!token.empty())
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
}

grpc::ByteBuffer Encode(const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// A unary call with encoded request and response bytes: the response is
// not decoded.
class RawCall final : public Call {
 public:
  RawCall(grpc::GenericStub* stub, const char* method, grpc::ByteBuffer request,
          const std::string& token)
      : stub_(stub), method_(method), request_(std::move(request)) {
    PrepareContext(token, &context_);
  }
  void Start(grpc::CompletionQueue* cq) override {
    reader_ = stub_->PrepareUnaryCall(&context_, method_, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }
  grpc::Status Done(ThreadResult* result, bool measured) override {
    if (measured && status_.ok()) RecordServerTime(context_, query, result);
    return status_;
  }

 private:
  grpc::GenericStub* stub_;
  const char* method_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::ClientContext context_;
  grpc::Status status_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
};

template <typename Request, typename Response, typename Stub,
          std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (
              Stub::*Method)(grpc::ClientContext*, const Request&,
                             grpc::CompletionQueue*)>
class UnaryCall final : public Call {
 public:
  UnaryCall(Stub* stub, Request request, const std::string& token)
      : stub_(stub), request_(std::move(request)) {
    PrepareContext(token, &context_);
  }
  void Start(grpc::CompletionQueue* cq) override {
    reader_ = (stub_->*Method)(&context_, request_, cq);
    reader_->Finish(&response_, &status_, this);
  }
  grpc::Status Done(ThreadResult* result, bool measured) override {
    if (measured && status_.ok()) RecordServerTime(context_, query, result);
    return status_;
  }

 private:
  Stub* stub_;
  Request request_;
  Response response_;
  grpc::ClientContext context_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

using SearchCall =
    UnaryCall<v1::SearchRequest, v1::SearchResponse, v1::Directory::Stub,
              &v1::Directory::Stub::AsyncSearch>;
using GetCall = UnaryCall<v1::GetRequest, v1::GetResponse, v1::Directory::Stub,
                          &v1::Directory::Stub::AsyncGet>;
using PublishCall =
    UnaryCall<v1::PublishRequest, v1::PublishResponse, v1::Directory::Stub,
              &v1::Directory::Stub::AsyncPublish>;
using HealthCall = UnaryCall<grpc::health::v1::HealthCheckRequest,
                             grpc::health::v1::HealthCheckResponse,
                             grpc::health::v1::Health::Stub,
                             &grpc::health::v1::Health::Stub::AsyncCheck>;

class Worker {
 public:
  Worker(int index, const Options& options, const Workload& workload,
         std::vector<std::shared_ptr<grpc::Channel>> channels)
      : index_(index), options_(options), workload_(workload) {
    result_.per_query.resize(workload.searches.size());
    for (auto& channel : channels) {
      directory_.push_back(v1::Directory::NewStub(channel));
      health_.push_back(grpc::health::v1::Health::NewStub(channel));
      generic_.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
  }

  void Run(int64_t start_ns, int64_t measure_ns, int64_t end_ns, int slots,
           double rate) {
    measure_ns_ = measure_ns;
    if (rate <= 0) {
      for (int i = 0; i < slots; ++i) Issue(NowNs());
    } else {
      interval_ns_ = static_cast<int64_t>(1e9 / rate);
      next_due_ns_ = start_ns;
      ScheduleNext();
    }
    void* tag;
    bool ok;
    bool stopping = false;
    while (outstanding_ > 0 || (!stopping && rate > 0)) {
      const auto deadline =
          std::chrono::system_clock::now() + std::chrono::milliseconds(200);
      const auto next = cq_.AsyncNext(&tag, &ok, deadline);
      if (next == grpc::CompletionQueue::SHUTDOWN) break;
      const int64_t now = NowNs();
      if (now >= end_ns) stopping = true;
      if (next == grpc::CompletionQueue::TIMEOUT) continue;
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      --outstanding_;
      if (call->is_alarm) {
        if (!stopping) {
          Issue(call->due_ns);
          ScheduleNext();
        }
        continue;
      }
      const bool measured = call->due_ns >= measure_ns_ && now <= end_ns;
      grpc::Status status = call->Done(&result_, measured);
      if (measured) {
        if (status.ok()) {
          result_.latency.Record(now - call->due_ns);
          ++result_.ok;
        } else {
          ++result_.errors[status.error_code()];
          if (result_.first_error.empty()) {
            result_.first_error =
                absl::StrCat(status.error_code(), ": ", status.error_message());
          }
        }
      }
      if (rate <= 0 && !stopping) Issue(NowNs());
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) delete static_cast<Call*>(tag);
  }

  const ThreadResult& result() const { return result_; }

 private:
  class AlarmCall final : public Call {
   public:
    void Start(grpc::CompletionQueue*) override {}
    grpc::Status Done(ThreadResult*, bool) override { return grpc::Status::OK; }
    grpc::Alarm alarm;
  };

  void ScheduleNext() {
    auto* alarm = new AlarmCall();
    alarm->is_alarm = true;
    alarm->due_ns = next_due_ns_;
    const int64_t wait = std::max<int64_t>(0, next_due_ns_ - NowNs());
    alarm->alarm.Set(
        &cq_, std::chrono::system_clock::now() + std::chrono::nanoseconds(wait),
        alarm);
    next_due_ns_ += interval_ns_;
    ++outstanding_;
  }

  void Issue(int64_t due_ns) {
    const size_t n = counter_++;
    const size_t channel = n % directory_.size();
    std::unique_ptr<Call> call;
    const std::string& workload = options_.workload;
    if (workload == "search") {
      const auto& all = workload_.searches;
      const size_t q = (n * options_.threads + index_) % all.size();
      if (options_.decode) {
        call = std::make_unique<SearchCall>(directory_[channel].get(), all[q],
                                            options_.token);
      } else {
        call = std::make_unique<RawCall>(
            generic_[channel].get(), "/kaartnet.v1.Directory/Search",
            workload_.encoded_searches[q], options_.token);
      }
      call->query = static_cast<int>(q);
    } else if (workload == "get") {
      v1::GetRequest request;
      request.set_id(
          workload_.ids[(n * 7919 + index_ * 104729) % workload_.ids.size()]);
      if (options_.decode) {
        call = std::make_unique<GetCall>(directory_[channel].get(), request,
                                         options_.token);
      } else {
        call = std::make_unique<RawCall>(generic_[channel].get(),
                                         "/kaartnet.v1.Directory/Get",
                                         Encode(request), options_.token);
      }
    } else if (workload == "publish") {
      const size_t i = (n * options_.threads + index_);
      v1::PublishRequest request;
      *request.mutable_entry() =
          workload_.entries[i % workload_.entries.size()];
      request.mutable_entry()->set_title(absl::StrCat(
          request.entry().title(), " (", i / workload_.entries.size(), ")"));
      call = std::make_unique<PublishCall>(directory_[channel].get(), request,
                                           options_.token);
    } else {
      grpc::health::v1::HealthCheckRequest request;
      if (options_.decode) {
        call = std::make_unique<HealthCall>(health_[channel].get(), request,
                                            options_.token);
      } else {
        call = std::make_unique<RawCall>(generic_[channel].get(),
                                         "/grpc.health.v1.Health/Check",
                                         Encode(request), options_.token);
      }
    }
    call->due_ns = due_ns;
    call->Start(&cq_);
    call.release();
    ++outstanding_;
  }

  const int index_;
  const Options& options_;
  const Workload& workload_;
  std::vector<std::unique_ptr<v1::Directory::Stub>> directory_;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic_;
  grpc::CompletionQueue cq_;
  ThreadResult result_;
  int64_t outstanding_ = 0;
  size_t counter_ = 0;
  int64_t measure_ns_ = 0;
  int64_t interval_ns_ = 0;
  int64_t next_due_ns_ = 0;
};

absl::Status LoadWorkload(const Options& options, Workload* workload) {
  if (options.workload == "search") {
    auto queries = ReadQueryMix(options.queries_file);
    if (!queries.ok()) return queries.status();
    for (auto& q : *queries) {
      workload->encoded_searches.push_back(Encode(q.request));
      workload->searches.push_back(std::move(q.request));
      workload->search_names.push_back(q.name);
    }
    if (workload->searches.empty())
      return absl::InvalidArgumentError("no queries");
  }
  if (options.workload == "get" || options.workload == "publish") {
    std::ifstream in(options.entries_file);
    if (!in)
      return absl::NotFoundError(
          absl::StrCat("cannot read ", options.entries_file));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      v1::Entry entry;
      if (!google::protobuf::util::JsonStringToMessage(line, &entry).ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad entry line in ", options.entries_file));
      }
      workload->ids.push_back(entry.id());
      workload->entries.push_back(std::move(entry));
    }
    if (workload->entries.empty())
      return absl::InvalidArgumentError("no entries");
  }
  return absl::OkStatus();
}

int RunLoad(const Options& options) {
  Workload workload;
  if (absl::Status s = LoadWorkload(options, &workload); !s.ok()) {
    std::cerr << "kaart-bench: " << s.message() << "\n";
    return 1;
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Distinct channels get distinct connections.
    args.SetInt("kaartnet.bench.channel", i);
    args.SetMaxReceiveMessageSize(64 << 20);
    channels.push_back(grpc::CreateCustomChannel(
        options.node, grpc::InsecureChannelCredentials(), args));
  }
  for (auto& channel : channels) {
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
      std::cerr << "kaart-bench: cannot connect to " << options.node << "\n";
      return 3;
    }
  }
  const int threads = std::max(1, options.threads);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    std::vector<std::shared_ptr<grpc::Channel>> mine;
    for (size_t c = t; c < channels.size(); c += threads)
      mine.push_back(channels[c]);
    if (mine.empty()) mine.push_back(channels[t % channels.size()]);
    workers.push_back(std::make_unique<Worker>(t, options, workload, mine));
  }
  const int64_t start = NowNs();
  const int64_t measure = start + static_cast<int64_t>(options.warmup * 1e9);
  const int64_t end = measure + static_cast<int64_t>(options.duration * 1e9);
  ProcessSample before;
  std::atomic<bool> sampled{false};
  std::thread sampler([&] {
    while (NowNs() < measure)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    before = SampleProcess(options.server_pid);
    sampled = true;
  });
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    const int slots = options.concurrency / threads +
                      (t < options.concurrency % threads ? 1 : 0);
    running.emplace_back([&, t, slots] {
      workers[t]->Run(start, measure, end, std::max(1, slots),
                      options.rate / threads);
    });
  }
  for (auto& th : running) th.join();
  sampler.join();
  const ProcessSample after = SampleProcess(options.server_pid);
  const double seconds = options.duration;

  ThreadResult total;
  total.per_query.resize(workload.searches.size());
  for (const auto& w : workers) {
    total.latency.Merge(w->result().latency);
    total.server.Merge(w->result().server);
    for (size_t q = 0; q < w->result().per_query.size(); ++q) {
      const QueryTime& t = w->result().per_query[q];
      total.per_query[q].count += t.count;
      total.per_query[q].sum_ns += t.sum_ns;
      total.per_query[q].max_ns = std::max(total.per_query[q].max_ns, t.max_ns);
    }
    total.ok += w->result().ok;
    for (const auto& [code, n] : w->result().errors) total.errors[code] += n;
    if (total.first_error.empty()) total.first_error = w->result().first_error;
  }
  uint64_t errors = 0;
  for (const auto& [code, n] : total.errors) errors += n;
  const double qps = total.ok / seconds;
  const double cpu_us =
      options.server_pid > 0 && total.ok > 0
          ? (after.cpu_seconds - before.cpu_seconds) * 1e6 / total.ok
          : 0;
  auto ms = [](uint64_t ns) { return ns / 1e6; };
  nlohmann::json json = {
      {"label", options.label},
      {"decoded", options.decode},
      {"workload", options.workload},
      {"mode", options.rate > 0 ? "open" : "closed"},
      {"concurrency", options.concurrency},
      {"rate", options.rate},
      {"channels", options.channels},
      {"duration_s", seconds},
      {"requests", total.ok},
      {"errors", errors},
      {"qps", qps},
      {"latency_ms",
       {{"p50", ms(total.latency.Percentile(0.5))},
        {"p90", ms(total.latency.Percentile(0.9))},
        {"p99", ms(total.latency.Percentile(0.99))},
        {"p999", ms(total.latency.Percentile(0.999))},
        {"max", ms(total.latency.max())},
        {"mean", total.latency.mean() / 1e6}}},
      {"server_ms",
       {{"count", total.server.count()},
        {"p50", ms(total.server.Percentile(0.5))},
        {"p99", ms(total.server.Percentile(0.99))},
        {"p999", ms(total.server.Percentile(0.999))}}},
      {"server_cpu_us_per_request", cpu_us},
      {"server_rss_mb", after.rss_bytes / 1e6},
  };
  std::cout << absl::StrFormat(
                   "%-8s %-6s c=%-3d qps=%-8.0f p50=%.3fms p90=%.3fms "
                   "p99=%.3fms p99.9=%.3fms",
                   options.workload, options.rate > 0 ? "open" : "closed",
                   options.concurrency, qps, ms(total.latency.Percentile(0.5)),
                   ms(total.latency.Percentile(0.9)),
                   ms(total.latency.Percentile(0.99)),
                   ms(total.latency.Percentile(0.999)))
            << (total.server.count()
                    ? absl::StrFormat(" server_p99=%.3fms",
                                      ms(total.server.Percentile(0.99)))
                    : "")
            << (options.server_pid
                    ? absl::StrFormat(" cpu/req=%.0fus rss=%.0fMB", cpu_us,
                                      after.rss_bytes / 1e6)
                    : "")
            << " errors=" << errors << "\n";
  if (!total.first_error.empty())
    std::cerr << "first error: " << total.first_error << "\n";
  if (options.slowest > 0 && !workload.searches.empty()) {
    std::vector<size_t> order(workload.searches.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto mean = [&](size_t i) {
      const QueryTime& t = total.per_query[i];
      return t.count ? static_cast<double>(t.sum_ns) / t.count : 0.0;
    };
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return mean(a) > mean(b); });
    std::cout << "slowest queries (server time):\n";
    for (int i = 0; i < options.slowest && i < static_cast<int>(order.size());
         ++i) {
      const QueryTime& t = total.per_query[order[i]];
      std::cout << absl::StrFormat("  mean %7.3f ms  max %7.3f ms  %s\n",
                                   mean(order[i]) / 1e6, t.max_ns / 1e6,
                                   workload.search_names[order[i]]);
    }
  }
  if (!options.out.empty()) {
    std::ofstream out(options.out);
    out << json.dump(2) << "\n";
  }
  return errors > 0 && total.ok == 0 ? 1 : 0;
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, false);
}

// The figures of kaart-region-bench against the targets of performance.md.
void PrintReplication(const nlohmann::json& r) {
  std::cout << "\n"
            << absl::StrFormat("%-28s %12s %12s\n", "replication", "measured",
                               "target");
  if (r.contains("propagation") && r["propagation"].is_object()) {
    const auto& p = r["propagation"];
    std::cout << absl::StrFormat(
        "%-28s %9.1f ms %12s  p50 %.1f ms, %.0f publishes/s, %.2f copies "
        "received per record\n",
        absl::StrCat("propagation p99, ", p["nodes"].get<int>(), " nodes"),
        p["visible_everywhere_ms"]["p99"].get<double>(), "< 100 ms",
        p["visible_everywhere_ms"]["p50"].get<double>(),
        p["rate_per_second"].get<double>(),
        p["records_received_per_applied"].get<double>());
  }
  if (r.contains("heal") && r["heal"].is_object()) {
    const auto& h = r["heal"];
    std::cout << absl::StrFormat(
        "%-28s %9.0f ms %12s  %d nodes cut in two halves; streams back "
        "after %.0f ms\n",
        absl::StrCat("heal, ", h["divergent_writes"].get<int>(), " divergent"),
        h["converge_ms"].get<double>(), "< 2000 ms", h["nodes"].get<int>(),
        h.value("reconnect_ms", 0.0));
  }
  if (r.contains("bootstrap") && r["bootstrap"].is_object()) {
    const auto& b = r["bootstrap"];
    std::cout << absl::StrFormat("%-28s %9.0f /s %12s  %d entries in %.1f s\n",
                                 "bootstrap of a new node",
                                 b["entries_per_second"].get<double>(),
                                 ">= 20000 /s", b["entries"].get<uint64_t>(),
                                 b["total_ms"].get<double>() / 1000);
  }
}

// Prints the comparison table from the result files of deploy/bench.sh.
int Report(const std::string& dir) {
  const nlohmann::json empty1 = ReadJson(dir + "/empty-c1.json");
  const nlohmann::json empty16 = ReadJson(dir + "/empty-c16.json");
  const nlohmann::json search1 = ReadJson(dir + "/search-c1.json");
  const nlohmann::json search16 = ReadJson(dir + "/search-c16.json");
  const nlohmann::json get16 = ReadJson(dir + "/get-c16.json");
  const nlohmann::json baselines = ReadJson(dir + "/baselines.json");
  if (search1.is_null()) {
    std::cerr << "kaart-bench report: no " << dir << "/search-c1.json\n";
    return 1;
  }
  const double k_p99 = search1["latency_ms"]["p99"];
  std::cout << absl::StrFormat("%-28s %9s %9s %9s %10s  %s\n",
                               "search, 1 client", "p50 ms", "p99 ms", "QPS",
                               "p99 ratio", "");
  auto row = [&](const std::string& name, const nlohmann::json& j,
                 const std::string& note) {
    if (j.is_null()) return;
    const double p99 = j["latency_ms"]["p99"];
    std::cout << absl::StrFormat("%-28s %9.3f %9.3f %9.0f %9.1fx  %s\n", name,
                                 j["latency_ms"]["p50"].get<double>(), p99,
                                 j["qps"].get<double>(), p99 / k_p99, note);
  };
  row("empty gRPC call (floor)", empty1, "loopback floor, same client");
  row("kaartnet (end to end)", search1, "gRPC, same query mix");
  if (search1.contains("server_ms")) {
    std::cout << absl::StrFormat("%-28s %9.3f %9.3f %9s %10s  %s\n",
                                 "kaartnet (server side)",
                                 search1["server_ms"]["p50"].get<double>(),
                                 search1["server_ms"]["p99"].get<double>(), "",
                                 "", "time inside the node");
  }
  if (baselines.is_array()) {
    for (const auto& b : baselines) {
      if (!b.contains("latency_ms")) continue;
      const auto& a = b["agreement"];
      row(b["system"].get<std::string>(), b,
          absl::StrFormat("filters agree %d/%d, top-10 overlap %.2f",
                          a["filter_same_count"].get<int>(),
                          a["filter_queries"].get<int>(),
                          a["text_top10_overlap"].get<double>()));
    }
  }
  std::cout << "\n"
            << absl::StrFormat("%-28s %9s %9s %9s\n",
                               "throughput, 16 in flight", "p50 ms", "p99 ms",
                               "QPS");
  auto tput = [&](const std::string& name, const nlohmann::json& j,
                  const std::string& note) {
    if (j.is_null()) return;
    std::cout << absl::StrFormat("%-28s %9.3f %9.3f %9.0f  %s\n", name,
                                 j["latency_ms"]["p50"].get<double>(),
                                 j["latency_ms"]["p99"].get<double>(),
                                 j["qps"].get<double>(), note);
  };
  tput("empty gRPC call", empty16, "");
  tput(
      "kaartnet search", search16,
      (!empty16.is_null() && !search16.is_null())
          ? absl::StrFormat("%.0f%% of the empty-call QPS; server %.0f us "
                            "CPU/search, RSS %.0f MB",
                            100.0 * search16["qps"].get<double>() /
                                empty16["qps"].get<double>(),
                            search16["server_cpu_us_per_request"].get<double>(),
                            search16["server_rss_mb"].get<double>())
          : "");
  tput("kaartnet get", get16, "");
  const nlohmann::json open = ReadJson(dir + "/search-open.json");
  if (!open.is_null()) {
    tput(
        absl::StrFormat("search, open loop %.0f/s", open["rate"].get<double>()),
        open, "latency from when each request was due");
  }
  std::cout << "\n"
            << absl::StrFormat("%-28s %12s\n", "durable writes", "per second");
  for (int c : {1, 16, 64}) {
    const nlohmann::json p =
        ReadJson(absl::StrCat(dir, "/publish-c", c, ".json"));
    if (!p.is_null()) {
      std::cout << absl::StrFormat(
          "%-28s %12.0f  p99 %.2f ms\n", absl::StrCat("kaartnet publish c=", c),
          p["qps"].get<double>(), p["latency_ms"]["p99"].get<double>());
    }
  }
  if (baselines.is_array()) {
    for (const auto& b : baselines) {
      if (b.value("system", "") == "postgres-insert") {
        std::cout << absl::StrFormat(
            "%-28s %12.0f\n",
            absl::StrCat("postgres insert c=", b["concurrency"].get<int>()),
            b["per_second"].get<double>());
      }
    }
  }
  const nlohmann::json replication = ReadJson(dir + "/replication.json");
  if (replication.is_object()) PrintReplication(replication);
  return 0;
}

}  // namespace
}  // namespace kaartnet::bench

int main(int argc, char** argv) {
  using namespace kaartnet::bench;
  // Abseil's deadlock detection (on in Debian's build) costs every mutex
  // operation; the load client should cost the shared cores little.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"kaart-bench: load generator for kaartnet nodes"};
  Options options;
  app.add_option("--node", options.node, "gRPC address of the node");
  app.add_option("--workload", options.workload,
                 "search, get, publish or empty")
      ->check(CLI::IsMember({"search", "get", "publish", "empty"}));
  app.add_option("--queries", options.queries_file, "Query mix (JSON lines)");
  app.add_option("--entries", options.entries_file,
                 "Entries (JSON lines) for get and publish");
  app.add_option("--concurrency", options.concurrency,
                 "Outstanding requests (closed loop)");
  app.add_option("--channels", options.channels, "gRPC channels (connections)");
  app.add_option("--threads", options.threads, "Client threads");
  app.add_option("--duration", options.duration, "Measured seconds");
  app.add_option("--warmup", options.warmup, "Seconds before measuring");
  app.add_option("--rate", options.rate,
                 "Open loop at this many requests/s (0 = closed loop)");
  app.add_option("--server-pid", options.server_pid,
                 "kaartnetd pid, for CPU and RSS");
  app.add_option("--out", options.out, "Write the result as JSON");
  app.add_option("--label", options.label, "Label in the JSON");
  app.add_option("--token", options.token, "Bearer token");
  app.add_flag("--decode", options.decode,
               "Decode each response (default: check the status only)");
  app.add_option("--slowest", options.slowest,
                 "Print the N slowest queries of the mix");

  std::string mix_out;
  uint64_t mix_seed = 1;
  CLI::App* make_queries =
      app.add_subcommand("make-queries", "Write the deterministic query mix");
  make_queries->add_option("--out", mix_out, "Output file")->required();
  make_queries->add_option("--seed", mix_seed, "Seed");
  std::string report_dir;
  CLI::App* report =
      app.add_subcommand("report", "Print the table of a deploy/bench.sh run");
  report->add_option("--dir", report_dir, "Results directory")->required();
  CLI11_PARSE(app, argc, argv);
  if (*report) return Report(report_dir);
  if (*make_queries) {
    auto status = WriteQueryMix(mix_out, mix_seed);
    if (!status.ok()) {
      std::cerr << "kaart-bench: " << status.message() << "\n";
      return 1;
    }
    return 0;
  }
  return RunLoad(options);
}
