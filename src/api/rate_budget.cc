#include "cforg/api/rate_budget.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "cforg/model/ascii.h"

namespace cforg::api {
namespace {

[[noreturn]] void bad_limit(std::string_view text, const std::string& why) {
  throw std::invalid_argument("invalid rate limit \"" + std::string(text) + "\": " + why +
                              "; expected REQUESTS/SECONDS such as 1200/300, or 0 for unlimited");
}

}  // namespace

RateLimit RateLimit::parse(std::string_view text) {
  std::string_view s = trim_blanks(text);
  if (s == "0") return RateLimit{0, std::chrono::milliseconds(0)};
  auto slash = s.find('/');
  if (slash == std::string_view::npos) bad_limit(text, "no '/'");

  std::string_view count = trim_blanks(s.substr(0, slash));
  std::uint32_t requests = 0;
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), requests);
  if (ec != std::errc() || end != count.data() + count.size() || count.empty()) {
    bad_limit(text, "the request count is not a whole number");
  }
  if (requests == 0) bad_limit(text, "the request count must be positive");

  std::string_view secs = trim_blanks(s.substr(slash + 1));
  if (!secs.empty() && secs.back() == 's') secs.remove_suffix(1);  // what str() writes
  double seconds = 0;
  auto [send, sec] = std::from_chars(secs.data(), secs.data() + secs.size(), seconds);
  if (sec != std::errc() || send != secs.data() + secs.size() || secs.empty() ||
      !std::isfinite(seconds)) {
    bad_limit(text, "the window is not a number of seconds");
  }
  auto window = std::chrono::milliseconds(std::llround(seconds * 1000));
  if (window.count() <= 0) bad_limit(text, "the window must be at least 1 ms");
  return RateLimit{requests, window};
}

std::string RateLimit::str() const {
  if (unlimited()) return "unlimited";
  auto ms = window.count();
  std::string secs = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string frac = std::to_string(1000 + ms % 1000).substr(1);  // zero-padded to 3 digits
    while (frac.back() == '0') frac.pop_back();
    secs += "." + frac;
  }
  return std::to_string(requests) + "/" + secs + "s";
}

RateBudget::RateBudget(RateLimit limit, std::chrono::milliseconds max_wait,
                       std::shared_ptr<WaitClock> clock)
    : limit_(limit), max_wait_(max_wait), clock_(clock ? std::move(clock) : steady_wait_clock()) {}

std::int64_t RateBudget::allowance_of(const Reading& r) const {
  return r.remaining - static_cast<std::int64_t>(taken_ - r.ticket);
}

// The server's reset time has passed. What is left now is not known: a fixed window refilled
// completely, a sliding one (where t is when the oldest request stops counting) perhaps by a
// single request. So the allowance stays what it was, at least one, and each response from now
// on tells more.
void RateBudget::roll_over(Clock::time_point now) {
  if (!server_ || !server_->timed) return;
  Reading& r = *server_;
  // Spent: the probe waits for one of our own slots (see the class comment).
  if (now < (allowance_of(r) > 0 ? r.reset_at : probe_at(r))) return;
  r.remaining = std::max<std::int64_t>(allowance_of(r), 1);
  r.ticket = taken_;
  r.timed = false;
}

Clock::time_point RateBudget::probe_at(const Reading& r) const {
  if (!server_window_) return r.reset_at;
  // The first of ours surely still in the server's window when the reading was made: sent
  // less than w before it (it arrived after it was sent). It frees its slot by its answer + w
  // (it arrived before that), maybe before t (t is whole seconds, rounded up), maybe after (the
  // slot at t is another client's). One answered late may have left the window before the
  // reading, its slot already spent: that is why the send time picks, and the answer times.
  auto w = *server_window_;
  for (const Answered& a : answered_) {  // ascending by answer
    if (a.sent + w > r.read_at) return a.answered + w;
  }
  return r.reset_at;
}

std::optional<std::int64_t> RateBudget::server_allowance(Clock::time_point now) {
  if (!server_) return std::nullopt;
  roll_over(now);
  return allowance_of(*server_);
}

std::optional<Clock::time_point> RateBudget::server_wait(Clock::time_point now) {
  std::optional<Clock::time_point> until;
  if (paused_until_ > now) until = paused_until_;
  if (!server_) return until;
  roll_over(now);
  if (allowance_of(*server_) > 0) return until;
  if (server_->timed) return std::max(until.value_or(now), probe_at(*server_));
  // The reset passed and nothing says what is left: one request finds out.
  if (in_flight_ == 0) return until;
  return Clock::time_point::max();
}

std::int64_t RateBudget::available() {
  std::lock_guard lock(mu_);
  auto now = clock_->now();
  if (paused_until_ > now) return 0;
  std::int64_t n = std::numeric_limits<std::int64_t>::max();
  if (!limit_.unlimited()) {
    while (!freeing_.empty() && freeing_.front() <= now) freeing_.pop_front();
    n = std::max<std::int64_t>(0, static_cast<std::int64_t>(limit_.requests) - in_flight_ -
                                      static_cast<std::int64_t>(freeing_.size()));
  }
  if (auto server = server_allowance(now)) n = std::min(n, std::max<std::int64_t>(0, *server));
  return n;
}

Clock::time_point RateBudget::available_at(std::int64_t n) {
  std::lock_guard lock(mu_);
  auto now = clock_->now();
  Clock::time_point at = std::max(now, paused_until_);
  if (!limit_.unlimited()) {
    if (n > static_cast<std::int64_t>(limit_.requests)) return Clock::time_point::max();
    while (!freeing_.empty() && freeing_.front() <= now) freeing_.pop_front();
    std::int64_t free_now = static_cast<std::int64_t>(limit_.requests) - in_flight_ -
                            static_cast<std::int64_t>(freeing_.size());
    if (free_now < n) {
      // The slots free in order; those in flight free only after their answers.
      std::size_t i = static_cast<std::size_t>(n - std::max<std::int64_t>(free_now, 0) - 1);
      if (i >= freeing_.size()) return Clock::time_point::max();
      at = std::max(at, freeing_[i]);
    }
  }
  if (auto server = server_allowance(now); server && *server < n) {
    if (!server_->timed) return Clock::time_point::max();
    at = std::max(at, server_->reset_at);
  }
  return at;
}

std::chrono::nanoseconds RateBudget::wait_time(Clock::time_point now) {
  std::chrono::nanoseconds wait{0};
  if (auto until = server_wait(now)) {
    if (*until == Clock::time_point::max()) return std::chrono::nanoseconds::max();
    wait = *until - now;
  }
  if (limit_.unlimited()) return wait;

  // Slots whose window has passed are free again.
  while (!freeing_.empty() && freeing_.front() <= now) freeing_.pop_front();
  if (in_flight_ + freeing_.size() < limit_.requests) return wait;
  // Every slot is in flight: the first to free one is a release we cannot predict.
  if (freeing_.empty()) return std::chrono::nanoseconds::max();
  return std::max(wait, std::chrono::nanoseconds(freeing_.front() - now));
}

RateBudget::Ticket RateBudget::take(Clock::time_point now) {
  ++in_flight_;
  ++taken_;
  tickets_in_flight_.emplace(taken_, InFlight{tickets_in_flight_.size(), now});
  return taken_;
}

void RateBudget::release_at(Clock::time_point now, Ticket ticket, const ServerRateLimit& server,
                            bool counted) {
  if (in_flight_ > 0) --in_flight_;
  std::size_t sent_alongside = 0;
  std::optional<Clock::time_point> sent_at;
  if (auto it = tickets_in_flight_.find(ticket); it != tickets_in_flight_.end()) {
    sent_alongside = it->second.sent_alongside;
    sent_at = it->second.sent_at;
    tickets_in_flight_.erase(it);
  }
  if (!limit_.unlimited()) {
    // Sorted insert: real releases come in order, but tests may pass any time points.
    auto at = now + limit_.window;
    freeing_.insert(std::upper_bound(freeing_.begin(), freeing_.end(), at), at);
  }
  if (server.window && server.window->count() > 0) server_window_ = *server.window;
  if (counted && sent_at && server_window_) {
    auto w = *server_window_;
    while (!answered_.empty() && answered_.front().answered + w <= now) answered_.pop_front();
    auto later = [](Clock::time_point t, const Answered& a) { return t < a.answered; };
    answered_.insert(std::upper_bound(answered_.begin(), answered_.end(), now, later),
                     Answered{*sent_at, now});
  }
  if (ticket == 0 || !server.usable()) {
    // No figures. After a reset nothing else will tell what is left: the local window decides.
    if (server_ && !server_->timed) server_.reset();
    return;
  }
  Reading r;
  r.remaining = static_cast<std::int64_t>(
      std::min<std::uint64_t>(*server.remaining, std::numeric_limits<std::int32_t>::max()));
  // Requests sent before this one but unanswered when it went out may have reached the server
  // after it (another connection), even if their answers came back first: whether `remaining`
  // counts them is unknown, so they count.
  r.remaining -= static_cast<std::int64_t>(sent_alongside);
  r.ticket = ticket;
  auto reset = server.reset ? *server.reset : *server.window;
  // "none left, reset in 0 s" (t is whole seconds): do not spin on the server.
  if (r.remaining == 0 && reset < std::chrono::seconds(1)) reset = std::chrono::seconds(1);
  r.reset_at = now + reset;
  r.read_at = now;
  if (server_) roll_over(now);
  // A fresher reading describes the server better; an older one that allows less may know of
  // requests the fresher one had not seen yet. Either way, never spend more than either allows.
  if (!server_ || ticket >= server_->ticket || allowance_of(r) < allowance_of(*server_)) {
    if (server_ && ticket < server_->ticket && server_->timed) {
      r.reset_at = std::max(r.reset_at, server_->reset_at);
    }
    server_ = r;
  }
}

std::optional<RateBudget::Ticket> RateBudget::acquire(std::chrono::milliseconds* refused_for,
                                                      const std::atomic<bool>* stop) {
  std::unique_lock lock(mu_);
  bool waited = false;
  for (;;) {
    if (stop && stop->load()) {
      if (refused_for) *refused_for = std::chrono::milliseconds(0);
      return std::nullopt;
    }
    auto now = clock_->now();
    auto server = server_wait(now);
    if (server && *server != Clock::time_point::max() && *server - now > max_wait_) {
      // Beyond what we would sit through: fail now rather than hang.
      if (refused_for) {
        *refused_for = std::chrono::ceil<std::chrono::milliseconds>(*server - now);
      }
      return std::nullopt;
    }
    if (report_) {
      std::int64_t until_ms = 0;
      if (server && *server != Clock::time_point::max()) {
        until_ms = std::chrono::duration_cast<std::chrono::milliseconds>(server->time_since_epoch())
                       .count();
      }
      report_->store(until_ms);
    }
    auto wait = wait_time(now);
    if (wait == std::chrono::nanoseconds::zero()) break;
    if (!waited) ++waits_;
    waited = true;
    // A signal cannot wake a condition variable: with a stop flag, look at it every 100 ms.
    if (stop) wait = std::min<std::chrono::nanoseconds>(wait, std::chrono::milliseconds(100));
    if (wait == std::chrono::nanoseconds::max()) {
      cv_.wait(lock);  // until a release (or a pause) changes the picture
    } else {
      clock_->wait_until(cv_, lock, now + wait);
    }
  }
  return take(clock_->now());
}

void RateBudget::release(Ticket ticket, const ServerRateLimit& server, bool counted) {
  {
    std::lock_guard lock(mu_);
    release_at(clock_->now(), ticket, server, counted);
  }
  // Waiters blocked on "all in flight" can now compute when the new slot frees.
  cv_.notify_all();
}

void RateBudget::pause_until(Clock::time_point until) {
  {
    std::lock_guard lock(mu_);
    paused_until_ = std::max(paused_until_, until);
  }
  cv_.notify_all();
}

void RateBudget::report_waits_to(std::atomic<std::int64_t>* until_ms) {
  std::lock_guard lock(mu_);
  report_ = until_ms;
}

std::uint64_t RateBudget::waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

}  // namespace cforg::api
