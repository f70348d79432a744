// The sliding window, the block after a 429, the spend hook and the header values, on an
// injected clock.
#include "rate_limiter.h"

#include <gtest/gtest.h>

namespace cforg::emulator {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

RateLimit limit_of(const char* text, std::chrono::milliseconds block) {
  RateLimit limit = *parse_rate_limit(text);
  limit.block = block;
  return limit;
}

// 0 when admitted, else Retry-After (the old admit() contract, for the window tests).
int64_t wait_of(RateLimiter& limiter, const std::string& who, Clock::time_point now) {
  Admission a = limiter.admit(who, now);
  EXPECT_EQ(a.admitted, a.retry_after == 0);
  return a.retry_after;
}

TEST(EmulatorRateLimit, ParsesNPerSeconds) {
  auto limit = parse_rate_limit("1200/300");
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->requests, 1200u);
  EXPECT_EQ(limit->window, 300000ms);
  EXPECT_EQ(limit->block, 300000ms) << "Cloudflare: 1200/300 blocks for five minutes";
  EXPECT_EQ(parse_rate_limit("5/0.5")->window, 500ms);
  for (const char* bad : {"", "5", "/3", "5/", "0/1", "5/0", "5/-1", "x/1", "5/1s", "-1/5"}) {
    EXPECT_FALSE(parse_rate_limit(bad)) << bad;
  }
}

TEST(EmulatorRateLimit, SlidingWindowWithRetryAfterWithoutBlock) {
  RateLimiter limiter(limit_of("2/10", 0ms));
  Clock::time_point t0{};
  EXPECT_EQ(wait_of(limiter, "a", t0), 0);
  EXPECT_EQ(wait_of(limiter, "a", t0 + 3s), 0);
  // Full: the slot of the t0 request frees at t0+10s.
  EXPECT_EQ(wait_of(limiter, "a", t0 + 4s), 6);
  EXPECT_EQ(wait_of(limiter, "a", t0 + 4500ms), 6);  // 5.5 s rounds up
  EXPECT_EQ(wait_of(limiter, "a", t0 + 9999ms), 1);
  // Rejections did not count: at t0+10s exactly one slot is free again.
  EXPECT_EQ(wait_of(limiter, "a", t0 + 10s), 0);
  EXPECT_EQ(wait_of(limiter, "a", t0 + 10s), 10 - 7);  // now the t0+3s request is the oldest
  EXPECT_EQ(wait_of(limiter, "a", t0 + 13s), 0);
}

TEST(EmulatorRateLimit, A429BlocksTheCredentialForTheBlock) {
  RateLimiter limiter(limit_of("2/10", 30s));
  Clock::time_point t0{};
  EXPECT_TRUE(limiter.admit("a", t0).admitted);
  EXPECT_TRUE(limiter.admit("a", t0 + 1s).admitted);
  Admission first = limiter.admit("a", t0 + 2s);
  EXPECT_FALSE(first.admitted);
  EXPECT_FALSE(first.blocked) << "the first 429 starts the block";
  EXPECT_EQ(first.retry_after, 30);
  // The window frees at t0+10s, but the block runs until t0+32s, and does not grow.
  Admission during = limiter.admit("a", t0 + 20s);
  EXPECT_FALSE(during.admitted);
  EXPECT_TRUE(during.blocked);
  EXPECT_EQ(during.retry_after, 12);
  EXPECT_EQ(during.status.remaining, 0u);
  EXPECT_EQ(during.status.reset, 12);
  EXPECT_EQ(limiter.admit("a", t0 + 31999ms).retry_after, 1);
  EXPECT_TRUE(limiter.admit("b", t0 + 20s).admitted) << "the block is per credential";
  Admission after = limiter.admit("a", t0 + 32s);
  EXPECT_TRUE(after.admitted);
  EXPECT_EQ(after.status.remaining, 1u);
}

TEST(EmulatorRateLimit, StatusSaysWhatIsLeftAndWhenASlotFrees) {
  RateLimiter limiter(limit_of("3/60", 60s));
  Clock::time_point t0{};
  RateStatus fresh = limiter.peek("a", t0);
  EXPECT_EQ(fresh.limit, 3u);
  EXPECT_EQ(fresh.remaining, 3u);
  EXPECT_EQ(fresh.reset, 0);
  EXPECT_EQ(limiter.admit("a", t0).status.remaining, 2u);
  Admission second = limiter.admit("a", t0 + 15s);
  EXPECT_EQ(second.status.remaining, 1u);
  EXPECT_EQ(second.status.reset, 45) << "the t0 request leaves the window at t0+60s";
  RateStatus peeked = limiter.peek("a", t0 + 15500ms);
  EXPECT_EQ(peeked.remaining, 1u) << "peek records nothing";
  EXPECT_EQ(peeked.reset, 45);  // 44.5 s rounds up
  EXPECT_EQ(limiter.peek("a", t0 + 60s).remaining, 2u);
}

TEST(EmulatorRateLimit, SpendTakesBudgetWithoutAnyCheck) {
  RateLimiter limiter(limit_of("10/60", 60s));
  Clock::time_point t0{};
  RateStatus after = limiter.spend("a", 7, t0);
  EXPECT_EQ(after.remaining, 3u);
  EXPECT_EQ(after.reset, 60);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("a", t0 + 1s).admitted) << i;
  EXPECT_FALSE(limiter.admit("a", t0 + 2s).admitted);
  EXPECT_EQ(limiter.peek("b", t0).remaining, 10u) << "another credential's budget is its own";
  // Spending past the limit is allowed (the hook is not rate limited); the window drains.
  RateLimiter other(limit_of("5/10", 0ms));
  EXPECT_EQ(other.spend("a", 50, t0).remaining, 0u);
  EXPECT_EQ(other.spend("a", 0, t0 + 1s).remaining, 0u);
  EXPECT_FALSE(other.admit("a", t0 + 9s).admitted);
  EXPECT_TRUE(other.admit("a", t0 + 10s).admitted);
}

TEST(EmulatorRateLimit, PerCredential) {
  RateLimiter limiter(*parse_rate_limit("1/60"));
  Clock::time_point t0{};
  EXPECT_EQ(wait_of(limiter, "a", t0), 0);
  EXPECT_EQ(wait_of(limiter, "a", t0), 60);
  EXPECT_EQ(wait_of(limiter, "b", t0), 0);
}

TEST(EmulatorRateLimit, DisabledAdmitsEverything) {
  RateLimiter limiter(RateLimit{});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.admit("a").admitted);
}

TEST(EmulatorRateLimit, CeilSeconds) {
  EXPECT_EQ(ceil_seconds(0ms), 0);
  EXPECT_EQ(ceil_seconds(-5ms), 0);
  EXPECT_EQ(ceil_seconds(1ms), 1);
  EXPECT_EQ(ceil_seconds(1000ms), 1);
  EXPECT_EQ(ceil_seconds(1001ms), 2);
}

}  // namespace
}  // namespace cforg::emulator
