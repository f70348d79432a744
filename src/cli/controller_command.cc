// cforg controller: the GitOps loop (src/controller/), its flags and its signals.
#include <signal.h>

#include <atomic>
#include <cstdlib>

#include "cforg/controller/controller.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct ControllerFlags {
  CommonOptions common;
  NetworkOptions net;
  controller::Options opts;
  std::string mode = "report";
  std::string interval = "5m", lease = "15s";
  bool once = false;
};

std::atomic<bool> g_stop{false};
std::atomic<bool> g_wake{false};

extern "C" void on_stop(int) {
  g_stop.store(true);
}
extern "C" void on_hangup(int) {
  g_wake.store(true);
}

void handle_signals() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = on_hangup;
  sigaction(SIGHUP, &sa, nullptr);
}

std::chrono::milliseconds duration_flag(const std::string& name, const std::string& value) {
  try {
    return controller::parse_duration(value);
  } catch (const std::invalid_argument& e) {
    throw Failure(name + ": " + e.what());
  }
}

int run_controller(ControllerFlags& f) {
  controller::Options& o = f.opts;
  if (o.source_dir.empty() == o.git_url.empty()) {
    throw Failure("give the config's source: --source DIR (a folder) or --git URL (a repository)");
  }
  o.config_files = f.common.config_paths;
  o.backend = backend_options(f.common);
  o.net = network_options(f.net);
  o.mode = f.mode == "apply"  ? controller::Mode::apply
           : f.mode == "plan" ? controller::Mode::plan
                              : controller::Mode::report;
  o.interval = duration_flag("--interval", f.interval);
  o.lease = duration_flag("--lease", f.lease);
  if (o.interval < std::chrono::seconds(1)) throw Failure("--interval: at least 1s");
  if (f.once) o.max_cycles = 1;
  o.stop = &g_stop;
  o.wake = &g_wake;
  handle_signals();
  return controller::run(o);
}

}  // namespace

void add_controller_command(CLI::App& app, Runner& run) {
  auto f = std::make_shared<ControllerFlags>();
  // A long-running service says what each cycle did: info, unless --log-level or CFORG_LOG.
  if (const char* env = std::getenv("CFORG_LOG"); !env || !*env) f->common.log_level = "info";
  // A cycle whose state another run holds (a CI apply, the leader before a handover) waits
  // for it rather than failing: a minute, unless --lock-timeout says otherwise.
  f->common.lock_timeout = 60;
  CLI::App* cmd = app.add_subcommand(
      "controller",
      "Keep the estate in step with a folder or git repository: plan every --interval, then "
      "report, write the plan, or apply (docs/CONTROLLER.md)");
  cmd->add_option("--source", f->opts.source_dir,
                  "The config's folder (-c paths are relative to it)")
      ->type_name("DIR");
  cmd->add_option("--git", f->opts.git_url,
                  "A git repository to clone and fetch each cycle (-c paths are relative to it)")
      ->type_name("URL");
  cmd->add_option("--branch", f->opts.branch, "The branch of --git")->capture_default_str();
  cmd->add_option("--checkout", f->opts.checkout, "Where --git is cloned (default: cforg-checkout)")
      ->type_name("DIR");
  add_common_options(cmd, f->common);
  add_lock_timeout_option(cmd, f->common)
      ->description(
          "How long a cycle waits for the state's lock while another run holds it, e.g. 30s, "
          "5m (default 60s)");
  add_network_options(cmd, f->net);
  cmd->add_option("--mode", f->mode,
                  "report (drift and pending changes only), plan (also write the plan to "
                  "--plans-dir) or apply")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "plan", "apply"}));
  cmd->add_option("--interval", f->interval, "Time from one cycle's start to the next's")
      ->capture_default_str();
  cmd->add_option("--plans-dir", f->opts.plans_dir,
                  "--mode plan: where plan.json (for cforg apply) and plan.md go")
      ->capture_default_str()
      ->type_name("DIR");
  cmd->add_option("--budget-share", f->opts.budget_share,
                  "Of --rate-limit, what the cycles' refreshes may spend (applies: the rest)")
      ->capture_default_str();
  cmd->add_option("--lease", f->lease,
                  "Replicas on one state: a dead leader's lease passes within this")
      ->capture_default_str();
  cmd->add_option("--listen", f->opts.listen,
                  "HOST:PORT for /metrics, /healthz, /readyz and /status (none by default)")
      ->type_name("HOST:PORT");
  cmd->add_flag("--once", f->once, "One cycle, then exit (0 when it ended well)");
  cmd->callback([f, &run] { run.set([f] { return run_controller(*f); }, &f->common); });
}

}  // namespace cforg::cli
