// Which of a plan's actions may run now, and what a result releases or rules out: the
// dependency graph alone, after ninja's Plan. No threads, no I/O, no clock; the executor
// guards it with its lock.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "cforg/plan/plan.h"

namespace cforg::apply {

class Scheduler {
 public:
  // An action waits for the actions its depends_on names (the key's create, update, adopt, or
  // its delete when that is its only action: children-before-parent deletes are written this
  // way by the plan) and for the replacement deletes its after_removal_of names. A name with no
  // such action is nothing to wait for. Members of a cycle never become ready. Actions inside
  // an org (members, accounts) are ordered as add_content_order says.
  explicit Scheduler(std::span<const plan::Action> actions);

  // Takes the next ready action, in the order they became ready (plan order at first); it
  // counts as running until finished() or failed().
  std::optional<std::size_t> take();

  // Takes up to `max` more ready actions for which `match(i)` holds, in ready order: for work
  // that goes out together (member creates of one org as one batch).
  template <class Match>
  std::vector<std::size_t> take_matching(Match match, std::size_t max) {
    std::vector<std::size_t> out;
    for (auto it = ready_.begin(); it != ready_.end() && out.size() < max;) {
      if (!match(*it)) {
        ++it;
        continue;
      }
      out.push_back(*it);
      stage_[*it] = Stage::running;
      ++running_;
      it = ready_.erase(it);
    }
    return out;
  }

  bool has_ready() const { return !ready_.empty(); }
  std::size_t running() const { return running_; }
  // Nothing ready and nothing running: whatever has not run can never start.
  bool exhausted() const { return ready_.empty() && running_ == 0; }

  // `action` succeeded: the dependents it was the last dependency of become ready. Returns how
  // many did.
  std::size_t finished(std::size_t action);
  // `action` failed: everything that depends on it, directly or not, is skipped and never
  // becomes ready. Returns the actions newly skipped, nearest first along each path.
  std::vector<std::size_t> failed(std::size_t action);

 private:
  enum class Stage { waiting, ready, running, done, failed, skipped };
  void end(std::size_t action, Stage stage);
  void add_content_order(std::span<const plan::Action> actions);

  std::vector<Stage> stage_;
  std::vector<std::size_t> waiting_on_;  // unfinished dependencies per action
  std::vector<std::vector<std::size_t>> dependents_;
  std::deque<std::size_t> ready_;
  std::size_t running_ = 0;
};

}  // namespace cforg::apply
