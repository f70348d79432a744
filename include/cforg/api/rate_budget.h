// The request budget shared by every worker of a run.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace cforg::api {

using Clock = std::chrono::steady_clock;

// "at most `requests` per `window`", parsed from "1200/300" (seconds); "0" means unlimited.
struct RateLimit {
  std::uint32_t requests = 1200;
  std::chrono::milliseconds window{300000};

  bool unlimited() const { return requests == 0; }
  // Throws std::invalid_argument with a message saying what the form is.
  static RateLimit parse(std::string_view text);
  std::string str() const;  // "1200/300s"
};

// A sliding window that can never burst past the server's, whatever the latency.
//
// The server counts a request when it arrives, which is some time between our send and the
// response. So a slot is taken when we send and freed only `window` after the response came
// back: then any `window`-long span on the server's clock holds at most `requests` arrivals.
// A 429 pauses every worker until its Retry-After.
class RateBudget {
 public:
  explicit RateBudget(RateLimit limit);

  // Blocks until a request may be sent, and takes a slot for it.
  void acquire();
  // The request's response (or failure) arrived now: its slot frees one window from now.
  void release();
  // The server said to wait: no request is sent before `until`.
  void pause_until(Clock::time_point until);

  // The pure core, for tests: how long a request sent at `now` must wait (zero: go;
  // nanoseconds::max(): every slot is in flight, so only a release can free one).
  std::chrono::nanoseconds wait_time(Clock::time_point now);
  void take(Clock::time_point now);
  void release_at(Clock::time_point now);

  std::uint64_t waits() const;  // how many acquire() calls had to wait

 private:
  RateLimit limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint32_t in_flight_ = 0;
  std::deque<Clock::time_point> freeing_;  // when each released slot becomes free, ascending
  Clock::time_point paused_until_{};
  std::uint64_t waits_ = 0;
};

}  // namespace cforg::api
