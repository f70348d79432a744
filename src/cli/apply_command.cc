#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cforg/apply/apply.h"
#include "cforg/apply/progress.h"
#include "cforg/plan/plan_file.h"
#include "cforg/plan/render.h"
#include "commands.h"
#include "session.h"

namespace cforg::cli {
namespace {

struct ApplyOptions {
  CommonOptions common;
  NetworkOptions net;
  std::string plan_file;
  bool auto_approve = false;
  int max_create_attempts = 11;  // its own bound: --max-retries is about one request's retries
  PlanFlags flags;
  std::string format = "text";  // json: JSON Lines events on stdout (apply::JsonEvents)
};

std::atomic<bool> g_interrupted{false};

// First Ctrl-C: start nothing new, let requests in flight finish, save. Second: quit at once;
// the journal already holds every result that came back.
extern "C" void on_interrupt(int) {
  if (g_interrupted.exchange(true)) _exit(130);
  static const char msg[] =
      "\nInterrupted: finishing the requests in flight, then saving the state. "
      "Press Ctrl-C again to quit at once (no result is lost: they are journaled).\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

void catch_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool confirmed() {
  return cli::confirmed("Do you want to perform these actions?",
                        "Pass --auto-approve, or save a plan and apply exactly it: cforg plan "
                        "--out FILE, then cforg apply FILE");
}

int run_apply(const ApplyOptions& o) {
  setup_logging(o.common);
  const bool json = o.format == "json";
  if (json && o.plan_file.empty() && !o.auto_approve) {
    throw Failure(
        "apply --format json does not ask for confirmation: pass --auto-approve, or "
        "apply a saved plan (cforg plan --out FILE, then cforg apply FILE)");
  }
  // With --format json, stdout holds the events alone; what people read goes to stderr.
  std::FILE* shown = json ? stderr : stdout;
  bool color = use_color(o.common, shown);
  std::optional<Session> s;
  plan::Plan p;
  if (!o.plan_file.empty()) {
    plan::Plan saved = plan::read_plan_file(o.plan_file);
    s = open_session(o.common.config_paths.empty() ? plan::saved_config_paths(saved, o.plan_file)
                                                   : o.common.config_paths,
                     o.common, "apply");
    if (!s) return kExitError;
    // Nothing of the plan is acted on unless it is what config and state give (plan stage).
    p = plan::verify_saved_plan(std::move(saved), s->config, s->state, o.plan_file);
    std::fprintf(shown, "Applying the saved plan %s. %s\n", o.plan_file.c_str(),
                 plan::summary_line(p).c_str());
  } else {
    s = open_session(config_paths(o.common), o.common, "apply");
    if (!s) return kExitError;
    p = plan_live(*s, o.net, o.flags);
    std::fputs(plan::render_text(p, {color}).c_str(), shown);
    if (!p.errors.empty()) return kExitError;
    if (p.has_changes() && !o.auto_approve && !confirmed()) {
      std::printf("Apply cancelled: nothing was changed.\n");
      return kExitError;
    }
  }
  // Changes an interrupted run left in the journal are written into the state file even when
  // there is nothing else to do: the file alone then tells the whole truth again.
  bool journal_pending = s->journal_pending;
  apply::JsonEvents events(stdout);
  auto summary_event = [&](const apply::Report& r) {
    if (!json) return;
    std::uint64_t sent = s->client ? s->client->stats().requests.load() : 0;
    events.emit(apply::summary_event(r, sent, s->state.serial));
  };
  if (!p.touches_state() && !journal_pending) {
    summary_event({});
    return kExitOk;
  }
  if (p.actions.empty()) {  // only state changes: nothing to send
    s->state = plan::refreshed_state(s->state, p);
    s->tx->commit(s->state);
    summary_event({});
    std::fprintf(shown, "State updated (serial %llu)%s.\n",
                 static_cast<unsigned long long>(s->state.serial),
                 journal_pending ? ", with the changes an interrupted run had journaled" : "");
    return kExitOk;
  }
  if (!s->client) s->client = make_client(o.net);

  catch_interrupts();
  std::fprintf(shown, "\n");
  apply::Progress progress(shown, can_redraw(shown), color, &s->client->stats());
  apply::Options exec;
  exec.parallelism = o.net.parallelism;
  exec.max_create_attempts = o.max_create_attempts;
  exec.backoff = retry_policy(o.net);
  exec.stop = &g_interrupted;
  exec.observer = json ? static_cast<apply::Observer*>(&events) : &progress;
  apply::Report report = apply::run(p, s->state, *s->tx, *s->client, exec);
  progress.stop();
  summary_event(report);
  std::fprintf(shown, "\n%s", apply::summary_text(report, color).c_str());
  std::fprintf(shown, "State saved to %s (serial %llu); %llu requests sent.\n",
               s->backend->describe().c_str(), static_cast<unsigned long long>(s->state.serial),
               static_cast<unsigned long long>(s->client->stats().requests.load()));
  return report.ok() ? kExitOk : kExitError;
}

}  // namespace

void add_apply_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<ApplyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "apply", "Make it so: plan, ask for confirmation, then change the remote side");
  cmd->add_option("PLANFILE", o->plan_file,
                  "A plan saved by `cforg plan --out`: applied exactly, without asking")
      ->check(CLI::ExistingFile);
  add_common_options(cmd, o->common);
  add_lock_timeout_option(cmd, o->common);
  add_network_options(cmd, o->net);
  cmd->add_flag("--auto-approve", o->auto_approve, "Do not ask for confirmation");
  cmd->add_option(
         "--max-create-attempts", o->max_create_attempts,
         "Sends of one create while its outcome stays unknown; each resend follows a lookup")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  add_plan_flags(cmd, o->flags);
  cmd->add_option("--format", o->format,
                  "Output: text, or json (one event per line as each action starts and ends, "
                  "then a summary; docs/apply-events.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &run] { run = [o] { return run_apply(*o); }; });
}

}  // namespace cforg::cli
