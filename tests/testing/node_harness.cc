#include "tests/testing/node_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"

namespace kaartnet::testing {

namespace {

bool CanBind(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

int PickFreePort() {
  // Ports come from below the kernel's ephemeral range (32768 and up on
  // Linux): a port handed out there could be taken as the source port of
  // some outgoing connection while a node is down between restarts, and the
  // node would then fail to listen again.
  static std::mt19937 random(static_cast<uint32_t>(getpid()) * 2654435761u ^
                             static_cast<uint32_t>(time(nullptr)));
  std::uniform_int_distribution<int> pick(15000, 32000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = pick(random);
    if (CanBind(port)) return port;
  }
  return 0;
}

std::string MakeDemoData(const std::string& dir, int count, int seed) {
  RunResult result = RunCommand({BinDir() + "/kaart", "demo-data", "--out", dir,
                                 "--count", absl::StrCat(count), "--seed",
                                 absl::StrCat(seed), "--now", "2026-11-20"});
  if (result.exit_code != 0) {
    fprintf(stderr, "kaart demo-data failed: %s%s\n", result.out.c_str(),
            result.err.c_str());
  }
  return dir;
}

RunResult Kaart(const std::string& node, std::vector<std::string> args,
                absl::Duration timeout) {
  std::vector<std::string> argv = {BinDir() + "/kaart", "--node", node};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, timeout);
}

NodeProcess::NodeProcess(std::string node_id, std::string demo_dir,
                         std::string work_dir, std::string extra_config)
    : node_id_(std::move(node_id)) {
  const std::string base = absl::StrCat(work_dir, "/", node_id_);
  std::filesystem::create_directories(base);
  data_dir_ = base + "/data";
  config_path_ = base + "/node.textproto";
  log_path_ = base + "/kaartnetd.log";
  port_ = PickFreePort();
  std::string config = absl::StrCat(
      "node_id: \"", node_id_, "\"\nregion: \"AM30\"\ndata_dir: \"", data_dir_,
      "\"\ngrpc_listen: \"127.0.0.1:", port_, "\"\nadmissions_dir: \"",
      demo_dir, "/admissions\"\nhosted_keys_dir: \"", demo_dir, "/keys\"\n",
      ReadFile(demo_dir + "/anchors.textproto"), extra_config);
  WriteFile(config_path_, config);
}

NodeProcess::~NodeProcess() { Kill(); }

void NodeProcess::AppendConfig(const std::string& text) {
  WriteFile(config_path_, ReadFile(config_path_) + text);
}

bool NodeProcess::Start(std::string* error) {
  // Each run gets a fresh log; earlier runs move to <log>.previous.
  if (std::filesystem::exists(log_path_)) {
    WriteFile(log_path_ + ".previous",
              ReadFile(log_path_ + ".previous") + ReadFile(log_path_));
    std::filesystem::remove(log_path_);
  }
  process_ = std::make_unique<Process>(
      std::vector<std::string>{BinDir() + "/kaartnetd", "--config",
                               config_path_},
      log_path_);
  const bool up =
      process_->WaitForLog(absl::StrCat("(port ", port_), absl::Seconds(60));
  if (!up && error != nullptr) *error = Log();
  return up;
}

int NodeProcess::Stop() {
  if (!process_) return -1;
  process_->Signal(SIGTERM);
  return process_->Wait(absl::Seconds(30));
}

void NodeProcess::Kill() {
  if (!process_) return;
  process_->Signal(SIGKILL);
  process_->Wait(absl::Seconds(30));
}

std::string NodeProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

}  // namespace kaartnet::testing
