// The peers of a node: those in its config, plus those added and minus
// those removed with `kaart admin peers`, which are kept across restarts in
// <data_dir>/peers.txt (one "+host:port" or "-host:port" per line).
//
// Thread-safety: safe for concurrent use.
#ifndef KAARTNET_SERVICES_PEER_BOOK_H_
#define KAARTNET_SERVICES_PEER_BOOK_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace kaartnet::services {

class PeerBook {
 public:
  // Reads `path` when it exists.
  static absl::StatusOr<std::unique_ptr<PeerBook>> Open(
      std::string path, const std::vector<std::string>& configured);

  std::vector<std::string> Peers() const;
  absl::Status Add(const std::string& address);
  absl::Status Remove(const std::string& address);

 private:
  PeerBook() = default;
  absl::Status Save() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string path_;
  mutable absl::Mutex mu_;
  std::set<std::string> configured_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> added_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> removed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaartnet::services

#endif  // KAARTNET_SERVICES_PEER_BOOK_H_
