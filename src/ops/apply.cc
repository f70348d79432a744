// plan and apply.
#include "cforg/apply/apply.h"

#include <filesystem>

#include "cforg/ops/operations.h"
#include "cforg/plan/plan_file.h"
#include "session.h"

namespace cforg::ops {
namespace {

// --out naming one of the config's own files would replace it with a plan.
void refuse_to_overwrite_config(const std::string& out, const config::Config& cfg) {
  if (out.empty() || out == "-") return;
  std::error_code ec;
  for (const std::string& f : cfg.files) {
    if (std::filesystem::equivalent(out, f, ec)) {
      throw Error("--out " + out + " is the config file " + f +
                  ": saving the plan there would replace the config; name another file");
    }
  }
}

// Passes everything to `inner` but a failing commit, which it keeps for the caller: apply::run
// commits last, and its report (what was done remotely) must still reach the user when that
// save fails (the journal then holds every result for the next run).
class KeepCommitError : public state::Transaction {
 public:
  explicit KeepCommitError(state::Transaction& inner) : inner_(inner) {}
  state::Journal& journal() override { return inner_.journal(); }
  void commit(state::State& s) override {
    try {
      inner_.commit(s);
    } catch (const std::exception&) {
      error = std::current_exception();
    }
  }
  void replace(const state::State& s) override { inner_.replace(s); }
  std::exception_ptr error;

 private:
  state::Transaction& inner_;
};

}  // namespace

plan::Plan make_live_plan(const PlanRequest& r) {
  Session s = open_session(config_paths(r.config_paths), r.backend, "plan");
  refuse_to_overwrite_config(r.out, s.config);
  return plan_live(s, r.net, r.flags);
}

ApplyResult apply(const ApplyRequest& r) {
  ApplyResult out;
  std::optional<Session> s;
  if (!r.plan_file.empty()) {
    plan::Plan saved = plan::read_plan_file(r.plan_file);
    s = open_session(
        r.config_paths.empty() ? plan::saved_config_paths(saved, r.plan_file) : r.config_paths,
        r.backend, "apply");
    // Nothing of the plan is acted on unless it is what config and state give (plan stage).
    out.plan = plan::verify_saved_plan(std::move(saved), s->config, s->state, r.plan_file);
    if (r.show) r.show(out.plan);
  } else {
    s = open_session(config_paths(r.config_paths), r.backend, "apply");
    out.plan = plan_live(*s, r.net, r.flags);
    if (r.show) r.show(out.plan);
    if (!out.plan.errors.empty()) {
      out.kind = ApplyResult::Kind::plan_errors;
      return out;
    }
    if (out.plan.has_changes() && r.confirm && !r.confirm(out.plan)) {
      out.kind = ApplyResult::Kind::cancelled;
      return out;
    }
  }
  const plan::Plan& p = out.plan;
  out.journal_pending = s->journal_pending;
  out.saved_to = s->backend->describe();
  auto finish = [&](ApplyResult::Kind kind) {
    out.kind = kind;
    out.serial = s->state.serial;
    out.requests = s->requests();
    return std::move(out);
  };
  // Changes an interrupted run left in the journal are written into the state even when
  // there is nothing else to do: the persisted state alone then tells the whole truth again.
  if (!p.touches_state() && !s->journal_pending) return finish(ApplyResult::Kind::nothing_to_do);
  if (p.actions.empty()) {  // only state changes: nothing to send
    s->state = plan::refreshed_state(s->state, p);
    s->tx->commit(s->state);
    return finish(ApplyResult::Kind::state_only);
  }
  api::HttpClient& client = s->api(r.net);
  apply::Options exec;
  exec.parallelism = r.net.parallelism;
  exec.max_create_attempts = r.max_create_attempts;
  exec.backoff = retry_policy(r.net);
  exec.stop = r.stop;
  exec.observer = r.starting ? r.starting(client) : nullptr;
  KeepCommitError tx(*s->tx);
  {
    ScopeExit observer_done(r.finished);
    out.report = apply::run(p, s->state, tx, client, exec);
  }
  out.save_error = tx.error;
  return finish(ApplyResult::Kind::applied);
}

}  // namespace cforg::ops
