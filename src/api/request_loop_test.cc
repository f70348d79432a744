// The request loop (request_loop.cc): which failures are sent again, and the waits of the rate
// budget and of Retry-After.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

HttpResponse with_budget(HttpResponse r, std::uint64_t remaining, std::chrono::milliseconds reset,
                         std::optional<std::uint64_t> quota = std::nullopt) {
  r.rate_limit.remaining = remaining;
  r.rate_limit.reset = reset;
  r.rate_limit.limit = quota;
  return r;
}

TEST_F(ClientTest, PostIsNotRepeatedAfter502) {
  queue(reply(502, error_envelope(1, "bad gateway")));
  auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("may have carried it out"));
}

TEST_F(ClientTest, PostIsNotRepeatedAfterTimeoutOrBrokenConnection) {
  for (Failure f : {Failure::timeout, Failure::broken}) {
    queue(failure(f));
    auto before = script->count();
    auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(script->count(), before + 1);
    EXPECT_EQ(r.error().kind, ApiError::Kind::transport);
    EXPECT_TRUE(r.error().outcome_unknown);
  }
  EXPECT_EQ(client().stats().retries, 0u);
}

TEST_F(ClientTest, PostIsRepeatedAfter429) {
  queue(reply(429, error_envelope(971, "Please wait"), 5ms));
  queue(reply(201, envelope(org_json(kId, "X"))));
  auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 2u);
  EXPECT_EQ(script->request(1).body, script->request(0).body);
  EXPECT_EQ(client().stats().rate_limited, 1u);
  EXPECT_EQ(client().stats().retries, 1u);
  EXPECT_EQ(client().stats().requests, 2u);
}

TEST_F(ClientTest, PostIsRepeatedWhenItWasNeverSent) {
  queue(failure(Failure::not_sent));
  queue(failure(Failure::not_sent));
  queue(reply(201, envelope(org_json(kId, "X"))));
  auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, GetIsRetriedOn503) {
  queue(reply(503, error_envelope(1, "unavailable")));
  queue(reply(503, error_envelope(1, "unavailable")));
  auto r = client().get(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 3u);
  EXPECT_EQ(client().stats().retries, 2u);
}

TEST_F(ClientTest, PutAndDeleteAreRetriedAfterTimeouts) {
  queue(failure(Failure::timeout));
  EXPECT_TRUE(client().rename(kId, "fallback").ok());
  queue(failure(Failure::broken));
  queue(reply(200, envelope({{"id", kId}})));
  EXPECT_TRUE(client().remove(kId).ok());
  EXPECT_EQ(script->count(), 4u);
}

TEST_F(ClientTest, DeleteThatLibcurlResentThenNotFoundIsDone) {
  HttpResponse gone = reply(404, error_envelope(1003, "not found"));
  gone.resent = true;  // the copy on the dead connection may have deleted it
  queue(gone);
  EXPECT_TRUE(client().remove(kId).ok());
  queue(reply(404, error_envelope(1003, "not found")));
  EXPECT_FALSE(client().remove(kId).ok());  // a first answer: it was not there
}

TEST_F(ClientTest, DeleteThatMayHaveWorkedThenNotFoundIsDone) {
  queue(failure(Failure::broken));
  queue(reply(404, error_envelope(1003, "not found")));
  EXPECT_TRUE(client().remove(kId).ok());  // the first attempt deleted it
  EXPECT_EQ(script->count(), 2u);
}

TEST_F(ClientTest, GivesUpAfterMaxRetries) {
  script->fallback = reply(503, error_envelope(1, "unavailable"));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 4u);  // 1 + max_retries (3)
  // Backoff from 1 ms, doubling to the 4 ms cap, each jittered to between half and all of it.
  auto waits = clock->waits();
  ASSERT_EQ(waits.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto full = std::chrono::milliseconds(1 << i);
    EXPECT_GE(waits[i], full / 2);
    EXPECT_LE(waits[i], full);
  }
  EXPECT_EQ(r.error().status, 503);
  EXPECT_FALSE(r.error().outcome_unknown);  // a GET changes nothing
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("gave up after 3 retries"));
}

TEST_F(ClientTest, UnusableRequestIsNotRetried) {
  queue(failure(Failure::unusable));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_FALSE(r.error().outcome_unknown);
}

TEST_F(ClientTest, RetryAfterOn429PausesEveryWorker) {
  queue(reply(429, error_envelope(971, "Please wait"), 300ms));
  HttpClient& c = client();
  auto start = clock->now();
  // While the first worker waits out the pause, another worker, whose own request never saw a
  // 429, still waits for it.
  bool other_ran = false;
  clock->on_wait = [&] {
    other_ran = true;
    EXPECT_TRUE(c.get(kId).ok());
  };
  EXPECT_TRUE(c.get(kId).ok());
  ASSERT_TRUE(other_ran);
  std::lock_guard lock(script->mu);
  ASSERT_EQ(script->sent_at.size(), 3u);
  EXPECT_GE(script->sent_at[1] - start, 300ms);  // the other worker's
  EXPECT_GE(script->sent_at[2] - start, 300ms);  // the retry
  EXPECT_EQ(clock->waits().at(0), 300ms);
}

TEST_F(ClientTest, EveryRequestGoesThroughTheBudget) {
  opts.rate_limit = RateLimit::parse("2/0.2");
  auto start = clock->now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client().get(kId).ok());
  // 2 sends at 0, then 2 when those slots free 200 ms after their replies, then 2 more.
  EXPECT_EQ(clock->now() - start, 400ms);
  EXPECT_EQ(clock->waits(), (std::vector<Clock::duration>{200ms, 200ms}));
  EXPECT_EQ(client().stats().requests, 6u);
  EXPECT_EQ(client().stats().in_flight, 0u);
}

TEST_F(ClientTest, ConcurrentCallsAreCounted) {
  HttpClient& c = client();
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(c.get(kId).ok());
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(client().stats().requests, 400u);
  EXPECT_EQ(script->count(), 400u);
}

TEST_F(ClientTest, NeverSpendsMoreThanTheServerSaysIsLeft) {
  // The first answer says 2 are left for 400 ms: the next 2 go at once, the one after waits.
  queue(with_budget(reply(200, envelope(org_json(kId, "x"))), 2, 400ms));
  auto start = clock->now();
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client().get(kId).ok());
  std::lock_guard lock(script->mu);
  EXPECT_EQ(script->sent_at[2] - start, 0ms);
  EXPECT_GE(script->sent_at[3] - start, 400ms);
  EXPECT_EQ(client().stats().rate_limited, 0u);
}

TEST_F(ClientTest, SpentBudgetShowsTheWaitForTheProgressLine) {
  queue(with_budget(reply(200, envelope(org_json(kId, "x"))), 0, 1000ms));
  ASSERT_TRUE(client().get(kId).ok());
  HttpClient& c = client();
  auto before = clock->now();
  std::int64_t shown = 0;
  clock->on_wait = [&] { shown = c.stats().waiting_until_ms.load(); };
  EXPECT_TRUE(c.get(kId).ok());
  auto expected =
      std::chrono::duration_cast<std::chrono::milliseconds>((before + 1000ms).time_since_epoch());
  EXPECT_EQ(shown, expected.count());
  EXPECT_EQ(c.stats().waiting_until_ms.load(), 0);  // cleared once requests flow
  EXPECT_GE(clock->now() - before, 1000ms);
}

TEST_F(ClientTest, BudgetSpentForLongerThanMaxWaitFailsWithoutSending) {
  opts.max_wait = 2s;
  queue(with_budget(reply(200, envelope(org_json(kId, "x"))), 0, 3600s));
  ASSERT_TRUE(client().get(kId).ok());
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(clock->waits().empty());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("spent for 3600 s"));
}

TEST_F(ClientTest, RetryAfterBeyondMaxWaitFailsAtOnceQuotingTheServer) {
  opts.max_wait = 5s;
  for (std::string text :
       {"999999999", "18446744073709551616", "Thu, 01 Jan 2099 00:00:00 GMT", "6"}) {
    HttpResponse r = reply(429, error_envelope(10100, "More than 1200 requests per 300 seconds"));
    r.retry_after = parse_retry_after(text, std::time(nullptr));
    ASSERT_TRUE(r.retry_after) << text;
    r.retry_after_text = text;
    queue(r);
    auto before = script->count();
    auto got = client().get(kId);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_TRUE(clock->waits().empty()) << text;
    EXPECT_EQ(script->count(), before + 1) << text;
    EXPECT_EQ(got.error().status, 429);
    EXPECT_THAT(got.error().str(), ::testing::HasSubstr("(Retry-After: " + text + ")"));
  }
  EXPECT_EQ(client().stats().rate_limited, 4u);
}

// Found by tests/fuzz: a 5xx's Retry-After was slept through whatever max_wait said.
TEST_F(ClientTest, A503WithRetryAfterBeyondMaxWaitFailsAtOnceQuotingTheServer) {
  opts.max_wait = 5s;
  HttpResponse r = reply(503, error_envelope(10000, "temporarily unavailable"));
  r.retry_after = parse_retry_after("86400", std::time(nullptr));
  r.retry_after_text = "86400";
  queue(r);
  auto got = client().get(kId);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(clock->waits().empty());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_EQ(got.error().status, 503);
  EXPECT_THAT(got.error().str(), ::testing::HasSubstr("(Retry-After: 86400)"));
}

TEST_F(ClientTest, A429WithoutRetryAfterWaitsForTheRatelimitReset) {
  opts.retry.base_delay = 1ms;
  // t is whole seconds in the header.
  queue(with_budget(reply(429, error_envelope(971, "Please wait")), 0, 2s));
  auto start = clock->now();
  ASSERT_TRUE(client().get(kId).ok());
  EXPECT_EQ(clock->waits(), std::vector<Clock::duration>{2s});  // not the 1 ms backoff
  EXPECT_EQ(clock->now() - start, 2s);
}

TEST_F(ClientTest, RetryAfterPauseIsShownForTheProgressLine) {
  queue(reply(429, error_envelope(971, "Please wait"), 400ms));
  HttpClient& c = client();
  auto start = clock->now();
  std::int64_t shown = 0;
  clock->on_wait = [&] { shown = c.stats().waiting_until_ms.load(); };
  EXPECT_TRUE(c.get(kId).ok());
  auto expected =
      std::chrono::duration_cast<std::chrono::milliseconds>((start + 400ms).time_since_epoch());
  EXPECT_EQ(shown, expected.count());
  EXPECT_EQ(c.stats().waiting_until_ms.load(), 0);
}

}  // namespace
}  // namespace cforg::api::test
