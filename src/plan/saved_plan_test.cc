#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cforg/plan/plan_file.h"
#include "plan_test_support.h"
#include "support/process.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A refreshed plan with every kind of input make_plan takes: a tracked org renamed, one gone,
// a drifted one, a create under a tracked parent, a replacement.
struct SavedEstate {
  config::Config cfg = load(R"(
organizations:
  - {name: Root, key: root}
  - {name: Platform 2, key: platform, parent: root}
  - {name: Data, parent: platform}
  - {name: New, parent: root}
)");
  state::State st = [] {
    state::State st = tree_state();
    st.orgs["gone"] = tracked(7, "Gone", 1);
    st.relink_parents();
    return st;
  }();
  Plan plan = [this] {
    Remote remote;
    for (const auto& [key, org] : st.orgs) {
      remote.checked.insert(org.id);
      if (key != "gone") remote.orgs[org.id] = remote_of(org);
    }
    remote.orgs[id(1)].spec.name = "Drifted Root";
    remote.searched.insert({id(1), "New"});
    remote.children[id(3)] = {};
    Plan p = make_plan(cfg, st, &remote, {.adopt = false, .replace = {"Data"}});
    p.remote = std::move(remote);  // as the plan command records it
    return p;
  }();

  // Written and read back, as `plan --out` and `apply FILE` do; the digest is recomputed by
  // to_json, as a careful forger would.
  Plan saved(const Plan& p) const { return plan_from_json(to_json(p), "p.json"); }
  std::string refusal(const Plan& p) const {
    try {
      verify_saved_plan(saved(p), cfg, st, "p.json");
    } catch (const PlanFileError& e) {
      return e.what();
    }
    return "(accepted)";
  }
};

TEST(SavedPlan, AnUntouchedPlanRoundTripsAndVerifies) {
  SavedEstate e;
  ASSERT_TRUE(e.plan.errors.empty()) << e.plan.errors.front().message;
  // "gone" is forgotten (not deleted): it is gone remotely.
  ASSERT_THAT(keys(e.plan), ElementsAre("update root", "update platform", "create New",
                                        "create Data", "delete Data"));
  ASSERT_THAT(e.plan.forget, ElementsAre("gone"));
  Plan back = e.saved(e.plan);
  EXPECT_EQ(back, e.plan);
  EXPECT_EQ(verify_saved_plan(back, e.cfg, e.st, "p.json"), e.plan);
  // One plan, one text: the digest is stable.
  EXPECT_EQ(to_json(back).dump(), to_json(e.plan).dump());
}

TEST(SavedPlan, AHandEditIsRefusedByTheDigestBeforeAnythingElse) {
  SavedEstate e;
  nlohmann::json j = to_json(e.plan);
  j["actions"][2]["after"]["name"] = "TAMPERED";
  try {
    plan_from_json(j, "p.json");
    ADD_FAILURE() << "a hand edit was accepted";
  } catch (const PlanFileError& err) {
    EXPECT_THAT(err.what(),
                HasSubstr("p.json: the plan file was changed after it was written: make a new "
                          "plan with cforg plan --out p.json"));
  }
  j = to_json(e.plan);
  j["remote"]["orgs"][0]["name"] = "Another";  // the recorded inputs are covered too
  EXPECT_THROW(plan_from_json(j, "p.json"), PlanFileError);
  j = to_json(e.plan);
  j.erase("digest");
  EXPECT_THROW(plan_from_json(j, "p.json"), PlanFileError);
}

TEST(SavedPlan, ActionsThatAreNotWhatMakePlanGivesAreRefused) {
  SavedEstate e;
  Plan p = e.plan;
  p.actions[2].after->name = "TAMPERED";
  EXPECT_THAT(e.refusal(p), HasSubstr("does not match what the config, the state and the remote "
                                      "side it recorded give (action 3 (create \"New\")"));
  EXPECT_THAT(e.refusal(p), HasSubstr("the plan file was changed after it was written"));
  p = e.plan;
  p.actions.erase(p.actions.begin() + 2);  // a create dropped
  EXPECT_THAT(e.refusal(p), HasSubstr("does not match"));
  p = e.plan;
  p.forget.clear();  // what is written to state is derived too
  EXPECT_THAT(e.refusal(p), HasSubstr("what it would write to the state differs"));
  p = e.plan;
  p.options.adopt = true;  // other options: other actions (or, here, the same: still verified)
  EXPECT_EQ(e.refusal(p), "(accepted)");
  // The recorded remote side is an input: change it and the actions it gave no longer follow.
  p = e.plan;
  p.remote->orgs.erase(id(2));
  EXPECT_THAT(e.refusal(p), HasSubstr("does not match"));
}

TEST(SavedPlan, ActionsThatDoNotHoldTogetherAreRefusedWithTheReason) {
  SavedEstate e;
  Plan dup = e.plan;
  dup.actions.push_back(dup.actions[2]);  // the create of "New" twice: a duplicate org
  EXPECT_THAT(e.refusal(dup), HasSubstr("the key \"New\" is acted on twice"));

  Plan del = e.plan;
  Action d;
  d.kind = ActionKind::remove;
  d.key = "root";
  d.id = id(1);
  d.before = e.st.orgs.at("root");
  del.actions.push_back(d);
  EXPECT_THAT(e.refusal(del), HasSubstr("deletes an organization the config declares"));

  Plan cycle = e.plan;
  cycle.actions[0].depends_on.push_back("platform");  // root waits for platform, and back
  cycle.actions[1].depends_on.push_back("root");
  EXPECT_THAT(e.refusal(cycle), HasSubstr("its dependencies form a cycle through action 1"));

  Plan self = e.plan;
  self.actions[2].depends_on.push_back("New");
  EXPECT_THAT(e.refusal(self), HasSubstr("depends on itself"));

  Plan dangling = e.plan;
  dangling.actions[2].depends_on.push_back("nowhere");
  EXPECT_THAT(e.refusal(dangling), HasSubstr("depends_on names \"nowhere\", which no action"));

  Plan empty = e.plan;
  empty.actions[2].key = "";
  EXPECT_THAT(e.refusal(empty), HasSubstr("action 3 (create \"\") has an empty key"));

  Plan half = e.plan;
  half.actions.erase(half.actions.begin() + 3);  // the create of the replacement of Data
  EXPECT_THAT(e.refusal(half), HasSubstr("half of a replacement without its create"));

  Plan bad_id = e.plan;
  bad_id.actions[0].id = "has space";
  EXPECT_THAT(e.refusal(bad_id), HasSubstr("its id contains a space"));

  Plan unread = e.plan;
  unread.remote.reset();  // says it read the remote side, records nothing of it
  EXPECT_THAT(e.refusal(unread), HasSubstr("does not record it"));

  Plan replace = e.plan;
  replace.options.replace.insert("undeclared");
  EXPECT_THAT(e.refusal(replace), HasSubstr("replaces \"undeclared\", which the config"));
}

TEST(SavedPlan, ItMustBeForThisStateAndConfig) {
  SavedEstate e;
  Plan p = e.saved(e.plan);
  state::State other = e.st;
  other.lineage = "lineage-2";
  EXPECT_THROW(verify_saved_plan(p, e.cfg, other, "p.json"), PlanFileError);
  try {
    verify_saved_plan(p, e.cfg, other, "p.json");
  } catch (const PlanFileError& err) {
    EXPECT_THAT(err.what(), HasSubstr("made for another state (lineage differs)"));
  }
  other = e.st;
  ++other.serial;
  try {
    verify_saved_plan(p, e.cfg, other, "p.json");
    ADD_FAILURE() << "a stale plan was accepted";
  } catch (const PlanFileError& err) {
    EXPECT_THAT(err.what(), HasSubstr("is stale: the state changed since it was made (serial 4 "
                                      "then, 5 now)"));
  }
  config::Config changed = load("organizations: []\n");
  EXPECT_THROW(verify_saved_plan(p, changed, e.st, "p.json"), PlanFileError);
}

TEST(SavedPlan, TheConfigFilesItNamesAreCheckedBeforeAnyIsRead) {
  testing::TempDir d;
  Plan p = make_plan(load(kTree), state::State{}, nullptr, {});
  std::string yaml = d.write("orgs.yaml", "organizations: []\n");
  p.config_files = {yaml};
  EXPECT_EQ(saved_config_paths(p, "p.json"), std::vector<std::string>{yaml});
  for (const std::string& bad :
       {std::string("/dev/zero"), std::string("/etc/passwd"), d.write("x.yaml.txt", ""),
        d.path() + "/missing.yaml", std::string(""), std::string("a\x1b[2J.yaml")}) {
    p.config_files = {yaml, bad};
    try {
      saved_config_paths(p, "p.json");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const PlanFileError& e) {
      EXPECT_THAT(e.what(), HasSubstr("the saved plan p.json names the config file"));
      EXPECT_THAT(e.what(), HasSubstr("-c PATH"));
    }
  }
  std::filesystem::create_directory(d.path() + "/dir.yaml");
  p.config_files = {d.path() + "/dir.yaml"};
  EXPECT_THROW(saved_config_paths(p, "p.json"), PlanFileError);
  p.config_files = {};
  EXPECT_THROW(saved_config_paths(p, "p.json"), PlanFileError);
}

TEST(SavedPlan, OlderFormatsAreRefusedAsUnverifiable) {
  nlohmann::json j = to_json(make_plan(load(kTree), state::State{}, nullptr, {}));
  j["format_version"] = 2;
  try {
    plan_from_json(j, "p.json");
    ADD_FAILURE() << "a version 2 plan was accepted";
  } catch (const PlanFileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("format_version 2, written by an older cforg"));
    EXPECT_THAT(e.what(), HasSubstr("make a new plan"));
  }
}

}  // namespace
}  // namespace cforg::plan
