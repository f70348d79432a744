#include "rate_limiter.h"

#include <algorithm>
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
  limit.block = limit.window;
  return limit;
}

int64_t ceil_seconds(std::chrono::steady_clock::duration d) {
  if (d <= std::chrono::steady_clock::duration::zero()) return 0;
  auto whole = std::chrono::duration_cast<std::chrono::seconds>(d);
  return whole.count() + (whole < d ? 1 : 0);
}

void RateLimiter::expire(Bucket& b, Clock::time_point now) const {
  // Forget what slid out of the window. A request exactly `window` old no longer counts.
  while (!b.accepted.empty() && b.accepted.front().first + limit_.window <= now) {
    b.in_window -= b.accepted.front().second;
    b.accepted.pop_front();
  }
}

RateStatus RateLimiter::status_of(const Bucket& b, Clock::time_point now) const {
  RateStatus s;
  s.limit = limit_.requests;
  if (b.blocked_until > now) {
    s.remaining = 0;
    s.reset = std::max<int64_t>(1, ceil_seconds(b.blocked_until - now));
    return s;
  }
  s.remaining = b.in_window >= limit_.requests ? 0 : limit_.requests - b.in_window;
  // The oldest accepted request leaves the window first; that frees the next slot(s).
  s.reset = b.accepted.empty() ? 0 : ceil_seconds(b.accepted.front().first + limit_.window - now);
  return s;
}

Admission RateLimiter::admit(const std::string& credential, Clock::time_point now) {
  Admission a;
  if (!enabled()) return a;
  std::lock_guard lock(mutex_);
  Bucket& b = buckets_[credential];
  expire(b, now);
  if (b.blocked_until > now) {
    a.admitted = false;
    a.blocked = true;
  } else if (b.in_window < limit_.requests) {
    if (!b.accepted.empty() && b.accepted.back().first == now) {
      ++b.accepted.back().second;
    } else {
      b.accepted.emplace_back(now, 1);
    }
    ++b.in_window;
  } else {
    a.admitted = false;
    if (limit_.block.count() > 0) b.blocked_until = now + limit_.block;
  }
  a.status = status_of(b, now);
  if (!a.admitted) a.retry_after = std::max<int64_t>(1, a.status.reset);
  return a;
}

RateStatus RateLimiter::peek(const std::string& credential, Clock::time_point now) {
  if (!enabled()) return {};
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(credential);
  if (it == buckets_.end()) return {limit_.requests, limit_.requests, 0};
  expire(it->second, now);
  return status_of(it->second, now);
}

RateStatus RateLimiter::spend(const std::string& credential, uint64_t count,
                              Clock::time_point now) {
  if (!enabled()) return {};
  std::lock_guard lock(mutex_);
  Bucket& b = buckets_[credential];
  expire(b, now);
  if (count > 0) {
    b.accepted.emplace_back(now, count);
    b.in_window += count;
  }
  return status_of(b, now);
}

}  // namespace cforg::emulator
