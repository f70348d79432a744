// The executor wires the three parts together, after ninja's Builder: the Scheduler says what
// may run, worker threads run it through perform() (actions.h), and the Committer makes the
// results durable before the Scheduler hears of them. One lock guards the scheduler, the
// committer's queue and the report's outcomes.
#include "cforg/apply/executor.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <thread>

#include "actions.h"
#include "committer.h"
#include "scheduler.h"

namespace cforg::apply {
namespace {

using Status = Outcome::Status;
using SteadyClock = std::chrono::steady_clock;
using Pending = Committer::Pending;

class Executor {
 public:
  Executor(const plan::Plan& plan, state::State& st, api::Client& client, state::Journal& journal,
           const Options& opts)
      : plan_(plan),
        opts_(opts),
        scheduler_(plan.actions),
        committer_(st, journal, mu_, opts.commit_interval),
        context_{client,
                 committer_,
                 opts.max_create_attempts,
                 opts.backoff,
                 [this] { return stopping(); },
                 [this] { return jitter(); },
                 plan.refreshed} {
    report_.outcomes.resize(plan.actions.size());
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
      const plan::Action& a = plan.actions[i];
      report_.outcomes[i].key = a.key;
      report_.outcomes[i].kind = a.kind;
      report_.outcomes[i].id = a.id;
      report_.outcomes[i].replace = a.replace;
      if (a.member) report_.outcomes[i].subject = "member " + a.member->email;
      if (a.account) report_.outcomes[i].subject = "account " + a.account->id;
    }
  }

  Report run() {
    if (opts_.observer) opts_.observer->started(plan_.actions.size());
    auto start = SteadyClock::now();
    std::size_t workers =
        std::min<std::size_t>(std::max(opts_.parallelism, 1), plan_.actions.size());
    // Waiting for more results can gain nothing when nothing else is in flight; when nothing
    // is ready, the workers may be waiting for this very commit.
    auto urgent = [this] { return performing_ == 0 || !scheduler_.has_ready(); };
    auto durable = [this](std::span<Pending> batch) { finish(batch); };
    std::jthread committer([&] { committer_.run(urgent, durable); });
    {
      std::vector<std::jthread> threads;
      for (std::size_t i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
    }
    {
      std::lock_guard lock(mu_);
      committer_.close();
    }
    committer_.wake();
    committer.join();
    report_.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
    count();
    return std::move(report_);
  }

 private:
  bool stopping() const {
    return fatal_.load() || committer_.broken() || (opts_.stop && opts_.stop->load());
  }

  void work() {
    std::optional<Pending> handoff;  // the last action's results, for the committer
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(mu_);
        if (handoff) {
          // Handed over in the same critical section that takes the next action: one lock
          // per action, not two.
          --performing_;
          committer_.hand_over(std::move(*handoff));
          handoff.reset();
        }
        cv_.wait(lock,
                 [&] { return scheduler_.has_ready() || scheduler_.running() == 0 || stopping(); });
        // Interrupted, or nothing runnable and nothing running: whatever is left cannot start.
        std::optional<std::size_t> next = stopping() ? std::nullopt : scheduler_.take();
        if (!next) {
          cv_.notify_all();
          return;
        }
        i = *next;
        ++performing_;
        // Workers are about to run dry: what waits for a commit may be what they need next.
        if (!scheduler_.has_ready() && committer_.has_pending()) committer_.wake();
      }
      if (opts_.observer) opts_.observer->action_started(plan_.actions[i]);
      auto start = SteadyClock::now();
      ActionResult result;
      try {
        result = perform(plan_.actions[i], context_);
      } catch (const std::exception& e) {
        // The journal could not be written (disk full, fsync error): nothing more can be
        // recorded safely, so nothing more starts.
        fatal_ = true;
        result = {failed_outcome(e.what()), {}};
      }
      result.outcome.took =
          std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
      if (!result.records.empty()) {
        // Done once the committer has made its results durable; meanwhile this worker moves on.
        handoff = Pending{i, std::move(result)};
        continue;
      }
      bool last_in_flight;
      {
        std::lock_guard lock(mu_);
        last_in_flight = --performing_ == 0;
      }
      if (last_in_flight) committer_.wake();
      Pending one[] = {{i, std::move(result)}};
      finish(one);
    }
  }

  // Records outcomes and releases what waited on them, under one lock for the whole batch.
  void finish(std::span<Pending> batch) {
    std::vector<std::size_t> told;  // outcomes[] entries now final, for the observer
    std::size_t newly_ready = 0;
    bool over = false;
    {
      std::lock_guard lock(mu_);
      for (Pending& p : batch) {
        Outcome& o = report_.outcomes[p.action];
        Outcome& result = p.result.outcome;
        result.key = std::move(o.key);
        result.kind = o.kind;
        result.replace = o.replace;
        result.subject = std::move(o.subject);
        if (result.id.empty()) result.id = std::move(o.id);
        o = std::move(result);
        told.push_back(p.action);
        if (o.status == Status::done) {
          newly_ready += scheduler_.finished(p.action);
        } else {
          for (std::size_t d : scheduler_.failed(p.action)) {
            Outcome& skipped = report_.outcomes[d];
            skipped.status = Status::skipped;
            skipped.message =
                "skipped: it depends on org \"" + plan_.actions[p.action].key + "\", which failed";
            told.push_back(d);
          }
        }
      }
      over = scheduler_.exhausted();
    }
    // Wake as many workers as there is new work, or all of them to leave when nothing is left.
    if (over || stopping()) {
      cv_.notify_all();
    } else {
      for (std::size_t n = 0; n < newly_ready; ++n) cv_.notify_one();
    }
    // Final entries are never written again: reading them unlocked is safe.
    if (opts_.observer) {
      for (std::size_t i : told) opts_.observer->finished(report_.outcomes[i]);
    }
  }

  void count() {
    for (const Outcome& o : report_.outcomes) {
      switch (o.status) {
        case Status::done:
          switch (o.kind) {
            case plan::ActionKind::create:
              ++(o.replace ? report_.replaced : report_.created);
              break;
            case plan::ActionKind::update:
              ++report_.updated;
              break;
            case plan::ActionKind::remove:
              if (!o.replace) ++report_.deleted;
              break;
            case plan::ActionKind::adopt:
              ++report_.adopted;
              break;
            case plan::ActionKind::add_member:
              ++report_.members_added;
              break;
            case plan::ActionKind::remove_member:
              if (!o.replace) ++report_.members_removed;
              break;
            case plan::ActionKind::move_account:
              ++report_.accounts_moved;
              break;
          }
          break;
        case Status::failed:
          ++report_.failed;
          break;
        case Status::skipped:
          ++report_.skipped;
          break;
        case Status::not_started:
          ++report_.not_started;
          break;
      }
    }
  }

  std::uint64_t jitter() {
    std::lock_guard lock(mu_);
    return rng_();
  }

  const plan::Plan& plan_;
  const Options& opts_;

  std::mutex mu_;  // scheduling: scheduler_, performing_, report_, the committer's queue
  std::condition_variable cv_;
  Scheduler scheduler_;
  std::size_t performing_ = 0;  // taken from the scheduler, result not yet handed on
  std::mt19937_64 rng_{std::random_device{}()};
  Report report_;
  std::atomic<bool> fatal_{false};  // an action threw: the journal cannot be written
  Committer committer_;
  ActionContext context_;
};

}  // namespace

Report execute(const plan::Plan& plan, state::State& st, api::Client& client,
               state::Journal& journal, const Options& opts) {
  Report report = Executor(plan, st, client, journal, opts).run();
  // The actions record parents by id, as the API returns them; the keys those ids stand for
  // are the state's to derive, once.
  st.relink_parents();
  return report;
}

}  // namespace cforg::apply
