// A frontier (per origin, the highest sequence number held) that numbers its
// changes, so that a reader who remembers where it stopped can ask which
// origins moved since, at a cost proportional to the answer instead of to
// the number of origins. A national network has hundreds of origins and
// every replication stream asks on every poll.
//
// Thread-safety: none; the owner locks.
#ifndef KAARTNET_COMMON_FRONTIER_LOG_H_
#define KAARTNET_COMMON_FRONTIER_LOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"

namespace kaartnet {

class FrontierLog {
 public:
  FrontierLog() = default;
  explicit FrontierLog(const std::map<std::string, uint64_t>& frontier);
  FrontierLog(const FrontierLog& other) { *this = other; }
  FrontierLog& operator=(const FrontierLog& other);

  // Raises `origin` to `seq`; a lower or equal seq changes nothing.
  void Raise(const std::string& origin, uint64_t seq);
  // 0 for an origin never seen.
  uint64_t Get(const std::string& origin) const;
  std::map<std::string, uint64_t> ToMap() const;
  size_t size() const { return origins_.size(); }

  // The number of the latest change (0: none yet).
  uint64_t version() const { return version_; }
  // Appends every origin that moved after change `since` (0: every origin)
  // with its seq now, each once, in the order of their latest change;
  // returns version(), to pass as `since` next time.
  uint64_t ChangesSince(
      uint64_t since,
      std::vector<std::pair<std::string, uint64_t>>* changed) const;

 private:
  struct Slot {
    uint64_t seq = 0;
    uint64_t changed_at = 0;
  };
  using Origins = std::map<std::string, Slot>;
  // std::map: its elements stay where they are; by_change_ points at them.
  Origins origins_;
  absl::btree_map<uint64_t, Origins::const_iterator> by_change_;
  uint64_t version_ = 0;
};

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_FRONTIER_LOG_H_
