#include "cforg/apply/executor.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace cforg::apply {
namespace {

using plan::Action;
using plan::ActionKind;
using state::JournalRecord;
using state::OrgState;
using Status = Outcome::Status;
using SteadyClock = std::chrono::steady_clock;

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// What an action changed, to journal: the committer makes it durable before the action counts
// as done. Returned by each action explicitly, never through hidden per-thread state.
using Results = std::vector<JournalRecord>;

class Executor {
 public:
  Executor(const plan::Plan& plan, state::State& st, api::Client& client, state::Journal& journal,
           const Options& opts)
      : plan_(plan), st_(st), client_(client), journal_(journal), opts_(opts) {
    report_.outcomes.resize(plan.actions.size());
    // A key has one action, or two for a replacement: its delete (of the old org) and its
    // create. depends_on names the first kind, after_removal_of the second.
    std::unordered_map<std::string, std::size_t> removal_of;
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
      const Action& a = plan.actions[i];
      (a.replace && a.kind == ActionKind::remove ? removal_of : index_)[a.key] = i;
      report_.outcomes[i].key = a.key;
      report_.outcomes[i].kind = a.kind;
      report_.outcomes[i].id = a.id;
      report_.outcomes[i].replace = a.replace;
    }
    waiting_on_.resize(plan.actions.size(), 0);
    dependents_.resize(plan.actions.size());
    auto wait_for = [&](std::size_t i, const std::unordered_map<std::string, std::size_t>& refs,
                        const std::string& dep) {
      auto it = refs.find(dep);
      if (it == refs.end()) return;  // nothing to wait for
      ++waiting_on_[i];
      dependents_[it->second].push_back(i);
    };
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
      for (const std::string& dep : plan.actions[i].depends_on) wait_for(i, index_, dep);
      for (const std::string& dep : plan.actions[i].after_removal_of) wait_for(i, removal_of, dep);
      if (waiting_on_[i] == 0) ready_.push_back(i);
    }
    for (const auto& [key, org] : st_.orgs) {
      if (!org.id.empty()) tracked_.insert(org.id);
    }
  }

  Report run() {
    if (opts_.observer) opts_.observer->started(plan_.actions.size());
    auto start = SteadyClock::now();
    std::size_t workers =
        std::min<std::size_t>(std::max(opts_.parallelism, 1), plan_.actions.size());
    std::jthread committer([this] { commit(); });
    {
      std::vector<std::jthread> threads;
      for (std::size_t i = 0; i < workers; ++i) threads.emplace_back([this] { work(); });
    }
    {
      std::lock_guard lock(mu_);
      workers_done_ = true;
    }
    commit_cv_.notify_all();
    committer.join();
    report_.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
    for (Outcome& o : report_.outcomes) {
      switch (o.status) {
        case Status::done:
          switch (o.kind) {
            case ActionKind::create:
              ++(o.replace ? report_.replaced : report_.created);
              break;
            case ActionKind::update:
              ++report_.updated;
              break;
            case ActionKind::remove:
              if (!o.replace) ++report_.deleted;
              break;
            case ActionKind::adopt:
              ++report_.adopted;
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
    return std::move(report_);
  }

 private:
  bool stopping() const { return fatal_.load() || (opts_.stop && opts_.stop->load()); }

  void work() {
    std::optional<Unsynced> handoff;  // the last action's results, for the committer
    for (;;) {
      std::size_t i;
      {
        std::unique_lock lock(mu_);
        if (handoff) {
          // Handed over in the same critical section that takes the next action: one lock
          // per action, not two.
          --performing_;
          awaiting_.push_back(std::move(*handoff));
          handoff.reset();
          commit_cv_.notify_one();
        }
        cv_.wait(lock, [&] { return !ready_.empty() || running_ == 0 || stopping(); });
        // Interrupted, or nothing runnable and nothing running: whatever is left cannot start.
        if (stopping() || ready_.empty()) {
          cv_.notify_all();
          return;
        }
        i = ready_.front();
        ready_.pop_front();
        ++running_;
        ++performing_;
        // Workers are about to run dry: what waits for a commit may be what they need next.
        if (ready_.empty() && !awaiting_.empty()) commit_cv_.notify_one();
      }
      auto start = SteadyClock::now();
      Outcome result;
      Results results;
      try {
        result = perform(plan_.actions[i], results);
      } catch (const std::exception& e) {
        // The journal could not be written (disk full, fsync error): nothing more can be
        // recorded safely, so nothing more starts.
        fatal_ = true;
        result = failed(e.what());
      }
      result.took =
          std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
      if (!results.empty()) {
        // Done once the committer has made its results durable; meanwhile this worker moves on.
        handoff = Unsynced{i, std::move(result), std::move(results)};
        continue;
      }
      bool last_in_flight;
      {
        std::lock_guard lock(mu_);
        last_in_flight = --performing_ == 0;
      }
      if (last_in_flight) commit_cv_.notify_one();
      finish(i, std::move(result));
    }
  }

  // Group commit off the workers' path, as a database's log writer does: the results of every
  // action that finished meanwhile go to the journal in one write and one fsync. An action
  // counts as done, and its dependents may start, only after that. While workers have other
  // actions to run, commits are paced (opts_.commit_interval) so that more results join the
  // batch. When nothing is in flight, waiting could gain nothing; when nothing is ready, the
  // workers may be waiting for this very commit. Either way it is at once.
  void commit() {
    SteadyClock::time_point last_commit{};
    for (;;) {
      std::vector<Unsynced> batch;
      {
        std::unique_lock lock(mu_);
        commit_cv_.wait(lock, [&] { return !awaiting_.empty() || workers_done_; });
        if (awaiting_.empty()) return;
        commit_cv_.wait_until(lock, last_commit + opts_.commit_interval,
                              [&] { return performing_ == 0 || ready_.empty() || workers_done_; });
        batch.swap(awaiting_);
      }
      last_commit = SteadyClock::now();
      std::vector<JournalRecord> records;
      for (Unsynced& u : batch) {
        for (JournalRecord& r : u.records) records.push_back(std::move(r));
      }
      std::string error;
      try {
        std::uint64_t seq = journal_.append(records);
        {
          std::lock_guard lock(state_mu_);
          for (JournalRecord& r : records) fold(std::move(r));
        }
        journal_.sync(seq);
      } catch (const std::exception& e) {
        fatal_ = true;  // nothing more can be recorded safely
        error = e.what();
      }
      std::vector<Finished> finished;
      finished.reserve(batch.size());
      for (Unsynced& u : batch) {
        if (!error.empty()) u.outcome = failed(error, u.outcome.id);
        finished.push_back({u.action, std::move(u.outcome)});
      }
      finish(finished);
    }
  }

  void finish(std::size_t i, Outcome result) {
    Finished one[] = {{i, std::move(result)}};
    finish(one);
  }

  // Records outcomes and releases what waited on them, under one lock for the whole batch.
  struct Finished {
    std::size_t action;
    Outcome outcome;
  };
  void finish(std::span<Finished> batch) {
    std::vector<std::size_t> told;  // outcomes[] entries now final, for the observer
    std::size_t newly_ready = 0;
    bool over = false;
    {
      std::lock_guard lock(mu_);
      for (Finished& f : batch) {
        Outcome& o = report_.outcomes[f.action];
        f.outcome.key = std::move(o.key);
        f.outcome.kind = o.kind;
        f.outcome.replace = o.replace;
        if (f.outcome.id.empty()) f.outcome.id = std::move(o.id);
        o = std::move(f.outcome);
        told.push_back(f.action);
        if (o.status == Status::done) {
          for (std::size_t d : dependents_[f.action]) {
            if (--waiting_on_[d] == 0) {
              ready_.push_back(d);
              ++newly_ready;
            }
          }
        } else {
          skip_dependents(f.action, told);
        }
        --running_;
      }
      over = running_ == 0 && ready_.empty();
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

  // Everything that (transitively) depends on a failed action is skipped. Called with mu_ held.
  void skip_dependents(std::size_t failed, std::vector<std::size_t>& told) {
    std::vector<std::size_t> todo = {failed};
    while (!todo.empty()) {
      std::size_t i = todo.back();
      todo.pop_back();
      for (std::size_t d : dependents_[i]) {
        Outcome& o = report_.outcomes[d];
        if (o.status != Status::not_started) continue;
        o.status = Status::skipped;
        o.message =
            "skipped: it depends on org " + quoted(plan_.actions[failed].key) + ", which failed";
        told.push_back(d);
        todo.push_back(d);
      }
    }
  }

  Outcome perform(const Action& a, Results& out) {
    switch (a.kind) {
      case ActionKind::create:
        return create(a, out);
      case ActionKind::update:
        return update(a, out, tracked(a), a.renames(), a.sets_profile(), false);
      case ActionKind::remove:
        return remove(a, out);
      case ActionKind::adopt:
        return adopt(a, out);
    }
    return failed("unknown action");
  }

  static Outcome failed(std::string message, std::string id = "") {
    Outcome o;
    o.status = Status::failed;
    o.message = std::move(message);
    o.id = std::move(id);
    return o;
  }

  static Outcome done(std::string id, bool recovered = false) {
    Outcome o;
    o.status = Status::done;
    o.id = std::move(id);
    o.recovered = recovered;
    return o;
  }

  // Journal first, then the in-memory state: the two never disagree on what happened.
  void record(JournalRecord r) {
    journal_.append(r);
    std::lock_guard lock(state_mu_);
    fold(std::move(r));
  }

  // With state_mu_ held.
  void fold(JournalRecord&& r) {
    if (r.op == JournalRecord::Op::put) tracked_.insert(r.org.id);
    if (r.op == JournalRecord::Op::remove) {
      if (auto it = st_.orgs.find(r.key); it != st_.orgs.end()) tracked_.erase(it->second.id);
    }
    state::fold(st_, std::move(r));
  }

  // A result of the running action, recorded by the committer with those of other actions;
  // the action counts as done only once that is on stable storage.
  static void record_durably(Results& out, JournalRecord r) { out.push_back(std::move(r)); }
  static void record_durably(Results& out, const std::string& key, OrgState org) {
    record_durably(out, {JournalRecord::Op::put, key, std::move(org)});
  }

  // The parent id for `t` now: a managed parent must exist by the time its children run.
  std::optional<std::string> parent_id(const plan::Target& t, std::string& why) {
    std::lock_guard lock(state_mu_);
    std::string id = plan::resolve_parent_id(t, st_);
    if (!t.parent_key.empty() && id.empty()) {
      why = "its parent " + quoted(t.parent_key) + " does not exist";
      return std::nullopt;
    }
    return id;
  }

  static OrgState as_state(Organization org, const plan::Target& t) {
    OrgState s = state::from_remote(std::move(org));
    s.parent.key = t.parent_key;
    s.prevent_destroy = t.prevent_destroy;
    return s;
  }

  // Untracked orgs with the spec's name and parent: where a create with an unknown outcome
  // would have left its org.
  api::Result<std::vector<Organization>> find_untracked(const OrgSpec& spec) {
    api::ListQuery q;
    q.parent_id = spec.parent_id;
    q.name = spec.name;
    auto listed = client_.list(q);
    if (!listed) return listed;
    std::vector<Organization> out;
    std::lock_guard lock(state_mu_);
    for (Organization& o : listed.value()) {
      if (o.spec.name == spec.name && o.spec.parent_id == spec.parent_id && !tracked_.count(o.id)) {
        out.push_back(std::move(o));
      }
    }
    return out;
  }

  // Looks for the org an earlier attempt may have made. Returns an outcome when the search
  // settled the action (adopted, or failed), nullopt when the create should be sent.
  std::optional<Outcome> recover(const Action& a, Results& out, const OrgSpec& spec,
                                 const std::string& cause) {
    auto found = find_untracked(spec);
    if (!found) {
      return failed("creating org " + quoted(a.key) + ": " + cause +
                    "; looking for it then failed (" + found.error().str() +
                    "). It stays pending in state: the next plan looks for it again");
    }
    if (found.value().size() > 1) {
      std::string ids;
      for (const Organization& o : found.value()) ids += (ids.empty() ? "" : ", ") + o.id;
      return failed("creating org " + quoted(a.key) + ": several untracked organizations named " +
                    quoted(spec.name) + " exist under the same parent (" + ids +
                    "); import the right one with: cforg import " + a.key + " <id>");
    }
    if (found.value().empty()) return std::nullopt;
    const Organization& org = found.value().front();
    bool rename = org.spec.name != spec.name;
    bool profile = spec.profile && (!org.profile_known || org.spec.profile != spec.profile);
    return update(a, out, as_state(org, *a.after), rename, profile, /*unrecorded=*/true,
                  /*recovered=*/true);
  }

  Outcome create(const Action& a, Results& out) {
    std::string why;
    auto pid = parent_id(*a.after, why);
    if (!pid) return failed("cannot create org " + quoted(a.key) + ": " + why);
    OrgSpec spec{a.after->name, *pid, a.after->profile};
    if (a.recover) {
      if (auto settled = recover(a, out, spec, "an earlier attempt was interrupted"))
        return *settled;
    }
    std::string cause;
    for (int attempt = 1;; ++attempt) {
      OrgState intent;
      intent.name = spec.name;
      intent.parent = {spec.parent_id, a.after->parent_key};
      intent.profile = spec.profile;
      intent.pending_create = true;
      // Written before the request, so that a crash while it is in flight leaves a trace
      // the next run looks for. It needs no fsync: it only has to outlive this process.
      record({JournalRecord::Op::begin_create, a.key, std::move(intent)});
      api::Result<Organization> created = client_.create(spec);
      if (created) {
        std::string id = created.value().id;
        record_durably(out, a.key, as_state(std::move(created.value()), *a.after));
        return done(std::move(id), attempt > 1);
      }
      const api::ApiError& err = created.error();
      if (!err.outcome_unknown) {
        record({JournalRecord::Op::remove, a.key, {}});  // it provably did not happen
        return failed("creating org " + quoted(a.key) + ": " + err.str());
      }
      cause = err.str();
      if (auto settled = recover(a, out, spec, cause + " (outcome unknown)")) return *settled;
      if (attempt >= opts_.max_create_attempts || stopping()) {
        return failed("creating org " + quoted(a.key) + ": " + cause + " (outcome unknown; " +
                      std::to_string(attempt) + " attempts, none took effect)");
      }
      std::this_thread::sleep_for(opts_.backoff.delay(attempt, {}, jitter()));
    }
  }

  // The API's two kinds of update: PUT /organizations/{id} takes only the name, PUT
  // .../profile the profile. `now` is the org as known before; `unrecorded` says it is not in
  // the journal yet (found by a lookup). Whatever happens, what is known at the end is recorded.
  Outcome update(const Action& a, Results& out, OrgState now, bool rename, bool profile,
                 bool unrecorded, bool recovered = false) {
    const std::string id = now.id;
    auto finish = [&](Outcome o) {
      if (unrecorded) record_durably(out, a.key, std::move(now));
      return o;
    };
    auto failure = [&](const char* what, const api::ApiError& e) {
      std::string hint =
          e.not_found() ? " (it was deleted outside cforg: run cforg plan again)" : "";
      return finish(
          failed(std::string(what) + " org " + quoted(a.key) + ": " + e.str() + hint, id));
    };
    if (rename) {
      api::Result<Organization> renamed = client_.rename(id, a.after->name);
      if (!renamed) return failure("renaming", renamed.error());
      now = state::from_remote(std::move(renamed.value()), &now);
      unrecorded = true;
      if (now.name != a.after->name) {
        return finish(failed("renaming org " + quoted(a.key) + ": the API answered with the name " +
                                 (quoted)(now.name) + " instead of " + (quoted)(a.after->name),
                             id));
      }
    }
    if (profile) {
      api::Result<api::Empty> put = client_.put_profile(id, *a.after->profile);
      if (!put) return failure("updating the profile of", put.error());
      now.profile = a.after->profile;
      unrecorded = true;
    }
    return finish(done(id, recovered));
  }

  // The tracked org as the state holds it now.
  OrgState tracked(const Action& a) {
    std::lock_guard lock(state_mu_);
    auto it = st_.orgs.find(a.key);
    return it != st_.orgs.end() ? it->second : a.before.value_or(OrgState{});
  }

  Outcome remove(const Action& a, Results& out) {
    api::Result<api::Empty> removed = client_.remove(a.id);
    // Already gone (deleted outside cforg, or a retried DELETE that had worked): same result.
    if (!removed && !removed.error().not_found()) {
      return failed("deleting org " + quoted(a.key) + ": " + removed.error().str(), a.id);
    }
    record_durably(out, {JournalRecord::Op::remove, a.key, {}});
    return done(a.id);
  }

  Outcome adopt(const Action& a, Results& out) {
    OrgState found = *a.before;
    found.parent.key = a.after->parent_key;
    found.prevent_destroy = a.after->prevent_destroy;
    return update(a, out, std::move(found), a.renames(), a.sets_profile(), /*unrecorded=*/true);
  }

  std::uint64_t jitter() {
    std::lock_guard lock(mu_);
    return rng_();
  }

  const plan::Plan& plan_;
  state::State& st_;
  api::Client& client_;
  state::Journal& journal_;
  const Options& opts_;

  std::mutex mu_;  // scheduling
  std::condition_variable cv_;
  std::unordered_map<std::string, std::size_t> index_;  // key -> action
  std::vector<std::size_t> waiting_on_;                 // unfinished dependencies per action
  std::vector<std::vector<std::size_t>> dependents_;
  std::deque<std::size_t> ready_;
  std::size_t running_ = 0;     // taken from ready_, not finished
  std::size_t performing_ = 0;  // taken from ready_, result not yet handed on
  std::mt19937_64 rng_{std::random_device{}()};
  Report report_;

  std::atomic<bool> fatal_{false};
  struct Unsynced {
    std::size_t action;
    Outcome outcome;
    std::vector<JournalRecord> records;  // what it changed, to journal
  };
  std::vector<Unsynced> awaiting_;  // finished, results not yet durable; guarded by mu_
  std::condition_variable commit_cv_;
  bool workers_done_ = false;
  std::mutex state_mu_;                      // st_ and tracked_
  std::unordered_set<std::string> tracked_;  // ids in state
};

}  // namespace

Report execute(const plan::Plan& plan, state::State& st, api::Client& client,
               state::Journal& journal, const Options& opts) {
  return Executor(plan, st, client, journal, opts).run();
}

}  // namespace cforg::apply
