#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cforg/apply/apply.h"
#include "cforg/apply/progress.h"
#include "cforg/ops/operations.h"
#include "cforg/plan/render.h"
#include "commands.h"
#include "common.h"

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
  const bool json = o.format == "json";
  if (json && o.plan_file.empty() && !o.auto_approve) {
    throw Failure(
        "apply --format json does not ask for confirmation: pass --auto-approve, or "
        "apply a saved plan (cforg plan --out FILE, then cforg apply FILE)");
  }
  // With --format json, stdout holds the events alone; what people read goes to stderr.
  std::FILE* shown = json ? stderr : stdout;
  bool color = use_color(o.common, shown);
  ops::ApplyRequest r;
  r.config_paths = o.common.config_paths;
  r.backend = backend_options(o.common);
  r.net = network_options(o.net);
  r.flags = o.flags;
  r.plan_file = o.plan_file;
  r.max_create_attempts = o.max_create_attempts;
  r.stop = &g_interrupted;
  r.show = [&](const plan::Plan& p) {
    if (!o.plan_file.empty()) {
      std::fprintf(shown, "Applying the saved plan %s. %s\n", o.plan_file.c_str(),
                   plan::summary_line(p).c_str());
    } else {
      std::fputs(plan::render_text(p, {color}).c_str(), shown);
    }
  };
  if (!o.auto_approve) r.confirm = [](const plan::Plan&) { return confirmed(); };
  apply::JsonEvents events(stdout);
  std::optional<apply::Progress> progress;
  r.starting = [&](const api::HttpClient& client) -> apply::Observer* {
    catch_interrupts();
    std::fprintf(shown, "\n");
    progress.emplace(shown, can_redraw(shown), color, &client.stats());
    return json ? static_cast<apply::Observer*>(&events) : &*progress;
  };
  r.finished = [&] {
    if (progress) progress->stop();
  };
  ops::ApplyResult res = ops::apply(r);
  using Kind = ops::ApplyResult::Kind;
  if (res.kind == Kind::plan_errors) return kExitError;
  if (res.kind == Kind::cancelled) {
    std::printf("Apply cancelled: nothing was changed.\n");
    return kExitError;
  }
  if (json) events.emit(apply::summary_event(res.report, res.requests, res.serial));
  if (res.kind == Kind::nothing_to_do) return kExitOk;
  if (res.kind == Kind::state_only) {
    std::fprintf(shown, "State updated (serial %llu)%s.\n",
                 static_cast<unsigned long long>(res.serial),
                 res.journal_pending ? ", with the changes an interrupted run had journaled" : "");
    return kExitOk;
  }
  std::fprintf(shown, "\n%s", apply::summary_text(res.report, color).c_str());
  // What was done remotely is told also when the state could not be saved; then why not.
  if (res.save_error) throw *res.save_error;
  std::fprintf(shown, "State saved to %s (serial %llu); %llu requests sent.\n",
               res.saved_to.c_str(), static_cast<unsigned long long>(res.serial),
               static_cast<unsigned long long>(res.requests));
  return res.report.ok() ? kExitOk : kExitError;
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
  cmd->callback([o, &run] { run.set([o] { return run_apply(*o); }, &o->common); });
}

}  // namespace cforg::cli
