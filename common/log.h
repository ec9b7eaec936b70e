// Minimal line-oriented logging to stderr:
//   2026-11-23T10:15:02.123Z I [node1] storage: opened var/demo/node1 (812
//   entries)
// Each statement writes one whole line, so lines from threads never mix.
//
//   KLOG(INFO) << "opened " << path;
//
// Thread-safety: safe from any thread.
#ifndef KAARTNET_COMMON_LOG_H_
#define KAARTNET_COMMON_LOG_H_

#include <sstream>
#include <string>
#include <string_view>

namespace kaartnet {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Process-wide settings; set once at start.
void SetLogPrefix(std::string prefix);  // e.g. the node id
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine();
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  template <typename T>
  LogLine& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};

bool LogEnabled(LogLevel level);

namespace log_internal {
inline constexpr LogLevel DEBUG = LogLevel::kDebug;
inline constexpr LogLevel INFO = LogLevel::kInfo;
inline constexpr LogLevel WARNING = LogLevel::kWarning;
inline constexpr LogLevel ERROR = LogLevel::kError;
}  // namespace log_internal

}  // namespace kaartnet

#define KLOG(level)                                                 \
  for (bool _klog_on =                                              \
           ::kaartnet::LogEnabled(::kaartnet::log_internal::level); \
       _klog_on; _klog_on = false)                                  \
  ::kaartnet::LogLine(::kaartnet::log_internal::level)

#endif  // KAARTNET_COMMON_LOG_H_
