// The backend protocol one step at a time, for tests that check each step: load the state,
// open a transaction (taking the lock when the test holds none), journal, commit.
#pragma once

#include <memory>

#include "cforg/state/backend.h"

namespace cforg::state::testing {

inline State load(Backend& b) {
  return b.load().state;
}

// Stands for the lock in tests of one process that check the state's files, not locking: a
// real lock would add its own file or row to what they check.
class NoLock final : public Lock {
 public:
  const LockInfo& info() const override { return info_; }

 private:
  LockInfo info_;
};

// A transaction, with its journal opened (as a run opens it).
struct Run {
  std::unique_ptr<Lock> own_lock;
  std::unique_ptr<Transaction> tx;
  Journal* journal_ = nullptr;  // stays usable after a commit, to check that it refuses
  Journal* operator->() const { return journal_; }
  Journal& journal() const { return *journal_; }
};

// A transaction from `base` as loaded; `held` is the test's lock, if it holds one.
inline Run begin(Backend& b, const State& base, const Lock* held = nullptr) {
  Run run;
  if (!held) {
    run.own_lock = std::make_unique<NoLock>();
    held = run.own_lock.get();
  }
  run.tx = b.begin(*held, Snapshot{base, 0});
  run.journal_ = &run.tx->journal();  // opened at once, as the old open_journal(base) did
  return run;
}

// What a command that changes the state without journaling does: begin from `s`, commit it.
inline void save(Backend& b, State& s, const Lock* held = nullptr) {
  NoLock none;
  b.begin(held ? *held : none, Snapshot{s, 0})->commit(s);
}

}  // namespace cforg::state::testing
