// kaartnetd: one node of a kaartnet region.
//
//   kaartnetd --config node.textproto
//
// Flags override the config file. SIGTERM or SIGINT drains running calls
// and exits cleanly; the exit code is 0 after a clean shutdown.
#include <signal.h>

#include <cstdio>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "services/config.h"
#include "services/node.h"

int main(int argc, char** argv) {
  using namespace kaartnet;
  CLI::App app{"kaartnetd: a node of the kaartnet sociale kaart"};
  std::string config_path, data_dir, node_id, listen, region,
      log_level = "info";
  app.add_option("--config", config_path, "Node configuration (text format)")
      ->required();
  app.add_option("--data-dir", data_dir, "Overrides data_dir");
  app.add_option("--node-id", node_id, "Overrides node_id");
  app.add_option("--listen", listen,
                 "Overrides grpc_listen, e.g. 127.0.0.1:7401");
  app.add_option("--region", region, "Overrides region");
  app.add_option("--log-level", log_level, "debug, info, warning or error");
  app.set_version_flag("--version", services::KaartnetVersion());
  CLI11_PARSE(app, argc, argv);

  // Deadlock detection costs a graph update per lock; leave it to tests.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (log_level == "debug") SetMinLogLevel(LogLevel::kDebug);
  if (log_level == "warning") SetMinLogLevel(LogLevel::kWarning);
  if (log_level == "error") SetMinLogLevel(LogLevel::kError);

  // Block the stop signals in every thread; main waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto config = services::LoadConfig(config_path);
  if (!config.ok()) {
    KLOG(ERROR) << config.status().message();
    return 2;
  }
  if (!data_dir.empty()) config->set_data_dir(data_dir);
  if (!node_id.empty()) config->set_node_id(node_id);
  if (!listen.empty()) config->set_grpc_listen(listen);
  if (!region.empty()) config->set_region(region);

  services::NodeOptions options;
  options.config = *config;
  auto node = services::Node::Start(std::move(options));
  if (!node.ok()) {
    KLOG(ERROR) << "cannot start: " << node.status().message();
    return 1;
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  KLOG(INFO) << "received "
             << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*node)->Shutdown(absl::Seconds(10));
  return 0;
}
