// What a plan does inside organizations: members added and removed, accounts moved in. Planned
// after the organizations themselves (an org must exist before anything is put in it) and
// before the deletes (the API deletes only empty organizations).
#pragma once

#include <functional>
#include <string>

#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"
#include "order.h"

namespace cforg::plan {

struct ContentContext {
  const config::Config& cfg;
  const state::State& st;
  const Remote* remote;  // nullptr: --refresh=false
  // The org of `key` as the plan knows it so far (refreshed); nullptr when untracked or gone.
  std::function<const state::OrgState*(const std::string&)> current;
  // Whether this plan creates, adopts or replaces the org of `key`.
  std::function<bool(const std::string&)> created_here;
};

// Appends the member and account actions of every org whose config manages them, and the
// member removals of the `doomed` orgs that manage members; refuses (plan.errors) the deletes
// that would meet an org that is not empty. Records in plan.observed what the remote side showed
// inside tracked orgs, in plan.drift what changed outside cforg.
void plan_contents(const ContentContext& ctx, const DoomedOrgs& doomed, Plan& plan);

}  // namespace cforg::plan
