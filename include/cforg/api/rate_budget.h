// The request budget shared by every worker of a run.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "cforg/api/transport.h"
#include "cforg/api/wait_clock.h"

namespace cforg::api {

// "at most `requests` per `window`", parsed from "1200/300" (seconds); "0" means unlimited.
struct RateLimit {
  std::uint32_t requests = 1200;
  std::chrono::milliseconds window{300000};

  bool unlimited() const { return requests == 0; }
  // Throws std::invalid_argument with a message saying what the form is.
  static RateLimit parse(std::string_view text);
  std::string str() const;  // "1200/300s"
};

// A sliding window that can never burst past the server's, whatever the latency, and never
// spends more than the server says is left.
//
// The local window: the server counts a request when it arrives, which is some time between our
// send and the response. So a slot is taken when we send and freed only `window` after the
// response came back: then any `window`-long span on the server's clock holds at most `requests`
// arrivals.
//
// The server's allowance: other clients on the same credential spend the same budget, and only
// the rate-limit headers show it. Each request gets a ticket (1, 2, ...); a response to ticket k
// saying r are left until t means at most r - (requests sent after k) may still go out before t.
// Requests still unanswered when k was sent count too (they may reach the server after k). The
// fresher reading (higher ticket) wins, and so does any reading that allows less. When it is
// spent, every request waits for the reset; after the reset, what was left (at least one
// request) until a response tells more: a sliding window's t only says when one slot frees.
// Without usable headers, the local window alone decides. A 429 pauses every worker until its
// Retry-After.
//
// Whose slot frees at t: when the allowance is spent and the server's window is known (the
// policy's w), the slot that frees at t may be another client's, and a client that spends at a
// steady pace takes it back in the same instant (a CI job, the dashboard). Racing it for that
// slot risks a 429, and a 429 blocks the credential, other clients included, for a whole
// window. So the probe after a spent allowance goes when the first of our own counted requests
// surely in the server's window leaves it (its answer + w), when one is: that slot is ours. That is
// never longer than one window, the block a 429 would cost, and often sooner than t (whole
// seconds, rounded up). With none of ours in the window, it goes at t.
class RateBudget {
 public:
  using Ticket = std::uint64_t;  // 0: none

  // `clock`: what acquire() reads and waits by; nullptr: steady_wait_clock().
  explicit RateBudget(RateLimit limit,
                      std::chrono::milliseconds max_wait = std::chrono::milliseconds(360000),
                      std::shared_ptr<WaitClock> clock = nullptr);

  // Blocks until a request may be sent, and takes a slot for it. nullopt, with nothing taken,
  // when the server's figures hold every request back for longer than max_wait; then
  // `*refused_for` (when given) says how long.
  // `stop`: once true, returns nullopt (refused_for 0) instead of waiting on.
  std::optional<Ticket> acquire(std::chrono::milliseconds* refused_for = nullptr,
                                const std::atomic<bool>* stop = nullptr);
  // The request's response (or failure) arrived now: its slot frees one window from now, and
  // the response's rate-limit figures (when usable) update the server's allowance. `counted`:
  // the server may have counted the request (false for a 429, which it does not).
  void release(Ticket ticket = 0, const ServerRateLimit& server = {}, bool counted = true);
  // The server said to wait: no request is sent before `until`.
  void pause_until(Clock::time_point until);
  // While acquire() waits on the server (a pause, a spent allowance), the wait's end goes here
  // as steady_clock milliseconds since its epoch, and 0 once requests flow again.
  void report_waits_to(std::atomic<std::int64_t>* until_ms);

  // How many requests could go now without waiting, by the local window and the server's
  // figures (INT64_MAX when neither limits), and from when `n` could: now, a later time, or
  // time_point::max() when `n` never fits one window (more than the limit) or only a response can
  // tell. For a caller that spends in batches: the controller waits for its refresh's cost.
  std::int64_t available();
  Clock::time_point available_at(std::int64_t n);

  // The pure core, for tests: how long a request sent at `now` must wait (zero: go;
  // nanoseconds::max(): every slot is in flight, so only a release can free one).
  std::chrono::nanoseconds wait_time(Clock::time_point now);
  Ticket take(Clock::time_point now);
  void release_at(Clock::time_point now, Ticket ticket = 0, const ServerRateLimit& server = {},
                  bool counted = true);
  // Until when the server's figures hold requests back (a pause or a spent allowance;
  // time_point::max(): until a response tells more); nullopt when they do not.
  std::optional<Clock::time_point> server_wait(Clock::time_point now);
  // What the server's figures still allow, nullopt when there are none.
  std::optional<std::int64_t> server_allowance(Clock::time_point now);

  std::uint64_t waits() const;  // how many acquire() calls had to wait

 private:
  // The server's allowance from the freshest (or most restrictive) usable reading.
  struct Reading {
    std::int64_t remaining = 0;    // as the response to `ticket` said
    Ticket ticket = 0;             // requests with a higher ticket are not in `remaining`
    Clock::time_point reset_at{};  // when the server's window resets
    Clock::time_point read_at{};   // when the response came
    bool timed = true;             // false: the reset passed, the next response tells more
  };
  void roll_over(Clock::time_point now);
  // When the probe after a spent allowance may go: when the first of our own requests leaves
  // the server's window, or at the reset when none of ours is in it.
  Clock::time_point probe_at(const Reading& r) const;
  std::int64_t allowance_of(const Reading& r) const;

  RateLimit limit_;
  std::chrono::milliseconds max_wait_;
  std::shared_ptr<WaitClock> clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint32_t in_flight_ = 0;
  Ticket taken_ = 0;  // tickets issued so far
  // Each unanswered ticket: how many requests were unanswered when it was sent, and when.
  struct InFlight {
    std::size_t sent_alongside = 0;
    Clock::time_point sent_at{};
  };
  std::map<Ticket, InFlight> tickets_in_flight_;
  std::deque<Clock::time_point> freeing_;  // when each released slot becomes free, ascending
  Clock::time_point paused_until_{};
  std::optional<Reading> server_;
  // The server's window (the policy's w), once a response said it.
  std::optional<std::chrono::milliseconds> server_window_;
  // Our counted requests, ascending by answer, kept for one server window: each arrived
  // between its send and its answer, so it left the server's window between those + w.
  struct Answered {
    Clock::time_point sent, answered;
  };
  std::deque<Answered> answered_;
  std::atomic<std::int64_t>* report_ = nullptr;
  std::uint64_t waits_ = 0;
};

}  // namespace cforg::api
