#include "cforg/api/rate_budget.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cforg::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void bad_limit(std::string_view text, const std::string& why) {
  throw std::invalid_argument("invalid rate limit \"" + std::string(text) + "\": " + why +
                              "; expected REQUESTS/SECONDS such as 1200/300, or 0 for unlimited");
}

}  // namespace

RateLimit RateLimit::parse(std::string_view text) {
  std::string_view s = trim(text);
  if (s == "0") return RateLimit{0, std::chrono::milliseconds(0)};
  auto slash = s.find('/');
  if (slash == std::string_view::npos) bad_limit(text, "no '/'");

  std::string_view count = trim(s.substr(0, slash));
  std::uint32_t requests = 0;
  auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), requests);
  if (ec != std::errc() || end != count.data() + count.size() || count.empty()) {
    bad_limit(text, "the request count is not a whole number");
  }
  if (requests == 0) bad_limit(text, "the request count must be positive");

  std::string_view secs = trim(s.substr(slash + 1));
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

RateBudget::RateBudget(RateLimit limit) : limit_(limit) {}

std::chrono::nanoseconds RateBudget::wait_time(Clock::time_point now) {
  std::chrono::nanoseconds pause{0};
  if (paused_until_ > now) pause = paused_until_ - now;
  if (limit_.unlimited()) return pause;

  // Slots whose window has passed are free again.
  while (!freeing_.empty() && freeing_.front() <= now) freeing_.pop_front();
  if (in_flight_ + freeing_.size() < limit_.requests) return pause;
  // Every slot is in flight: the first to free one is a release we cannot predict.
  if (freeing_.empty()) return std::chrono::nanoseconds::max();
  return std::max(pause, std::chrono::nanoseconds(freeing_.front() - now));
}

void RateBudget::take(Clock::time_point /*now*/) {
  ++in_flight_;
}

void RateBudget::release_at(Clock::time_point now) {
  if (in_flight_ > 0) --in_flight_;
  if (limit_.unlimited()) return;
  // Sorted insert: real releases come in order, but tests may pass any time points.
  auto at = now + limit_.window;
  freeing_.insert(std::upper_bound(freeing_.begin(), freeing_.end(), at), at);
}

void RateBudget::acquire() {
  std::unique_lock lock(mu_);
  bool waited = false;
  for (;;) {
    auto now = Clock::now();
    auto wait = wait_time(now);
    if (wait == std::chrono::nanoseconds::zero()) break;
    if (!waited) ++waits_;
    waited = true;
    if (wait == std::chrono::nanoseconds::max()) {
      cv_.wait(lock);  // until a release (or a pause) changes the picture
    } else {
      cv_.wait_until(lock, now + wait);
    }
  }
  take(Clock::now());
}

void RateBudget::release() {
  {
    std::lock_guard lock(mu_);
    release_at(Clock::now());
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

std::uint64_t RateBudget::waits() const {
  std::lock_guard lock(mu_);
  return waits_;
}

}  // namespace cforg::api
