#include "cycle.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "cforg/plan/render.h"
#include "cforg/state/backend.h"
#include "cforg/state/file_write.h"

namespace cforg::controller {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> config_paths(const Options& o, const Revision& rev) {
  std::vector<std::string> out;
  for (const std::string& f :
       o.config_files.empty() ? std::vector<std::string>{"cforg.yaml"} : o.config_files) {
    out.push_back(std::filesystem::path(f).is_absolute()
                      ? f
                      : (std::filesystem::path(rev.root) / f).string());
  }
  return out;
}

ops::NetworkOptions network(const Context& ctx, std::shared_ptr<api::RateBudget> budget) {
  ops::NetworkOptions net = ctx.opts.net;
  net.budget = std::move(budget);
  std::shared_ptr<Metrics> metrics = ctx.metrics;
  net.wrap_transport = [metrics](std::unique_ptr<api::Transport> t) {
    return counted_transport(std::move(t), metrics);
  };
  return net;
}

std::size_t pending_changes(const plan::Plan& p) {
  return p.actions.size() + p.protection.size();
}

// The plan where a person (or a CI job) picks it up: a saved plan `cforg apply FILE` applies
// exactly, and its markdown for a review.
std::string write_plan(const Options& o, const plan::Plan& p) {
  std::filesystem::create_directories(o.plans_dir);
  std::string saved = (std::filesystem::path(o.plans_dir) / "plan.json").string();
  ops::save_plan(p, saved);
  state::write_file_atomically((std::filesystem::path(o.plans_dir) / "plan.md").string(),
                               plan::render_markdown(p));
  return saved;
}

}  // namespace

CycleReport run_cycle(Context& ctx) {
  const Options& o = ctx.opts;
  CycleReport r;
  r.started = state::now_rfc3339();
  const auto t0 = Clock::now();
  const std::uint64_t sent_before = ctx.metrics->requests_sent();
  auto done = [&](std::string result) {
    r.result = std::move(result);
    r.requests = ctx.metrics->requests_sent() - sent_before;
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    ctx.metrics->cycle(r.result, r.seconds);
    return r;
  };
  Revision rev;
  try {
    rev = ctx.source.fetch();
  } catch (const std::exception& e) {
    r.error = e.what();
    spdlog::error("cycle: {}", r.error);
    return done("source_error");
  }
  r.commit = rev.commit;

  ops::PlanRequest pr;
  pr.config_paths = config_paths(o, rev);
  pr.backend = o.backend;
  pr.net = network(ctx, ctx.refresh_budget);
  plan::Plan p;
  try {
    p = ops::make_live_plan(pr);
  } catch (const ops::ConfigError& e) {
    // A bad commit: nothing is planned, so nothing is deleted for it; the estate stays as the
    // last good commit left it.
    r.error = e.report;
    spdlog::error("cycle: the config{} has errors; nothing changes until a commit fixes it:\n{}",
                  rev.commit.empty() ? "" : " at " + rev.commit, e.report);
    return done("config_error");
  } catch (const std::exception& e) {
    r.error = e.what();
    spdlog::error("cycle: planning failed: {}", r.error);
    return done("failed");
  }
  ctx.last_refresh_requests = ctx.metrics->requests_sent() - sent_before;
  r.summary = plan::summary_line(p);
  r.drift = p.drift.size();
  r.pending = pending_changes(p);
  ctx.metrics->drift(r.drift);
  ctx.metrics->pending(r.pending);
  if (!p.errors.empty()) {
    for (const plan::Problem& e : p.errors) {
      r.error += (r.error.empty() ? "" : "\n") + (e.where.empty() ? "" : e.where + ": ") +
                 (e.key.empty() ? "" : "org \"" + e.key + "\": ") + e.message;
    }
    spdlog::error("cycle: the plan has errors; nothing is applied:\n{}", r.error);
    return done("failed");
  }
  for (const plan::Drift& d : p.drift)
    spdlog::warn("drift: org \"{}\" ({}) changed outside cforg", d.key, d.id);
  spdlog::info("cycle{}: {}", rev.commit.empty() ? "" : " at " + rev.commit.substr(0, 12),
               r.summary);
  const bool changes = p.has_changes();
  const std::string quiet = r.drift ? "drift" : "no_changes";
  // Report mode: "drift" when something changed outside cforg, "pending" when only the config
  // asks for changes (a commit not applied yet).
  if (o.mode == Mode::report) return done(changes && !r.drift ? "pending" : quiet);
  if (o.mode == Mode::plan) {
    if (!changes) return done(quiet);
    try {
      r.plan_files = write_plan(o, p);
    } catch (const std::exception& e) {
      r.error = std::string("writing the plan: ") + e.what();
      spdlog::error("cycle: {}", r.error);
      return done("failed");
    }
    spdlog::info("cycle: plan written to {} (apply it with: cforg apply {})", r.plan_files,
                 r.plan_files);
    return done("planned");
  }
  if (!p.touches_state()) return done(quiet);

  // Apply mode: exactly the plan just made, saved and verified like any saved plan (a state
  // that moved on since refuses it, and the next cycle plans again).
  ops::ApplyRequest ar;
  ar.config_paths = pr.config_paths;
  ar.backend = o.backend;
  ar.net = network(ctx, ctx.apply_budget);
  ar.stop = o.stop;
  try {
    std::filesystem::create_directories(o.plans_dir);
    ar.plan_file = (std::filesystem::path(o.plans_dir) / "applying.json").string();
    ops::save_plan(p, ar.plan_file);
    spdlog::info("cycle: applying {} actions", p.actions.size());
    ops::ApplyResult res = ops::apply(ar);
    std::filesystem::remove(ar.plan_file);
    if (res.save_error) throw *res.save_error;
    if (o.stop && o.stop->load() && !res.report.ok()) {
      r.error = "stopped: " + std::to_string(res.report.not_started) +
                " actions not started; the state holds what was done";
      spdlog::warn("cycle: {}", r.error);
      return done("stopped");
    }
    if (!res.report.ok()) {
      r.error = std::to_string(res.report.failed) + " actions failed, " +
                std::to_string(res.report.skipped + res.report.not_started) + " not done";
      spdlog::error("cycle: {}", r.error);
      return done("failed");
    }
    ctx.metrics->pending(0);
    r.pending = 0;
  } catch (const std::exception& e) {
    r.error = std::string("applying: ") + e.what();
    spdlog::error("cycle: {}", r.error);
    return done("failed");
  }
  spdlog::info("cycle: applied ({})", r.summary);
  return done("applied");
}

}  // namespace cforg::controller
