#include "tests/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kaartnet::testing {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
            int in_fd) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (in_fd >= 0) dup2(in_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    // Unblock signals the test may have blocked.
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::string BinDir() {
  const char* dir = std::getenv("KAARTNET_BIN_DIR");
  return dir ? dir : "build/bin";
}

std::string SourceDir() {
  // CTest runs the tests in the source directory.
  return std::filesystem::current_path().string();
}

std::string NewTempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   absl::StrCat("kaartnet_", name, "_", ::getpid(), "_",
                                absl::ToUnixMicros(absl::Now()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

RunResult RunCommand(const std::vector<std::string>& argv,
                     absl::Duration timeout, const std::string& stdin_text) {
  const std::string dir = NewTempDir("run");
  const std::string out_path = dir + "/out", err_path = dir + "/err",
                    in_path = dir + "/in";
  WriteFile(in_path, stdin_text);
  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int in_fd = open(in_path.c_str(), O_RDONLY);
  const pid_t pid = Spawn(argv, out_fd, err_fd, in_fd);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  RunResult result;
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      result.exit_code = DecodeStatus(status);
      break;
    }
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

Process::Process(std::vector<std::string> argv, std::string log_file)
    : log_file_(std::move(log_file)) {
  int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_ = Spawn(argv, fd, fd, -1);
  close(fd);
}

Process::~Process() {
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(absl::Seconds(10));
  }
}

bool Process::running() {
  if (exit_code_ >= 0 || pid_ <= 0) return false;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    exit_code_ = DecodeStatus(status);
    return false;
  }
  return true;
}

void Process::Signal(int signal) {
  if (running()) kill(pid_, signal);
}

int Process::Wait(absl::Duration timeout) {
  WaitFor([this] { return !running(); }, timeout);
  return exit_code_;
}

std::string Process::Log() const { return ReadFile(log_file_); }

bool Process::WaitForLog(const std::string& text, absl::Duration timeout) {
  return WaitFor(
             [&] {
               return Log().find(text) != std::string::npos || !running();
             },
             timeout) &&
         Log().find(text) != std::string::npos;
}

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace kaartnet::testing
