#include "scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cforg::apply {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

plan::Action action(plan::ActionKind kind, const std::string& key,
                    std::vector<std::string> depends_on = {}) {
  plan::Action a;
  a.kind = kind;
  a.key = key;
  a.depends_on = std::move(depends_on);
  return a;
}

plan::Action create(const std::string& key, std::vector<std::string> depends_on = {}) {
  return action(plan::ActionKind::create, key, std::move(depends_on));
}

// Everything take() hands out now.
std::vector<std::size_t> take_all(Scheduler& s) {
  std::vector<std::size_t> out;
  while (auto i = s.take()) out.push_back(*i);
  return out;
}

TEST(Scheduler, IndependentActionsAreReadyInPlanOrder) {
  std::vector<plan::Action> p = {create("a"), create("b"), create("c")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 1, 2));
  EXPECT_EQ(s.running(), 3u);
  EXPECT_FALSE(s.exhausted());
}

TEST(Scheduler, AChildIsReadyOnlyOnceItsParentSucceeded) {
  std::vector<plan::Action> p = {create("child", {"root"}), create("root")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(1));
  EXPECT_EQ(s.finished(1), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(0));
  EXPECT_EQ(s.finished(0), 0u);
  EXPECT_TRUE(s.exhausted());
}

TEST(Scheduler, AParentReleasesAllItsChildrenAtOnce) {
  std::vector<plan::Action> p = {create("root"), create("a", {"root"}), create("b", {"root"}),
                                 create("c", {"root"})};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0));
  EXPECT_FALSE(s.has_ready());
  EXPECT_EQ(s.finished(0), 3u);
  EXPECT_THAT(take_all(s), ElementsAre(1, 2, 3));
}

TEST(Scheduler, AnActionWaitsForEveryDependency) {
  std::vector<plan::Action> p = {create("a"), create("b"), create("both", {"a", "b"})};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 1));
  EXPECT_EQ(s.finished(0), 0u);
  EXPECT_FALSE(s.has_ready());
  EXPECT_EQ(s.finished(1), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(2));
}

TEST(Scheduler, AFailureSkipsEverythingDownstreamAndNothingElse) {
  std::vector<plan::Action> p = {create("bad"), create("child", {"bad"}),
                                 create("grandchild", {"child"}), create("good"),
                                 create("good_child", {"good"})};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 3));
  EXPECT_THAT(s.failed(0), ElementsAre(1, 2));
  EXPECT_FALSE(s.has_ready());
  EXPECT_EQ(s.finished(3), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(4));
  s.finished(4);
  EXPECT_TRUE(s.exhausted());
}

TEST(Scheduler, AnActionSkippedOnceIsNotSkippedAgainNorReleasedLater) {
  std::vector<plan::Action> p = {create("a"), create("b"), create("c"),
                                 create("both", {"a", "b", "c"})};
  Scheduler s(p);
  take_all(s);
  EXPECT_THAT(s.failed(0), ElementsAre(3));
  EXPECT_THAT(s.failed(1), IsEmpty());
  EXPECT_EQ(s.finished(2), 0u);
  EXPECT_FALSE(s.has_ready());
  EXPECT_TRUE(s.exhausted());
}

TEST(Scheduler, AReplacementDeletesTheOldOrgBeforeCreatingItsSuccessor) {
  // "mid" is replaced under its child "leaf": the old leaf goes first, then the old mid, then
  // the new mid, then the new leaf under it.
  plan::Action del_leaf = action(plan::ActionKind::remove, "leaf");
  del_leaf.replace = true;
  plan::Action del_mid = action(plan::ActionKind::remove, "mid");
  del_mid.replace = true;
  del_mid.after_removal_of = {"leaf"};
  plan::Action new_mid = create("mid");
  new_mid.replace = true;
  new_mid.after_removal_of = {"mid"};
  plan::Action new_leaf = create("leaf", {"mid"});
  new_leaf.replace = true;
  new_leaf.after_removal_of = {"leaf"};
  std::vector<plan::Action> p = {new_mid, new_leaf, del_leaf, del_mid};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(2));  // the old leaf
  EXPECT_EQ(s.finished(2), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(3));  // the old mid
  EXPECT_EQ(s.finished(3), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(0));  // the new mid: depends_on "mid" means this one
  EXPECT_EQ(s.finished(0), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(1));
}

TEST(Scheduler, AReplacementWhoseDeleteFailsCreatesNothing) {
  plan::Action del = action(plan::ActionKind::remove, "mid");
  del.replace = true;
  plan::Action successor = create("mid");
  successor.replace = true;
  successor.after_removal_of = {"mid"};
  std::vector<plan::Action> p = {successor, del};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(1));
  EXPECT_THAT(s.failed(1), ElementsAre(0));
  EXPECT_TRUE(s.exhausted());
}

TEST(Scheduler, ChildrenAreDeletedBeforeTheirParent) {
  // The plan writes a parent's delete as depending on its children's keys, whose only action
  // is their delete.
  std::vector<plan::Action> p = {action(plan::ActionKind::remove, "parent", {"c1", "c2"}),
                                 action(plan::ActionKind::remove, "c1"),
                                 action(plan::ActionKind::remove, "c2")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(1, 2));
  EXPECT_EQ(s.finished(2), 0u);
  EXPECT_EQ(s.finished(1), 1u);
  EXPECT_THAT(take_all(s), ElementsAre(0));
}

TEST(Scheduler, AReferenceToAKeyWithoutAnActionIsNothingToWaitFor) {
  // An org already in place (nothing to do for it) or an external parent.
  plan::Action after_removal = create("x");
  after_removal.after_removal_of = {"not_replaced"};
  std::vector<plan::Action> p = {create("child", {"unchanged"}), after_removal};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 1));
}

TEST(Scheduler, ACycleNeverBecomesReadyAndLeavesTheRestAlone) {
  std::vector<plan::Action> p = {create("a", {"b"}), create("b", {"a"}), create("c")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(2));
  s.finished(2);
  EXPECT_TRUE(s.exhausted());  // a and b can never start: the executor leaves them not_started
}

TEST(Scheduler, ReadinessFollowsTheOrderOfResults) {
  std::vector<plan::Action> p = {create("a"), create("b"), create("a1", {"a"}),
                                 create("b1", {"b"})};
  Scheduler s(p);
  take_all(s);
  s.finished(1);
  s.finished(0);
  EXPECT_THAT(take_all(s), ElementsAre(3, 2));
  EXPECT_EQ(s.running(), 2u);
}

plan::Action member_action(plan::ActionKind kind, const std::string& key, const std::string& email,
                           bool status_change = false) {
  plan::Action a = action(kind, key);
  a.member = Member{.id = "m-" + email, .email = email};
  a.replace = status_change;
  return a;
}

TEST(Scheduler, AnOrgIsDeletedOnlyAfterWhatEmptiesIt) {
  plan::Action move = action(plan::ActionKind::move_account, "platform");
  move.account = Account{"acc1", "", ""};
  move.from_key = "retail";
  std::vector<plan::Action> p = {
      move, member_action(plan::ActionKind::remove_member, "retail", "eve@example.com"),
      action(plan::ActionKind::remove, "retail")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 1));
  s.finished(0);
  EXPECT_FALSE(s.has_ready()) << "a member is still in it";
  s.finished(1);
  EXPECT_THAT(take_all(s), ElementsAre(2));
}

TEST(Scheduler, AStatusChangeCreatesTheMemberAgainOnlyOnceItsDeleteIsDone) {
  std::vector<plan::Action> p = {
      member_action(plan::ActionKind::remove_member, "retail", "bob@example.com", true),
      member_action(plan::ActionKind::add_member, "retail", "Bob@Example.com", true),
      member_action(plan::ActionKind::add_member, "retail", "new@example.com")};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(0, 2));
  s.finished(0);
  EXPECT_THAT(take_all(s), ElementsAre(1));
}

TEST(Scheduler, WhatActsInsideAnOrgWaitsForItsCreateButIsNoActionOfTheOrg) {
  std::vector<plan::Action> p = {
      member_action(plan::ActionKind::add_member, "retail", "a@example.com"), create("retail"),
      create("child", {"retail"})};
  p[0].depends_on = {"retail"};
  Scheduler s(p);
  EXPECT_THAT(take_all(s), ElementsAre(1)) << "the child waits for the create, not the member";
  s.finished(1);
  EXPECT_THAT(take_all(s), ElementsAre(0, 2));
}

}  // namespace
}  // namespace cforg::apply
