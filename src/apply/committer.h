// The one writer of the journal during an apply, and of the state that mirrors it: every record
// is appended first, then folded into the state, so the two never disagree.
//
// Two kinds of write, both here:
// - write-ahead (write_ahead): a create's intent, appended before its request goes out, at
//   once and without fsync (it only has to outlive this process), by the worker itself;
// - group commit (the thread running run()): the records of every action that finished
//   meanwhile go to the journal in one append and one fsync, and only then do those actions
//   count as done. While the workers have other work, commits are paced (one per interval) so
//   that more results join the batch: each fsync costs CPU (the file system's own journal
//   commit) that the requests need more. docs/BENCHMARKS.md, findings 2, 4 and 5.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "actions.h"
#include "cforg/state/journal.h"
#include "cforg/state/state.h"

namespace cforg::apply {

// It is also the actions' Ledger: they read the state through it and write ahead with it.
class Committer : public Ledger {
 public:
  // An action's result on its way to the journal.
  struct Pending {
    std::size_t action;
    ActionResult result;
  };
  // Called with the shared lock held: true when waiting for more results can gain nothing
  // (nothing else in flight, or nothing ready to run: the workers may be waiting for this very
  // commit).
  using Urgent = std::function<bool()>;
  // Called without the lock, from the committing thread: a batch's outcomes, now durable, or
  // failed with the journal's error.
  using Durable = std::function<void(std::span<Pending>)>;

  // `lock` is the executor's scheduling lock, shared so that a worker hands over its result in
  // the same critical section that takes its next action: one lock per action, not two.
  Committer(state::State& st, state::Journal& journal, std::mutex& lock,
            std::chrono::microseconds interval);

  // Ledger: the state as the journal has it so far. Thread-safe.
  std::optional<std::string> parent_id(const OrgSpec& t) const override;
  std::optional<state::OrgState> org(const std::string& key) const override;
  bool tracks(const std::string& id) const override;
  // Appends `r` now and folds it; no fsync. Throws what the journal throws.
  void write_ahead(state::JournalRecord r) override;

  // With the lock held: queues `p` for the next commit and wakes the committing thread.
  void hand_over(Pending p);
  // With the lock held: whether results wait for a commit.
  bool has_pending() const { return !pending_.empty(); }
  // Wakes the committing thread to look at its queue and urgency again.
  void wake() { wake_.notify_one(); }
  // With the lock held: nothing more will be handed over; run() returns once it committed
  // what it has. Then call wake().
  void close() { closed_ = true; }

  // The committing thread: commits until close()d and drained.
  void run(const Urgent& urgent, const Durable& durable);

  // Whether a commit failed (disk full, fsync error): nothing more can be recorded safely.
  bool broken() const { return broken_.load(); }

 private:
  // Appends the batch's records in one write, folds them, syncs. On failure every outcome of
  // the batch becomes a failure with the journal's error.
  void commit(std::span<Pending> batch);

  // Journal first, then the state; with state_mu_ held.
  void fold(state::JournalRecord&& r);

  state::Journal& journal_;
  mutable std::mutex state_mu_;  // st_ and tracked_
  state::State& st_;
  std::unordered_set<std::string> tracked_;  // ids in st_
  std::mutex& lock_;
  const std::chrono::microseconds interval_;
  std::condition_variable wake_;
  std::vector<Pending> pending_;  // guarded by lock_
  bool closed_ = false;           // guarded by lock_
  std::atomic<bool> broken_{false};
};

}  // namespace cforg::apply
