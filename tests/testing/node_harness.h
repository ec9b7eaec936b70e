// Real kaartnetd processes for multi-process tests, on 127.0.0.1 with
// demo data made by the real `kaart demo-data`.
#ifndef KAARTNET_TESTS_TESTING_NODE_HARNESS_H_
#define KAARTNET_TESTS_TESTING_NODE_HARNESS_H_

#include <memory>
#include <string>
#include <vector>

#include "tests/testing/process.h"

namespace kaartnet::testing {

// A free TCP port on 127.0.0.1 (bound and released; the kernel does not
// hand it out again soon).
int PickFreePort();

// Runs `kaart demo-data` into `dir` and returns dir.
std::string MakeDemoData(const std::string& dir, int count, int seed = 1);

// Runs the `kaart` binary with args against `node` ("127.0.0.1:port").
RunResult Kaart(const std::string& node, std::vector<std::string> args,
                absl::Duration timeout = absl::Seconds(120));

class NodeProcess {
 public:
  // `demo_dir` from MakeDemoData; state lives in `work_dir`/<node_id>.
  // `extra_config` is appended to the generated text config.
  NodeProcess(std::string node_id, std::string demo_dir, std::string work_dir,
              std::string extra_config = "");
  ~NodeProcess();

  // Adds lines to the config (before Start).
  void AppendConfig(const std::string& text);
  // Starts kaartnetd and waits until it serves; false (with the log in
  // *error) when it did not come up.
  bool Start(std::string* error = nullptr);
  // SIGTERM and wait; returns the exit code.
  int Stop();
  // SIGKILL and wait.
  void Kill();

  std::string address() const;
  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& log_path() const { return log_path_; }
  // The log of the current run (earlier runs: log_path() + ".previous").
  std::string Log() const { return ReadFile(log_path_); }
  Process* process() { return process_.get(); }

 private:
  std::string node_id_;
  std::string data_dir_;
  std::string config_path_;
  std::string log_path_;
  int port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace kaartnet::testing

#endif  // KAARTNET_TESTS_TESTING_NODE_HARNESS_H_
