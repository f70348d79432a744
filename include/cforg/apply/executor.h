// The executor: carries out a plan's actions against the API, in dependency order, many at
// once, with every result journaled before anything that depends on it starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/plan/plan.h"
#include "cforg/state/journal.h"
#include "cforg/state/state.h"

namespace cforg::apply {

struct Outcome {
  enum class Status {
    done,
    failed,
    skipped,      // something it depends on failed
    not_started,  // the run was interrupted first
  };
  std::string key;
  plan::ActionKind kind = plan::ActionKind::create;
  Status status = Status::not_started;
  std::string id;          // the org's id, when known
  std::string message;     // why it failed or was skipped
  bool recovered = false;  // a create whose outcome was unknown was found and adopted
  bool replace = false;    // one half of a replacement (plan::Action::replace)
  // Inside the org: "member alice@example.com", "account 4f1c…"; empty for an org's action.
  std::string subject;
  std::chrono::milliseconds took{0};
};

// Told about progress, from worker threads: implementations must be thread-safe.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void started(std::size_t /*total*/) {}
  // An action is about to send its first request.
  virtual void action_started(const plan::Action& /*action*/) {}
  virtual void finished(const Outcome& /*outcome*/) {}
};

struct Options {
  int parallelism = 10;  // actions (and so requests) in flight at once
  // A create whose outcome is unknown is looked up and, if absent, sent again: at most this
  // many sends, with the retry policy's backoff in between.
  int max_create_attempts = 5;
  api::RetryPolicy backoff;
  // Group commit: while workers have other actions to run, the journal is fsynced at most
  // once per this interval and the results that land meanwhile share the fsync. Each fsync
  // costs CPU (the file system's own journal commit) that the requests need more. With
  // nothing in flight, or nothing ready to run, results are committed at once.
  std::chrono::microseconds commit_interval{5000};
  const std::atomic<bool>* stop = nullptr;  // once true, nothing new starts
  Observer* observer = nullptr;
};

struct Report {
  std::vector<Outcome> outcomes;  // in plan order
  std::size_t created = 0, updated = 0, deleted = 0, adopted = 0;
  std::size_t replaced = 0;  // replacements whose create succeeded (their deletes not counted)
  // Inside orgs (a status change counts once, as added).
  std::size_t members_added = 0, members_removed = 0, accounts_moved = 0;
  std::size_t failed = 0, skipped = 0, not_started = 0;
  // From the start of the first action to the end of the last one, its result durable.
  std::chrono::microseconds elapsed{0};

  bool ok() const { return failed == 0 && skipped == 0 && not_started == 0; }
};

// Runs every action of `plan`. `st` is the state the actions start from (plan::refreshed_state)
// and is kept current: each change is appended to `journal`, folded into `st` and made durable
// before an action that depends on it is started; at the end its parent keys are relinked. One
// failure does not stop independent actions; its dependents are skipped.
Report execute(const plan::Plan& plan, state::State& st, api::Client& client,
               state::Journal& journal, const Options& opts);

}  // namespace cforg::apply
