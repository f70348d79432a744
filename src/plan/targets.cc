// --target: a plan narrowed to some keys and what they depend on.
#include <map>
#include <string>
#include <vector>

#include "cforg/plan/plan.h"

namespace cforg::plan {

void restrict_to_targets(Plan& plan, const std::set<std::string>& targets) {
  // Every key an action of `key` needs first, transitively; and the moves out of an org whose
  // delete is kept, since that delete needs the org empty (the moves belong to the key they
  // move into, which they do not pull in whole).
  std::map<std::string, std::vector<std::size_t>> by_key;
  for (std::size_t i = 0; i < plan.actions.size(); ++i) by_key[plan.actions[i].key].push_back(i);
  std::set<std::string> keep;
  std::vector<bool> kept_action(plan.actions.size(), false);
  std::vector<std::string> todo(targets.begin(), targets.end());
  auto take = [&](std::size_t i) {
    if (kept_action[i]) return false;
    kept_action[i] = true;
    const Action& a = plan.actions[i];
    for (const std::string& d : a.depends_on) todo.push_back(d);
    for (const std::string& d : a.after_removal_of) todo.push_back(d);
    return true;
  };
  for (bool more = true; more;) {
    while (!todo.empty()) {
      std::string key = std::move(todo.back());
      todo.pop_back();
      if (!keep.insert(key).second) continue;
      for (std::size_t i : by_key[key]) take(i);
    }
    more = false;
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
      const Action& a = plan.actions[i];
      if (kept_action[i] || a.kind != ActionKind::move_account || a.from_key.empty()) continue;
      for (std::size_t d : by_key[a.from_key]) {
        if (kept_action[d] && plan.actions[d].kind == ActionKind::remove) more |= take(i);
      }
    }
  }
  std::size_t left_out = 0;
  std::vector<Action> kept;
  for (std::size_t i = 0; i < plan.actions.size(); ++i) {
    if (kept_action[i]) {
      kept.push_back(std::move(plan.actions[i]));
    } else {
      ++left_out;
    }
  }
  plan.actions = std::move(kept);
  for (auto it = plan.protection.begin(); it != plan.protection.end();) {
    if (keep.count(it->first)) {
      ++it;
    } else {
      ++left_out;
      it = plan.protection.erase(it);
    }
  }
  plan.options.targets = targets;
  std::string named;
  for (const std::string& t : targets) named += (named.empty() ? "" : ", ") + shell_word(t);
  // Terraform's warning, in substance: a partial plan is a repair tool, not a way of working.
  plan.warnings.push_back(
      "--target is in effect (" + named + "): this plan covers only those orgs and what they " +
      "depend on; " + std::to_string(left_out) + " other change" + (left_out == 1 ? "" : "s") +
      " of the config " + (left_out == 1 ? "is" : "are") +
      " left out. Targeting is for exceptional use (recovering from a mistake, working around "
      "an error elsewhere), not for routine changes: run a full plan afterwards.");
}

}  // namespace cforg::plan
