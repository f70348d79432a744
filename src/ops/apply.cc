// plan and apply, and the plan files between them.
#include "cforg/apply/apply.h"

#include <filesystem>

#include "boundary.h"
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

// Commits `s`'s state and says why it failed, if it did: the final save of an apply comes
// after the actions, whose report (what was done remotely) must still reach the user when the
// save fails (the journal then holds every result for the next run).
std::optional<Error> commit_keeping_error(Session& s) {
  try {
    s.tx->commit(s.state);
    return std::nullopt;
  } catch (const std::exception& e) {
    return Error(e.what());
  }
}

// The session and the plan to apply: the saved plan verified against config and state, or a
// live plan. Returns no session when the live plan has errors or is not confirmed (out.kind
// then says which).
std::optional<Session> session_and_plan(const ApplyRequest& r, ApplyResult& out) {
  if (!r.plan_file.empty()) {
    plan::Plan saved = plan::read_plan_file(r.plan_file);
    Session s = open_session(
        r.config_paths.empty() ? plan::saved_config_paths(saved, r.plan_file) : r.config_paths,
        r.backend, "apply");
    // Nothing of the plan is acted on unless it is what config and state give (plan stage).
    out.plan = plan::verify_saved_plan(std::move(saved), s.config, s.state, r.plan_file);
    if (r.show) r.show(out.plan);
    return s;
  }
  Session s = open_session(config_paths(r.config_paths), r.backend, "apply");
  out.plan = plan_live(s, r.net, r.flags);
  if (r.show) r.show(out.plan);
  if (!out.plan.errors.empty()) {
    out.kind = ApplyResult::Kind::plan_errors;
    return std::nullopt;
  }
  if (out.plan.has_changes() && r.confirm && !r.confirm(out.plan)) {
    out.kind = ApplyResult::Kind::cancelled;
    return std::nullopt;
  }
  return s;
}

ApplyResult run_apply(const ApplyRequest& r) {
  ApplyResult out;
  std::optional<Session> s = session_and_plan(r, out);
  if (!s) return out;
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
  if (p.actions.empty()) {  // only state changes: nothing was sent, so a failed save throws
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
  {
    ScopeExit observer_done(r.finished);
    out.report = apply::run(p, s->state, s->tx->journal(), client, exec);
  }
  out.save_error = commit_keeping_error(*s);
  return finish(ApplyResult::Kind::applied);
}

}  // namespace

plan::Plan make_live_plan(const PlanRequest& r) {
  return translating_stage_errors([&] {
    Session s = open_session(config_paths(r.config_paths), r.backend, "plan");
    refuse_to_overwrite_config(r.out, s.config);
    return plan_live(s, r.net, r.flags);
  });
}

ApplyResult apply(const ApplyRequest& r) {
  // The stop that keeps new actions from starting also keeps the requests of started ones that
  // are not sent yet from waiting (for the budget, a backoff): they give up at once.
  ApplyRequest stoppable = r;
  if (!stoppable.net.stop) stoppable.net.stop = r.stop;
  return translating_stage_errors([&] { return run_apply(stoppable); });
}

void save_plan(const plan::Plan& p, const std::string& out) {
  translating_stage_errors([&] { plan::write_plan_file(p, out); });
}

plan::Plan read_saved_plan(const std::string& path) {
  return translating_stage_errors([&] { return plan::read_plan_file(path); });
}

}  // namespace cforg::ops
