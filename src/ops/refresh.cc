#include "boundary.h"
#include "cforg/ops/operations.h"
#include "session.h"

namespace cforg::ops {
namespace {

RefreshResult run_refresh(const RefreshRequest& r) {
  Session s = open_session(config_paths(r.config_paths), r.backend, "refresh");
  NetworkOptions net = r.net;
  net.refresh = true;
  RefreshResult out;
  plan::Plan& p = out.changes;
  p = plan_live(s, net, PlanFlags{});
  // Only what the remote side says: no actions, and no flags from the config.
  p.actions.clear();
  p.protection.clear();
  p.errors.clear();
  out.read = s.state.orgs.size();
  out.saved_to = s.backend->describe();
  out.serial = s.state.serial;
  if (!p.touches_state() && !s.journal_pending) return out;
  p.unchanged = 0;
  if (r.show) r.show(p);
  // Like terraform apply -refresh-only: what changes is shown, and the state changes only
  // when that is approved. A wrong account would otherwise empty it without a word.
  if (!r.net.allow_mass_forget) {
    if (std::string why = plan::mass_forget_problem(p, s.state); !why.empty()) {
      throw Error("not refreshing: " + why);
    }
  }
  if (r.confirm && !r.confirm(p)) {
    out.kind = RefreshResult::Kind::cancelled;
    return out;
  }
  s.state = plan::refreshed_state(s.state, p);
  s.tx->commit(s.state);
  out.kind = RefreshResult::Kind::saved;
  out.serial = s.state.serial;
  return out;
}

}  // namespace

RefreshResult refresh(const RefreshRequest& r) {
  return translating_stage_errors([&] { return run_refresh(r); });
}

}  // namespace cforg::ops
