// Per-credential sliding-window rate limit: at most N accepted requests in any window of
// SECONDS. Rejected requests are not recorded, so a client that keeps retrying too early is
// not punished further (Cloudflare's documented budget is 1200 per 300 s; tests use far less).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cforg::emulator {

struct RateLimit {
  uint64_t requests = 0;                // N; 0 disables the limit
  std::chrono::milliseconds window{0};  // SECONDS
};

// Parses "N/SECONDS" (SECONDS may have a fraction: "5/0.5"). nullopt when malformed.
std::optional<RateLimit> parse_rate_limit(const std::string& text);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  bool enabled() const { return limit_.requests > 0; }

  // 0 when accepted (and recorded); otherwise the whole seconds to wait before a slot frees
  // (the Retry-After value, at least 1). `credential` is any stable key of the caller.
  int64_t admit(const std::string& credential, Clock::time_point now = Clock::now());

 private:
  RateLimit limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> accepted_;
};

}  // namespace cforg::emulator
