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
  std::unordered_map<std::string, std::size_t> action_of, removal_of;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const plan::Action& a = actions[i];
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
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (waiting_on_[i] == 0) {
      stage_[i] = Stage::ready;
      ready_.push_back(i);
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
