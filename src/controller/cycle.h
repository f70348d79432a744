// One reconciliation cycle: fetch, load, plan with refresh, then report, write or apply.
#pragma once

#include <memory>

#include "cforg/api/rate_budget.h"
#include "cforg/controller/controller.h"
#include "metrics.h"
#include "source.h"
#include "status.h"

namespace cforg::controller {

// What the cycles share: the source, the two budgets (the refresh's share and the apply's
// rest, each across every cycle), the metrics.
struct Context {
  const Options& opts;
  Source& source;
  std::shared_ptr<api::RateBudget> refresh_budget, apply_budget;
  std::shared_ptr<Metrics> metrics;
  std::uint64_t last_refresh_requests = 0;  // what the last cycle's refresh cost
};

// Runs one cycle. Never throws for what a cycle can meet (a fetch that fails, a bad commit, an
// API or state error): the report says what happened.
CycleReport run_cycle(Context& ctx);

}  // namespace cforg::controller
