#include "suggest.h"

#include <algorithm>
#include <vector>

#include "cforg/model/ascii.h"

namespace cforg::config::detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rolling rows: the transposition step looks two rows back.
  const std::size_t n = b.size();
  std::vector<std::size_t> two_back(n + 1), prev(n + 1), cur(n + 1);
  for (std::size_t j = 0; j <= n; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], two_back[j - 2] + 1);
      }
    }
    std::swap(two_back, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

namespace {}  // namespace

std::string nearest(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = 0;
  for (std::string_view c : candidates) {
    if (ascii_iequals(word, c)) return std::string(c);
    // Distance is at least the length difference: skip the table for hopeless candidates.
    const std::size_t len_gap =
        c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    // Up to a third of the longer word may be wrong, and always 2 edits for short words:
    // "prnt" is still "parent", but "id" is not "name".
    const std::size_t limit = std::max<std::size_t>(2, std::max(word.size(), c.size()) / 3);
    if (len_gap > limit) continue;
    const std::size_t d = edit_distance(word, c);
    if (d > limit || d >= std::max(word.size(), c.size())) continue;
    if (best.empty() || d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return std::string(best);
}

}  // namespace cforg::config::detail
