// Planning what sits inside organizations: members and accounts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/plan/plan.h"
#include "cforg/plan/plan_file.h"
#include "cforg/plan/render.h"
#include "plan_test_support.h"

namespace cforg::plan {
namespace {

using fixtures::id;
using fixtures::load;
using fixtures::tracked;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Member member(const std::string& email, const std::string& mid,
              MemberStatus status = MemberStatus::active) {
  return Member{.id = mid, .email = email, .status = status, .create_time = "2026-01-01T00:00:00Z"};
}

// "add-member retail alice@x.com", "move-account retail ACC from platform".
std::vector<std::string> steps(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) {
    std::string s = std::string(to_string(a.kind)) + " " + a.key;
    if (a.member) s += " " + a.member->email + (a.replace ? " (status)" : "");
    if (a.account) s += " " + a.account->id + (a.from_key.empty() ? "" : " from " + a.from_key);
    out.push_back(s);
  }
  return out;
}

const std::string kAcc1 = "acc00000000000000000000000000001";
const std::string kAcc2 = "acc00000000000000000000000000002";

state::State two_orgs() {
  state::State st;
  st.lineage = "l";
  st.orgs["platform"] = tracked(1, "Platform");
  st.orgs["retail"] = tracked(2, "Retail");
  return st;
}

TEST(PlanContents, MembersOfANewOrgAreAddedAfterItsCreate) {
  auto cfg = load(R"(
organizations:
  - name: Retail
    members: [alice@example.com, {email: bob@example.com, status: canceled}]
)");
  Plan p = make_plan(cfg, state::State{}, nullptr, {});
  EXPECT_THAT(steps(p), ElementsAre("create Retail", "add-member Retail alice@example.com",
                                    "add-member Retail bob@example.com"));
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("Retail"));
  EXPECT_EQ(p.actions[2].member->status, MemberStatus::canceled);
  EXPECT_EQ(p.summary().members_added, 2u);
  EXPECT_EQ(p.summary().requests, 3u);
}

TEST(PlanContents, AnAbsentMembersKeyIsNotManagedAndAnEmptyListRemovesEveryone) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"alice@example.com", member("alice@example.com", "m1")}};
  Remote remote = fixtures::remote_as_state(st);
  remote.members[id(2)] = {member("alice@example.com", "m1"), member("eve@example.com", "m9")};
  auto unmanaged = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail}\n");
  Plan p = make_plan(unmanaged, st, &remote, {});
  EXPECT_TRUE(p.actions.empty());
  EXPECT_FALSE(p.observed.at("retail").members) << "the state stops recording them";
  EXPECT_THAT(p.warnings.front(), HasSubstr("stops managing them"));

  auto none = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, members: []}\n");
  p = make_plan(none, st, &remote, {});
  EXPECT_THAT(steps(p), ElementsAre("remove-member retail alice@example.com",
                                    "remove-member retail eve@example.com"));
  EXPECT_EQ(p.actions[1].member->id, "m9");
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_THAT(p.drift[0].members_added, ElementsAre("eve@example.com"));
}

TEST(PlanContents, AStatusChangeIsADeleteThenACreateSaidSo) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"bob@example.com", member("bob@example.com", "m2")}};
  auto cfg = load(R"(
organizations:
  - {name: Platform, key: platform}
  - name: Retail
    key: retail
    members: [{email: Bob@Example.com, status: canceled}]
)");
  Plan p = make_plan(cfg, st, nullptr, {});
  EXPECT_THAT(steps(p), ElementsAre("remove-member retail bob@example.com (status)",
                                    "add-member retail Bob@Example.com (status)"));
  std::string text = render_text(p, {});
  EXPECT_THAT(text, HasSubstr("active → canceled (deleted, then created: the API cannot update"));
  EXPECT_THAT(text, HasSubstr("Members: 1 to add, 0 to remove."));
}

TEST(PlanContents, EmailsCompareWithoutCaseSoNothingChanges) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"alice@example.com", member("alice@example.com", "m1")}};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, members: [ALICE@example.com]}\n");
  Plan p = make_plan(cfg, st, nullptr, {});
  EXPECT_TRUE(p.actions.empty());
  EXPECT_FALSE(p.has_changes());
}

TEST(PlanContents, APendingMemberIsLookedUpFirstWithoutRefresh) {
  state::State st = two_orgs();
  Member pending{.email = "alice@example.com", .pending = true};
  st.orgs["retail"].members = {{"alice@example.com", pending}};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, members: [alice@example.com]}\n");
  Plan p = make_plan(cfg, st, nullptr, {});
  ASSERT_THAT(steps(p), ElementsAre("add-member retail alice@example.com"));
  EXPECT_TRUE(p.actions[0].recover);
  EXPECT_EQ(p.estimate().lookups, 1u);

  // With refresh the list answered: a member found is recorded, nothing sent.
  Remote remote = fixtures::remote_as_state(st);
  remote.members[id(2)] = {member("alice@example.com", "m1")};
  p = make_plan(cfg, st, &remote, {});
  EXPECT_TRUE(p.actions.empty());
  EXPECT_EQ(p.observed.at("retail").members->at("alice@example.com").id, "m1");
}

TEST(PlanContents, AnAccountMovesBetweenOrgsAndTheSourceIsNamed) {
  state::State st = two_orgs();
  st.orgs["platform"].accounts = {{kAcc1, Account{kAcc1, "Shop", "standard"}}};
  st.orgs["retail"].accounts = std::map<std::string, Account>{};
  Remote remote = fixtures::remote_as_state(st);
  remote.accounts[id(1)] = {Account{kAcc1, "Shop", "standard"}};
  remote.accounts[id(2)] = {};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform, accounts: []}\n"
      "  - {name: Retail, key: retail, accounts: [{id: " +
      kAcc1 + ", name: Shop}]}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  ASSERT_THAT(steps(p), ElementsAre("move-account retail " + kAcc1 + " from platform"));
  EXPECT_EQ(p.actions[0].from_id, id(1));
  EXPECT_THAT(render_text(p, {}), HasSubstr("account " + kAcc1 +
                                            " (\"Shop\") moves in from "
                                            "\"platform\""));
  EXPECT_TRUE(p.warnings.empty()) << p.warnings.front();
}

TEST(PlanContents, AnAccountNoOrgListsIsWarnedAboutNotRemoved) {
  state::State st = two_orgs();
  Remote remote = fixtures::remote_as_state(st);
  remote.accounts[id(2)] = {Account{kAcc2, "Stray", "standard"}};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, accounts: []}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  EXPECT_TRUE(p.actions.empty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0], HasSubstr("cannot take an account out of an organization"));
}

TEST(PlanContents, ADeleteOfAnOrgHoldingAccountsIsRefusedAtPlanTime) {
  state::State st = two_orgs();
  Remote remote = fixtures::remote_as_state(st);
  remote.accounts[id(2)] = {Account{kAcc2, "Stray", "standard"}};
  remote.members[id(2)] = {member("eve@example.com", "m9")};
  auto cfg = load("organizations:\n  - {name: Platform, key: platform}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("holds 1 account (" + kAcc2 + ")"));
  EXPECT_THAT(p.errors[1].message, HasSubstr("1 member (eve@example.com) that cforg does not"));
}

TEST(PlanContents, ADeletedOrgsAccountMovesOutFirstAndItsManagedMembersGo) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"eve@example.com", member("eve@example.com", "m9")}};
  st.orgs["retail"].accounts = {{kAcc2, Account{kAcc2, "Shop", "standard"}}};
  Remote remote = fixtures::remote_as_state(st);
  remote.accounts[id(2)] = {Account{kAcc2, "Shop", "standard"}};
  remote.members[id(2)] = {member("eve@example.com", "m9")};
  remote.accounts[id(1)] = {};
  auto cfg =
      load("organizations:\n  - {name: Platform, key: platform, accounts: [" + kAcc2 + "]}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  EXPECT_TRUE(p.errors.empty()) << p.errors.front().message;
  EXPECT_THAT(steps(p), ElementsAre("move-account platform " + kAcc2 + " from retail",
                                    "remove-member retail eve@example.com", "delete retail"));
}

// The move out of a deleted org is the destination's action, yet the delete needs it: a
// --target on the deleted org keeps it, and nothing else of the destination.
TEST(PlanContents, ATargetedDeleteKeepsTheMovesThatEmptyIt) {
  state::State st = two_orgs();
  st.orgs["retail"].accounts = {{kAcc2, Account{kAcc2, "Shop", "standard"}}};
  Remote remote = fixtures::remote_as_state(st);
  remote.accounts[id(2)] = {Account{kAcc2, "Shop", "standard"}};
  remote.accounts[id(1)] = {};
  remote.members[id(1)] = {};
  auto cfg = load("organizations:\n  - {name: Platform, key: platform, accounts: [" + kAcc2 +
                  "], members: [new@example.com]}\n");
  Plan p = make_plan(cfg, st, &remote, {.targets = {"retail"}});
  EXPECT_TRUE(p.errors.empty()) << p.errors.front().message;
  EXPECT_THAT(steps(p),
              ElementsAre("move-account platform " + kAcc2 + " from retail", "delete retail"));
  Plan other = make_plan(cfg, st, &remote, {.targets = {"platform"}});
  EXPECT_THAT(steps(other), ElementsAre("add-member platform new@example.com",
                                        "move-account platform " + kAcc2 + " from retail"));
}

TEST(PlanContents, DriftBothWaysIsReported) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"alice@example.com", member("alice@example.com", "m1")}};
  st.orgs["retail"].accounts = {{kAcc1, Account{kAcc1, "Shop", "standard"}}};
  Remote remote = fixtures::remote_as_state(st);
  remote.members[id(2)] = {member("mallory@example.com", "m7")};
  remote.accounts[id(2)] = {};
  remote.accounts[id(1)] = {Account{kAcc1, "Shop", "standard"}};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, members: [alice@example.com], accounts: [" +
      kAcc1 + "]}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_THAT(p.drift[0].members_added, ElementsAre("mallory@example.com"));
  EXPECT_THAT(p.drift[0].members_removed, ElementsAre("alice@example.com"));
  EXPECT_THAT(p.drift[0].accounts_left, ElementsAre(kAcc1));
  EXPECT_THAT(steps(p), ElementsAre("add-member retail alice@example.com",
                                    "remove-member retail mallory@example.com",
                                    "move-account retail " + kAcc1 + " from platform"));
  EXPECT_EQ(p.actions[2].from_id, id(1));
  std::string text = render_text(p, {});
  EXPECT_THAT(text, HasSubstr("+ member mallory@example.com (added outside cforg)"));
  EXPECT_THAT(text, HasSubstr("- account " + kAcc1 + " (moved away outside cforg)"));
}

TEST(PlanContents, APlanWithContentsRoundTripsThroughItsFile) {
  state::State st = two_orgs();
  st.orgs["retail"].members = {{"bob@example.com", member("bob@example.com", "m2")}};
  Remote remote = fixtures::remote_as_state(st);
  remote.members[id(2)] = {member("bob@example.com", "m2")};
  remote.accounts[id(2)] = {};
  remote.account_homes[kAcc1] = "";
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - name: Retail\n    key: retail\n"
      "    members: [{email: bob@example.com, status: canceled}, new@example.com]\n"
      "    accounts: [" +
      kAcc1 + "]\n");
  Plan p = make_plan(cfg, st, &remote, {});
  p.remote = remote;
  Plan back = plan_from_text(to_json(p).dump(), "test.plan");
  EXPECT_EQ(back.actions, p.actions);
  EXPECT_EQ(back.remote, p.remote);
  EXPECT_EQ(back.drift, p.drift);
  EXPECT_EQ(back.contents_learned, p.contents_learned);
  EXPECT_EQ(render_text(back, {}), render_text(p, {}));
}

TEST(PlanContents, ASavedPlanWithManyChangesInsideOneOrgVerifies) {
  state::State st = two_orgs();
  Remote remote = fixtures::remote_as_state(st);
  remote.members[id(2)] = {};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail, key: retail, members: [a@example.com, b@example.com]}\n");
  Plan p = make_plan(cfg, st, &remote, {});
  p.remote = remote;
  ASSERT_EQ(p.actions.size(), 2u);
  Plan back = plan_from_text(to_json(p).dump(), "test.plan");
  EXPECT_EQ(verify_saved_plan(back, cfg, st, "test.plan"), p);
}

TEST(PlanContents, UpdatesOfTheOrgComeBeforeWhatIsRecordedInsideIt) {
  state::State st = two_orgs();
  st.orgs["retail"].members = std::map<std::string, Member>{};
  auto cfg = load(
      "organizations:\n  - {name: Platform, key: platform}\n"
      "  - {name: Retail Two, key: retail, members: [a@example.com]}\n");
  Plan p = make_plan(cfg, st, nullptr, {});
  ASSERT_THAT(steps(p), ElementsAre("update retail", "add-member retail a@example.com"));
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("retail"));
}

}  // namespace
}  // namespace cforg::plan
