// The young-org gate (young_orgs.cc): 403 right after a create, retried only while the org is
// young.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <ctime>
#include <map>
#include <memory>
#include <thread>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

json forbidden() {
  return error_envelope(10000, "Authentication error");
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

TEST_F(ClientTest, ChildOfAJustCreatedParentIsRetriedOn403) {
  queue(reply(200, envelope(org_json(kParent, "Parent"))));
  queue(reply(403, forbidden()));
  queue(reply(403, forbidden()));
  queue(reply(200, envelope(org_json(kId, "Child", kParent))));
  ASSERT_TRUE(client().create(OrgSpec{"Parent", ParentRef::root(), std::nullopt}).ok());
  auto start = clock->now();
  auto child = client().create(OrgSpec{"Child", ParentRef::id(kParent), std::nullopt});
  ASSERT_TRUE(child.ok()) << child.error().str();
  EXPECT_EQ(script->count(), 4u);
  EXPECT_EQ(client().stats().young_retries, 2u);
  // Probes a quarter of the parent's age apart, at least 200 ms: at 200 ms, then at 400 ms.
  EXPECT_EQ(clock->waits(), (std::vector<Clock::duration>{200ms, 200ms}));
  EXPECT_EQ(clock->now() - start, 400ms);
  EXPECT_EQ(script->request(3).body, script->request(1).body);
}

TEST_F(ClientTest, ProfileAndRenameOfAJustCreatedOrgAreRetriedOn403) {
  queue(reply(200, envelope(org_json(kId, "Org"))));
  queue(reply(403, forbidden()));
  queue(no_content());
  queue(reply(403, forbidden()));
  queue(reply(200, envelope(org_json(kId, "Renamed"))));
  ASSERT_TRUE(client().create(OrgSpec{"Org", ParentRef::root(), std::nullopt}).ok());
  EXPECT_TRUE(client().put_profile(kId, Profile{}).ok());
  EXPECT_TRUE(client().rename(kId, "Renamed").ok());
  EXPECT_EQ(client().stats().young_retries, 2u);
}

TEST_F(ClientTest, OrgListedWithARecentCreateTimeIsYoung) {
  json young = org_json(kId, "Young");
  young["create_time"] = rfc3339(std::chrono::system_clock::now() - 2s);
  json old = org_json(kParent, "Old");  // 2019
  queue(reply(200, envelope(json::array({young, old}))));
  queue(reply(403, forbidden()));
  queue(reply(200, envelope(org_json("c1", "Child", kId))));
  queue(reply(403, forbidden()));
  ASSERT_TRUE(client().list({}).ok());
  EXPECT_TRUE(client().create(OrgSpec{"Child", ParentRef::id(kId), std::nullopt}).ok());
  auto r = client().create(OrgSpec{"Child", ParentRef::id(kParent), std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 4u);
  EXPECT_EQ(client().stats().young_retries, 1u);
}

TEST_F(ClientTest, CreateTimeBeyondTheTimeoutOrUnreadableIsNotYoung) {
  for (std::string t : {rfc3339(std::chrono::system_clock::now() - 61s), std::string("yesterday"),
                        std::string("2026-13-01T00:00:00Z"), std::string(""),
                        std::string("1720-12-01T14:54:44.584Z")}) {
    json o = org_json(kId, "x");
    o["create_time"] = t;
    queue(reply(200, envelope(o)));
    queue(reply(403, forbidden()));
    ASSERT_TRUE(client().get(kId).ok()) << t;
    EXPECT_FALSE(client().get_profile(kId).ok());
  }
  EXPECT_EQ(client().stats().young_retries, 0u);
}

TEST_F(ClientTest, CreateTimeWithAnOffsetIsRead) {
  // 12:00:00+02:00 is 10:00:00Z: build "now" in +02:00 and it must count as young.
  auto now = std::chrono::system_clock::now() + 2h;
  std::string t = rfc3339(now);
  t.replace(t.size() - 1, 1, "+02:00");
  json o = org_json(kId, "x");
  o["create_time"] = t;
  queue(reply(200, envelope(o)));
  queue(reply(403, forbidden()));
  queue(reply(200, envelope(nullptr)));
  ASSERT_TRUE(client().get(kId).ok());
  auto p = client().get_profile(kId);
  EXPECT_TRUE(p.ok()) << p.error().str();
  EXPECT_EQ(client().stats().young_retries, 1u);
}

TEST_F(ClientTest, Young403StopsOnceTheOrgIsOlderThanTheTimeout) {
  opts.consistency_timeout = 600ms;
  queue(reply(200, envelope(org_json(kId, "Org"))));
  ASSERT_TRUE(client().create(OrgSpec{"Org", ParentRef::root(), std::nullopt}).ok());
  script->fallback = reply(403, forbidden());
  auto start = clock->now();
  auto r = client().get_profile(kId);
  auto took = clock->now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 403);
  EXPECT_GE(took, 550ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(took, 600ms);  // probes at 200 and 400 ms, then the timeout: not a moment more
  EXPECT_GE(client().stats().young_retries, 2u);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("created moments ago"));
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("entitled to Organizations"));
}

TEST_F(ClientTest, Young403WaitsOnlyThatRequest) {
  queue(reply(200, envelope(org_json(kParent, "Parent"))));
  ASSERT_TRUE(client().create(OrgSpec{"Parent", ParentRef::root(), std::nullopt}).ok());
  queue(reply(403, forbidden()));  // the child's; the get below gets the fallback
  HttpClient& c = client();
  // While the child's create waits for its young parent, a request about another org goes
  // at once: it waits for nothing, and no time passes for it.
  bool other_ran = false;
  clock->on_wait = [&] {
    other_ran = true;
    auto before = clock->now();
    auto waits = clock->waits().size();
    EXPECT_TRUE(c.get(kId).ok());
    EXPECT_EQ(clock->now(), before);
    EXPECT_EQ(clock->waits().size(), waits);
  };
  c.create(OrgSpec{"fallback", ParentRef::id(kParent), std::nullopt});
  EXPECT_TRUE(other_ran);
  EXPECT_EQ(c.stats().young_retries, 1u);
}

}  // namespace
}  // namespace cforg::api::test

namespace cforg::api::test {
namespace {

// --- learning the window from the run's refusals ----------------------------------------------

// A server with the contract's post-create window: a create under a parent younger than
// `window` (on the fake clock) is refused with 403; any other create makes the org.
class WindowServer : public Transport {
 public:
  WindowServer(std::shared_ptr<FakeWaitClock> clock, Clock::duration window)
      : clock_(std::move(clock)), window_(window) {}
  AuthScheme auth_scheme() const override { return AuthScheme::global_key; }
  HttpResponse send(const HttpRequest& req) override {
    std::lock_guard lock(mu_);
    ++requests_;
    json body = json::parse(req.body);
    std::string parent = body.contains("parent") ? body["parent"]["id"].get<std::string>() : "";
    if (!parent.empty() && clock_->now() - created_.at(parent) < window_) {
      ++refused_;
      return reply(403, forbidden());
    }
    std::string id = "org" + std::to_string(created_.size());
    created_[id] = clock_->now();
    return reply(200, envelope(org_json(id, body["name"], parent)));
  }
  int requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int refused() {
    std::lock_guard lock(mu_);
    return refused_;
  }

 private:
  std::shared_ptr<FakeWaitClock> clock_;
  Clock::duration window_;
  std::mutex mu_;
  std::map<std::string, Clock::time_point> created_;
  int requests_ = 0, refused_ = 0;
};

struct Chain {
  int requests = 0, refused = 0;
  // What the create of each level waited, summed (the first level, a root, never waits).
  std::vector<Clock::duration> waited_by_level;
};

// Creates a root, then a chain of `levels` children, each under the one before, one at a time.
Chain create_chain(Clock::duration window, int levels, bool learn) {
  auto clock = std::make_shared<FakeWaitClock>();
  auto server = std::make_unique<WindowServer>(clock, window);
  WindowServer& s = *server;
  ClientOptions o;
  o.base_url = kBase;
  o.rate_limit = RateLimit::parse("0");
  o.clock = clock;
  o.learn_young_window = learn;
  HttpClient c(std::move(server), o);
  Chain out;
  std::string parent;
  for (int level = 0; level <= levels; ++level) {
    auto before = clock->waited();
    auto r =
        c.create(OrgSpec{"Org " + std::to_string(level),
                         parent.empty() ? ParentRef::root() : ParentRef::id(parent), std::nullopt});
    EXPECT_TRUE(r.ok()) << r.error().str();
    if (!r.ok()) break;
    parent = r.value().id;
    out.waited_by_level.push_back(clock->waited() - before);
  }
  out.requests = s.requests();
  out.refused = s.refused();
  return out;
}

TEST(YoungWindow, LaterChildrenWaitOutTheWindowLearntFromTheFirstRefusals) {
  Chain learnt = create_chain(1500ms, 3, /*learn=*/true);
  // The first child finds the window as each org probed before: refused at 0, 200, 400, 600,
  // 800, 1000 and 1250 ms, taken at 1562.5 ms. The next tries to narrow it, one probe at a
  // time: refused at 1406 and 1484 ms (halfway each), then the gap is a sixteenth of the window
  // and it waits out the 1562.5 ms learnt; the last one waits that at once.
  const auto learnt_wait = 1562500us;
  EXPECT_EQ(learnt.refused, 7 + 2);
  EXPECT_EQ(learnt.requests, 4 + learnt.refused);
  EXPECT_EQ(learnt.waited_by_level,
            (std::vector<Clock::duration>{0ms, learnt_wait, learnt_wait, learnt_wait}));

  // Probing each parent on its own, as before: the same 7 refusals for every level.
  Chain probed = create_chain(1500ms, 3, /*learn=*/false);
  EXPECT_EQ(probed.refused, 3 * 7);
  EXPECT_EQ(probed.waited_by_level,
            (std::vector<Clock::duration>{0ms, learnt_wait, learnt_wait, learnt_wait}));
}

TEST(YoungWindow, AWindowOfZeroNeverWaits) {
  for (bool learn : {true, false}) {
    Chain c = create_chain(0ms, 4, learn);
    EXPECT_EQ(c.refused, 0);
    EXPECT_EQ(c.requests, 5);
    EXPECT_EQ(c.waited_by_level, std::vector<Clock::duration>(5, 0ms)) << learn;
  }
}

TEST(YoungWindow, ALearntWindowEndsWithTheConsistencyTimeout) {
  // A window longer than the timeout: what is learnt never holds a request past the timeout,
  // and the 403 that follows is the error it always was.
  auto clock = std::make_shared<FakeWaitClock>();
  ClientOptions o;
  o.base_url = kBase;
  o.rate_limit = RateLimit::parse("0");
  o.clock = clock;
  o.consistency_timeout = 1s;
  HttpClient c(std::make_unique<WindowServer>(clock, 10s), o);
  auto root = c.create(OrgSpec{"Root", ParentRef::root(), std::nullopt});
  ASSERT_TRUE(root.ok());
  auto start = clock->now();
  auto child = c.create(OrgSpec{"Child", ParentRef::id(root.value().id), std::nullopt});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().status, 403);
  EXPECT_EQ(clock->now() - start, 1s);
  // A second young parent waits for the window learnt so far (longer than 800 ms) at most
  // until its own timeout, then is refused once more and fails.
  auto other = c.create(OrgSpec{"Other", ParentRef::root(), std::nullopt});
  ASSERT_TRUE(other.ok());
  start = clock->now();
  auto second = c.create(OrgSpec{"Child", ParentRef::id(other.value().id), std::nullopt});
  ASSERT_FALSE(second.ok());
  EXPECT_LE(clock->now() - start, 1s);
}

// Real threads: what is shown is that a second worker blocks while the first change is out.
TEST(YoungWindow, TheRunsFirstChangeNamingAYoungOrgGoesAlone) {
  // Answers every create with 200, but holds the first child's until released.
  struct HoldingServer : Transport {
    std::mutex mu;
    std::condition_variable cv;
    bool held = true;
    int sent = 0;
    AuthScheme auth_scheme() const override { return AuthScheme::global_key; }
    HttpResponse send(const HttpRequest& req) override {
      std::unique_lock lock(mu);
      const int n = ++sent;
      cv.notify_all();
      if (n == 2) cv.wait_for(lock, 10s, [&] { return !held; });
      json body = json::parse(req.body);
      std::string parent = body.contains("parent") ? body["parent"]["id"].get<std::string>() : "";
      return reply(200, envelope(org_json("org" + std::to_string(n), body["name"], parent)));
    }
    int count() {
      std::lock_guard lock(mu);
      return sent;
    }
  };
  auto server = std::make_unique<HoldingServer>();
  HoldingServer& s = *server;
  ClientOptions o;
  o.base_url = kBase;
  o.rate_limit = RateLimit::parse("0");
  HttpClient c(std::move(server), o);
  auto root = c.create(OrgSpec{"Root", ParentRef::root(), std::nullopt});
  ASSERT_TRUE(root.ok());
  const std::string id = root.value().id;
  std::thread first([&] {
    EXPECT_TRUE(c.create(OrgSpec{"A", ParentRef::id(id), std::nullopt}).ok());
  });
  {
    std::unique_lock lock(s.mu);
    ASSERT_TRUE(s.cv.wait_for(lock, 10s, [&] { return s.sent == 2; }));
  }
  std::thread second([&] {
    EXPECT_TRUE(c.create(OrgSpec{"B", ParentRef::id(id), std::nullopt}).ok());
  });
  std::this_thread::sleep_for(100ms);  // time for the second to reach the server, if it could
  EXPECT_EQ(s.count(), 2);
  {
    std::lock_guard lock(s.mu);
    s.held = false;
  }
  s.cv.notify_all();
  first.join();
  second.join();
  EXPECT_EQ(s.count(), 3);
  // Taken: no window, and from now on nothing waits for anything.
  EXPECT_TRUE(c.create(OrgSpec{"C", ParentRef::id(id), std::nullopt}).ok());
  EXPECT_EQ(c.stats().young_retries, 0u);
}

}  // namespace
}  // namespace cforg::api::test
