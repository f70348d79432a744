// --target: a plan narrowed to some keys and what they depend on.
#include <map>
#include <string>
#include <vector>

#include "cforg/plan/plan.h"

namespace cforg::plan {

void restrict_to_targets(Plan& plan, const std::set<std::string>& targets) {
  // Every key an action of `key` needs first, transitively.
  std::map<std::string, std::vector<const Action*>> by_key;
  for (const Action& a : plan.actions) by_key[a.key].push_back(&a);
  std::set<std::string> keep;
  std::vector<std::string> todo(targets.begin(), targets.end());
  while (!todo.empty()) {
    std::string key = std::move(todo.back());
    todo.pop_back();
    if (!keep.insert(key).second) continue;
    for (const Action* a : by_key[key]) {
      for (const std::string& d : a->depends_on) todo.push_back(d);
      for (const std::string& d : a->after_removal_of) todo.push_back(d);
    }
  }
  std::size_t left_out = 0;
  std::vector<Action> kept;
  for (Action& a : plan.actions) {
    if (keep.count(a.key)) {
      kept.push_back(std::move(a));
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
