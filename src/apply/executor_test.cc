#include "cforg/apply/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "support/ids.h"
#include "test_fakes.h"

namespace cforg::apply {
namespace {

using ::testing::HasSubstr;
using Status = Outcome::Status;
using fakes::FakeClient;
using fakes::MemoryJournal;

plan::Action create(const std::string& key, const std::string& parent_key = "") {
  plan::Action a;
  a.kind = plan::ActionKind::create;
  a.key = key;
  a.after = OrgSpec{key, parent_key.empty() ? ParentRef::root() : ParentRef::key(parent_key),
                    std::nullopt};
  if (!parent_key.empty()) a.depends_on = {parent_key};
  return a;
}

plan::Action remove(const std::string& key, const std::string& id) {
  plan::Action a;
  a.kind = plan::ActionKind::remove;
  a.key = key;
  a.id = id;
  return a;
}

struct Fixture : ::testing::Test {
  Report run(const plan::Plan& p, int parallelism = 4,
             std::chrono::microseconds commit_interval = Options{}.commit_interval) {
    Options opts;
    opts.parallelism = parallelism;
    opts.commit_interval = commit_interval;
    opts.backoff.base_delay = std::chrono::milliseconds(1);
    return execute(p, st, client, journal, opts);
  }
  state::State st;
  FakeClient client;
  MemoryJournal journal;
};

TEST_F(Fixture, ParentsFirstWithTheirIdsAndDurableBeforeChildren) {
  client.journal = &journal;
  plan::Plan p;
  p.actions = {create("root"), create("a", "root"), create("b", "root"), create("a1", "a")};
  Report r = run(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.created, 4u);
  EXPECT_FALSE(client.parent_not_durable);
  EXPECT_EQ(st.orgs.at("a").parent_id(), st.orgs.at("root").id);
  EXPECT_EQ(st.orgs.at("a1").parent_id(), st.orgs.at("a").id);
  EXPECT_EQ(client.orgs.at(st.orgs.at("a1").id).spec.parent.api_id(), st.orgs.at("a").id);
  EXPECT_EQ(client.posts, 4);
}

// What an org in state and in the fake API looks like after an earlier apply.
std::string seed_org(Fixture& f, const std::string& key, const std::string& name,
                     const std::string& parent_key = "") {
  plan::Plan p;
  p.actions = {create(key, parent_key)};
  p.actions[0].after->name = name;
  p.actions[0].depends_on.clear();
  EXPECT_TRUE(f.run(p).ok());
  return f.st.orgs.at(key).id;
}

TEST_F(Fixture, AnUpdateSendsARenameAndAProfileAsTheirOwnRequests) {
  std::string id = seed_org(*this, "root", "Root");
  const Profile profile{"1 Way", "ops@example.com", "Acme", "+1", "crm:1"};
  plan::Action a;
  a.kind = plan::ActionKind::update;
  a.key = "root";
  a.id = id;
  a.before = st.orgs.at("root");
  a.after = OrgSpec{"Root Co", ParentRef::root(), profile};
  a.changes = {plan::Change::name_change("Root", "Root Co"),
               plan::Change::profile_change(std::nullopt, profile)};
  plan::Plan p;
  p.actions = {a};
  Report r = run(p);
  ASSERT_TRUE(r.ok()) << r.outcomes[0].message;
  EXPECT_EQ(client.puts, 1);
  EXPECT_EQ(client.profile_puts, 1);
  EXPECT_EQ(client.orgs.at(id).spec.name, "Root Co");
  EXPECT_EQ(client.orgs.at(id).spec.profile, profile);
  // The rename's answer did not tell the profile; the state has the one that was sent.
  EXPECT_EQ(st.orgs.at("root").spec.name, "Root Co");
  EXPECT_EQ(st.orgs.at("root").spec.profile, profile);
  EXPECT_EQ(st.orgs.at("root").create_time, a.before->create_time);

  // Only the name: one PUT, the profile endpoint untouched.
  plan::Action rename = a;
  rename.before = st.orgs.at("root");
  rename.after->name = "Root Inc";
  rename.changes = {plan::Change::name_change("Root Co", "Root Inc")};
  p.actions = {rename};
  ASSERT_TRUE(run(p).ok());
  EXPECT_EQ(client.puts, 2);
  EXPECT_EQ(client.profile_puts, 1);
  EXPECT_EQ(st.orgs.at("root").spec.profile, profile);
}

TEST_F(Fixture, AReplacementDeletesTheOldTreeChildrenFirstThenCreatesParentsFirst) {
  std::string top = seed_org(*this, "top", "Top");
  std::string old_mid = seed_org(*this, "mid", "Mid", "top");
  std::string old_leaf = seed_org(*this, "leaf", "Leaf", "mid");
  std::string other = seed_org(*this, "other", "Other");
  // mid moves from top to other: mid and leaf are replaced.
  plan::Action del_leaf = remove("leaf", old_leaf);
  del_leaf.replace = true;
  plan::Action del_mid = remove("mid", old_mid);
  del_mid.replace = true;
  del_mid.after_removal_of = {"leaf"};
  plan::Action new_mid = create("mid", "other");
  new_mid.after->name = "Mid";
  new_mid.replace = true;
  new_mid.after_removal_of = {"mid"};
  plan::Action new_leaf = create("leaf", "mid");
  new_leaf.after->name = "Leaf";
  new_leaf.replace = true;
  new_leaf.after_removal_of = {"leaf"};
  plan::Plan p;
  p.actions = {new_mid, new_leaf, del_leaf, del_mid};
  client.latency = std::chrono::milliseconds(5);
  Report r = run(p);
  ASSERT_TRUE(r.ok()) << r.outcomes[0].message << r.outcomes[1].message;
  EXPECT_EQ(r.replaced, 2u);
  EXPECT_EQ(r.created, 0u);
  EXPECT_EQ(r.deleted, 0u);
  EXPECT_FALSE(client.orgs.count(old_mid));
  EXPECT_FALSE(client.orgs.count(old_leaf));
  EXPECT_EQ(client.orgs.at(st.orgs.at("mid").id).spec.parent.api_id(), other);
  EXPECT_EQ(client.orgs.at(st.orgs.at("leaf").id).spec.parent.api_id(), st.orgs.at("mid").id);
  EXPECT_EQ(st.orgs.at("mid").parent_key, "other");
  EXPECT_NE(st.orgs.at("mid").id, old_mid);
  EXPECT_EQ(client.count_named("Mid"), 1u);
  (void)top;
}

TEST_F(Fixture, AReplacementWhoseOldOrgCannotBeDeletedCreatesNothing) {
  std::string old_mid = seed_org(*this, "mid", "Mid");
  seed_org(*this, "other", "Other");
  // Something cforg does not track lives in the old org: the API refuses the delete.
  {
    Organization stranger;
    stranger.id = testing::org_id(9999);
    stranger.spec = {"Stranger", ParentRef::id(old_mid), std::nullopt};
    client.orgs[stranger.id] = stranger;
  }
  plan::Action del_mid = remove("mid", old_mid);
  del_mid.replace = true;
  plan::Action new_mid = create("mid", "other");
  new_mid.after->name = "Mid";
  new_mid.replace = true;
  new_mid.after_removal_of = {"mid"};
  plan::Plan p;
  p.actions = {new_mid, del_mid};
  Report r = run(p);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(client.count_named("Mid"), 1u);
  EXPECT_EQ(st.orgs.at("mid").id, old_mid);  // still tracked: nothing was lost
}

TEST_F(Fixture, ParallelismBoundsRequestsInFlight) {
  client.latency = std::chrono::milliseconds(20);
  plan::Plan p;
  for (int i = 0; i < 24; ++i) p.actions.push_back(create("org" + std::to_string(i)));
  auto start = std::chrono::steady_clock::now();
  Report r = run(p, 6);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(client.max_in_flight.load(), 6);
  EXPECT_LT(took, std::chrono::milliseconds(24 * 20 / 2));  // clearly not one at a time
  EXPECT_GE(r.elapsed, std::chrono::milliseconds(24 / 6 * 20));
  EXPECT_LE(r.elapsed, took);
}

TEST_F(Fixture, ResultsShareAFsyncWhileOthersAreInFlight) {
  client.journal = &journal;
  client.latency = std::chrono::milliseconds(2);
  plan::Plan p;
  p.actions.push_back(create("root"));
  for (int i = 0; i < 200; ++i) p.actions.push_back(create("org" + std::to_string(i), "root"));
  const auto interval = std::chrono::milliseconds(200);
  Report r = run(p, 8, interval);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(client.parent_not_durable);
  // 200 creates at 8 in flight take ~50 ms: the root's fsync, at most one per interval while
  // there is other work, and one per result of the last 8 (nothing else is left to do then).
  // Without pacing it is one per handful of results, ~60.
  EXPECT_LE(journal.syncs, 2 + 8 + r.elapsed / interval) << r.elapsed.count() << " us";
  // Each create's intent goes out on its own, before its request; the results go in one
  // append per commit.
  EXPECT_EQ(journal.appends, 201 + journal.syncs);
}

TEST_F(Fixture, ResultsOthersWaitForAreSyncedAtOnceWhenNothingElseIsReady) {
  // A chain of creates beside one slow, unrelated create. The chain's results each have a
  // dependent and the workers nothing else to do: pacing would make each link wait out the
  // interval while the slow create is in flight.
  client.journal = &journal;
  client.slow_names["Slow"] = std::chrono::milliseconds(1500);
  plan::Plan p;
  plan::Action slow = create("slow");
  slow.after->name = "Slow";
  p.actions.push_back(slow);
  p.actions.push_back(create("link0"));
  for (int i = 1; i < 5; ++i) {
    p.actions.push_back(create("link" + std::to_string(i), "link" + std::to_string(i - 1)));
  }
  auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration chain_done{};
  struct ChainWatcher : Observer {
    std::chrono::steady_clock::time_point start;
    std::chrono::steady_clock::duration* done;
    void finished(const Outcome& o) override {
      if (o.key == "link4") *done = std::chrono::steady_clock::now() - start;
    }
  } watcher;
  watcher.start = start;
  watcher.done = &chain_done;
  Options opts;
  opts.parallelism = 4;
  opts.commit_interval = std::chrono::seconds(5);
  opts.observer = &watcher;
  Report r = execute(p, st, client, journal, opts);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(client.parent_not_durable);
  EXPECT_LT(chain_done, std::chrono::milliseconds(1000));  // while "Slow" was still in flight
}

TEST_F(Fixture, AResultWithNothingElseInFlightIsSyncedAtOnce) {
  // A chain: each create waits for its parent's record to be durable, and nothing else runs
  // meanwhile. Pacing would add a whole interval per link; there is nothing to wait for.
  client.journal = &journal;
  plan::Plan p;
  p.actions.push_back(create("org0"));
  for (int i = 1; i < 6; ++i) {
    p.actions.push_back(create("org" + std::to_string(i), "org" + std::to_string(i - 1)));
  }
  auto start = std::chrono::steady_clock::now();
  Report r = run(p, 4, std::chrono::seconds(2));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(client.parent_not_durable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(journal.syncs, 6);
}

TEST_F(Fixture, AFailureSkipsItsDependentsOnly) {
  client.fail_names = {"bad"};
  plan::Plan p;
  p.actions = {create("bad"), create("child", "bad"), create("grandchild", "child"),
               create("good")};
  Report r = run(p);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 2u);
  EXPECT_EQ(r.created, 1u);
  EXPECT_EQ(r.outcomes[0].status, Status::failed);
  EXPECT_THAT(r.outcomes[0].message, HasSubstr("scripted failure"));
  EXPECT_EQ(r.outcomes[2].status, Status::skipped);
  EXPECT_THAT(r.outcomes[2].message, HasSubstr("\"bad\""));
  EXPECT_FALSE(st.orgs.count("bad"));  // it provably did not happen: not even pending
  EXPECT_TRUE(st.orgs.count("good"));
}

TEST_F(Fixture, UnknownOutcomeThatTookEffectIsAdoptedNotDuplicated) {
  client.ambiguous_names = {{"root", 1}};
  plan::Plan p;
  p.actions = {create("root"), create("child", "root")};
  Report r = run(p);
  ASSERT_TRUE(r.ok()) << r.outcomes[0].message;
  EXPECT_TRUE(r.outcomes[0].recovered);
  EXPECT_EQ(client.count_named("root"), 1u);
  EXPECT_EQ(client.posts, 2);
  EXPECT_EQ(st.orgs.at("root").id, r.outcomes[0].id);
}

TEST_F(Fixture, UnknownOutcomeThatDidNotTakeEffectIsSentAgain) {
  client.lost_names = {{"root", 2}};
  plan::Plan p;
  p.actions = {create("root")};
  Report r = run(p);
  ASSERT_TRUE(r.ok()) << r.outcomes[0].message;
  EXPECT_EQ(client.posts, 3);
  EXPECT_EQ(client.count_named("root"), 1u);
}

TEST_F(Fixture, GivesUpAfterMaxAttemptsAndLeavesThePendingMark) {
  client.lost_names = {{"root", 100}};
  plan::Plan p;
  p.actions = {create("root")};
  Report r = run(p);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(client.posts, 5);
  EXPECT_THAT(r.outcomes[0].message, HasSubstr("outcome unknown"));
  ASSERT_TRUE(st.orgs.count("root"));
  EXPECT_TRUE(st.orgs.at("root").pending_create);
}

TEST_F(Fixture, RecoverLooksBeforeCreating) {
  Organization existing;
  existing.id = std::string(32, 'a');
  existing.spec.name = "root";
  existing.meta = nlohmann::json::object();
  client.orgs[existing.id] = existing;
  plan::Plan p;
  p.actions = {create("root")};
  p.actions[0].recover = true;
  Report r = run(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(client.posts, 0);
  EXPECT_EQ(st.orgs.at("root").id, existing.id);
}

TEST_F(Fixture, DeleteOfAnAlreadyGoneOrgSucceedsAndRefusalKeepsState) {
  Organization parent;
  parent.id = std::string(32, 'b');
  parent.spec.name = "parent";
  client.orgs[parent.id] = parent;
  Organization child = parent;
  child.id = std::string(32, 'c');
  child.spec.parent = ParentRef::from_api_id(parent.id);
  client.orgs[child.id] = child;
  st.orgs["gone"].id = std::string(32, 'd');
  st.orgs["parent"].id = parent.id;
  plan::Plan p;
  p.actions = {remove("gone", std::string(32, 'd')), remove("parent", parent.id)};
  Report r = run(p);
  EXPECT_EQ(r.outcomes[0].status, Status::done);
  EXPECT_EQ(r.outcomes[1].status, Status::failed);
  EXPECT_FALSE(st.orgs.count("gone"));
  EXPECT_TRUE(st.orgs.count("parent"));
}

// A journal on a full disk.
class BrokenJournal : public MemoryJournal {
 public:
  void sync(std::uint64_t) override {
    throw state::StateError("cannot fsync journal: No space left on device");
  }
};

TEST_F(Fixture, AJournalThatCannotBeSyncedFailsTheActionsAndStopsTheRun) {
  BrokenJournal broken;
  Options opts;
  opts.parallelism = 1;
  plan::Plan p;
  p.actions = {create("a"), create("b"), create("c")};
  Report r = execute(p, st, client, broken, opts);
  // Nothing counts as done unless durable; whatever had not started stays so.
  EXPECT_EQ(r.created, 0u);
  EXPECT_EQ(r.failed + r.not_started, 3u);
  EXPECT_THAT(r.outcomes[0].message, HasSubstr("No space left"));
}

TEST_F(Fixture, NothingStartsOnceStopped) {
  std::atomic<bool> stop{true};
  Options opts;
  opts.stop = &stop;
  plan::Plan p;
  p.actions = {create("a"), create("b")};
  Report r = execute(p, st, client, journal, opts);
  EXPECT_EQ(r.not_started, 2u);
  EXPECT_EQ(client.posts, 0);
}

plan::Action add_member(const std::string& key, const std::string& email) {
  plan::Action a;
  a.kind = plan::ActionKind::add_member;
  a.key = key;
  a.member = Member{.email = email};
  a.depends_on = {key};
  return a;
}

// A new org and `n` members for it, as a plan makes them.
plan::Plan org_with_members(int n) {
  plan::Plan p;
  p.actions = {create("retail")};
  for (int i = 0; i < n; ++i)
    p.actions.push_back(add_member("retail", std::to_string(i) + "@x.io"));
  return p;
}

TEST_F(Fixture, MemberCreatesOfOneOrgGoAsBatchesWhereTheServerHasThem) {
  client.batch_support = true;
  Report r = run(org_with_members(250), 2);
  ASSERT_TRUE(r.ok()) << r.outcomes.back().message;
  EXPECT_EQ(r.members_added, 250u);
  EXPECT_LE(client.batches, 4) << "250 members in batches of at most 100";
  for (std::size_t size : client.batch_sizes) EXPECT_LE(size, 100u);
  ASSERT_EQ(st.orgs.at("retail").members->size(), 250u) << "each member recorded";
}

TEST_F(Fixture, WithoutBatchCreateMembersGoOneByOneOnEveryWorker) {
  client.batch_support = false;
  Report r = run(org_with_members(20), 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(client.batches, 0);
  EXPECT_EQ(client.member_posts, 20);
  EXPECT_EQ(st.orgs.at("retail").members->size(), 20u);
}

TEST_F(Fixture, WhileNobodyKnowsABatchIsASmallProbe) {
  Report r = run(org_with_members(10), 1);  // batch_support unknown throughout
  ASSERT_TRUE(r.ok());
  for (std::size_t size : client.batch_sizes) EXPECT_LE(size, 2u);
  EXPECT_EQ(st.orgs.at("retail").members->size(), 10u);
}

// Against a server without batchCreate every probe is a wasted 404: one at a time, however
// many workers are ready (the others send single creates meanwhile).
TEST_F(Fixture, WhileNobodyKnowsOnlyOneProbeIsOut) {
  client.latency = std::chrono::milliseconds(2);
  plan::Plan p;
  for (int o = 0; o < 8; ++o) {
    std::string key = "org" + std::to_string(o);
    p.actions.push_back(create(key));
    for (int i = 0; i < 6; ++i) p.actions.push_back(add_member(key, std::to_string(i) + "@x.io"));
  }
  Report r = run(p, 8);  // batch_support unknown throughout
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.members_added, 48u);
  EXPECT_GE(client.batches, 1);
  EXPECT_EQ(client.max_batches_in_flight, 1);
}

TEST_F(Fixture, AMemberOfABatchWhoseAnswerWasLostIsLookedUpNotDuplicated) {
  client.batch_support = true;
  client.ambiguous_members["3@x.io"] = 1;
  Report r = run(org_with_members(8), 1);
  ASSERT_TRUE(r.ok()) << r.outcomes.back().message;
  EXPECT_EQ(client.member_posts, 8) << "nothing sent twice";
  EXPECT_EQ(st.orgs.at("retail").members->size(), 8u);
}

}  // namespace
}  // namespace cforg::apply
