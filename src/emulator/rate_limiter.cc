#include "rate_limiter.h"

#include <charconv>
#include <cmath>

namespace cforg::emulator {

std::optional<RateLimit> parse_rate_limit(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  RateLimit limit;
  const char* begin = text.data();
  auto [end, ec] = std::from_chars(begin, begin + slash, limit.requests);
  if (ec != std::errc() || end != begin + slash || limit.requests == 0) return std::nullopt;
  double seconds = 0;
  const char* sbegin = begin + slash + 1;
  const char* send = begin + text.size();
  auto [end2, ec2] = std::from_chars(sbegin, send, seconds);
  if (ec2 != std::errc() || end2 != send || !(seconds > 0) || !std::isfinite(seconds)) {
    return std::nullopt;
  }
  limit.window = std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)));
  if (limit.window.count() <= 0) return std::nullopt;
  return limit;
}

int64_t RateLimiter::admit(const std::string& credential, Clock::time_point now) {
  if (!enabled()) return 0;
  std::lock_guard lock(mutex_);
  auto& times = accepted_[credential];
  // Forget what slid out of the window. A request exactly `window` old no longer counts.
  while (!times.empty() && times.front() + limit_.window <= now) times.pop_front();
  if (times.size() < limit_.requests) {
    times.push_back(now);
    return 0;
  }
  // The oldest accepted request leaves the window first; that frees the next slot.
  auto wait = times.front() + limit_.window - now;
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
  if (std::chrono::milliseconds(millis) < wait) ++millis;  // round sub-millisecond waits up
  return std::max<int64_t>(1, (millis + 999) / 1000);
}

}  // namespace cforg::emulator
