// Nearest-match suggestions for misspelled keys ("naem: did you mean 'name'?").
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace cforg::config::detail {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so that the
// commonest typo, two swapped letters ("naem"), costs 1 rather than 2.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo, else "".
// Ties go to the earlier candidate. A case-only difference always counts as close.
std::string nearest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace cforg::config::detail
