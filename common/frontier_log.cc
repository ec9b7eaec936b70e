#include "common/frontier_log.h"

namespace kaartnet {

FrontierLog::FrontierLog(const std::map<std::string, uint64_t>& frontier) {
  for (const auto& [origin, seq] : frontier) Raise(origin, seq);
}

FrontierLog& FrontierLog::operator=(const FrontierLog& other) {
  if (this == &other) return *this;
  origins_ = other.origins_;
  version_ = other.version_;
  by_change_.clear();
  for (auto it = origins_.begin(); it != origins_.end(); ++it)
    by_change_.emplace(it->second.changed_at, it);
  return *this;
}

void FrontierLog::Raise(const std::string& origin, uint64_t seq) {
  auto [it, inserted] = origins_.try_emplace(origin);
  Slot& slot = it->second;
  if (!inserted && seq <= slot.seq) return;
  if (!inserted) by_change_.erase(slot.changed_at);
  slot.seq = seq;
  slot.changed_at = ++version_;
  by_change_.emplace(slot.changed_at, it);
}

uint64_t FrontierLog::Get(const std::string& origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? 0 : it->second.seq;
}

std::map<std::string, uint64_t> FrontierLog::ToMap() const {
  std::map<std::string, uint64_t> out;
  for (const auto& [origin, slot] : origins_)
    out.emplace_hint(out.end(), origin, slot.seq);
  return out;
}

uint64_t FrontierLog::ChangesSince(
    uint64_t since,
    std::vector<std::pair<std::string, uint64_t>>* changed) const {
  for (auto it = by_change_.upper_bound(since); it != by_change_.end(); ++it)
    changed->emplace_back(it->second->first, it->second->second.seq);
  return version_;
}

}  // namespace kaartnet
