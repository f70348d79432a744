#include "cforg/api/rate_budget.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fake_wait_clock.h"

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

// Real threads: the waiter blocks on "every slot in flight", which only another thread's
// release can end.
TEST(RateBudget, AcquireBlocksUntilAReleaseFreesASlot) {
  RateBudget b({1, 50ms});
  b.acquire();
  auto start = Clock::now();
  std::thread waiter([&] { b.acquire(); });  // free 50 ms after the release below
  // waits() counts the waiter under the budget's lock, which it holds until it blocks.
  while (b.waits() == 0 && Clock::now() - start < 10s) std::this_thread::yield();
  ASSERT_EQ(b.waits(), 1u);
  auto released = Clock::now();
  b.release();
  waiter.join();
  auto waited = Clock::now() - released;
  EXPECT_GE(waited, 45ms);
  EXPECT_LT(waited, 1s);
  EXPECT_EQ(b.waits(), 1u);
}

TEST(RateBudget, AcquireHonoursPause) {
  auto clock = std::make_shared<test::FakeWaitClock>();
  RateBudget b({10, 1s}, 360s, clock);
  auto start = clock->now();
  b.pause_until(start + 120ms);
  b.acquire();
  EXPECT_EQ(clock->now() - start, 120ms);
  EXPECT_EQ(clock->waits(), std::vector<Clock::duration>{120ms});
}

// What the controller asks before a refresh: how many could go now, and from when n could.
TEST(RateBudget, AvailableCountsFreeSlotsAndTheServersFiguresAndSaysWhenNFit) {
  auto clock = std::make_shared<test::FakeWaitClock>();
  RateBudget b({4, 10s}, 360s, clock);
  const auto start = clock->now();
  EXPECT_EQ(b.available(), 4);
  auto t1 = b.acquire();
  auto t2 = b.acquire();
  EXPECT_EQ(b.available(), 2) << "two in flight";
  clock->advance(1s);
  b.release(*t1);  // frees at 11 s
  clock->advance(1s);
  b.release(*t2);  // frees at 12 s
  EXPECT_EQ(b.available(), 2);
  EXPECT_EQ(b.available_at(2), clock->now());
  EXPECT_EQ(b.available_at(3), start + 11s);
  EXPECT_EQ(b.available_at(4), start + 12s);
  EXPECT_EQ(b.available_at(5), Clock::time_point::max()) << "more than the window holds";
  clock->advance(10s);
  EXPECT_EQ(b.available(), 4);
  // The server says one is left, for 30 s: that is what is available, until its reset.
  auto t3 = b.acquire();
  ServerRateLimit server;
  server.remaining = 1;
  server.reset = 30s;
  b.release(*t3, server);
  EXPECT_EQ(b.available(), 1);
  EXPECT_EQ(b.available_at(2), clock->now() + 30s);
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

// --- the server's allowance ------------------------------------------------------------------

ServerRateLimit says(std::uint64_t remaining, std::chrono::milliseconds reset) {
  ServerRateLimit s;
  s.remaining = remaining;
  s.reset = reset;
  return s;
}

TEST(RateBudgetServer, CountsRequestsSentAfterTheReading) {
  RateBudget b(RateLimit::parse("0"));
  auto k = b.take(t0);
  b.release_at(t0, k, says(3, 10s));
  EXPECT_EQ(b.server_allowance(t0), 3);
  EXPECT_EQ(b.wait_time(t0), 0ns);
  for (int i = 0; i < 3; ++i) b.take(t0);
  EXPECT_EQ(b.server_allowance(t0), 0);
  // Spent: every request waits for the reset, however many local slots are free.
  EXPECT_EQ(b.wait_time(t0 + 1s), 9s);
  EXPECT_EQ(b.server_wait(t0 + 1s), t0 + 10s);
}

TEST(RateBudgetServer, OlderRequestsStillInFlightCount) {
  RateBudget b(RateLimit::parse("0"));
  auto a = b.take(t0), k = b.take(t0);
  (void)a;
  // k's answer arrived first: a may reach the server after it, so it counts.
  b.release_at(t0, k, says(5, 10s));
  EXPECT_EQ(b.server_allowance(t0), 4);
}

TEST(RateBudgetServer, ARequestAnsweredFirstMayStillHaveArrivedLater) {
  RateBudget b(RateLimit::parse("0"));
  auto j = b.take(t0), k = b.take(t0);
  // j is answered first, but may have reached the server after k: k's figure may not count it.
  b.release_at(t0, j, says(10, 10s));
  EXPECT_EQ(b.server_allowance(t0), 9);  // 10, less k sent after j
  b.release_at(t0, k, says(9, 10s));     // maybe without j
  EXPECT_EQ(b.server_allowance(t0), 8);
}

TEST(RateBudgetServer, FresherReadingWinsAndStaleOnlyWhenStricter) {
  RateBudget b(RateLimit::parse("0"));
  auto k1 = b.take(t0), k2 = b.take(t0), k3 = b.take(t0);
  b.release_at(t0, k2, says(10, 10s));  // k1 in flight: 10 - 1 - (k3 sent after) = 8
  EXPECT_EQ(b.server_allowance(t0), 8);
  b.release_at(t0, k1, says(50, 10s));  // older and more generous: ignored
  EXPECT_EQ(b.server_allowance(t0), 8);
  // Fresher: believed, even though it allows more; less k1 and k2, unanswered when k3 went out.
  b.release_at(t0, k3, says(20, 10s));
  EXPECT_EQ(b.server_allowance(t0), 18);
  auto k4 = b.take(t0);
  auto k5 = b.take(t0);
  b.release_at(t0, k5, says(15, 10s));  // k4 in flight: 14
  EXPECT_EQ(b.server_allowance(t0), 14);
  b.release_at(t0, k4, says(2, 10s));  // older but stricter (another client spent): 2 - 1
  EXPECT_EQ(b.server_allowance(t0), 1);
}

TEST(RateBudgetServer, AfterTheResetOneRequestAtATimeUntilAResponseTells) {
  RateBudget b(RateLimit::parse("0"));
  auto k = b.take(t0);
  b.release_at(t0, k, says(0, 2s));
  EXPECT_EQ(b.wait_time(t0), 2s);
  // Past the reset: nothing says how much came back (a sliding window's t is when one slot
  // frees), so one request goes and the next waits for its answer.
  EXPECT_EQ(b.wait_time(t0 + 2s), 0ns);
  auto probe = b.take(t0 + 2s);
  EXPECT_EQ(b.wait_time(t0 + 2s), std::chrono::nanoseconds::max());
  b.release_at(t0 + 2100ms, probe, says(30, 5s));
  EXPECT_EQ(b.server_allowance(t0 + 2100ms), 30);
  EXPECT_EQ(b.wait_time(t0 + 2100ms), 0ns);
}

ServerRateLimit says_in(std::uint64_t remaining, std::chrono::milliseconds reset,
                        std::chrono::milliseconds window) {
  ServerRateLimit s = says(remaining, reset);
  s.window = window;
  return s;
}

TEST(RateBudgetServer, SpentProbeWaitsForOurOwnOldestRequestToLeaveTheServersWindow) {
  // Another client's old request frees a slot at t0 + 2 s; it spends at a steady pace and takes
  // it back. Ours, answered at t0 and t0 + 1 s, leave the 10 s window at t0 + 10 s: the probe
  // waits for that, not for t.
  RateBudget b(RateLimit::parse("0"));
  b.release_at(t0, b.take(t0), says_in(1, 2s, 10s));
  b.release_at(t0 + 1s, b.take(t0 + 1s), says_in(0, 1s, 10s));
  EXPECT_EQ(b.server_wait(t0 + 1s), t0 + 10s);
  EXPECT_EQ(b.wait_time(t0 + 2s), 8s);  // past t, still waiting
  EXPECT_EQ(b.wait_time(t0 + 10s), 0ns);
  auto probe = b.take(t0 + 10s);
  EXPECT_EQ(b.wait_time(t0 + 10s), std::chrono::nanoseconds::max());  // one probe at a time
  b.release_at(t0 + 10100ms, probe, says_in(5, 1s, 10s));
  EXPECT_EQ(b.server_allowance(t0 + 10100ms), 5);
}

TEST(RateBudgetServer, SpentProbeGoesAtTheResetWhenNoneOfOursIsInTheWindow) {
  RateBudget b(RateLimit::parse("0"));
  // Our only counted request left the window long ago; the 429s the server refused do not count.
  b.release_at(t0, b.take(t0), says_in(10, 5s, 10s));
  b.release_at(t0 + 30s, b.take(t0 + 30s), says_in(0, 4s, 10s), /*counted=*/false);
  EXPECT_EQ(b.server_wait(t0 + 30s), t0 + 34s);
  EXPECT_EQ(b.wait_time(t0 + 34s), 0ns);
}

TEST(RateBudgetServer, SpentProbeGoesWhenOursLeavesEvenBeforeTheRoundedUpReset) {
  RateBudget b(RateLimit::parse("0"));
  b.release_at(t0, b.take(t0), says_in(5, 10s, 10s));
  // t is whole seconds rounded up: 1 s, though our request leaves the window at t0 + 10 s.
  b.release_at(t0 + 9500ms, b.take(t0 + 9500ms), says_in(0, 1s, 10s));
  EXPECT_EQ(b.server_wait(t0 + 9500ms), t0 + 10s);
  EXPECT_EQ(b.wait_time(t0 + 10s), 0ns);
}

TEST(RateBudgetServer, SpentProbeIgnoresOursAnsweredLateThatMayHaveLeftAlready) {
  RateBudget b(RateLimit::parse("0"));
  auto slow = b.take(t0);  // arrived at some point between t0 and its answer at t0 + 3 s
  auto next = b.take(t0 + 5s);
  b.release_at(t0 + 3s, slow, says_in(8, 7s, 10s));
  b.release_at(t0 + 5100ms, next, says_in(7, 5s, 10s));
  // At t0 + 10.5 s the slow one may have left at t0 + 10 s and its slot been taken already:
  // not ours to wait for. The next one, sent at t0 + 5 s, surely is in the window.
  b.release_at(t0 + 10500ms, b.take(t0 + 10500ms), says_in(0, 1s, 10s));
  EXPECT_EQ(b.server_wait(t0 + 10500ms), t0 + 15100ms);
}

TEST(RateBudgetServer, WithoutThePolicysWindowTheProbeGoesAtTheReset) {
  RateBudget b(RateLimit::parse("0"));
  b.release_at(t0, b.take(t0), says(0, 2s));  // legacy headers: no window
  EXPECT_EQ(b.server_wait(t0), t0 + 2s);
}

TEST(RateBudgetServer, NoneLeftWithAZeroResetStillWaitsASecond) {
  RateBudget b(RateLimit::parse("0"));
  b.release_at(t0, b.take(t0), says(0, 0s));
  EXPECT_EQ(b.wait_time(t0), 1s);
}

TEST(RateBudgetServer, WithoutFiguresTheLocalWindowDecides) {
  RateBudget b({2, 10s});
  b.release_at(t0, b.take(t0), ServerRateLimit{});  // no headers
  EXPECT_FALSE(b.server_allowance(t0));
  EXPECT_EQ(b.wait_time(t0), 0ns);  // one slot freeing, one free
  b.take(t0);
  EXPECT_EQ(b.wait_time(t0), 10s);
}

TEST(RateBudgetServer, BothLimitsHold) {
  // The server allows plenty, the local window does not: the local window wins, and the
  // other way round.
  RateBudget b({2, 10s});
  b.release_at(t0, b.take(t0), says(100, 60s));
  b.take(t0);
  EXPECT_EQ(b.wait_time(t0), 10s);  // 2 local slots used: the first frees at t0 + 10 s
  RateBudget c({100, 10s});
  c.release_at(t0, c.take(t0), says(1, 30s));
  c.take(t0);
  EXPECT_EQ(c.wait_time(t0), 30s);
}

TEST(RateBudgetServer, AReadingWithoutRemainingOrResetIsNotUsed) {
  RateBudget b(RateLimit::parse("0"));
  ServerRateLimit only_remaining;
  only_remaining.remaining = 0;
  b.release_at(t0, b.take(t0), only_remaining);
  EXPECT_FALSE(b.server_allowance(t0));
  ServerRateLimit with_window = only_remaining;
  with_window.window = 60s;  // the policy's window stands in for t
  b.release_at(t0, b.take(t0), with_window);
  EXPECT_EQ(b.wait_time(t0), 60s);
}

TEST(RateBudget, AcquireRefusesAWaitBeyondMaxWait) {
  auto clock = std::make_shared<test::FakeWaitClock>();
  RateBudget b(RateLimit::parse("0"), 1s, clock);
  auto k = b.acquire();
  ASSERT_TRUE(k);
  b.release(*k, says(0, 30s));
  std::chrono::milliseconds refused{0};
  EXPECT_FALSE(b.acquire(&refused));
  EXPECT_TRUE(clock->waits().empty());
  EXPECT_EQ(refused, 30s);
}

TEST(RateBudget, AcquireWaitsForTheServersResetAndReportsIt) {
  auto clock = std::make_shared<test::FakeWaitClock>();
  RateBudget b(RateLimit::parse("0"), 360s, clock);
  std::atomic<std::int64_t> until{0};
  b.report_waits_to(&until);
  auto k = b.acquire();
  b.release(*k, says(0, 1s));  // t of "1" second
  auto start = clock->now();
  std::int64_t shown = 0;
  clock->on_wait = [&] { shown = until.load(); };
  ASSERT_TRUE(b.acquire());
  auto expected =
      std::chrono::duration_cast<std::chrono::milliseconds>((start + 1s).time_since_epoch());
  EXPECT_EQ(shown, expected.count());
  EXPECT_EQ(clock->now() - start, 1s);
  EXPECT_EQ(until.load(), 0);
}

}  // namespace
}  // namespace cforg::api
