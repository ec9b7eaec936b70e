#include "trust/access_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "trust/keys.h"

namespace kaartnet::trust {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr absl::string_view kPrefix = "access-";
constexpr absl::string_view kSuffix = ".jsonl";
constexpr absl::string_view kHashField = ",\"hash\":\"";
const std::string kGenesis(64, '0');

std::string FileNameFor(absl::Time t) {
  return absl::StrCat(
      kPrefix, absl::FormatTime("%Y-%m", t, absl::UTCTimeZone()), kSuffix);
}

// Log files in `dir`, oldest first (the names sort by month).
std::vector<std::string> LogFiles(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string name = f.path().filename().string();
    if (absl::StartsWith(name, kPrefix) && absl::EndsWith(name, kSuffix))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HexSha256(absl::string_view bytes) {
  return absl::BytesToHexString(Sha256(bytes));
}

// The first instant after the month a file covers.
absl::Time MonthEnd(absl::string_view name) {
  absl::Time start;
  std::string err;
  const std::string month(name.substr(
      kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size()));
  if (!absl::ParseTime("%Y-%m", month, absl::UTCTimeZone(), &start, &err))
    return absl::InfiniteFuture();  // not ours to delete
  const absl::CivilMonth m = absl::ToCivilMonth(start, absl::UTCTimeZone());
  return absl::FromCivil(m + 1, absl::UTCTimeZone());
}

struct Checked {
  uint64_t seq = 0;
  std::string hash;
  std::string prev;
  absl::Time time;
};

// Checks one line's own hash; fills `out`. The error says what is wrong.
absl::Status CheckLine(absl::string_view line, Checked* out) {
  // The line is exactly <body without its "}">,"hash":"<64 hex>"}: nothing
  // may follow the hash, and every field is read from the hashed body.
  const size_t at = line.rfind(kHashField);
  if (at == absl::string_view::npos ||
      line.size() != at + kHashField.size() + 64 + 2 ||
      !absl::EndsWith(line, "\"}")) {
    return absl::DataLossError("record does not end in its \"hash\"");
  }
  out->hash = std::string(line.substr(at + kHashField.size(), 64));
  const std::string body = absl::StrCat(line.substr(0, at), "}");
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j["seq"].is_number_unsigned() ||
      !j["prev"].is_string() || !j["time"].is_string()) {
    return absl::DataLossError("record is not a complete access-log record");
  }
  out->seq = j["seq"].get<uint64_t>();
  out->prev = j["prev"].get<std::string>();
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, j["time"].get<std::string>(),
                       &out->time, &err)) {
    return absl::DataLossError("record has no valid time");
  }
  if (HexSha256(body) != out->hash)
    return absl::DataLossError("record does not match its hash (changed)");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(
    AccessLogOptions options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create access log directory ", options.dir, ": ",
                     ec.message()));
  }
  std::unique_ptr<AccessLog> log(new AccessLog(std::move(options)));
  absl::MutexLock lock(&log->mu_);
  RETURN_IF_ERROR(log->LoadHead());
  log->Prune(log->options_.clock->Now());
  return log;
}

absl::Status AccessLog::LoadHead() {
  seq_ = 0;
  head_hash_.clear();
  last_time_ = absl::InfinitePast();
  const std::vector<std::string> files = LogFiles(options_.dir);
  // The head of the chain: the last complete record of the newest file that
  // has one. A torn last line was never acknowledged: cut it off.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    const std::string path = (fs::path(options_.dir) / *it).string();
    std::string text = ReadAll(path);
    const size_t end = text.rfind('\n');
    const size_t keep = end == std::string::npos ? 0 : end + 1;
    if (keep != text.size()) {
      KLOG(WARNING) << "access log " << path << ": dropping a torn last line ("
                    << text.size() - keep << " bytes never acknowledged)";
      if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot repair access log ", path, ": ", std::strerror(errno)));
      }
      text.resize(keep);
    }
    if (text.empty()) continue;
    const size_t start = text.rfind('\n', text.size() - 2);
    const absl::string_view last = absl::string_view(text).substr(
        start == std::string::npos ? 0 : start + 1);
    Checked head;
    if (absl::Status s = CheckLine(absl::StripSuffix(last, "\n"), &head);
        !s.ok()) {
      return absl::DataLossError(
          absl::StrCat("access log ", path, ": last record: ", s.message(),
                       " (check it with `kaart admin audit verify`)"));
    }
    seq_ = head.seq;
    head_hash_ = head.hash;
    last_time_ = head.time;
    break;
  }
  head_known_ = true;
  return absl::OkStatus();
}

AccessLog::~AccessLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

void AccessLog::Prune(absl::Time now) {
  const std::string current = FileNameFor(now);
  for (const std::string& name : LogFiles(options_.dir)) {
    if (name == current || MonthEnd(name) + options_.retention > now) continue;
    std::error_code ec;
    fs::remove(fs::path(options_.dir) / name, ec);
    KLOG(INFO) << "access log: removed " << name << " (older than the "
               << absl::ToInt64Hours(options_.retention) / 24
               << " days of retention)";
  }
}

absl::Status AccessLog::OpenFileFor(absl::Time now) {
  const std::string path = (fs::path(options_.dir) / FileNameFor(now)).string();
  if (file_ != nullptr && path == current_path_) return absl::OkStatus();
  if (file_ != nullptr) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot open access log ", path,
                                               ": ", std::strerror(errno)));
  }
  current_path_ = path;
  Prune(now);
  return absl::OkStatus();
}

absl::Status AccessLog::Append(const AccessRecord& record) {
  absl::MutexLock lock(&mu_);
  // After a failed write the file decides where the chain stands.
  if (!head_known_) RETURN_IF_ERROR(LoadHead());
  // Never before the record before it, even when the wall clock steps back.
  const absl::Time now = std::max(options_.clock->Now(), last_time_);
  RETURN_IF_ERROR(OpenFileFor(now));
  Json j;
  j["seq"] = seq_ + 1;
  j["time"] = absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone());
  j["subject"] = record.caller.subject;
  j["role"] = RoleName(record.caller.role);
  j["caller_organisation"] = record.caller.organisation_id;
  j["entry"] = record.entry_id;
  j["entry_organisation"] = record.entry_organisation;
  j["purpose"] = record.purpose;
  j["prev"] = head_hash_.empty() ? kGenesis : head_hash_;
  const std::string body =
      j.dump(-1, ' ', false, Json::error_handler_t::replace);
  const std::string hash = HexSha256(body);
  const std::string line =
      absl::StrCat(absl::string_view(body).substr(0, body.size() - 1),
                   kHashField, hash, "\"}\n");
  // The size before this record, to cut a partial write away again.
  struct stat st;
  const off_t before =
      ::fstat(::fileno(file_), &st) == 0 ? st.st_size : static_cast<off_t>(-1);
  const bool written =
      std::fwrite(line.data(), 1, line.size(), file_) == line.size() &&
      std::fflush(file_) == 0 && ::fdatasync(::fileno(file_)) == 0;
  if (!written) {
    const int error = errno;
    // Leave no half record behind: the chain must stay intact.
    if (before >= 0) (void)::ftruncate(::fileno(file_), before);
    std::fclose(file_);
    file_ = nullptr;
    head_known_ = false;
    return absl::UnavailableError(
        absl::StrCat("cannot write the access log ", current_path_, ": ",
                     std::strerror(error),
                     "; contacts are not revealed without a log record"));
  }
  ++seq_;
  head_hash_ = hash;
  last_time_ = now;
  return absl::OkStatus();
}

v1::VerifyAccessLogResponse AccessLog::Verify(const std::string& dir) {
  v1::VerifyAccessLogResponse out;
  out.set_intact(true);
  const std::vector<std::string> files = LogFiles(dir);
  Checked last;
  bool any = false;
  for (size_t f = 0; f < files.size() && out.intact(); ++f) {
    const std::string text = ReadAll((fs::path(dir) / files[f]).string());
    out.set_files(out.files() + 1);
    size_t pos = 0;
    int line_number = 0;
    while (pos < text.size()) {
      ++line_number;
      const size_t end = text.find('\n', pos);
      if (end == std::string::npos) {
        // A torn last line of the newest file was never acknowledged.
        if (f + 1 == files.size()) break;
        out.set_intact(false);
        out.set_problem(absl::StrCat(files[f], " line ", line_number,
                                     ": incomplete record inside the log"));
        break;
      }
      const absl::string_view line =
          absl::string_view(text).substr(pos, end - pos);
      pos = end + 1;
      Checked c;
      absl::Status s = CheckLine(line, &c);
      if (s.ok() && any && c.prev != last.hash) {
        s = absl::DataLossError(
            "\"prev\" is not the hash of the record before (a record was "
            "removed, inserted or changed)");
      } else if (s.ok() && any && c.seq != last.seq + 1) {
        s = absl::DataLossError(
            absl::StrCat("seq ", c.seq, " follows seq ", last.seq, " (a gap)"));
      } else if (s.ok() && any && c.time < last.time) {
        s = absl::DataLossError("time goes backwards");
      }
      if (!s.ok()) {
        out.set_intact(false);
        out.set_problem(
            absl::StrCat(files[f], " line ", line_number, ": ", s.message()));
        break;
      }
      if (!any) {
        out.mutable_first_record()->set_seconds(absl::ToUnixSeconds(c.time));
      }
      out.mutable_last_record()->set_seconds(absl::ToUnixSeconds(c.time));
      out.set_records(out.records() + 1);
      last = c;
      any = true;
    }
  }
  out.set_head_hash(last.hash);
  return out;
}

}  // namespace kaartnet::trust
