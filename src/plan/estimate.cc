// What applying a plan costs: its requests, and how long they take at the budget's pace.
#include <string>
#include <unordered_set>

#include "cforg/plan/plan.h"

namespace cforg::plan {

std::string Budget::str() const {
  if (unlimited()) return "no budget";
  std::string window = window_ms % 1000 == 0
                           ? std::to_string(window_ms / 1000)
                           : std::to_string(static_cast<double>(window_ms) / 1000);
  return std::to_string(requests) + "/" + window + " s";
}

Estimate Plan::estimate() const {
  Estimate e;
  const Budget& budget = options.budget;
  e.budget = budget;
  std::unordered_set<std::string> created;
  for (const Action& a : actions) {
    if (a.kind == ActionKind::create) created.insert(a.key);
  }
  for (const Action& a : actions) {
    e.requests += a.requests();
    // A member create that may have been made before is looked up by email first.
    if (a.kind == ActionKind::add_member && a.recover) ++e.lookups;
    if (a.kind != ActionKind::create) continue;
    // Before a create, apply lists the orgs of its name and parent when the plan could not
    // look (--refresh=false) or an earlier attempt may have made it (apply/actions.cc).
    if (a.recover || !refreshed) ++e.lookups;
    if (a.after && created.count(a.after->parent.key_or_empty())) ++e.young_parent_creates;
  }
  e.requests += e.lookups;
  if (!budget.unlimited()) {
    e.seconds = static_cast<double>(e.requests) * static_cast<double>(budget.window_ms) / 1000.0 /
                budget.requests;
  }
  return e;
}

}  // namespace cforg::plan
