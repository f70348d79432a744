// What make_plan computes before --target narrows it (see plan.h).
#pragma once

#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

// The whole plan for `cfg` against `st` and, when read, `remote`: every action, warning and
// problem, with no target applied.
Plan plan_actions(const config::Config& cfg, const state::State& st, const Remote* remote,
                  const Options& opts);

}  // namespace cforg::plan
