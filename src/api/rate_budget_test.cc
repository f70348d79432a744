#include "cforg/api/rate_budget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cforg::api {
namespace {

using namespace std::chrono_literals;

TEST(RateLimit, Parses) {
  auto l = RateLimit::parse("1200/300");
  EXPECT_EQ(l.requests, 1200u);
  EXPECT_EQ(l.window, 300s);
  EXPECT_FALSE(l.unlimited());

  l = RateLimit::parse(" 20 / 2 ");
  EXPECT_EQ(l.requests, 20u);
  EXPECT_EQ(l.window, 2s);

  l = RateLimit::parse("5/0.25");
  EXPECT_EQ(l.window, 250ms);

  EXPECT_TRUE(RateLimit::parse("0").unlimited());
}

TEST(RateLimit, StrRoundTrips) {
  EXPECT_EQ(RateLimit::parse("1200/300").str(), "1200/300s");
  EXPECT_EQ(RateLimit::parse("5/0.25").str(), "5/0.25s");
  EXPECT_EQ(RateLimit::parse("0").str(), "unlimited");
  for (const char* s : {"1200/300", "7/1.5", "3/0.001"}) {
    auto l = RateLimit::parse(s);
    auto again = RateLimit::parse(l.str());
    EXPECT_EQ(again.requests, l.requests) << s;
    EXPECT_EQ(again.window, l.window) << s;
  }
}

TEST(RateLimit, RejectsWithTheExpectedForm) {
  for (const char* bad : {"", "abc", "10", "10/", "/10", "-1/10", "0/10", "10/0", "10/x", "1.5/10",
                          "10/-3", "99999999999/10", "10/5m"}) {
    try {
      RateLimit::parse(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const std::invalid_argument& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("REQUESTS/SECONDS"), std::string::npos) << msg;
      EXPECT_NE(msg.find("1200/300"), std::string::npos) << msg;
    }
  }
}

// Fake time: the pure core never reads the clock.
const Clock::time_point t0 = Clock::time_point{} + 1000h;

TEST(RateBudgetCore, NSlotsThenWaitsForARelease) {
  RateBudget b({3, 10s});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(b.wait_time(t0), 0ns);
    b.take(t0);
  }
  // All three in flight: no slot frees until one comes back.
  EXPECT_EQ(b.wait_time(t0 + 1h), std::chrono::nanoseconds::max());
}

TEST(RateBudgetCore, SlotFreesOneWindowAfterTheResponse) {
  RateBudget b({3, 10s});
  for (int i = 0; i < 3; ++i) b.take(t0);
  b.release_at(t0 + 1s);  // response after 1 s: the slot frees at 11 s
  EXPECT_EQ(b.wait_time(t0 + 2s), 9s);
  EXPECT_EQ(b.wait_time(t0 + 10999ms), 1ms);
  EXPECT_EQ(b.wait_time(t0 + 11s), 0ns);
  b.take(t0 + 11s);
  EXPECT_EQ(b.wait_time(t0 + 11s), std::chrono::nanoseconds::max());
}

TEST(RateBudgetCore, SlotsFreeInOrder) {
  RateBudget b({2, 10s});
  b.take(t0);
  b.take(t0);
  b.release_at(t0 + 3s);  // frees at 13 s
  b.release_at(t0 + 1s);  // frees at 11 s (reported out of order)
  EXPECT_EQ(b.wait_time(t0 + 5s), 6s);
  b.take(t0 + 11s);
  EXPECT_EQ(b.wait_time(t0 + 11s), 2s);
  b.take(t0 + 13s);
  EXPECT_EQ(b.wait_time(t0 + 13s), std::chrono::nanoseconds::max());
}

TEST(RateBudgetCore, PauseHoldsEvenWithFreeSlots) {
  RateBudget b({5, 10s});
  b.pause_until(t0 + 4s);
  EXPECT_EQ(b.wait_time(t0), 4s);
  EXPECT_EQ(b.wait_time(t0 + 3s), 1s);
  EXPECT_EQ(b.wait_time(t0 + 4s), 0ns);
  // An earlier pause does not shorten a later one.
  b.pause_until(t0 + 2s);
  EXPECT_EQ(b.wait_time(t0), 4s);
}

TEST(RateBudgetCore, PauseAndFullWindowTakeTheLater) {
  RateBudget b({1, 10s});
  b.take(t0);
  b.release_at(t0);  // frees at 10 s
  b.pause_until(t0 + 3s);
  EXPECT_EQ(b.wait_time(t0), 10s);
  b.pause_until(t0 + 15s);
  EXPECT_EQ(b.wait_time(t0), 15s);
}

TEST(RateBudgetCore, UnlimitedOnlyObeysPauses) {
  RateBudget b(RateLimit::parse("0"));
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(b.wait_time(t0), 0ns);
    b.take(t0);
  }
  for (int i = 0; i < 10000; ++i) b.release_at(t0);
  b.pause_until(t0 + 2s);
  EXPECT_EQ(b.wait_time(t0), 2s);
}

TEST(RateBudget, AcquireBlocksUntilAReleaseFreesASlot) {
  RateBudget b({1, 50ms});
  b.acquire();
  auto start = Clock::now();
  std::thread responder([&] {
    std::this_thread::sleep_for(100ms);
    b.release();
  });
  b.acquire();  // free 50 ms after the release at ~100 ms
  auto waited = Clock::now() - start;
  responder.join();
  EXPECT_GE(waited, 145ms);
  EXPECT_LT(waited, 1s);
  EXPECT_EQ(b.waits(), 1u);
}

TEST(RateBudget, AcquireHonoursPause) {
  RateBudget b({10, 1s});
  auto start = Clock::now();
  b.pause_until(start + 120ms);
  b.acquire();
  EXPECT_GE(Clock::now() - start, 120ms);
}

// Real threads, a small real window: whatever the interleaving and the latencies, no
// window-long span holds more than N sends, nor more than N server arrivals (any time between
// send and response).
TEST(RateBudget, ConcurrentAcquireNeverExceedsNPerWindow) {
  constexpr std::uint32_t kN = 5;
  constexpr auto kWindow = 100ms;
  constexpr int kThreads = 8, kPerThread = 6;
  RateBudget b({kN, kWindow});
  std::mutex mu;
  std::vector<Clock::time_point> sends, arrivals;
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kPerThread; ++i) {
        b.acquire();
        auto sent = Clock::now();
        auto latency = std::chrono::milliseconds(rng() % 20);
        std::this_thread::sleep_for(latency);
        auto arrived = sent + latency / 2;
        b.release();
        std::lock_guard lock(mu);
        sends.push_back(sent);
        arrivals.push_back(arrived);
      }
    });
  }
  for (auto& w : workers) w.join();
  auto elapsed = Clock::now() - start;

  auto max_in_window = [&](std::vector<Clock::time_point> v) {
    std::sort(v.begin(), v.end());
    std::size_t most = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto end = std::lower_bound(v.begin() + i, v.end(), v[i] + kWindow);
      most = std::max<std::size_t>(most, end - (v.begin() + i));
    }
    return most;
  };
  EXPECT_EQ(max_in_window(sends), kN);  // full use of the budget, never more
  EXPECT_LE(max_in_window(arrivals), kN);
  // 48 requests, 5 per 100 ms: at least 9 windows must have passed.
  EXPECT_GE(elapsed, 9 * kWindow);
  EXPECT_GT(b.waits(), 0u);
}

}  // namespace
}  // namespace cforg::api
