// The state lock: flock on `path.lock`, exclusive across processes, free when its holder dies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "state_test_support.h"

namespace cforg::state {
namespace {

using testing::begin;
using testing::file_exists;
using ::testing::HasSubstr;
using testing::load;
using testing::read_bytes;
using testing::save;
using testing::TempDir;

TEST(FileLock, RecordsItsHolder) {
  TempDir dir;
  auto backend = open_file_backend(dir / "st/s.json");  // the folder is created for the lock
  auto lock = backend->lock("apply");
  const LockInfo& info = lock->info();
  EXPECT_EQ(info.operation, "apply");
  EXPECT_EQ(info.pid, ::getpid());
  EXPECT_THAT(info.who, ::testing::MatchesRegex(".+@.+"));
  EXPECT_TRUE(
      std::regex_match(info.created, std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$")))
      << info.created;
  EXPECT_EQ(info.id.size(), 36u);
  auto on_disk = LockInfo::from_json(nlohmann::json::parse(read_bytes(dir / "st/s.json.lock")));
  EXPECT_EQ(on_disk.id, info.id);
  EXPECT_EQ(on_disk.who, info.who);
}

TEST(FileLock, SecondLockFailsAtOnceNamingTheHolder) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto holder = open_file_backend(path)->lock("apply");
  try {
    open_file_backend(path)->lock("plan");
    ADD_FAILURE() << "locked twice";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder.id, holder->info().id);
    EXPECT_THAT(e.what(), HasSubstr(path + " is locked by " + holder->info().who + " (pid " +
                                    std::to_string(::getpid()) + ") running \"apply\" since "));
    EXPECT_THAT(e.what(), HasSubstr("(lock id " + holder->info().id + ")"));
    EXPECT_THAT(e.what(), HasSubstr("cforg force-unlock " + holder->info().id));
  }
}

TEST(FileLock, ReleasedOnDestruction) {
  TempDir dir;
  auto backend = open_file_backend(dir / "s.json");
  { auto lock = backend->lock("apply"); }
  EXPECT_EQ(read_bytes(dir / "s.json.lock"), "");  // no stale holder left behind
  auto again = backend->lock("apply");
  EXPECT_EQ(again->info().operation, "apply");
}

TEST(FileLock, ContentionFromAnotherProcessFailsAtOnce) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto holder = open_file_backend(path)->lock("apply");
  testing::Pipe report;
  pid_t child = testing::fork_child([&] {
    auto start = std::chrono::steady_clock::now();
    try {
      open_file_backend(path)->lock("plan");
      testing::send(report.write_end(), "acquired\n");
      return 1;
    } catch (const LockedError& e) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
      testing::send(report.write_end(), std::to_string(ms) + "\n" + e.what() + "\n");
      return 0;
    }
  });
  report.close_write();
  std::string text = testing::receive_until(report.read_end(), "\n\n");  // EOF ends it
  ASSERT_EQ(testing::wait_child(child), 0) << text;
  long ms = std::stol(text);
  EXPECT_LT(ms, 1000);
  EXPECT_THAT(text, HasSubstr("running \"apply\""));
  EXPECT_THAT(text, HasSubstr("(pid " + std::to_string(::getpid()) + ")"));
  EXPECT_THAT(text, HasSubstr("force-unlock " + holder->info().id));
}

// A child that takes the lock and waits to be killed. Killed and reaped on destruction too:
// a test that fails (an ASSERT returns early) must not leave it paused forever, holding the
// test binary's output open, which stalls ctest until its timeout.
class ChildHoldingLock {
 public:
  explicit ChildHoldingLock(const std::string& path) {
    testing::Pipe ready;
    pid_ = testing::fork_child([&] {
      auto lock = open_file_backend(path)->lock("apply");
      testing::send(ready.write_end(), "locked\n");
      for (;;) ::pause();
      return 0;
    });
    ready.close_write();
    EXPECT_EQ(testing::receive_until(ready.read_end(), "\n"), "locked\n");
  }
  ~ChildHoldingLock() {
    if (pid_ > 0) kill();
  }
  ChildHoldingLock(const ChildHoldingLock&) = delete;
  ChildHoldingLock& operator=(const ChildHoldingLock&) = delete;

  pid_t pid() const { return pid_; }
  // SIGKILL, then the exit status.
  int kill() {
    ::kill(pid_, SIGKILL);
    int status = testing::wait_child(pid_);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

TEST(FileLock, KilledHolderDoesNotBlock) {
  TempDir dir;
  std::string path = dir / "s.json";
  ChildHoldingLock child(path);
  try {
    open_file_backend(path)->lock("apply");
    ADD_FAILURE() << "locked while the child holds the lock";
  } catch (const LockedError& e) {
    EXPECT_EQ(e.holder.pid, child.pid());
  }
  ASSERT_EQ(child.kill(), 128 + SIGKILL);
  auto lock = open_file_backend(path)->lock("apply");  // the OS released the dead holder's flock
  EXPECT_EQ(lock->info().pid, ::getpid());
}

TEST(FileLock, ForceUnlock) {
  TempDir dir;
  std::string path = dir / "s.json";
  auto backend = open_file_backend(path);
  try {
    backend->force_unlock("8f000000-0000-4000-8000-000000000000");
    ADD_FAILURE() << "unlocked a state that has no lock file";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is not locked"));
  }
  { auto released = backend->lock("plan"); }
  EXPECT_THROW(backend->force_unlock("8f000000-0000-4000-8000-000000000000"), StateError);

  auto stuck = backend->lock("apply");
  try {
    backend->force_unlock("wrong-id");
    ADD_FAILURE() << "unlocked with the wrong id";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("lock id is " + stuck->info().id + ", not wrong-id"));
  }
  EXPECT_TRUE(file_exists(path + ".lock"));

  backend->force_unlock(stuck->info().id);
  EXPECT_FALSE(file_exists(path + ".lock"));
  // The old holder lives on, but no longer excludes anyone; and when it lets go, it does not
  // clear the new holder's file.
  auto next = backend->lock("apply");
  stuck.reset();
  auto on_disk = LockInfo::from_json(nlohmann::json::parse(read_bytes(path + ".lock")));
  EXPECT_EQ(on_disk.id, next->info().id);
  EXPECT_THROW(backend->lock("plan"), LockedError);
}

TEST(FileLock, ForceUnlockOfAKilledHolder) {
  TempDir dir;
  std::string path = dir / "s.json";
  ChildHoldingLock child(path);
  std::string id;
  try {
    open_file_backend(path)->lock("apply");
  } catch (const LockedError& e) {
    id = e.holder.id;
  }
  ASSERT_FALSE(id.empty());  // on failure, the guard kills the child
  child.kill();
  open_file_backend(path)->force_unlock(id);
  EXPECT_FALSE(file_exists(path + ".lock"));
}

}  // namespace
}  // namespace cforg::state

namespace cforg::state {
namespace {

// The controller's lease: one holder at a time (a second open of the file is refused even in
// this process: flock belongs to the open file), free once released, and apart from the state's
// lock, which a leader's own runs still take.
TEST(FileLease, OneHolderAtATimeFreeOnceReleasedApartFromTheStateLock) {
  TempDir dir;
  std::string path = dir / "s.json";
  std::unique_ptr<Lease> first = open_file_backend(path)->try_lead();
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->held());
  EXPECT_TRUE(file_exists(path + ".leader"));
  EXPECT_EQ(open_file_backend(path)->try_lead(), nullptr) << "two leaders of one state";
  EXPECT_NE(open_file_backend(path)->lock("apply"), nullptr);
  first.reset();
  EXPECT_NE(open_file_backend(path)->try_lead(), nullptr);
}

}  // namespace
}  // namespace cforg::state
