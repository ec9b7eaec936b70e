#include "services/peer_book.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/durable_file.h"

namespace kaartnet::services {

absl::StatusOr<std::unique_ptr<PeerBook>> PeerBook::Open(
    std::string path, const std::vector<std::string>& configured) {
  std::unique_ptr<PeerBook> owned(new PeerBook());
  PeerBook& book = *owned;
  book.path_ = std::move(path);
  absl::MutexLock lock(&book.mu_);
  book.configured_.insert(configured.begin(), configured.end());
  RemoveTemporaryFiles(book.path_);  // of a save cut short
  std::ifstream in(book.path_);
  if (!in) return owned;
  std::stringstream text;
  text << in.rdbuf();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::string address(line.substr(1));
    if (line[0] == '+') {
      book.added_.insert(address);
    } else if (line[0] == '-') {
      book.removed_.insert(address);
    } else {
      return absl::DataLossError(absl::StrCat(
          book.path_, ":", line_number, ": expected +host:port or -host:port"));
    }
  }
  return owned;
}

std::vector<std::string> PeerBook::Peers() const {
  absl::MutexLock lock(&mu_);
  std::set<std::string> peers = configured_;
  peers.insert(added_.begin(), added_.end());
  for (const std::string& address : removed_) peers.erase(address);
  return {peers.begin(), peers.end()};
}

absl::Status PeerBook::Add(const std::string& address) {
  absl::MutexLock lock(&mu_);
  removed_.erase(address);
  if (!configured_.count(address)) added_.insert(address);
  return Save();
}

absl::Status PeerBook::Remove(const std::string& address) {
  absl::MutexLock lock(&mu_);
  added_.erase(address);
  if (configured_.count(address)) removed_.insert(address);
  return Save();
}

absl::Status PeerBook::Save() const {
  std::string out =
      "# Peers added (+) or removed (-) with `kaart admin peers`,\n"
      "# relative to the peers in the node's config.\n";
  for (const std::string& address : added_)
    absl::StrAppend(&out, "+", address, "\n");
  for (const std::string& address : removed_)
    absl::StrAppend(&out, "-", address, "\n");
  return ReplaceFileDurably(path_, out, 0644);
}

}  // namespace kaartnet::services
