// A plan: what apply will do, as a value that can be saved, rendered and applied.
//
// make_plan is a pure function of the desired config, the state and (optionally) what was
// read from the API. It never talks to the network and never changes the state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/model/organization.h"
#include "cforg/state/state.h"

namespace cforg::plan {

inline constexpr int kPlanFormatVersion = 1;

enum class ActionKind { create, update, remove, adopt };
std::string_view to_string(ActionKind k);  // "create", "update", "delete", "adopt"

// What an organization should become, as the config says. The parent is a key while the
// parent is managed here (its id may only be known once apply created it), else an id.
struct Target {
  std::string name;
  std::string parent_key;  // a managed parent: its id is looked up in state at apply time
  std::string parent_id;   // an external parent; empty for a root (or when parent_key is set)
  std::optional<Profile> profile;
  bool prevent_destroy = false;

  bool operator==(const Target&) const = default;
};

// One attribute that changes: "name", "parent", "profile" (added or removed) or
// "profile.<field>". Values are JSON for rendering; null means "none".
struct Change {
  std::string attribute;
  nlohmann::json before;
  nlohmann::json after;

  bool operator==(const Change&) const = default;
};

struct Action {
  ActionKind kind = ActionKind::create;
  std::string key;
  std::string id;                         // update, delete, adopt: the organization's id
  std::optional<state::OrgState> before;  // update, delete, adopt: as last seen
  std::optional<Target> after;            // create, update, adopt
  std::vector<Change> changes;            // update, adopt: what differs
  std::vector<std::string> depends_on;    // keys of actions that must succeed first
  bool drift = false;    // update: the org was changed outside cforg; this restores it
  bool recover = false;  // create: an earlier attempt may have succeeded; look before POST

  bool operator==(const Action&) const = default;
};

// Why a plan cannot be applied, about one org.
struct Problem {
  std::string key;
  std::string message;

  bool operator==(const Problem&) const = default;
};

// An org whose remote side differs from the state: someone changed it outside cforg.
struct Drift {
  std::string key;
  std::string id;
  std::vector<Change> changes;  // state -> remote

  bool operator==(const Drift&) const = default;
};

struct Summary {
  std::size_t create = 0, update = 0, remove = 0, adopt = 0, unchanged = 0;
};

struct Plan {
  int format_version = kPlanFormatVersion;
  // What the plan was made against; apply of a saved plan refuses when either moved on.
  std::string lineage;
  std::uint64_t serial = 0;
  std::string config_digest;
  std::vector<std::string> config_files;
  bool refreshed = false;  // whether the remote side was read

  // What reading the remote side taught us, written to state before any action runs:
  std::vector<std::string> forget;                  // tracked orgs gone remotely
  std::map<std::string, state::OrgState> observed;  // drifted or recovered orgs, as they are
  std::map<std::string, bool> protection;           // prevent_destroy flags that change
  std::vector<Drift> drift;                         // for display: what changed outside cforg

  std::vector<Action> actions;  // creates/adopts/updates parents first, then deletes children first
  std::size_t unchanged = 0;
  std::vector<std::string> warnings;
  std::vector<Problem> errors;  // non-empty: the plan must not be applied

  Summary summary() const;
  // Anything for apply to change: an action, or a prevent_destroy flag in state. This is what
  // --detailed-exitcode reports.
  bool has_changes() const;
  // Whether apply writes the state: changes, or what refreshing learned (forget, observed).
  bool touches_state() const;
  bool operator==(const Plan&) const = default;
};

// What was read from the API to plan against (see refresh.h).
struct Remote {
  std::unordered_map<std::string, Organization> orgs;  // every org read, by id
  std::unordered_set<std::string> checked;             // tracked ids asked for: absent = gone
  // (parent id, name) pairs looked up for orgs about to be created; "" parent = root.
  std::set<std::pair<std::string, std::string>> searched;
};

struct Options {
  bool adopt = false;  // take over untracked orgs that match by name and parent
};

Plan make_plan(const config::Config& cfg, const state::State& st, const Remote* remote,
               const Options& opts);

// The state the actions start from: `st` with the plan's forget/observed/protection applied.
state::State refreshed_state(const state::State& st, const Plan& plan);

// The state's view of a target: the parent id it would have, given the state so far.
// Empty when the parent is managed but not created yet.
std::string resolve_parent_id(const Target& t, const state::State& st);

}  // namespace cforg::plan
