// The time the client reads and waits by: the steady clock and real sleeps unless a test
// passes a fake one, so that waits take no time and what was waited can be asserted on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace cforg::api {

using Clock = std::chrono::steady_clock;

class WaitClock {
 public:
  virtual ~WaitClock() = default;
  virtual Clock::time_point now() = 0;
  // The wall clock, for ages read from an answer's create_time.
  virtual std::chrono::system_clock::time_point wall_now() = 0;
  // Waits on `cv`, whose mutex `lock` holds, until it is notified or `deadline` passes. May
  // return early: callers check their condition again.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          Clock::time_point deadline) = 0;
  virtual void sleep_for(Clock::duration d) = 0;
};

// The real one, shared.
std::shared_ptr<WaitClock> steady_wait_clock();

}  // namespace cforg::api
