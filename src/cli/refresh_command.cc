#include <cstdio>
#include <memory>

#include "cforg/plan/render.h"
#include "commands.h"
#include "session.h"

namespace cforg::cli {
namespace {

struct RefreshOptions {
  CommonOptions common;
  NetworkOptions net;
  bool auto_approve = false;
};

int run_refresh(const RefreshOptions& o) {
  setup_logging(o.common);
  std::optional<Session> s = open_session(config_paths(o.common), o.common, "refresh");
  if (!s) return kExitError;
  NetworkOptions net = o.net;
  net.refresh = true;
  plan::Plan p = plan_live(*s, net, PlanFlags{});
  // Only what the remote side says: no actions, and no flags from the config.
  p.actions.clear();
  p.protection.clear();
  p.errors.clear();
  std::size_t read = s->state.orgs.size();
  if (!p.touches_state() && !s->journal_pending) {
    std::printf("State matches the remote side: %zu organizations read, nothing changed.\n", read);
    return kExitOk;
  }
  p.unchanged = 0;
  std::fputs(plan::render_refresh_text(p, {use_color(o.common, stdout)}).c_str(), stdout);
  // Like terraform apply -refresh-only: what changes is shown, and the state changes only
  // when that is approved. A wrong account would otherwise empty it without a word.
  if (!o.net.allow_mass_forget) {
    if (std::string why = plan::mass_forget_problem(p, s->state); !why.empty()) {
      throw Failure("not refreshing: " + why);
    }
  }
  if (!o.auto_approve && !confirmed("Do you want to update the state with what was read?",
                                    "Pass --auto-approve to refresh without asking")) {
    std::printf("Refresh cancelled: the state is unchanged.\n");
    return kExitError;
  }
  s->state = plan::refreshed_state(s->state, p);
  s->tx->commit(s->state);
  std::printf(
      "State refreshed: %zu changed outside cforg, %zu gone, %zu found after an "
      "interrupted create. Saved to %s (serial %llu).\n",
      p.drift.size(), p.forget.size(), p.observed.size() - p.drift.size(),
      s->backend->describe().c_str(), static_cast<unsigned long long>(s->state.serial));
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
  cmd->callback([o, &run] { run = [o] { return run_refresh(*o); }; });
}

}  // namespace cforg::cli
