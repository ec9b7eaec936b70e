// Real processes for end-to-end tests: start kaartnetd and kaart binaries,
// capture their output, signal them, wait with deadlines.
#ifndef KAARTNET_TESTS_TESTING_PROCESS_H_
#define KAARTNET_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kaartnet::testing {

// Directory of the built binaries ($KAARTNET_BIN_DIR, set by CTest).
std::string BinDir();
// Source directory (tests run there).
std::string SourceDir();
// A fresh, empty temporary directory for one test.
std::string NewTempDir(const std::string& name);

struct RunResult {
  int exit_code = -1;  // or 128 + signal
  std::string out;
  std::string err;
};

// Runs a command to completion (argv[0] is a path).
RunResult RunCommand(const std::vector<std::string>& argv,
                     absl::Duration timeout = absl::Seconds(120),
                     const std::string& stdin_text = "");

class Process {
 public:
  // Starts argv with stdout and stderr appended to `log_file`.
  Process(std::vector<std::string> argv, std::string log_file);
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal);
  // Waits for exit; returns the exit code (128 + signal when killed), or -1
  // on timeout.
  int Wait(absl::Duration timeout);
  // The log so far.
  std::string Log() const;
  // Waits until the log contains `text`; false on timeout or exit.
  bool WaitForLog(const std::string& text, absl::Duration timeout);

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_file_;
};

// Waits until `condition` holds, polling; false on timeout.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace kaartnet::testing

#endif  // KAARTNET_TESTS_TESTING_PROCESS_H_
