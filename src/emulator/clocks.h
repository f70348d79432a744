// Where the emulator reads the time. The program uses the system's clocks; tests inject their
// own, so that they step over a rate-limit block or the post-create window instead of sleeping
// through it.
#pragma once

#include <chrono>
#include <functional>

namespace cforg::emulator {

struct Clocks {
  // The rate limiter's windows and blocks, and the post-create window.
  std::function<std::chrono::steady_clock::time_point()> steady = std::chrono::steady_clock::now;
  // The organizations' create_time.
  std::function<std::chrono::system_clock::time_point()> wall = std::chrono::system_clock::now;
};

}  // namespace cforg::emulator
