// The sliding window, on an injected clock.
#include "rate_limiter.h"

#include <gtest/gtest.h>

namespace cforg::emulator {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(EmulatorRateLimit, ParsesNPerSeconds) {
  auto limit = parse_rate_limit("1200/300");
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->requests, 1200u);
  EXPECT_EQ(limit->window, 300000ms);
  EXPECT_EQ(parse_rate_limit("5/0.5")->window, 500ms);
  for (const char* bad : {"", "5", "/3", "5/", "0/1", "5/0", "5/-1", "x/1", "5/1s", "-1/5"}) {
    EXPECT_FALSE(parse_rate_limit(bad)) << bad;
  }
}

TEST(EmulatorRateLimit, SlidingWindowWithRetryAfter) {
  RateLimiter limiter(*parse_rate_limit("2/10"));
  Clock::time_point t0{};
  EXPECT_EQ(limiter.admit("a", t0), 0);
  EXPECT_EQ(limiter.admit("a", t0 + 3s), 0);
  // Full: the slot of the t0 request frees at t0+10s.
  EXPECT_EQ(limiter.admit("a", t0 + 4s), 6);
  EXPECT_EQ(limiter.admit("a", t0 + 4500ms), 6);  // 5.5 s rounds up
  EXPECT_EQ(limiter.admit("a", t0 + 9999ms), 1);
  // Rejections did not count: at t0+10s exactly one slot is free again.
  EXPECT_EQ(limiter.admit("a", t0 + 10s), 0);
  EXPECT_EQ(limiter.admit("a", t0 + 10s), 10 - 7);  // now the t0+3s request is the oldest
  EXPECT_EQ(limiter.admit("a", t0 + 13s), 0);
}

TEST(EmulatorRateLimit, PerCredential) {
  RateLimiter limiter(*parse_rate_limit("1/60"));
  Clock::time_point t0{};
  EXPECT_EQ(limiter.admit("a", t0), 0);
  EXPECT_EQ(limiter.admit("a", t0), 60);
  EXPECT_EQ(limiter.admit("b", t0), 0);
}

TEST(EmulatorRateLimit, DisabledAdmitsEverything) {
  RateLimiter limiter(RateLimit{});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(limiter.admit("a"), 0);
}

}  // namespace
}  // namespace cforg::emulator
