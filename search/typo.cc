#include "search/typo.h"

#include <algorithm>
#include <cstdlib>

namespace kaartnet::search {

int BoundedEditDistance(absl::string_view a, absl::string_view b,
                        int max_distance) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  if (std::abs(n - m) > max_distance) return max_distance + 1;
  // Two rows of the dynamic programme; stop once a row exceeds the bound.
  std::vector<int> previous(m + 1), current(m + 1);
  for (int j = 0; j <= m; ++j) previous[j] = j;
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_min = current[0];
    for (int j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min(
          {previous[j - 1] + cost, previous[j] + 1, current[j - 1] + 1});
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > max_distance) return max_distance + 1;
    std::swap(previous, current);
  }
  return std::min(previous[m], max_distance + 1);
}

std::vector<std::pair<std::pair<std::string, std::string>, int>> TypoNeighbours(
    const std::vector<std::pair<std::string, std::string>>& vocabulary,
    absl::string_view word, int max_distance, size_t limit) {
  std::vector<std::pair<std::pair<std::string, std::string>, int>> out;
  for (const auto& entry : vocabulary) {
    const std::string& candidate = entry.first;
    if (std::abs(static_cast<int>(candidate.size()) -
                 static_cast<int>(word.size())) > max_distance) {
      continue;
    }
    if (candidate == word) continue;
    const int d = BoundedEditDistance(word, candidate, max_distance);
    if (d <= max_distance) out.emplace_back(entry, d);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.second < y.second;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace kaartnet::search
