// make_plan: the actions, warnings and problems of a plan; and what a plan says of the state.
#include "cforg/plan/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/plan/plan_file.h"
#include "cforg/plan/render.h"
#include "plan_test_support.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(MakePlan, CreatesParentsBeforeChildrenWithDependencies) {
  Plan p = make_plan(load(kTree), state::State{}, nullptr, {});
  EXPECT_THAT(keys(p), ElementsAre("create root", "create platform", "create Data"));
  EXPECT_THAT(p.actions[0].depends_on, IsEmpty());
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("root"));
  EXPECT_THAT(p.actions[2].depends_on, ElementsAre("platform"));
  EXPECT_EQ(p.actions[1].after->parent, ParentRef::key("root"));
  EXPECT_TRUE(p.errors.empty());
  EXPECT_EQ(p.summary().create, 3u);
  EXPECT_TRUE(p.has_changes());
}

TEST(MakePlan, NothingToDoWhenStateMatches) {
  Plan p = make_plan(load(kTree), tree_state(), nullptr, {});
  EXPECT_THAT(p.actions, IsEmpty());
  EXPECT_EQ(p.unchanged, 3u);
  EXPECT_FALSE(p.has_changes());
  EXPECT_EQ(p.lineage, "lineage-1");
  EXPECT_EQ(p.serial, 4u);
  EXPECT_THAT(render_text(p), HasSubstr("No changes. 3 organizations up to date."));
}

TEST(MakePlan, RenameAndProfileChangeAreOneUpdateEach) {
  state::State st = tree_state();
  st.orgs["root"].spec.profile = Profile{"Acme", "a@b.c", "+1", "1 Way", "crm:1"};
  Plan p = make_plan(load(R"(
organizations:
  - {name: Root, key: root, profile: {business_name: Acme, business_email: a@b.c,
     business_phone: "+2", business_address: 1 Way, external_metadata: "crm:1"}}
  - {name: Platform Team, key: platform, parent: root}
  - {name: Data, parent: platform}
)"),
                     st, nullptr, {});
  ASSERT_THAT(keys(p), ElementsAre("update root", "update platform"));
  ASSERT_EQ(p.actions[0].changes.size(), 1u);
  EXPECT_EQ(p.actions[0].changes[0], Change::profile_field_change("business_phone", "+1", "+2"));
  EXPECT_EQ(p.actions[0].changes[0].path(), "profile.business_phone");
  ASSERT_EQ(p.actions[1].changes.size(), 1u);
  EXPECT_EQ(p.actions[1].changes[0], Change::name_change("Platform", "Platform Team"));
  EXPECT_EQ(p.actions[1].id, id(2));
  EXPECT_THAT(render_text(p), HasSubstr("~ name = \"Platform\" → \"Platform Team\""));
}

TEST(MakePlan, DeletesChildrenBeforeParents) {
  Plan p =
      make_plan(load("organizations:\n  - {name: Root, key: root}\n"), tree_state(), nullptr, {});
  ASSERT_THAT(keys(p), ElementsAre("delete Data", "delete platform"));
  EXPECT_THAT(p.actions[0].depends_on, IsEmpty());
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("Data"));
  EXPECT_EQ(p.actions[1].id, id(2));
}

TEST(MakePlan, PreventDestroyInStateBlocksDeleteAfterTheEntryIsGone) {
  state::State st = tree_state();
  st.orgs["Data"].spec.prevent_destroy = true;
  Plan p = make_plan(load("organizations:\n  - {name: Root, key: root}\n  - {name: Platform, "
                          "key: platform, parent: root}\n"),
                     st, nullptr, {});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].key, "Data");
  EXPECT_THAT(p.errors[0].message, HasSubstr("prevent_destroy"));
  EXPECT_THAT(render_text(p), HasSubstr("cannot be applied"));
}

TEST(MakePlan, PreventDestroyFlagChangeIsAStateOnlyChange) {
  Plan p = make_plan(load(R"(
organizations:
  - {name: Root, key: root, prevent_destroy: true}
  - {name: Platform, key: platform, parent: root}
  - {name: Data, parent: platform}
)"),
                     tree_state(), nullptr, {});
  EXPECT_THAT(p.actions, IsEmpty());
  EXPECT_EQ(p.protection.at("root"), true);
  EXPECT_TRUE(p.has_changes());
  EXPECT_TRUE(refreshed_state(tree_state(), p).orgs.at("root").spec.prevent_destroy);
}

const char* kDataAtTheTop = R"(
organizations:
  - {name: Root, key: root}
  - {name: Platform, key: platform, parent: root}
  - {name: Data, parent: root}
)";

TEST(MakePlan, AParentChangeIsRefusedWithItsPlaceAndWhatToDo) {
  // The API has no call that moves an org: a PUT with a new parent is ignored.
  Plan p = make_plan(load(kDataAtTheTop), tree_state(), nullptr, {});
  EXPECT_THAT(p.actions, IsEmpty());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].key, "Data");
  EXPECT_EQ(p.errors[0].where, "test.yaml:5:26");
  EXPECT_THAT(p.errors[0].message, HasSubstr("cannot move an organization"));
  EXPECT_THAT(p.errors[0].message, HasSubstr("--replace Data"));
  EXPECT_THAT(render_text(p), HasSubstr("Error: test.yaml:5:26: org \"Data\": its parent changes"));
}

TEST(MakePlan, ReplaceDeletesTheOldOrgThenCreatesItUnderTheNewParent) {
  state::State st = tree_state();
  Remote remote = remote_as_state(st);
  Plan p = make_plan(load(kDataAtTheTop), st, &remote, {.adopt = false, .replace = {"Data"}});
  ASSERT_THAT(p.errors, IsEmpty());
  ASSERT_THAT(keys(p), ElementsAre("create Data", "delete Data"));
  const Action& create = p.actions[0];
  const Action& old = p.actions[1];
  EXPECT_TRUE(create.replace);
  EXPECT_TRUE(old.replace);
  EXPECT_EQ(old.id, id(3));
  EXPECT_EQ(create.after->parent, ParentRef::key("root"));
  EXPECT_THAT(create.after_removal_of, ElementsAre("Data"));
  EXPECT_EQ(p.summary().replace, 1u);
  EXPECT_EQ(p.summary().create, 0u);
  EXPECT_EQ(p.summary().remove, 0u);
  EXPECT_EQ(p.summary().requests, 2u);
  std::string text = render_text(p);
  EXPECT_THAT(text, HasSubstr("will be replaced: first its old org is deleted"));
  EXPECT_THAT(text, HasSubstr("~ parent = \"platform\" → \"root\""));
  EXPECT_THAT(text, HasSubstr("1 to replace"));
  EXPECT_EQ(plan_from_json(to_json(p), "p.json"), p);
}

TEST(MakePlan, ReplacingAParentNeedsItsChildrenReplacedToo) {
  state::State st = tree_state();
  Remote remote = remote_as_state(st);
  remote.children[id(2)] = {id(3)};
  const char* moved = R"(
organizations:
  - {name: Root, key: root}
  - {name: Platform, key: platform}
  - {name: Data, parent: platform}
)";
  Plan refused = make_plan(load(moved), st, &remote, {.adopt = false, .replace = {"platform"}});
  ASSERT_EQ(refused.errors.size(), 2u);
  EXPECT_EQ(refused.errors[0].key, "Data");
  EXPECT_THAT(refused.errors[0].message, HasSubstr("its parent \"platform\" is replaced"));
  EXPECT_THAT(refused.errors[0].message, HasSubstr("--replace Data"));
  // And the old platform would not be empty: Data is still in it.
  EXPECT_EQ(refused.errors[1].key, "platform");
  EXPECT_THAT(refused.errors[1].message, HasSubstr("deletes only empty organizations"));

  Plan p = make_plan(load(moved), st, &remote, {.adopt = false, .replace = {"platform", "Data"}});
  ASSERT_THAT(p.errors, IsEmpty());
  ASSERT_THAT(keys(p),
              ElementsAre("create platform", "create Data", "delete Data", "delete platform"));
  // Deletes go children first, creates parents first, and each create after its old org.
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("platform"));
  EXPECT_THAT(p.actions[1].after_removal_of, ElementsAre("Data"));
  EXPECT_THAT(p.actions[3].after_removal_of, ElementsAre("Data"));
  EXPECT_THAT(p.actions[0].after_removal_of, ElementsAre("platform"));
}

TEST(MakePlan, ReplaceRefusesAnOldOrgWithSubOrganizationsItDoesNotManage) {
  state::State st = tree_state();
  Remote remote = remote_as_state(st);
  remote.children[id(3)] = {id(77)};  // made in the dashboard, not in state
  Plan p = make_plan(load(kDataAtTheTop), st, &remote, {.adopt = false, .replace = {"Data"}});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("deletes only empty organizations"));
  EXPECT_THAT(p.errors[0].message, HasSubstr(id(77)));
}

TEST(MakePlan, ReplaceNeedsTheRemoteSideAndRespectsPreventDestroy) {
  Plan offline =
      make_plan(load(kDataAtTheTop), tree_state(), nullptr, {.adopt = false, .replace = {"Data"}});
  ASSERT_EQ(offline.errors.size(), 1u);
  EXPECT_THAT(offline.errors[0].message, HasSubstr("needs the remote side"));

  state::State st = tree_state();
  st.orgs["Data"].spec.prevent_destroy = true;
  Remote remote = remote_as_state(st);
  Plan p = make_plan(load(kDataAtTheTop), st, &remote, {.adopt = false, .replace = {"Data"}});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("prevent_destroy"));
}

TEST(MakePlan, ARenameAndAProfileChangeAreTwoRequestsOfOneUpdate) {
  state::State st = tree_state();
  st.orgs["root"].spec.profile = Profile{"Acme", "a@b.c", "+1", "1 Way", "crm:1"};
  Plan p = make_plan(load(R"(
organizations:
  - {name: Root Co, key: root, profile: {business_name: Acme, business_email: a@b.c,
     business_phone: "+2", business_address: 1 Way, external_metadata: "crm:1"}}
  - {name: Platform, key: platform, parent: root}
  - {name: Data, parent: platform}
)"),
                     st, nullptr, {});
  ASSERT_THAT(keys(p), ElementsAre("update root"));
  EXPECT_TRUE(p.actions[0].renames());
  EXPECT_TRUE(p.actions[0].sets_profile());
  EXPECT_EQ(p.actions[0].requests(), 2u);
  EXPECT_EQ(p.summary().renames, 1u);
  EXPECT_EQ(p.summary().profile_updates, 1u);
  EXPECT_THAT(render_text(p), HasSubstr("will be updated in place: PUT name and PUT profile"));
  EXPECT_THAT(summary_line(p), HasSubstr("Apply sends 2 requests (1 rename, 1 profile update)."));
}

TEST(MakePlan, AProfileTheConfigLeavesOutIsNotManaged) {
  // The API has no call that removes a profile: leaving it out means "not managed".
  state::State st = tree_state();
  st.orgs["root"].spec.profile = Profile{"Acme", "a@b.c", "+1", "1 Way", "crm:1"};
  Plan p = make_plan(load(kTree), st, nullptr, {});
  EXPECT_THAT(p.actions, IsEmpty());
  EXPECT_FALSE(p.has_changes());
}

TEST(MakePlan, AProfileTheRemoteSideDidNotTellIsNotDrift) {
  state::State st = tree_state();
  st.orgs["root"].spec.profile = Profile{"Acme", "a@b.c", "+1", "1 Way", "crm:1"};
  Remote remote = remote_as_state(st);
  remote.orgs[id(1)].spec.profile.reset();  // the list left it out
  remote.orgs[id(1)].profile_known = false;
  Plan p = make_plan(load(R"(
organizations:
  - {name: Root, key: root, profile: {business_name: Acme, business_email: a@b.c,
     business_phone: "+1", business_address: 1 Way, external_metadata: "crm:1"}}
  - {name: Platform, key: platform, parent: root}
  - {name: Data, parent: platform}
)"),
                     st, &remote, {});
  EXPECT_THAT(p.drift, IsEmpty());
  EXPECT_FALSE(p.has_changes());

  remote.orgs[id(1)].spec.profile = Profile{"Acme", "a@b.c", "+9", "1 Way", "crm:1"};
  remote.orgs[id(1)].profile_known = true;  // told, and changed in the dashboard
  Plan drifted = make_plan(load(R"(
organizations:
  - {name: Root, key: root, profile: {business_name: Acme, business_email: a@b.c,
     business_phone: "+1", business_address: 1 Way, external_metadata: "crm:1"}}
  - {name: Platform, key: platform, parent: root}
  - {name: Data, parent: platform}
)"),
                           st, &remote, {});
  ASSERT_EQ(drifted.drift.size(), 1u);
  ASSERT_THAT(keys(drifted), ElementsAre("update root"));
  EXPECT_TRUE(drifted.actions[0].sets_profile());
  EXPECT_FALSE(drifted.actions[0].renames());
}

TEST(MakePlan, GoneRemotelyIsForgottenAndCreatedAgain) {
  state::State st = tree_state();
  Remote remote;
  for (const auto& [key, org] : st.orgs) {
    remote.checked.insert(org.id);
    if (key != "Data") remote.orgs[org.id] = remote_of(org);
  }
  remote.searched.insert({id(2), "Data"});
  Plan p = make_plan(load(kTree), st, &remote, {});
  EXPECT_THAT(p.forget, ElementsAre("Data"));
  EXPECT_THAT(keys(p), ElementsAre("create Data"));
  EXPECT_FALSE(p.actions[0].recover);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0], HasSubstr("no longer exists remotely"));
}

TEST(MakePlan, DriftIsShownAndRestored) {
  state::State st = tree_state();
  Remote remote;
  for (const auto& [key, org] : st.orgs) {
    remote.checked.insert(org.id);
    remote.orgs[org.id] = remote_of(org);
  }
  remote.orgs[id(2)].spec.name = "Renamed In Dashboard";
  Plan p = make_plan(load(kTree), st, &remote, {});
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_EQ(p.drift[0].key, "platform");
  EXPECT_THAT(p.drift[0].changes,
              ElementsAre(Change::name_change("Platform", "Renamed In Dashboard")));
  ASSERT_THAT(keys(p), ElementsAre("update platform"));
  EXPECT_TRUE(p.actions[0].drift);
  EXPECT_THAT(p.actions[0].changes,
              ElementsAre(Change::name_change("Renamed In Dashboard", "Platform")));
  EXPECT_EQ(refreshed_state(st, p).orgs.at("platform").spec.name, "Renamed In Dashboard");
}

TEST(MakePlan, UntrackedMatchIsNotCreatedAgain) {
  Remote remote = untracked_tree();
  Plan p = make_plan(load(kTree), state::State{}, &remote, {});
  EXPECT_THAT(keys(p), IsEmpty());
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("already exists"));
  EXPECT_THAT(p.errors[0].message, HasSubstr("--adopt"));
  EXPECT_THAT(p.errors[0].message, HasSubstr(id(1)));
}

TEST(MakePlan, AdoptTakesOverEveryMatchWithoutCreating) {
  Remote remote = untracked_tree();
  Plan p = make_plan(load(kTree), state::State{}, &remote, {.adopt = true, .replace = {}});
  EXPECT_THAT(keys(p), ElementsAre("adopt root", "adopt platform", "adopt Data"));
  EXPECT_EQ(p.actions[1].id, id(2));
  EXPECT_THAT(p.actions[1].changes, IsEmpty());
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("root"));
  EXPECT_TRUE(p.errors.empty());
}

TEST(MakePlan, SeveralMatchesAreAnError) {
  Remote remote = untracked_tree();
  Organization twin = remote.orgs[id(1)];
  twin.id = id(9);
  remote.orgs[twin.id] = twin;
  Plan p = make_plan(load(kTree), state::State{}, &remote, {.adopt = true, .replace = {}});
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0].key, "root");
  EXPECT_THAT(p.errors[0].message, HasSubstr(id(1) + ", " + id(9)));
}

TEST(MakePlan, AnExternalParentIdTheStateDoesNotKnowIsAWarningWithoutRefresh) {
  const config::Config cfg = load("organizations:\n  - {name: A, parent: {id: " + id(5) +
                                  "}}\n  - {name: B, parent: {id: " + id(1) + "}}\n");
  state::State st;
  st.orgs["B"] = tracked(2, "B", 1);  // id(1) is known: B's parent in state
  Plan p = make_plan(cfg, st, nullptr, {});
  EXPECT_THAT(p.errors, IsEmpty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_THAT(p.warnings[0],
              HasSubstr("org \"A\": its parent id " + id(5) + " (test.yaml:2:28) is not checked"));
  EXPECT_THAT(keys(p), ElementsAre("create A"));
  // With the remote side read and the id found absent, it is an error at its place.
  Remote remote;
  remote.orgs[id(2)] = remote_of(st.orgs["B"]);
  remote.checked.insert(id(2));
  remote.absent_parents.insert(id(5));
  Plan refreshed = make_plan(cfg, st, &remote, {});
  ASSERT_EQ(refreshed.errors.size(), 1u);
  EXPECT_EQ(refreshed.errors[0].where, "test.yaml:2:28");
  EXPECT_THAT(refreshed.warnings, IsEmpty());
}

TEST(MakePlan, InterruptedCreateThatSucceededIsRecordedNotCreated) {
  state::State st;
  state::OrgState pending;
  pending.spec.name = "Root";
  pending.pending_create = true;
  st.orgs["root"] = pending;
  // The crash came after the root's POST took effect; its children were never sent.
  Remote remote;
  remote.orgs[id(1)] = remote_of(tracked(1, "Root"));
  remote.searched = {{"", "Root"}, {id(1), "Platform"}};
  Plan p = make_plan(load(kTree), st, &remote, {});
  EXPECT_TRUE(p.errors.empty()) << p.errors[0].message;
  EXPECT_EQ(p.observed.at("root").id, id(1));
  EXPECT_THAT(p.warnings[0], HasSubstr("interrupted"));
  EXPECT_THAT(keys(p), ElementsAre("create platform", "create Data"));
  EXPECT_THAT(p.actions[0].depends_on, IsEmpty());  // its parent exists now
}

// Recovery looks for what an interrupted create left by name and parent; an org another key
// tracks is never it, or one id would end up under two keys (and a delete of the pending key
// would delete the other key's org).
TEST(MakePlan, InterruptedCreateNeverRecoversAnOrgTrackedUnderAnotherKey) {
  state::State st;
  st.orgs["a"] = tracked(1, "Twin");  // renamed by this plan, so the name is free in config
  state::OrgState pending;
  pending.spec.name = "Twin";
  pending.pending_create = true;
  st.orgs["b"] = pending;
  Remote remote;
  remote.orgs[id(1)] = remote_of(st.orgs["a"]);
  remote.checked = {id(1)};
  remote.searched = {{"", "Twin"}};
  Plan p = make_plan(load(R"(
organizations:
  - {name: Twin Renamed, key: a}
  - {name: Twin, key: b}
)"),
                     st, &remote, {});
  EXPECT_TRUE(p.errors.empty()) << p.errors[0].message;
  EXPECT_FALSE(p.observed.count("b")) << "b recovered a's org " << p.observed.at("b").id;
  EXPECT_THAT(keys(p), ElementsAre("update a", "create b"));

  // The pending key is no longer declared either: nothing of a's is deleted for it.
  Plan gone =
      make_plan(load("organizations:\n  - {name: Twin Renamed, key: a}\n"), st, &remote, {});
  EXPECT_TRUE(gone.errors.empty()) << gone.errors[0].message;
  EXPECT_THAT(keys(gone), ElementsAre("update a"));
  EXPECT_THAT(gone.forget, ElementsAre("b"));
}

TEST(MakePlan, InterruptedCreateWithoutRefreshLooksBeforeCreating) {
  state::State st;
  state::OrgState pending;
  pending.spec.name = "Root";
  pending.pending_create = true;
  st.orgs["root"] = pending;
  Plan p = make_plan(load(kTree), st, nullptr, {});
  ASSERT_EQ(keys(p).front(), "create root");
  EXPECT_TRUE(p.actions[0].recover);
  EXPECT_FALSE(p.actions[1].recover);
}

TEST(MakePlan, ARenameThatOnlyChangesCaseIsARename) {
  state::State st;
  st.orgs["root"] = tracked(1, "acme corp");
  Plan p = make_plan(load("organizations:\n  - {name: Acme Corp, key: root}\n"), st, nullptr, {});
  ASSERT_THAT(keys(p), ElementsAre("update root"));
  EXPECT_TRUE(p.actions[0].renames());
  EXPECT_THAT(render_text(p), HasSubstr("~ name = \"acme corp\" → \"Acme Corp\""));
}

TEST(MakePlan, IsDeterministic) {
  Remote remote = untracked_tree();
  EXPECT_EQ(make_plan(load(kTree), state::State{}, &remote, {.adopt = true, .replace = {}}),
            make_plan(load(kTree), state::State{}, &remote, {.adopt = true, .replace = {}}));
}

TEST(MakePlan, OrderDoesNotDependOnHashOrderOfUnrelatedOrgs) {
  Estate small = estate_with_filler(0);
  Plan a = make_plan(small.cfg, small.st, &small.remote, {.adopt = false, .replace = {"moved"}});
  ASSERT_TRUE(a.errors.empty()) << a.errors.front().message;
  ASSERT_GE(a.actions.size(), 14u);
  for (int filler : {1, 7, 97, 1000}) {
    Estate big = estate_with_filler(filler);
    Plan b = make_plan(big.cfg, big.st, &big.remote, {.adopt = false, .replace = {"moved"}});
    ASSERT_TRUE(b.errors.empty()) << b.errors.front().message;
    EXPECT_EQ(b.actions, a.actions) << "with " << filler << " unchanged orgs besides";
    EXPECT_EQ(b.drift, a.drift) << "with " << filler << " unchanged orgs besides";
  }
}

TEST(MakePlan, HintsQuoteKeysWithSpaces) {
  Remote remote = untracked_tree();
  remote.searched.insert({"", "Retail Web"});
  Organization web;
  web.id = id(9);
  web.spec.name = "Retail Web";
  web.meta = nlohmann::json::object();
  remote.orgs[web.id] = web;
  Plan p = make_plan(load("organizations:\n  - {name: Retail Web}\n"), state::State{}, &remote, {});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_THAT(p.errors[0].message, HasSubstr("cforg import 'Retail Web' " + id(9)));
}

TEST(MassForget, MostTrackedOrgsGoneAtOnceIsAProblemAFewIsNot) {
  state::State st;
  for (int i = 1; i <= 4; ++i)
    st.orgs["k" + std::to_string(i)] = tracked(i, "O" + std::to_string(i));
  Plan p;
  p.forget = {"k1"};
  EXPECT_EQ(mass_forget_problem(p, st), "");  // one: a deletion in the dashboard
  p.forget = {"k1", "k2"};
  EXPECT_EQ(mass_forget_problem(p, st), "");  // half
  p.forget = {"k1", "k2", "k3"};
  EXPECT_THAT(
      mass_forget_problem(p, st),
      HasSubstr("lists none of 3 of the 4 organizations in state (\"k1\", \"k2\", \"k3\")"));
  // Pending creates are not tracked orgs.
  st.orgs["p1"].pending_create = true;
  st.orgs["p2"].pending_create = true;
  EXPECT_NE(mass_forget_problem(p, st), "");
}

}  // namespace
}  // namespace cforg::plan
