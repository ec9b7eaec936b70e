// Fuzz target: an access-log file as found on disk (possibly tampered
// with), checked by AccessLog::Verify and reopened by AccessLog::Open.
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "tests/fuzz/fuzz_node.h"
#include "trust/access_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kaartnet;
  const std::string dir = fuzz::FuzzDir() + "/access-log-fuzz";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/access-2026-11.jsonl", std::ios::binary)
      .write(reinterpret_cast<const char*>(data),
             static_cast<std::streamsize>(size));
  (void)trust::AccessLog::Verify(dir);
  trust::AccessLogOptions options;
  options.dir = dir;
  (void)trust::AccessLog::Open(options);
  return 0;
}
