#include <cstdio>
#include <memory>

#include "cforg/ops/operations.h"
#include "cforg/plan/render.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct RefreshOptions {
  CommonOptions common;
  NetworkOptions net;
  bool auto_approve = false;
};

int run_refresh(const RefreshOptions& o) {
  ops::RefreshRequest r;
  r.config_paths = o.common.config_paths;
  r.backend = backend_options(o.common);
  r.net = network_options(o.net);
  r.show = [&](const plan::Plan& p) {
    std::fputs(plan::render_refresh_text(p, {use_color(o.common, stdout)}).c_str(), stdout);
  };
  if (!o.auto_approve) {
    r.confirm = [](const plan::Plan&) {
      return confirmed("Do you want to update the state with what was read?",
                       "Pass --auto-approve to refresh without asking");
    };
  }
  ops::RefreshResult res = ops::refresh(r);
  const plan::Plan& p = res.changes;
  switch (res.kind) {
    case ops::RefreshResult::Kind::unchanged:
      std::printf("State matches the remote side: %zu organizations read, nothing changed.\n",
                  res.read);
      return kExitOk;
    case ops::RefreshResult::Kind::cancelled:
      std::printf("Refresh cancelled: the state is unchanged.\n");
      return kExitError;
    case ops::RefreshResult::Kind::saved:
      break;
  }
  std::printf(
      "State refreshed: %zu changed outside cforg, %zu gone, %zu found after an "
      "interrupted create. Saved to %s (serial %llu).\n",
      p.drift.size(), p.forget.size(), p.observed.size() - p.drift.size(), res.saved_to.c_str(),
      static_cast<unsigned long long>(res.serial));
  return kExitOk;
}

}  // namespace

void add_refresh_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<RefreshOptions>();
  CLI::App* cmd = app.add_subcommand(
      "refresh", "Update the state from the remote side; change nothing remotely");
  add_common_options(cmd, o->common);
  add_lock_timeout_option(cmd, o->common);
  add_network_options(cmd, o->net, /*with_refresh=*/false);
  add_mass_forget_flag(cmd, o->net);
  cmd->add_flag("--auto-approve", o->auto_approve, "Save what was read without asking");
  cmd->callback([o, &run] { run.set([o] { return run_refresh(*o); }, &o->common); });
}

}  // namespace cforg::cli
