// Per-credential sliding-window rate limit: at most N accepted requests in any window of
// SECONDS, as Cloudflare's documented 1200 per 300 s per user or token. Exceeding it costs more
// than one refusal: Cloudflare blocks the credential ("all API calls for the next five minutes
// will be blocked"), emulated by `block`: after a 429, every request of that credential is
// refused until the block ends. Rejected requests are never recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace cforg::emulator {

struct RateLimit {
  uint64_t requests = 0;                // N; 0 disables the limit
  std::chrono::milliseconds window{0};  // SECONDS
  std::chrono::milliseconds block{0};   // after a 429; 0: none (a slot frees, the next passes)
};

// Parses "N/SECONDS" (SECONDS may have a fraction: "5/0.5"). nullopt when malformed. The block
// is set to the window (Cloudflare: 1200/300 blocks for 300 s).
std::optional<RateLimit> parse_rate_limit(const std::string& text);

// What the rate-limit headers say about one credential.
struct RateStatus {
  uint64_t limit = 0;      // N (Ratelimit-Policy q, x-ratelimit-limit)
  uint64_t remaining = 0;  // requests left in the window now (Ratelimit r)
  int64_t reset = 0;       // whole seconds until a slot frees or the block ends (Ratelimit t)
};

struct Admission {
  bool admitted = true;
  bool blocked = false;     // refused because a block was already running
  int64_t retry_after = 0;  // when refused: whole seconds to wait (at least 1)
  RateStatus status;        // after this request
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimit limit) : limit_(limit) {}

  bool enabled() const { return limit_.requests > 0; }
  const RateLimit& limit() const { return limit_; }

  // Admits (and records) one request of `credential` (any stable key of the caller), or says
  // how long to wait. A refusal outside a block starts one.
  Admission admit(const std::string& credential, Clock::time_point now = Clock::now());
  // The credential's state, recording nothing.
  RateStatus peek(const std::string& credential, Clock::time_point now = Clock::now());
  // Records `count` requests of `credential` at once, without any check (a test hook for "another
  // client spent part of the budget"). A window fuller than N just refuses until it drains.
  RateStatus spend(const std::string& credential, uint64_t count,
                   Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    std::deque<std::pair<Clock::time_point, uint64_t>> accepted;  // (when, how many), in order
    uint64_t in_window = 0;
    Clock::time_point blocked_until{};
  };
  void expire(Bucket& b, Clock::time_point now) const;
  RateStatus status_of(const Bucket& b, Clock::time_point now) const;

  RateLimit limit_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Whole seconds in `d`, rounded up (a wait of 0.2 s is 1 s: waiting 0 would be too early).
int64_t ceil_seconds(std::chrono::steady_clock::duration d);

}  // namespace cforg::emulator
