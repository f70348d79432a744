// What a plan says applying it costs, computed in the plan stage from the actions alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/plan/plan.h"
#include "cforg/plan/plan_file.h"
#include "cforg/plan/render.h"
#include "plan_test_support.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::HasSubstr;

// A created root with a created child (which waits for its young parent), a rename with a
// profile change (two requests), and a delete.
struct Mixed {
  state::State st;
  config::Config cfg;
  Mixed() {
    st.orgs["old"] = tracked(1, "Old");
    st.orgs["gone"] = tracked(2, "Gone");
    cfg = load(R"(
organizations:
  - {name: Root}
  - {name: Child, parent: Root}
  - name: Renamed
    key: old
    profile: {business_name: A, business_email: B, business_phone: C, business_address: D,
              external_metadata: E}
)");
  }
};

TEST(Estimate, CountsEachActionsRequestsAsTheApiTakesThem) {
  Mixed m;
  Plan p = make_plan(m.cfg, m.st, nullptr, {});
  // --refresh=false: no remote side, so each create is preceded by a lookup.
  Estimate e = p.estimate();
  // 2 creates + rename + profile + delete = 5 mutations, 2 lookups.
  EXPECT_EQ(e.lookups, 2u);
  EXPECT_EQ(e.requests, 7u);
  EXPECT_EQ(e.young_parent_creates, 1u);
  EXPECT_DOUBLE_EQ(e.seconds, 7 * 300.0 / 1200);

  p.refreshed = true;  // read remotely: the plan already looked, apply does not again
  EXPECT_EQ(p.estimate().requests, 5u);
  EXPECT_EQ(p.estimate().lookups, 0u);
}

TEST(Estimate, AReplacementIsADeleteAndACreate) {
  state::State st;
  st.orgs["a"] = tracked(1, "A");
  Remote remote;
  Organization r;
  r.id = testing::org_id(1);
  r.spec.name = "A";
  r.create_time = "2026-01-01T00:00:00.000Z";
  r.meta = nlohmann::json::object();
  remote.orgs[r.id] = r;
  remote.checked.insert(r.id);
  remote.children[r.id] = {};
  Plan p = make_plan(load("organizations:\n  - {name: A, key: a}\n"), st, &remote,
                     {.adopt = false, .replace = {"a"}});
  ASSERT_TRUE(p.errors.empty()) << p.errors.front().message;
  EXPECT_THAT(keys(p), ::testing::UnorderedElementsAre("delete a", "create a"));
  EXPECT_EQ(p.estimate().requests, 2u);
}

TEST(Estimate, TimeIsAtTheBudgetsPaceAndSaysSo) {
  Plan p;
  p.refreshed = true;
  for (int i = 0; i < 412; ++i) {
    Action a;
    a.kind = ActionKind::remove;
    a.key = "k" + std::to_string(i);
    a.id = testing::org_id(i + 1);
    p.actions.push_back(a);
  }
  EXPECT_EQ(estimate_text(p), "412 requests, about 1 min 43 s at 1200/300 s");
  p.options.budget = {4, 1000};
  EXPECT_EQ(estimate_text(p), "412 requests, about 1 min 43 s at 4/1 s");
  p.options.budget = {0, 0};
  EXPECT_EQ(estimate_text(p), "412 requests (no request budget)");
  p.options.budget = {1200, 300000};
  p.actions.resize(1);
  EXPECT_EQ(estimate_text(p), "1 request, under 1 s at 1200/300 s");
  // Every plan with changes says it, in each format.
  EXPECT_THAT(render_text(p), HasSubstr("Cost: 1 request, under 1 s at 1200/300 s.\n"));
  EXPECT_THAT(render_markdown(p), HasSubstr("**Cost:** 1 request"));
  p.actions.resize(412, p.actions.front());
  EXPECT_THAT(render_text(p), HasSubstr("Cost: 412 requests, about 1 min 43 s at 1200/300 s.\n"));
  EXPECT_EQ(to_json(p)["estimate"]["requests"], 412);
  EXPECT_EQ(to_json(p)["estimate"]["seconds"], 103.0);
}

TEST(Estimate, TheBudgetRoundTripsThroughAPlanFile) {
  Mixed m;
  Plan p = make_plan(m.cfg, m.st, nullptr, {.budget = {600, 60000}});
  Plan back = plan_from_json(to_json(p), "test");
  EXPECT_EQ(back.options.budget, (Budget{600, 60000}));
  EXPECT_EQ(back.estimate().seconds, p.estimate().seconds);
}

}  // namespace
}  // namespace cforg::plan
