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

  // How many member creates of one org go out as one request: up to the API's batch while the
  // server has batchCreate; two while nobody knows yet (a probe: when the server has none, the
  // client sends them one by one on this worker, so a first batch must be small), one probe at
  // a time (the other workers send single creates meanwhile); one without. Under mu_.
  std::size_t member_batch_limit() const {
    std::optional<bool> batches = context_.client.batches_member_creates();
    if (!batches) return probing_ ? 1 : 2;
    return *batches ? kMemberBatch : 1;
  }
  static constexpr std::size_t kMemberBatch = 100;

  void work() {
    std::vector<Pending> handoff;  // the last actions' results, for the committer
    std::vector<std::size_t> taken;
    bool probe = false;  // this worker's batch asks whether the server has batchCreate
    for (;;) {
      {
        std::unique_lock lock(mu_);
        if (!handoff.empty()) {
          // Handed over in the same critical section that takes the next action: one lock
          // per action, not two.
          for (Pending& p : handoff) {
            --performing_;
            committer_.hand_over(std::move(p));
          }
          handoff.clear();
        }
        cv_.wait(lock,
                 [&] { return scheduler_.has_ready() || scheduler_.running() == 0 || stopping(); });
        // Interrupted, or nothing runnable and nothing running: whatever is left cannot start.
        std::optional<std::size_t> next = stopping() ? std::nullopt : scheduler_.take();
        if (!next) {
          cv_.notify_all();
          return;
        }
        taken = {*next};
        const plan::Action& first = plan_.actions[*next];
        probe = false;
        if (batchable(first)) {
          std::size_t limit = member_batch_limit();
          probe = limit == 2 && !context_.client.batches_member_creates();
          probing_ |= probe;
          if (limit > 1) {
            for (std::size_t j : scheduler_.take_matching(
                     [&](std::size_t j) {
                       return batchable(plan_.actions[j]) && plan_.actions[j].key == first.key;
                     },
                     limit - 1)) {
              taken.push_back(j);
            }
          }
        }
        performing_ += taken.size();
        // Workers are about to run dry: what waits for a commit may be what they need next.
        if (!scheduler_.has_ready() && committer_.has_pending()) committer_.wake();
      }
      std::vector<ActionResult> results = perform_all(taken);
      if (probe) {
        std::lock_guard lock(mu_);
        probing_ = false;
      }
      std::vector<Pending> done_now;
      for (std::size_t n = 0; n < taken.size(); ++n) {
        // Done once the committer has made its results durable; meanwhile this worker moves on.
        if (!results[n].records.empty()) {
          handoff.push_back(Pending{taken[n], std::move(results[n])});
        } else {
          done_now.push_back(Pending{taken[n], std::move(results[n])});
        }
      }
      if (done_now.empty()) continue;
      bool last_in_flight;
      {
        std::lock_guard lock(mu_);
        performing_ -= done_now.size();
        last_in_flight = performing_ == 0;
      }
      if (last_in_flight) committer_.wake();
      finish(done_now);
    }
  }

  // Carries out the actions taken together: one, or member creates of one org as a batch.
  std::vector<ActionResult> perform_all(const std::vector<std::size_t>& taken) {
    if (opts_.observer) {
      for (std::size_t i : taken) opts_.observer->action_started(plan_.actions[i]);
    }
    auto start = SteadyClock::now();
    std::vector<ActionResult> results;
    try {
      if (taken.size() == 1) {
        results.push_back(perform(plan_.actions[taken[0]], context_));
      } else {
        std::vector<const plan::Action*> batch;
        for (std::size_t i : taken) batch.push_back(&plan_.actions[i]);
        results = perform_member_batch(batch, context_);
      }
    } catch (const std::exception& e) {
      // The journal could not be written (disk full, fsync error): nothing more can be
      // recorded safely, so nothing more starts.
      fatal_ = true;
      results.assign(taken.size(), ActionResult{failed_outcome(e.what()), {}});
    }
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
    for (ActionResult& r : results) r.outcome.took = took;
    return results;
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
  bool probing_ = false;        // a batch that finds out whether batchCreate exists is out
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
