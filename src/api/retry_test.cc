#include "cforg/api/retry.h"

#include <gtest/gtest.h>

#include <string>

namespace cforg::api {
namespace {

using namespace std::chrono_literals;
using Failure = HttpResponse::Failure;

HttpResponse status(int s) {
  HttpResponse r;
  r.status = s;
  return r;
}

HttpResponse failed(Failure f) {
  HttpResponse r;
  r.failure = f;
  return r;
}

struct Row {
  const char* what;
  HttpResponse res;
  bool get, put, del, post;
};

TEST(RetryPolicy, RetryabilityTable) {
  const Row rows[] = {
      // 429: the server refused before doing anything, so even a POST goes again.
      {"429", status(429), true, true, true, true},
      // 5xx, timeout, broken: the server may have acted; only idempotent methods go again.
      {"500", status(500), true, true, true, false},
      {"502", status(502), true, true, true, false},
      {"503", status(503), true, true, true, false},
      {"504", status(504), true, true, true, false},
      {"timeout", failed(Failure::timeout), true, true, true, false},
      {"broken", failed(Failure::broken), true, true, true, false},
      // Never reached the server: safe for everyone.
      {"not_sent", failed(Failure::not_sent), true, true, true, true},
      // Cannot be sent as given: repeating changes nothing.
      {"unusable", failed(Failure::unusable), false, false, false, false},
      // Answers: a repeat would get the same answer.
      {"200", status(200), false, false, false, false},
      {"400", status(400), false, false, false, false},
      {"401", status(401), false, false, false, false},
      {"403", status(403), false, false, false, false},
      {"404", status(404), false, false, false, false},
      {"409", status(409), false, false, false, false},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    EXPECT_EQ(RetryPolicy::retryable("GET", row.res), row.get);
    EXPECT_EQ(RetryPolicy::retryable("PUT", row.res), row.put);
    EXPECT_EQ(RetryPolicy::retryable("DELETE", row.res), row.del);
    EXPECT_EQ(RetryPolicy::retryable("POST", row.res), row.post);
  }
}

// random values giving the jitter's two ends
constexpr std::uint64_t kLow = 0;           // 50%
constexpr std::uint64_t kHigh = 1'000'000;  // 100%

TEST(RetryPolicy, DelayGrowsExponentiallyFromBase) {
  RetryPolicy p;  // 1 s base, 30 s cap
  HttpResponse r = status(503);
  EXPECT_EQ(p.delay(1, r, kHigh), 1000ms);
  EXPECT_EQ(p.delay(2, r, kHigh), 2000ms);
  EXPECT_EQ(p.delay(3, r, kHigh), 4000ms);
  EXPECT_EQ(p.delay(5, r, kHigh), 16000ms);
  EXPECT_EQ(p.delay(1, r, kLow), 500ms);
  EXPECT_EQ(p.delay(3, r, kLow), 2000ms);
}

TEST(RetryPolicy, DelayIsCapped) {
  RetryPolicy p;
  HttpResponse r = status(503);
  EXPECT_EQ(p.delay(6, r, kHigh), 30000ms);  // 32 s capped
  EXPECT_EQ(p.delay(10, r, kHigh), 30000ms);
  EXPECT_EQ(p.delay(1000, r, kHigh), 30000ms);  // no overflow
  EXPECT_EQ(p.delay(1000, r, kLow), 15000ms);
}

TEST(RetryPolicy, JitterStaysBetweenHalfAndFull) {
  RetryPolicy p;
  p.base_delay = 800ms;
  HttpResponse r = failed(Failure::timeout);
  std::uint64_t x = 88172645463325252ull;
  bool below_full = false;
  for (int i = 0; i < 10000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift
    auto d = p.delay(2, r, x);
    ASSERT_GE(d, 800ms);
    ASSERT_LE(d, 1600ms);
    below_full = below_full || d < 1500ms;
  }
  EXPECT_TRUE(below_full) << "jitter never applied";
}

TEST(RetryPolicy, HonoursRetryAfter) {
  RetryPolicy p;
  HttpResponse r = status(429);
  r.retry_after = 7000ms;
  EXPECT_EQ(p.delay(1, r, kLow), 7000ms);  // no jitter below what the server asked
  EXPECT_EQ(p.delay(9, r, kHigh), 7000ms);
  r.retry_after = 90000ms;  // beyond max_delay: the server knows its window
  EXPECT_EQ(p.delay(1, r, kHigh), 90000ms);
  r.retry_after = 0ms;
  EXPECT_EQ(p.delay(3, r, kHigh), 0ms);
}

}  // namespace
}  // namespace cforg::api
