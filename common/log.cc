#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace kaartnet {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
std::mutex prefix_mu;
std::string* log_prefix = new std::string();

char LevelChar(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return 'D';
    case LogLevel::kInfo:
      return 'I';
    case LogLevel::kWarning:
      return 'W';
    case LogLevel::kError:
      return 'E';
  }
  return '?';
}

}  // namespace

void SetLogPrefix(std::string prefix) {
  std::lock_guard<std::mutex> lock(prefix_mu);
  *log_prefix = std::move(prefix);
}

void SetMinLogLevel(LogLevel level) { min_level = static_cast<int>(level); }
LogLevel MinLogLevel() { return static_cast<LogLevel>(min_level.load()); }
bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= min_level.load();
}

LogLine::~LogLine() {
  std::string prefix;
  {
    std::lock_guard<std::mutex> lock(prefix_mu);
    prefix = *log_prefix;
  }
  std::string line = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                      absl::UTCTimeZone());
  line += ' ';
  line += LevelChar(level_);
  if (!prefix.empty()) {
    line += " [" + prefix + "]";
  }
  line += ' ';
  line += stream_.str();
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kaartnet
