#include "common/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kaartnet {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

}  // namespace

absl::Status ReplaceFileDurably(const std::string& path,
                                absl::string_view content, int mode) {
  // Distinct per process and per call, so concurrent writers of one path
  // never share a temporary file.
  static std::atomic<uint64_t> calls{0};
  const std::string temporary =
      absl::StrCat(path, ".tmp.", ::getpid(), ".", calls.fetch_add(1));
  ::unlink(temporary.c_str());
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", temporary, ": ", ErrnoText(errno)));
  }
  auto fail = [&](absl::Status status) {
    ::close(fd);
    ::unlink(temporary.c_str());
    return status;
  };
  // write() may write less than asked (always for more than 2 GiB).
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return fail(absl::InternalError(absl::StrCat(
          "cannot write ", temporary, ": ",
          n < 0 ? ErrnoText(errno) : std::string("nothing written"))));
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) {
    return fail(absl::InternalError(
        absl::StrCat("cannot sync ", temporary, ": ", ErrnoText(errno))));
  }
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return absl::InternalError(
        absl::StrCat("cannot close ", temporary, ": ", ErrnoText(error)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot replace ", path, ": ", ErrnoText(error)));
  }
  // The rename itself is durable once the directory is synced.
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

void RemoveTemporaryFiles(const std::string& path) {
  const std::filesystem::path file(path);
  const std::filesystem::path dir =
      file.has_parent_path() ? file.parent_path() : ".";
  const std::string prefix = file.filename().string() + ".tmp";
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end;
       !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name == prefix || absl::StartsWith(name, prefix + ".")) {
      std::error_code ignored;
      std::filesystem::remove(it->path(), ignored);
    }
  }
}

}  // namespace kaartnet
