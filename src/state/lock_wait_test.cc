// lock_waiting's schedule, against a backend whose lock is always taken: it polls with a
// growing pause, not in a busy loop, and stops at its deadline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "cforg/state/backend.h"

namespace cforg::state {
namespace {

// A backend whose lock is always held by someone else; counts the attempts.
class AlwaysLocked final : public Backend {
 public:
  std::string describe() const override { return "always-locked"; }
  std::unique_ptr<Lock> lock(std::string_view) override {
    ++attempts;
    LockInfo h{"id-1", "apply", "alice@ci-7", 4242, "2026-12-01T10:00:00Z"};
    throw LockedError("always-locked is locked by alice@ci-7", h);
  }
  Snapshot load() override { throw std::logic_error("not used"); }
  std::unique_ptr<Transaction> begin(const Lock&, const Snapshot&) override {
    throw std::logic_error("not used");
  }
  void force_unlock(std::string_view) override { throw std::logic_error("not used"); }
  std::unique_ptr<Lease> try_lead() override { throw std::logic_error("not used"); }
  int attempts = 0;
};

TEST(LockWaiting, PollsWithAGrowingPauseNotABusyLoop) {
  AlwaysLocked b;
  int told = 0;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(lock_waiting(b, "apply", std::chrono::milliseconds(2500),
                            [&](const LockedError&, std::chrono::milliseconds) { ++told; }),
               LockedError);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(2500));
  EXPECT_LT(took, std::chrono::milliseconds(4000));
  // 50, 100, 200, 400, 800 ms, then 1 s pauses: about 7 attempts in 2.5 s (jitter adds up
  // to a quarter of each pause), where a busy loop would make thousands.
  EXPECT_GE(b.attempts, 4);
  EXPECT_LE(b.attempts, 9);
  EXPECT_EQ(told, 1) << "the same holder is reported once";
}

// A lock held by alice, then, in the instant she lets go, by nobody known (her lock file is
// already cleared), then by bob, then free: what a waiter sees of a busy lock.
class HolderSequence final : public Backend {
 public:
  std::string describe() const override { return "sequence"; }
  std::unique_ptr<Lock> lock(std::string_view) override {
    const std::vector<std::string> ids = {"alice", "", "bob"};
    if (attempts < ids.size()) {
      LockInfo h{ids[attempts], "apply", ids[attempts] + "@ci", 1, "2026-12-01T10:00:00Z"};
      ++attempts;
      throw LockedError("sequence is locked", h);
    }
    throw std::runtime_error("free at last: the test ends here");
  }
  Snapshot load() override { throw std::logic_error("not used"); }
  std::unique_ptr<Transaction> begin(const Lock&, const Snapshot&) override {
    throw std::logic_error("not used");
  }
  void force_unlock(std::string_view) override { throw std::logic_error("not used"); }
  std::unique_ptr<Lease> try_lead() override { throw std::logic_error("not used"); }
  std::size_t attempts = 0;
};

TEST(LockWaiting, AHolderLettingGoIsNotAnnouncedAsANewUnknownHolder) {
  HolderSequence b;
  std::vector<std::string> told;
  EXPECT_THROW(lock_waiting(b, "apply", std::chrono::seconds(20),
                            [&](const LockedError& e, std::chrono::milliseconds) {
                              told.push_back(e.holder.id);
                            }),
               std::runtime_error);
  EXPECT_EQ(b.attempts, 3u);
  EXPECT_EQ(told, (std::vector<std::string>{"alice", "bob"}))
      << "the instant between alice's release and bob's lock is not news";
}

TEST(LockWaiting, ZeroTimeoutTriesOnce) {
  AlwaysLocked b;
  EXPECT_THROW(lock_waiting(b, "apply", std::chrono::milliseconds(0)), LockedError);
  EXPECT_EQ(b.attempts, 1);
}

TEST(LockWaiting, DurationsReadAsTheFlagTakesThem) {
  using std::chrono::milliseconds;
  EXPECT_EQ(duration_text(milliseconds(30000)), "30s");
  EXPECT_EQ(duration_text(milliseconds(300000)), "5m");
  EXPECT_EQ(duration_text(milliseconds(7200000)), "2h");
  EXPECT_EQ(duration_text(milliseconds(1500)), "1500ms");
  EXPECT_EQ(duration_text(milliseconds(0)), "0s");
}

}  // namespace
}  // namespace cforg::state
