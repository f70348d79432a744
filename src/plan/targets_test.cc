// --target: a plan narrowed to some keys and what they depend on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/plan/plan.h"
#include "cforg/plan/plan_file.h"
#include "plan_test_support.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char* kForest = R"(
organizations:
  - {name: A}
  - {name: A1, parent: A}
  - {name: A2, parent: A}
  - {name: B}
)";

TEST(Target, KeepsTheTargetAndWhatItDependsOnAndWarns) {
  Plan p = make_plan(load(kForest), state::State{}, nullptr, {.targets = {"A1"}});
  EXPECT_THAT(keys(p), ElementsAre("create A", "create A1"));
  EXPECT_THAT(p.options.targets, ElementsAre("A1"));
  ASSERT_FALSE(p.warnings.empty());
  EXPECT_THAT(p.warnings.back(), HasSubstr("--target is in effect (A1)"));
  EXPECT_THAT(p.warnings.back(), HasSubstr("2 other changes of the config are left out"));
  EXPECT_THAT(p.warnings.back(), HasSubstr("exceptional use"));
  Plan back = plan_from_json(to_json(p), "test");
  EXPECT_THAT(back.options.targets, ElementsAre("A1"));
}

TEST(Target, ADeleteOfAParentTakesItsChildrensDeletesAlong) {
  state::State st;
  st.orgs["p"] = tracked(1, "P");
  st.orgs["c"] = tracked(2, "C", 1);
  st.orgs["other"] = tracked(3, "Other");
  st.relink_parents();
  Plan p = make_plan(load("organizations: []\n"), st, nullptr, {.targets = {"p"}});
  EXPECT_THAT(keys(p), ElementsAre("delete c", "delete p"));
}

}  // namespace
}  // namespace cforg::plan
