// Verifying a saved plan before apply acts on it: what it was made from, that its actions hold
// together, and that they are what make_plan gives. A plan file is input like any other: it may
// have been edited by hand, truncated, or written by someone else.
#include <sys/stat.h>

#include <deque>
#include <unordered_map>

#include "cforg/plan/plan_file.h"

namespace cforg::plan {
namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw PlanFileError("the saved plan " + path + " " + why);
}

std::string make_new(const std::string& path) {
  return "Make a new one with cforg plan --out " + shell_word(path);
}

std::string describe(const Action& a, std::size_t i) {
  return "action " + std::to_string(i + 1) + " (" + std::string(to_string(a.kind)) + " \"" + a.key +
         "\")";
}

// What the executor needs to hold: every key acted on once (twice for a replacement: its
// delete and its create), dependencies that resolve, no cycle, no delete of a declared org.
void check_actions(const Plan& p, const config::Config& cfg, const std::string& path) {
  auto bad = [&](const std::string& why) {
    refuse(path, "cannot be applied: " + why + ". " + make_new(path));
  };
  std::unordered_map<std::string, std::size_t> action_of, removal_of;  // as the Scheduler maps
  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    const Action& a = p.actions[i];
    if (a.key.empty()) bad(describe(a, i) + " has an empty key");
    if (!a.id.empty()) {
      if (std::string why = org_id_problem(a.id); !why.empty())
        bad(describe(a, i) + ": its id " + why);
    }
    if (a.kind == ActionKind::remove && !a.replace && cfg.find(a.key)) {
      bad(describe(a, i) + " deletes an organization the config declares");
    }
    // What acts inside an org carries its org's key, and an org has many such actions; the
    // re-derivation (verify_saved_plan) compares them one by one.
    if (is_content_action(a.kind)) continue;
    const bool removes_for_replacement = a.replace && a.kind == ActionKind::remove;
    auto& slot = removes_for_replacement ? removal_of : action_of;
    if (!slot.emplace(a.key, i).second) {
      bad("the key \"" + a.key + "\" is acted on twice (" +
          describe(p.actions[slot[a.key]], slot[a.key]) + " and " + describe(a, i) + ")");
    }
  }
  for (const auto& [key, i] : removal_of) {
    auto c = action_of.find(key);
    if (c == action_of.end() || p.actions[c->second].kind != ActionKind::create ||
        !p.actions[c->second].replace) {
      bad(describe(p.actions[i], i) + " is half of a replacement without its create");
    }
  }
  // Kahn's algorithm over the same edges the Scheduler builds: what is left over is a cycle.
  std::vector<std::vector<std::size_t>> dependents(p.actions.size());
  std::vector<std::size_t> waiting(p.actions.size(), 0);
  for (std::size_t i = 0; i < p.actions.size(); ++i) {
    auto edge = [&](const std::unordered_map<std::string, std::size_t>& refs,
                    const std::string& dep, const char* field) {
      auto it = refs.find(dep);
      if (it == refs.end()) {
        bad(describe(p.actions[i], i) + ": " + field + " names \"" + dep +
            "\", which no action of the plan acts on");
      }
      if (it->second == i) bad(describe(p.actions[i], i) + " depends on itself");
      dependents[it->second].push_back(i);
      ++waiting[i];
    };
    for (const std::string& dep : p.actions[i].depends_on) edge(action_of, dep, "depends_on");
    for (const std::string& dep : p.actions[i].after_removal_of)
      edge(removal_of, dep, "after_removal_of");
  }
  std::deque<std::size_t> ready;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::size_t done = 0;
  for (; !ready.empty(); ++done) {
    std::size_t i = ready.front();
    ready.pop_front();
    for (std::size_t d : dependents[i]) {
      if (--waiting[d] == 0) ready.push_back(d);
    }
  }
  if (done == p.actions.size()) return;
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    if (waiting[i] != 0) bad("its dependencies form a cycle through " + describe(p.actions[i], i));
  }
}

// The first difference between the plan in the file and the one derived, for the message.
std::string first_difference(const Plan& saved, const Plan& derived) {
  const std::size_t n = std::min(saved.actions.size(), derived.actions.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (saved.actions[i] != derived.actions[i]) {
      return describe(saved.actions[i], i) + " in the file is " + describe(derived.actions[i], i) +
             (saved.actions[i].key == derived.actions[i].key &&
                      saved.actions[i].kind == derived.actions[i].kind
                  ? " with other details"
                  : "") +
             " when derived";
    }
  }
  if (saved.actions.size() != derived.actions.size()) {
    return "the file has " + std::to_string(saved.actions.size()) + " actions, the derivation " +
           std::to_string(derived.actions.size());
  }
  if (saved.forget != derived.forget || saved.observed != derived.observed ||
      saved.protection != derived.protection) {
    return "what it would write to the state differs";
  }
  return "its summary, drift or warnings differ";
}

}  // namespace

std::vector<std::string> saved_config_paths(const Plan& saved, const std::string& plan_path) {
  if (saved.config_files.empty()) {
    refuse(plan_path, "names no config file: give the config with -c PATH");
  }
  for (const std::string& f : saved.config_files) {
    auto why = [&]() -> std::string {
      if (f.empty()) return "an empty path";
      for (unsigned char c : f) {
        if (c < 0x20 || c == 0x7f) return "a path with control characters";
      }
      if (!f.ends_with(".yaml") && !f.ends_with(".yml")) return "not a .yaml or .yml file";
      struct stat st {};
      if (::stat(f.c_str(), &st) != 0) return "missing or unreadable";
      if (!S_ISREG(st.st_mode)) return "not a regular file";
      return "";
    }();
    if (!why.empty()) {
      refuse(plan_path, "names the config file " + shell_word(f) + ", which is " + why +
                            ": apply reads only the YAML files a plan was made from. Give the "
                            "config with -c PATH, or make a new plan");
    }
  }
  return saved.config_files;
}

Plan verify_saved_plan(Plan saved, const config::Config& cfg, const state::State& st,
                       const std::string& path) {
  if (st.lineage != saved.lineage) {
    refuse(path, "was made for another state (lineage differs): " + make_new(path));
  }
  if (st.serial != saved.serial) {
    refuse(path, "is stale: the state changed since it was made (serial " +
                     std::to_string(saved.serial) + " then, " + std::to_string(st.serial) +
                     " now). " + make_new(path));
  }
  if (cfg.digest() != saved.config_digest) {
    refuse(path, "is stale: the config changed since it was made. " + make_new(path));
  }
  if (!saved.errors.empty()) refuse(path, "has errors: it cannot be applied. " + make_new(path));
  if (saved.refreshed != saved.remote.has_value()) {
    refuse(path, std::string("cannot be applied: it says the remote side was ") +
                     (saved.refreshed ? "read but does not record it" : "not read but records it") +
                     ". " + make_new(path));
  }
  for (const std::string& key : saved.options.replace) {
    if (!cfg.find(key)) {
      refuse(path, "cannot be applied: it replaces \"" + key +
                       "\", which the config does not declare. " + make_new(path));
    }
  }
  check_actions(saved, cfg, path);

  // The recorded inputs go through make_plan again, and everything apply acts on (the actions,
  // what is written to state before them) must come out the same. Moved out and back, not
  // copied: a large estate's remote side is most of the file.
  std::optional<Remote> remote = std::move(saved.remote);
  saved.remote.reset();
  Plan derived = make_plan(cfg, st, remote ? &*remote : nullptr, saved.options);
  derived.config_files = saved.config_files;  // -c may name the same config another way
  if (derived != saved) {
    refuse(path,
           "does not match what the config, the state and the remote side it recorded give (" +
               first_difference(saved, derived) +
               "): the plan file was changed after it was written: make a new plan with "
               "cforg plan --out " +
               shell_word(path));
  }
  saved.remote = std::move(remote);
  return saved;
}

}  // namespace cforg::plan
