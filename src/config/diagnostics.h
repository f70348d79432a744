// Where the loader's diagnostics go: kept up to a cap, counted beyond it.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "cforg/config/config.h"

namespace cforg::config::detail {

// A config of 64 MiB can hold millions of the same mistake (`- 1` is four bytes): keeping a
// message for each would take gigabytes, and nobody reads past the first screenful. So only
// the first `cap` are kept; the others are counted, for "… and N more".
class Diagnostics {
 public:
  explicit Diagnostics(std::size_t cap) : cap_(cap) {}

  void push_back(Diagnostic d) {
    if (kept_.size() < cap_) {
      kept_.push_back(std::move(d));
    } else {
      ++dropped_;
    }
  }
  // Whether a diagnostic added now would only be counted: callers skip work that only makes a
  // message better (finding its column on a long line, a suggestion).
  bool full() const { return kept_.size() >= cap_; }

  std::vector<Diagnostic>& kept() { return kept_; }
  std::size_t dropped() const { return dropped_; }

 private:
  std::size_t cap_;
  std::vector<Diagnostic> kept_;
  std::size_t dropped_ = 0;
};

}  // namespace cforg::config::detail
