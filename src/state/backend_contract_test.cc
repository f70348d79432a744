// The backend protocol (backend.h), checked against every backend: the local file and
// PostgreSQL (skipped, saying so, when no PostgreSQL server can be started).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "cforg/state/journal.h"
#include "state_test_support.h"
#include "support/pg.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;
using testing::make_org;
using testing::org_id;
using testing::TempDir;
using Op = JournalRecord::Op;

JournalRecord put(const std::string& key, const OrgState& org) {
  return {Op::put, key, org};
}
JournalRecord begin_create(const std::string& key, const std::string& name) {
  OrgState org;
  org.spec.name = name;
  return {Op::begin_create, key, org};
}

// Opens backends onto one state: a file in a temporary folder, or a fresh pg workspace.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "pg") {
      CFORG_PG_URL_OR_SKIP(url);
      url_ = url;
      workspace_ = cforg::testing::unique_workspace("contract");
    }
  }
  // A new backend object, as another process would open it.
  std::unique_ptr<Backend> open() const {
    if (GetParam() == "pg") return open_pg_backend(url_, workspace_);
    return open_file_backend(dir_ / "s.json");
  }

  TempDir dir_;
  std::string url_, workspace_;
};

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::Values("file", "pg"),
                         [](const auto& info) { return info.param; });

TEST_P(BackendTest, MissingStateIsEmpty) {
  Snapshot s = open()->load();
  EXPECT_EQ(s.state, State{});
  EXPECT_FALSE(s.journal_pending());
}

TEST_P(BackendTest, CommitBumpsSerialAndKeepsTheLineage) {
  auto b = open();
  auto lock = b->lock("apply");
  Snapshot snap = b->load();
  State s = snap.state;
  s.orgs["root"] = make_org(org_id(1), "Root");
  b->begin(*lock, snap)->commit(s);
  EXPECT_EQ(s.serial, 1u);
  ASSERT_EQ(s.lineage.size(), 36u);
  EXPECT_EQ(open()->load().state, s);

  Snapshot second = b->load();
  State next = second.state;
  next.orgs["child"] = make_org(org_id(2), "Child", org_id(1));
  b->begin(*lock, second)->commit(next);
  EXPECT_EQ(next.serial, 2u);
  EXPECT_EQ(next.lineage, s.lineage);
  EXPECT_EQ(next.orgs["child"].parent_key, "root");  // relinked
  EXPECT_EQ(open()->load().state, next);
}

TEST_P(BackendTest, CommitRefusesAStateChangedSinceLoad) {
  auto a = open();
  auto b = open();
  State from_missing = testing::load(*a);
  State s = testing::load(*a);
  testing::save(*a, s);  // serial 1
  State stale = testing::load(*b);
  State fresh = testing::load(*b);
  testing::save(*b, fresh);  // serial 2
  try {
    testing::save(*a, stale);
    ADD_FAILURE() << "a stale state was saved";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("changed since it was loaded"));
  }
  EXPECT_EQ(stale.serial, 1u);  // unchanged by the failed commit
  EXPECT_THROW(testing::save(*a, from_missing), StateError);
  EXPECT_EQ(testing::load(*open()).serial, 2u);
}

TEST_P(BackendTest, JournalOfAnInterruptedRunIsFoldedByLoadAndCommitted) {
  {
    auto b = open();
    auto lock = b->lock("apply");
    Snapshot base = b->load();
    auto tx = b->begin(*lock, base);
    Journal& j = tx->journal();
    j.append(begin_create("root", "Root"));
    j.append(begin_create("child", "Child"));  // an intent whose outcome is unknown
    std::uint64_t seq = j.append(put("root", make_org(org_id(1), "Root")));
    EXPECT_EQ(seq, 3u);
    j.sync(seq);
  }  // the run dies: no commit
  auto b = open();
  auto lock = b->lock("apply");
  Snapshot loaded = b->load();
  EXPECT_TRUE(loaded.journal_pending());
  EXPECT_EQ(loaded.journal_records, 3u);
  EXPECT_EQ(loaded.state.orgs.at("root").id, org_id(1));
  EXPECT_TRUE(loaded.state.orgs.at("child").pending_create);

  // The next run continues the journal, then commits everything.
  auto tx = b->begin(*lock, loaded);
  tx->journal().sync(tx->journal().append(put("b", make_org(org_id(2), "B"))));
  Snapshot again = open()->load();
  EXPECT_EQ(again.journal_records, 4u);
  State s = again.state;
  Journal& j = tx->journal();
  tx->commit(s);
  EXPECT_THROW(j.append(put("c", make_org(org_id(3), "C"))), StateError);  // retired
  Snapshot after = open()->load();
  EXPECT_FALSE(after.journal_pending());
  EXPECT_EQ(after.state, s);
  EXPECT_EQ(after.state.serial, 1u);
}

// A journal is read from outside like the state: records that give one id two keys are refused
// as a state file saying so would be, naming the journal, before any plan runs on them.
TEST_P(BackendTest, AJournalThatTracksOneIdUnderTwoKeysIsRefusedOnLoad) {
  {
    auto b = open();
    auto lock = b->lock("apply");
    Snapshot base = b->load();
    auto tx = b->begin(*lock, base);
    Journal& j = tx->journal();
    j.append(put("a", make_org(org_id(1), "A")));
    j.sync(j.append(put("b", make_org(org_id(1), "B"))));
  }  // the run dies: no commit
  try {
    open()->load();
    ADD_FAILURE() << "a journal tracking one id under two keys was folded in";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("one organization cannot be tracked under two keys"));
    EXPECT_THAT(e.what(), HasSubstr("journal"));
    EXPECT_THAT(e.what(), HasSubstr("Move the journal aside"));
  }
}

// The records of what lives inside an org travel as lines like the others: journaled in one
// batch (the group commit's path) and alone, folded in by the next load, committed.
TEST_P(BackendTest, MemberAndAccountRecordsAreJournaledFoldedAndCommitted) {
  Member al;
  al.email = "Al@Example.com";
  Member al_created = al;
  al_created.id = "m-1";
  al_created.create_time = "2026-12-01T09:30:00Z";
  Member bo = al_created;
  bo.email = "bo@example.com";
  bo.id = "m-2";
  bo.status = MemberStatus::canceled;
  Member bo_gone;
  bo_gone.email = "BO@example.com";
  const Account web{"acc-1", "Web", "standard"};
  const Account shop{"acc-2", "Shop", "enterprise"};
  {
    auto b = open();
    auto lock = b->lock("apply");
    Snapshot base = b->load();
    State s = base.state;
    s.orgs["a"] = make_org(org_id(1), "A");
    s.orgs["a"].accounts.emplace();
    (*s.orgs["a"].accounts)[web.id] = web;
    s.orgs["b"] = make_org(org_id(2), "B");
    b->begin(*lock, base)->commit(s);

    Snapshot saved = b->load();
    auto tx = b->begin(*lock, saved);
    Journal& j = tx->journal();
    JournalRecord batch[] = {{Op::begin_member, "b", {}, al, {}},
                             {Op::put_member, "b", {}, al_created, {}},
                             {Op::put_member, "b", {}, bo, {}},
                             {Op::put_account, "b", {}, {}, web}};
    j.append(batch);
    j.append({Op::remove_member, "b", {}, bo_gone, {}});
    j.append({Op::put_account, "a", {}, {}, shop});
    j.append({Op::remove_account, "a", {}, {}, shop});
    j.sync(j.append({Op::begin_member, "a", {}, bo, {}}));
  }  // the run dies: no commit
  auto b = open();
  auto lock = b->lock("apply");
  Snapshot loaded = b->load();
  EXPECT_EQ(loaded.journal_records, 8u);
  const OrgState& a = loaded.state.orgs.at("a");
  const OrgState& org_b = loaded.state.orgs.at("b");
  ASSERT_TRUE(org_b.members && org_b.accounts && a.members && a.accounts);
  EXPECT_EQ(*org_b.members, (std::map<std::string, Member>{{"al@example.com", al_created}}));
  EXPECT_EQ(*org_b.accounts, (std::map<std::string, Account>{{"acc-1", web}}));
  EXPECT_TRUE(a.accounts->empty()) << "acc-1 moved to b, acc-2 came and left";
  ASSERT_EQ(a.members->size(), 1u);
  EXPECT_TRUE(a.members->at("bo@example.com").pending);

  State s = loaded.state;
  b->begin(*lock, loaded)->commit(s);
  Snapshot after = open()->load();
  EXPECT_FALSE(after.journal_pending());
  EXPECT_EQ(after.state, s);
}

TEST_P(BackendTest, ConcurrentAppendsAndSyncsKeepEveryRecord) {
  auto b = open();
  auto lock = b->lock("apply");
  Snapshot base = b->load();
  auto tx = b->begin(*lock, base);
  Journal& j = tx->journal();
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        j.sync(j.append(put("k" + std::to_string(n), make_org(org_id(n + 1), "Org"))));
      }
    });
  }
  for (auto& t : threads) t.join();
  Snapshot loaded = open()->load();
  ASSERT_EQ(loaded.state.orgs.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int n = 0; n < kThreads * kPerThread; ++n) {
    EXPECT_EQ(loaded.state.orgs["k" + std::to_string(n)].id, org_id(n + 1));
  }
}

TEST_P(BackendTest, SecondLockFailsAtOnceNamingTheHolder) {
  auto holder = open()->lock("apply");
  try {
    open()->lock("plan");
    ADD_FAILURE() << "locked twice";
  } catch (const LockedError& e) {
    EXPECT_THAT(e.what(), HasSubstr("locked by"));
    EXPECT_THAT(e.what(), HasSubstr("\"apply\""));
    EXPECT_THAT(e.what(), HasSubstr(holder->info().id));
    EXPECT_EQ(e.holder.id, holder->info().id);
    EXPECT_EQ(e.holder.pid, static_cast<int>(::getpid()));
  }
  holder.reset();
  EXPECT_NO_THROW(open()->lock("apply"));  // released
}

TEST_P(BackendTest, LockWaitingWithoutATimeoutFailsAtOnceNamingTheHolder) {
  auto held = open()->lock("apply");
  auto start = std::chrono::steady_clock::now();
  try {
    lock_waiting(*open(), "plan", std::chrono::milliseconds(0));
    ADD_FAILURE() << "a held lock was taken";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder.id, held->info().id);
    EXPECT_THAT(e.what(), HasSubstr("running \"apply\""));
    EXPECT_THAT(e.what(), HasSubstr("--lock-timeout"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_P(BackendTest, LockWaitingProceedsOnceTheHolderLetsGo) {
  auto held = open()->lock("apply");
  const std::string holder_id = held->info().id;
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    held.reset();
  });
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> told;
  auto waiter = open();
  std::unique_ptr<Lock> got;
  try {
    got = lock_waiting(*waiter, "apply", std::chrono::seconds(20),
                       [&](const LockedError& e, std::chrono::milliseconds timeout) {
                         told.push_back(e.holder.id);
                         EXPECT_EQ(timeout, std::chrono::seconds(20));
                       });
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  auto took = std::chrono::steady_clock::now() - start;
  release.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(told, std::vector<std::string>{holder_id}) << "told once, naming the holder";
  EXPECT_GE(took, std::chrono::milliseconds(400));
  EXPECT_LT(took, std::chrono::seconds(5)) << "it polls: it takes the lock soon after release";
}

TEST_P(BackendTest, LockWaitingGivesUpAtTheDeadlineNamingTheHolder) {
  auto held = open()->lock("apply");
  auto start = std::chrono::steady_clock::now();
  try {
    lock_waiting(*open(), "apply", std::chrono::milliseconds(700));
    ADD_FAILURE() << "a held lock was taken";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder.id, held->info().id);
    EXPECT_THAT(e.what(), HasSubstr("gave up waiting for the lock after 700ms"));
    EXPECT_THAT(e.what(), HasSubstr(held->info().who));
  }
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(700));
  EXPECT_LT(took, std::chrono::seconds(4));
}

TEST_P(BackendTest, LockOfAKilledHolderIsReleased) {
  testing::Pipe locked;
  pid_t child = testing::fork_child([&] {
    auto lock = open()->lock("apply");
    testing::send(locked.write_end(), "x");
    for (;;) ::pause();
    return 0;
  });
  locked.close_write();
  ASSERT_EQ(testing::receive_until(locked.read_end(), "x"), "x");
  EXPECT_THROW(open()->lock("plan"), LockedError);
  ::kill(child, SIGKILL);
  ASSERT_EQ(testing::wait_child(child), 128 + SIGKILL);
  // The server notices the closed connection at once; allow it a moment.
  std::unique_ptr<Lock> lock;
  for (int i = 0; i < 100 && !lock; ++i) {
    try {
      lock = open()->lock("apply");
    } catch (const LockedError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_TRUE(lock) << "the killed holder's lock was never released";
}

TEST_P(BackendTest, SyncedRecordsSurviveAKill) {
  testing::Pipe acks;
  pid_t child = testing::fork_child([&] {
    auto b = open();
    auto lock = b->lock("apply");
    auto tx = b->begin(*lock, b->load());
    for (int n = 0;; ++n) {
      tx->journal().sync(
          tx->journal().append(put("k" + std::to_string(n), make_org(org_id(n + 1), "Org"))));
      if (!testing::send(acks.write_end(), std::to_string(n) + "\n")) return 1;
    }
    return 0;
  });
  acks.close_write();
  std::string text;
  for (int i = 0; i < 50; ++i) text += testing::receive_until(acks.read_end(), "\n");
  ::kill(child, SIGKILL);
  ASSERT_EQ(testing::wait_child(child), 128 + SIGKILL);
  for (std::string more; !(more = testing::receive_until(acks.read_end(), "\n")).empty();) {
    text += more;
  }
  std::istringstream in(text);
  State loaded = testing::load(*open());
  int acknowledged = 0;
  for (int n; in >> n; ++acknowledged) {
    ASSERT_TRUE(loaded.orgs.count("k" + std::to_string(n))) << "lost acknowledged record " << n;
  }
  EXPECT_GE(acknowledged, 50);
}

TEST_P(BackendTest, ReplaceWritesTheStateAsItIs) {
  auto b = open();
  auto lock = b->lock("state push");
  State s;
  s.lineage = "0b8d3f2e-8a4e-4c1e-9a52-3c5f5d1e2a10";
  s.serial = 41;
  s.orgs["root"] = make_org(org_id(1), "Root");
  b->begin(*lock, b->load())->replace(s);
  State loaded = testing::load(*open());
  EXPECT_EQ(loaded.serial, 41u);
  EXPECT_EQ(loaded.lineage, s.lineage);
  EXPECT_EQ(loaded.orgs.at("root").id, org_id(1));
}

}  // namespace
}  // namespace cforg::state
