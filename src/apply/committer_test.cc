#include "committer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_fakes.h"

namespace cforg::apply {
namespace {

using fakes::MemoryJournal;
using state::JournalRecord;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Op = JournalRecord::Op;
using namespace std::chrono_literals;

JournalRecord put(const std::string& key, const std::string& id) {
  state::OrgState org;
  org.id = id;
  org.spec.name = key;
  return {Op::put, key, org};
}

Committer::Pending done(std::size_t action, std::vector<JournalRecord> records) {
  Committer::Pending p{action, {}};
  p.result.outcome.status = Outcome::Status::done;
  p.result.records = std::move(records);
  return p;
}

// A committer on its own thread, as the executor runs it; `urgent` is what the executor's
// scheduling would say.
struct CommitterTest : ::testing::Test {
  void start(std::chrono::microseconds interval) {
    committer.emplace(st, *journal, mu, interval);
    thread = std::jthread([this] {
      committer->run([this] { return urgent; },
                     [this](std::span<Committer::Pending> batch) {
                       std::lock_guard lock(batches_mu);
                       std::vector<std::size_t> actions;
                       for (const Committer::Pending& p : batch) {
                         actions.push_back(p.action);
                         outcomes.push_back(p.result.outcome);
                       }
                       batches.push_back(actions);
                       batches_cv.notify_all();
                     });
    });
  }
  void hand_over(Committer::Pending p) {
    std::lock_guard lock(mu);
    committer->hand_over(std::move(p));
  }
  void wait_for_batches(std::size_t n) {
    std::unique_lock lock(batches_mu);
    batches_cv.wait(lock, [&] { return batches.size() >= n; });
  }
  void stop() {
    {
      std::lock_guard lock(mu);
      committer->close();
    }
    committer->wake();
    thread.join();
  }
  void TearDown() override {
    if (thread.joinable()) stop();
  }

  state::State st;
  MemoryJournal memory;
  state::Journal* journal = &memory;
  std::mutex mu;
  bool urgent = false;  // guarded by mu
  std::optional<Committer> committer;
  std::jthread thread;

  std::mutex batches_mu;
  std::condition_variable batches_cv;
  std::vector<std::vector<std::size_t>> batches;  // the actions of each durable batch
  std::vector<Outcome> outcomes;
};

TEST_F(CommitterTest, AWriteAheadIsAppendedAtOnceWithoutAnFsyncAndFolded) {
  start(5ms);
  state::OrgState intent;
  intent.spec.name = "root";
  intent.pending_create = true;
  committer->write_ahead({Op::begin_create, "root", intent});
  EXPECT_EQ(memory.appends, 1);
  EXPECT_EQ(memory.syncs, 0);
  ASSERT_TRUE(committer->org("root"));
  EXPECT_TRUE(committer->org("root")->pending_create);
}

TEST_F(CommitterTest, AResultIsDurableAndInTheStateBeforeItIsReported) {
  start(5ms);
  hand_over(done(0, {put("root", "id-root")}));
  wait_for_batches(1);
  EXPECT_EQ(memory.synced, memory.records.size());
  EXPECT_EQ(memory.records.size(), 1u);
  EXPECT_TRUE(committer->tracks("id-root"));
  EXPECT_EQ(committer->org("root")->id, "id-root");
}

TEST_F(CommitterTest, ResultsThatArriveWithinTheIntervalShareOneAppendAndOneFsync) {
  start(std::chrono::seconds(1));
  hand_over(done(0, {put("first", "id-0")}));  // nothing committed yet: at once
  wait_for_batches(1);
  hand_over(done(1, {put("a", "id-1")}));
  std::this_thread::sleep_for(50ms);
  hand_over(done(2, {put("b", "id-2"), put("c", "id-3")}));
  wait_for_batches(2);
  EXPECT_THAT(batches, ElementsAre(ElementsAre(0), ElementsAre(1, 2)));
  EXPECT_EQ(memory.appends, 2);
  EXPECT_EQ(memory.syncs, 2);
  EXPECT_EQ(memory.synced, 4u);
}

TEST_F(CommitterTest, AnUrgentResultIsCommittedWithoutWaitingOutTheInterval) {
  urgent = true;
  start(std::chrono::seconds(10));
  auto begin = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < 3; ++i) {
    hand_over(done(i, {put("k" + std::to_string(i), "id-" + std::to_string(i))}));
    wait_for_batches(i + 1);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(memory.syncs, 3);
}

TEST_F(CommitterTest, BecomingUrgentCutsTheWaitShort) {
  start(std::chrono::seconds(10));
  hand_over(done(0, {put("first", "id-0")}));
  wait_for_batches(1);
  auto begin = std::chrono::steady_clock::now();
  hand_over(done(1, {put("second", "id-1")}));
  std::this_thread::sleep_for(20ms);
  {
    std::lock_guard lock(mu);
    urgent = true;  // e.g. the workers ran out of ready actions
  }
  committer->wake();
  wait_for_batches(2);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST_F(CommitterTest, ClosingCommitsWhatIsLeftWithoutWaiting) {
  start(std::chrono::seconds(10));
  hand_over(done(0, {put("first", "id-0")}));
  wait_for_batches(1);
  hand_over(done(1, {put("last", "id-1")}));
  auto begin = std::chrono::steady_clock::now();
  stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_EQ(batches.size(), 2u);
  EXPECT_TRUE(committer->tracks("id-1"));
}

TEST_F(CommitterTest, ARemoveUntracksTheOrgsId) {
  st.orgs["old"].id = "id-old";
  start(5ms);
  EXPECT_TRUE(committer->tracks("id-old"));
  hand_over(done(0, {{Op::remove, "old", {}}}));
  wait_for_batches(1);
  EXPECT_FALSE(committer->tracks("id-old"));
  EXPECT_FALSE(committer->org("old"));
}

// A journal on a full disk.
class UnsyncableJournal : public MemoryJournal {
 public:
  void sync(std::uint64_t) override {
    throw state::StateError("cannot fsync journal: No space left on device");
  }
};

TEST_F(CommitterTest, AFailedFsyncFailsEveryOutcomeOfTheBatchAndBreaksTheCommitter) {
  UnsyncableJournal full;
  journal = &full;
  start(5ms);
  EXPECT_FALSE(committer->broken());
  Committer::Pending p = done(0, {put("a", "id-a")});
  p.result.outcome.id = "id-a";
  hand_over(std::move(p));
  wait_for_batches(1);
  EXPECT_TRUE(committer->broken());
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, Outcome::Status::failed);
  EXPECT_THAT(outcomes[0].message, HasSubstr("No space left"));
  EXPECT_EQ(outcomes[0].id, "id-a");  // the org may exist: its id is kept for the report
}

}  // namespace
}  // namespace cforg::apply
