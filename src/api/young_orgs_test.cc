// The young-org gate (young_orgs.cc): 403 right after a create, retried only while the org is
// young.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

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
                        std::string("2026-13-01T00:00:00Z"), std::string("")}) {
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
