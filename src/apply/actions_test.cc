#include "actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_fakes.h"

namespace cforg::apply {
namespace {

using fakes::FakeClient;
using fakes::FakeLedger;
using state::JournalRecord;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Op = JournalRecord::Op;
using Status = Outcome::Status;

// The recorded ops, in order.
std::vector<Op> ops(const std::vector<JournalRecord>& records) {
  std::vector<Op> out;
  for (const JournalRecord& r : records) out.push_back(r.op);
  return out;
}

plan::Action create(const std::string& key, const std::string& parent_key = "") {
  plan::Action a;
  a.kind = plan::ActionKind::create;
  a.key = key;
  a.after = OrgSpec{key, parent_key.empty() ? ParentRef::root() : ParentRef::key(parent_key),
                    std::nullopt};
  return a;
}

struct Actions : ::testing::Test {
  ActionResult run(const plan::Action& a) {
    ActionContext ctx{client,
                      ledger,
                      max_create_attempts,
                      {},
                      [this] { return stop; },
                      [] { return std::uint64_t{0}; },
                      plan_refreshed};
    ctx.backoff.base_delay = std::chrono::milliseconds(0);
    return perform(a, ctx);
  }
  // An org in the API and in the ledger's state, as after an earlier apply.
  std::string seed(const std::string& key, const std::string& name) {
    Organization o;
    o.id = testing::org_id(static_cast<int>(client.orgs.size()) + 500);
    o.spec.name = name;
    o.meta = nlohmann::json::object();
    client.orgs[o.id] = o;
    ledger.st.orgs[key] = state::from_remote(o);
    return o.id;
  }
  // An org in the API that the state does not know.
  std::string stray(const std::string& name) {
    Organization o;
    o.id = testing::org_id(static_cast<int>(client.orgs.size()) + 900);
    o.spec.name = name;
    o.meta = nlohmann::json::object();
    client.orgs[o.id] = o;
    return o.id;
  }
  FakeClient client;
  FakeLedger ledger{client};
  int max_create_attempts = 5;
  bool stop = false;
  bool plan_refreshed = true;
};

TEST_F(Actions, ACreateWritesItsIntentAheadAndReturnsTheOrgToCommit) {
  ActionResult r = run(create("root"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_FALSE(r.outcome.recovered);
  // The intent before the POST, the org itself left for the group commit.
  EXPECT_THAT(ops(ledger.written), ElementsAre(Op::begin_create));
  EXPECT_THAT(ledger.posts_before, ElementsAre(0));
  EXPECT_TRUE(ledger.written[0].org.pending_create);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].key, "root");
  EXPECT_EQ(r.records[0].org.id, r.outcome.id);
  EXPECT_TRUE(client.orgs.count(r.outcome.id));
}

TEST_F(Actions, ACreateUnderAManagedParentSendsTheParentsId) {
  std::string parent = seed("root", "root");
  ActionResult r = run(create("child", "root"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.orgs.at(r.outcome.id).spec.parent.api_id(), parent);
  EXPECT_EQ(r.records.at(0).org.spec.parent, ParentRef::id(parent));
}

TEST_F(Actions, ACreateWhoseParentDoesNotExistSendsNothing) {
  ActionResult r = run(create("child", "missing"));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("its parent \"missing\" does not exist"));
  EXPECT_EQ(client.posts, 0);
  EXPECT_THAT(ledger.written, IsEmpty());
  EXPECT_THAT(r.records, IsEmpty());
}

TEST_F(Actions, ACreateThatProvablyFailedWithdrawsItsIntent) {
  client.fail_names = {"bad"};
  ActionResult r = run(create("bad"));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(ops(ledger.written), ElementsAre(Op::begin_create, Op::remove));
  EXPECT_FALSE(ledger.st.orgs.count("bad"));
  EXPECT_THAT(r.records, IsEmpty());
}

TEST_F(Actions, AnUnknownOutcomeThatTookEffectIsAdoptedWithoutASecondPost) {
  client.ambiguous_names = {{"root", 1}};
  ActionResult r = run(create("root"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_TRUE(r.outcome.recovered);
  EXPECT_EQ(client.posts, 1);
  EXPECT_EQ(client.lists, 1);
  EXPECT_EQ(client.count_named("root"), 1u);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.id, r.outcome.id);
}

TEST_F(Actions, AnUnknownOutcomeThatDidNotTakeEffectIsSentAgainWithANewIntent) {
  client.lost_names = {{"root", 2}};
  ActionResult r = run(create("root"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_TRUE(r.outcome.recovered);  // done by an attempt after the first
  EXPECT_EQ(client.posts, 3);
  EXPECT_EQ(client.lists, 2);  // one lookup per unknown outcome
  EXPECT_THAT(ledger.posts_before, ElementsAre(0, 1, 2));
}

TEST_F(Actions, ACreateGivesUpAfterItsAttemptsLeavingThePendingMark) {
  client.lost_names = {{"root", 100}};
  max_create_attempts = 3;
  ActionResult r = run(create("root"));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_EQ(client.posts, 3);
  EXPECT_THAT(r.outcome.message, HasSubstr("outcome unknown; 3 attempts, none took effect"));
  ASSERT_TRUE(ledger.st.orgs.count("root"));
  EXPECT_TRUE(ledger.st.orgs.at("root").pending_create);
}

TEST_F(Actions, ACreateSendsNoFurtherAttemptOnceStopped) {
  client.lost_names = {{"root", 100}};
  stop = true;
  ActionResult r = run(create("root"));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_EQ(client.posts, 1);
  EXPECT_THAT(r.outcome.message, HasSubstr("1 attempts"));
}

TEST_F(Actions, RecoveryLooksBeforeTheFirstPostAndAdoptsWhatItFinds) {
  std::string found = stray("root");
  plan::Action a = create("root");
  a.recover = true;
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_TRUE(r.outcome.recovered);
  EXPECT_EQ(client.posts, 0);
  EXPECT_THAT(ledger.written, IsEmpty());
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.id, found);
}

TEST_F(Actions, WithoutARefreshedPlanACreateLooksFirstAndRefusesADuplicate) {
  // A lost state and --refresh=false: the plan could not see that "root" exists.
  plan_refreshed = false;
  std::string existing = stray("root");
  ActionResult r = run(create("root"));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("already exists at the top level (" + existing));
  EXPECT_THAT(r.outcome.message, HasSubstr("cforg import root " + existing));
  EXPECT_EQ(client.posts, 0);
  EXPECT_EQ(client.count_named("root"), 1u);
  EXPECT_THAT(ledger.written, IsEmpty());
  EXPECT_THAT(r.records, IsEmpty());
  // Nothing of that name: the create goes, after the look.
  ActionResult fresh = run(create("other"));
  ASSERT_EQ(fresh.outcome.status, Status::done) << fresh.outcome.message;
  EXPECT_EQ(client.posts, 1);
}

TEST_F(Actions, ARefreshedPlanAlreadyLookedSoTheCreateGoesAtOnce) {
  stray("root");  // what the plan saw and allowed (say, with a parent it also saw)
  ActionResult r = run(create("root"));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.lists, 0);
  EXPECT_EQ(client.posts, 1);
}

TEST_F(Actions, RecoveryIgnoresALookAlikeTheStateAlreadyTracks) {
  seed("other", "root");  // same name and parent, but it is another key's org
  plan::Action a = create("root");
  a.recover = true;
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.posts, 1);
  EXPECT_EQ(client.count_named("root"), 2u);
}

TEST_F(Actions, RecoveryRefusesToChooseBetweenSeveralLookAlikes) {
  std::string one = stray("root");
  std::string two = stray("root");
  plan::Action a = create("root");
  a.recover = true;
  ActionResult r = run(a);
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("several untracked organizations"));
  EXPECT_THAT(r.outcome.message, HasSubstr(one));
  EXPECT_THAT(r.outcome.message, HasSubstr(two));
  EXPECT_THAT(r.outcome.message, HasSubstr("cforg import root <id>"));
  EXPECT_EQ(client.posts, 0);
}

TEST_F(Actions, RecoveryAdoptsALookAlikeAndSetsItsProfile) {
  std::string found = stray("root");
  plan::Action a = create("root");
  a.recover = true;
  a.after->profile = Profile{"1 Way", "ops@example.com", "Acme", "+1", "crm:1"};
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.profile_puts, 1);
  EXPECT_EQ(client.orgs.at(found).spec.profile, a.after->profile);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.spec.profile, a.after->profile);
}

plan::Action update(const std::string& key, const std::string& id, const state::OrgState& before,
                    const std::string& name, std::optional<Profile> profile) {
  plan::Action a;
  a.kind = plan::ActionKind::update;
  a.key = key;
  a.id = id;
  a.before = before;
  a.after = OrgSpec{name, ParentRef::root(), profile};
  if (name != before.spec.name)
    a.changes.push_back(plan::Change::name_change(before.spec.name, name));
  if (profile) a.changes.push_back(plan::Change::profile_change(std::nullopt, profile));
  return a;
}

TEST_F(Actions, AnUpdateRenamesAndRecordsTheAnswer) {
  std::string id = seed("root", "Root");
  ActionResult r = run(update("root", id, ledger.st.orgs.at("root"), "Root Co", std::nullopt));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.puts, 1);
  EXPECT_EQ(client.profile_puts, 0);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.spec.name, "Root Co");
  EXPECT_THAT(ledger.written, IsEmpty());
}

TEST_F(Actions, AnUpdateOfTheProfileAloneSendsOnlyTheProfile) {
  std::string id = seed("root", "Root");
  const Profile profile{"1 Way", "ops@example.com", "Acme", "+1", "crm:1"};
  ActionResult r = run(update("root", id, ledger.st.orgs.at("root"), "Root", profile));
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.puts, 0);
  EXPECT_EQ(client.profile_puts, 1);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.spec.profile, profile);
}

// The API accepts renames and refuses every profile.
struct ProfileRefused : FakeClient {
  api::Result<api::Empty> put_profile(const std::string&, const Profile&) override {
    api::ApiError e;
    e.kind = api::ApiError::Kind::http;
    e.status = 400;
    e.errors = {{1400, "profile refused", ""}};
    e.request = "TEST";
    return e;
  }
};

TEST_F(Actions, AnUpdateWhoseProfileFailsStillRecordsTheRename) {
  ProfileRefused refusing;
  FakeLedger refusing_ledger(refusing);
  Organization o;
  o.id = testing::org_id(77);
  o.spec.name = "Root";
  o.meta = nlohmann::json::object();
  refusing.orgs[o.id] = o;
  refusing_ledger.st.orgs["root"] = state::from_remote(o);
  plan::Action a = update("root", o.id, refusing_ledger.st.orgs.at("root"), "Root Co",
                          Profile{"1 Way", "ops@example.com", "Acme", "+1", "crm:1"});
  ActionContext ctx{refusing, refusing_ledger,      5,
                    {},       [] { return false; }, [] { return std::uint64_t{0}; }};
  ActionResult r = perform(a, ctx);
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_THAT(r.outcome.message, HasSubstr("updating the profile of org \"root\""));
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_EQ(r.records[0].org.spec.name, "Root Co");  // what is known at the end
  EXPECT_FALSE(r.records[0].org.spec.profile);
}

TEST_F(Actions, AnUpdateOfAnOrgDeletedOutsideCforgRecordsNothing) {
  std::string id = seed("root", "Root");
  client.orgs.erase(id);
  ActionResult r = run(update("root", id, ledger.st.orgs.at("root"), "Root Co", std::nullopt));
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_EQ(r.outcome.id, id);
  EXPECT_THAT(r.outcome.message, HasSubstr("deleted outside cforg"));
  EXPECT_THAT(r.records, IsEmpty());  // nothing changed, nothing to record
}

TEST_F(Actions, ADeleteOfAGoneOrgCountsAsDoneAndARefusalRecordsNothing) {
  plan::Action gone;
  gone.kind = plan::ActionKind::remove;
  gone.key = "gone";
  gone.id = testing::org_id(42);
  ActionResult r = run(gone);
  EXPECT_EQ(r.outcome.status, Status::done);
  EXPECT_THAT(ops(r.records), ElementsAre(Op::remove));

  std::string parent = seed("parent", "Parent");
  Organization child;
  child.id = testing::org_id(43);
  child.spec = {"Child", ParentRef::id(parent), std::nullopt};
  client.orgs[child.id] = child;
  plan::Action refused = gone;
  refused.key = "parent";
  refused.id = parent;
  r = run(refused);
  EXPECT_EQ(r.outcome.status, Status::failed);
  EXPECT_EQ(r.outcome.id, parent);
  EXPECT_THAT(r.records, IsEmpty());
}

TEST_F(Actions, AnAdoptionRecordsTheOrgEvenWithNothingToSend) {
  std::string id = stray("Found");
  plan::Action a;
  a.kind = plan::ActionKind::adopt;
  a.key = "found";
  a.id = id;
  a.before = state::from_remote(client.orgs.at(id));
  a.after = OrgSpec{"Found", ParentRef::root(), std::nullopt, /*prevent_destroy=*/true};
  ActionResult r = run(a);
  ASSERT_EQ(r.outcome.status, Status::done) << r.outcome.message;
  EXPECT_EQ(client.puts + client.profile_puts, 0);
  ASSERT_THAT(ops(r.records), ElementsAre(Op::put));
  EXPECT_TRUE(r.records[0].org.spec.prevent_destroy);
}

}  // namespace
}  // namespace cforg::apply
