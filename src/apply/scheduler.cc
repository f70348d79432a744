#include "scheduler.h"

#include <string>
#include <unordered_map>

namespace cforg::apply {

Scheduler::Scheduler(std::span<const plan::Action> actions)
    : stage_(actions.size(), Stage::waiting),
      waiting_on_(actions.size(), 0),
      dependents_(actions.size()) {
  // A key has one action, or two for a replacement: its delete (of the old org) and its
  // create. depends_on names the first kind, after_removal_of the second.
  // What acts inside an org is not an org's action: it waits for its org's (depends_on), and an
  // org's delete waits for what empties it (below).
  std::unordered_map<std::string, std::size_t> action_of, removal_of;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const plan::Action& a = actions[i];
    if (plan::is_content_action(a.kind)) continue;
    (a.replace && a.kind == plan::ActionKind::remove ? removal_of : action_of)[a.key] = i;
  }
  auto wait_for = [&](std::size_t i, const std::unordered_map<std::string, std::size_t>& refs,
                      const std::string& dep) {
    auto it = refs.find(dep);
    if (it == refs.end()) return;  // nothing to wait for
    ++waiting_on_[i];
    dependents_[it->second].push_back(i);
  };
  for (std::size_t i = 0; i < actions.size(); ++i) {
    for (const std::string& dep : actions[i].depends_on) wait_for(i, action_of, dep);
    for (const std::string& dep : actions[i].after_removal_of) wait_for(i, removal_of, dep);
  }
  add_content_order(actions);
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (waiting_on_[i] == 0) {
      stage_[i] = Stage::ready;
      ready_.push_back(i);
    }
  }
}

// Orders that follow from what content actions do, so the plan need not spell them: a member's
// status change creates it again only once its delete is done; an org is deleted only after
// every member removal and every account move out of it (the API deletes only empty orgs).
void Scheduler::add_content_order(std::span<const plan::Action> actions) {
  auto edge = [&](std::size_t before, std::size_t after) {
    ++waiting_on_[after];
    dependents_[before].push_back(after);
  };
  std::unordered_map<std::string, std::size_t> status_removal;         // key + '\n' + email
  std::unordered_map<std::string, std::vector<std::size_t>> emptying;  // key -> actions
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const plan::Action& a = actions[i];
    if (a.kind == plan::ActionKind::remove_member && a.member) {
      emptying[a.key].push_back(i);
      if (a.replace) status_removal[a.key + '\n' + canonical_email(a.member->email)] = i;
    }
    if (a.kind == plan::ActionKind::move_account && !a.from_key.empty())
      emptying[a.from_key].push_back(i);
  }
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const plan::Action& a = actions[i];
    if (a.kind == plan::ActionKind::add_member && a.replace && a.member) {
      auto it = status_removal.find(a.key + '\n' + canonical_email(a.member->email));
      if (it != status_removal.end()) edge(it->second, i);
    }
    if (a.kind == plan::ActionKind::remove) {
      auto it = emptying.find(a.key);
      if (it == emptying.end()) continue;
      for (std::size_t before : it->second) edge(before, i);
    }
  }
}

std::optional<std::size_t> Scheduler::take() {
  if (ready_.empty()) return std::nullopt;
  std::size_t i = ready_.front();
  ready_.pop_front();
  stage_[i] = Stage::running;
  ++running_;
  return i;
}

void Scheduler::end(std::size_t action, Stage stage) {
  stage_[action] = stage;
  --running_;
}

std::size_t Scheduler::finished(std::size_t action) {
  end(action, Stage::done);
  std::size_t released = 0;
  for (std::size_t d : dependents_[action]) {
    if (--waiting_on_[d] == 0) {
      stage_[d] = Stage::ready;
      ready_.push_back(d);
      ++released;
    }
  }
  return released;
}

std::vector<std::size_t> Scheduler::failed(std::size_t action) {
  end(action, Stage::failed);
  std::vector<std::size_t> skipped;
  std::vector<std::size_t> todo = {action};
  while (!todo.empty()) {
    std::size_t i = todo.back();
    todo.pop_back();
    for (std::size_t d : dependents_[i]) {
      // Only a waiting action can depend on one that has not succeeded; one skipped already
      // (through another failed dependency) is not told twice.
      if (stage_[d] != Stage::waiting) continue;
      stage_[d] = Stage::skipped;
      skipped.push_back(d);
      todo.push_back(d);
    }
  }
  return skipped;
}

}  // namespace cforg::apply
