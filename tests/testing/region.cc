#include "tests/testing/region.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace kaartnet::testing {

double Millis(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1,
                            static_cast<size_t>(p * (values.size() - 1) + 0.5));
  return values[i];
}

std::vector<v1::Entry> ReadDemoEntries(const std::string& demo_dir) {
  std::vector<v1::Entry> entries;
  for (absl::string_view line : absl::StrSplit(
           ReadFile(demo_dir + "/entries.jsonl"), '\n', absl::SkipEmpty())) {
    v1::Entry entry;
    if (!google::protobuf::util::JsonStringToMessage(std::string(line), &entry)
             .ok()) {
      continue;
    }
    entry.clear_version();
    entries.push_back(std::move(entry));
  }
  return entries;
}

Region::Region(int n, const std::string& demo_dir, const std::string& work_dir,
               bool proxied, const std::string& extra_config) {
  for (int i = 0; i < n; ++i) {
    nodes_.push_back(std::make_unique<NodeProcess>(
        absl::StrCat("node", i + 1), demo_dir, work_dir, extra_config));
  }
  for (int i = 0; i < n; ++i) {
    std::string peers;
    for (int j = 0; j < i; ++j) {
      if (proxied) {
        auto proxy = std::make_unique<TcpProxy>(nodes_[j]->port());
        absl::StrAppend(&peers, "peers: \"", proxy->address(), "\"\n");
        links_[{i, j}] = std::move(proxy);
      } else {
        absl::StrAppend(&peers, "peers: \"", nodes_[j]->address(), "\"\n");
      }
    }
    nodes_[i]->AppendConfig(peers);
  }
}

bool Region::StartAll(std::string* error) {
  for (auto& node : nodes_) {
    if (!node->Start(error)) return false;
  }
  return true;
}

TcpProxy& Region::link(int a, int b) {
  return *links_.at({std::max(a, b), std::min(a, b)});
}

void Region::Partition(const std::set<int>& side, bool blocked) {
  for (auto& [pair, proxy] : links_) {
    if (side.count(pair.first) != side.count(pair.second))
      proxy->SetBlocked(blocked);
  }
}

double Region::AwaitConvergence(uint64_t live, absl::Duration timeout) {
  const auto start = Steady::now();
  std::vector<Client> clients;
  for (const auto& node : nodes_) clients.emplace_back(node->address());
  const bool converged = WaitFor(
      [&] {
        std::set<uint64_t> digests;
        for (Client& client : clients) {
          const v1::NodeStatus status = client.Status();
          if (status.live_entries() != live) return false;
          digests.insert(status.state_digest());
        }
        return digests.size() == 1;
      },
      timeout);
  return converged ? Millis(Steady::now() - start) : -1;
}

Client::Client(const std::string& address)
    : channel_(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
      directory_(v1::Directory::NewStub(channel_)),
      admin_(v1::Admin::NewStub(channel_)) {}

grpc::Status Client::Publish(const v1::Entry& entry,
                             v1::PublishResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::PublishRequest request;
  *request.mutable_entry() = entry;
  v1::PublishResponse ignored;
  return directory_->Publish(&context, request, response ? response : &ignored);
}

grpc::Status Client::Withdraw(const std::string& id, bool erase,
                              v1::WithdrawResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::WithdrawRequest request;
  request.set_id(id);
  request.set_erase(erase);
  v1::WithdrawResponse ignored;
  return directory_->Withdraw(&context, request,
                              response ? response : &ignored);
}

std::optional<v1::Entry> Client::Get(const std::string& id) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::GetRequest request;
  request.set_id(id);
  v1::GetResponse response;
  if (!directory_->Get(&context, request, &response).ok()) return std::nullopt;
  return response.entry();
}

v1::NodeStatus Client::Status() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::NodeStatus status;
  admin_->GetNodeStatus(&context, v1::GetNodeStatusRequest(), &status);
  return status;
}

Watcher::Watcher(const std::string& address) : client_(address) {
  thread_ = std::thread([this] { Run(); });
}

Watcher::~Watcher() {
  context_.TryCancel();
  thread_.join();
}

std::optional<Steady::time_point> Watcher::SeenAt(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = seen_.find(id);
  if (it == seen_.end()) return std::nullopt;
  return it->second;
}

size_t Watcher::seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_.size();
}

void Watcher::Run() {
  auto stub = v1::Directory::NewStub(client_.channel());
  v1::WatchChangesRequest request;
  request.set_follow(true);
  auto reader = stub->WatchChanges(&context_, request);
  v1::ChangeEvent event;
  while (reader->Read(&event)) {
    const auto now = Steady::now();
    std::lock_guard<std::mutex> lock(mu_);
    seen_.emplace(event.entry().id(), now);
  }
  reader->Finish();
}

}  // namespace kaartnet::testing
