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
#include <variant>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/model/organization.h"
#include "cforg/state/state.h"

namespace cforg::plan {

// 2: replacements (the `replace` flag, `after_removal_of`); updates say which requests they send.
// 3: a digest over the whole file, and the inputs make_plan had (its options, what was read of
// the remote side), so that apply can re-derive the actions and trust none it cannot.
inline constexpr int kPlanFormatVersion = 3;

// The first four act on an organization; the others on what is inside one (the org of `key`).
enum class ActionKind { create, update, remove, adopt, add_member, remove_member, move_account };
// "create", "update", "delete", "adopt", "add-member", "remove-member", "move-account"
std::string_view to_string(ActionKind k);
// add_member, remove_member, move_account.
bool is_content_action(ActionKind k);

// A parent as a change shows it: its id ("" for a root, and for a parent not created yet)
// and, when the parent is an organization of the config or the state, its key.
struct ParentValue {
  std::string id;
  std::string key;

  bool operator==(const ParentValue&) const = default;
};

// One attribute that changes, from `before` to `after`. Which alternative a value holds
// follows from the attribute: name and profile_field hold a std::string; parent a ParentValue
// or nothing (a root); profile (added) nothing or a Profile.
struct Change {
  enum class Attribute { name, parent, profile, profile_field };
  using Value = std::variant<std::monostate, std::string, ParentValue, Profile>;

  Attribute attribute = Attribute::name;
  std::string field;  // profile_field: which one ("business_email")
  Value before;
  Value after;

  static Change name_change(std::string before, std::string after);
  static Change parent_change(const ParentValue& before, const ParentValue& after);
  static Change profile_change(const std::optional<Profile>& before,
                               const std::optional<Profile>& after);
  static Change profile_field_change(std::string_view field, std::string before, std::string after);

  // "name", "parent", "profile" or "profile.<field>": how the plan file and the renderer name
  // the attribute.
  std::string path() const;

  bool operator==(const Change&) const = default;
};

// The API as published: PUT /organizations/{id} takes only a name, the profile has its own
// PUT, and nothing moves an org to another parent. So an update is up to two requests, and a
// parent change is a replacement: the old org is deleted, then a new one is created under the
// new parent (children first and parents last for the deletes, the reverse for the creates).
struct Action {
  ActionKind kind = ActionKind::create;
  std::string key;
  std::string id;                         // update, delete, adopt: the organization's id
  std::optional<state::OrgState> before;  // update, delete, adopt: as last seen
  // create, update, adopt: what it should become, as the config says. Its parent is a key
  // while the parent is managed here (its id may be known only once apply created it).
  std::optional<OrgSpec> after;
  std::vector<Change> changes;  // update, adopt: what differs
  // Keys of the actions that must succeed first: the create, adopt or update of that key, or
  // its delete when that is the key's only action.
  std::vector<std::string> depends_on;
  // Keys whose replacement must have deleted the old org first.
  std::vector<std::string> after_removal_of;
  bool drift = false;    // update: the org was changed outside cforg; this restores it
  bool recover = false;  // create: an earlier attempt may have succeeded; look before POST
  // create, delete: one half of a replacement of `key` (--replace): the delete removes the old
  // org, the create makes its successor. A key has at most these two actions.
  // add_member, remove_member: one half of a member's status change (there is no update: the
  // member is deleted, then created with the new status).
  bool replace = false;

  // add_member: the email and status to create; remove_member: the member as recorded (its id).
  std::optional<Member> member;
  // move_account: the account to move into the org of `key`, and the org it leaves as known
  // when planning: its key when managed here, its id when known ("" for both: not known, and
  // apply learns it from the move's answer).
  std::optional<Account> account;
  std::string from_key;
  std::string from_id;

  // update, adopt: which requests it sends.
  bool renames() const;
  bool sets_profile() const;
  // How many requests apply sends for it when nothing fails (lookups of an interrupted create
  // not counted).
  std::size_t requests() const;

  bool operator==(const Action&) const = default;
};

// Why a plan cannot be applied, about one org.
struct Problem {
  std::string key;
  std::string message;
  std::string where;  // "file:line:column" in the config, when the problem has a place there

  bool operator==(const Problem&) const = default;
};

// An org whose remote side differs from the state: someone changed it outside cforg.
struct Drift {
  std::string key;
  std::string id;
  std::vector<Change> changes;  // state -> remote
  // Inside the org (managed fields only): members that appeared or went, by email; accounts
  // that arrived or left, by id.
  std::vector<std::string> members_added{}, members_removed{};
  std::vector<std::string> accounts_arrived{}, accounts_left{};

  bool operator==(const Drift&) const = default;
};

// The request budget apply runs within (--rate-limit): `requests` per `window_ms`; 0 requests
// means none.
struct Budget {
  std::uint32_t requests = 1200;
  std::uint64_t window_ms = 300000;

  bool unlimited() const { return requests == 0; }
  std::string str() const;  // "1200/300 s", or "no budget"
  bool operator==(const Budget&) const = default;
};

// What applying the plan costs: every request it sends when nothing fails, and how long they
// take at the budget's sustained pace (its requests spread over its window). That pace is what
// a long apply gets once the budget is spent, or shared with other clients; an unspent budget
// lets up to its size go at once, so a small plan is faster.
struct Estimate {
  std::size_t requests = 0;  // mutations + lookups
  std::size_t lookups = 0;   // list requests before creates (--refresh=false, interrupted ones)
  // Creates whose parent this plan creates too: the API refuses requests naming a new org for
  // a while (403), so they wait for it and are sent again (not counted in `requests`).
  std::size_t young_parent_creates = 0;
  Budget budget;
  double seconds = 0;  // requests at the budget's pace; 0 without a budget
};

struct Summary {
  std::size_t create = 0, update = 0, remove = 0, adopt = 0, replace = 0, unchanged = 0;
  std::size_t renames = 0, profile_updates = 0;  // the requests of the updates (and adopts)
  std::size_t requests = 0;                      // every mutation apply sends
  std::size_t members_added = 0, members_removed = 0, accounts_moved = 0;
};

// What was read from the API to plan against (see refresh.h).
struct Remote {
  // Every org read, by id. When the list leaves profiles out (profile_known false), the profile
  // is read for the orgs whose config manages one.
  std::unordered_map<std::string, Organization> orgs;
  std::unordered_set<std::string> checked;  // tracked ids asked for: absent = gone
  // Orgs to be replaced, by id: the ids of their children as the API lists them. A replacement
  // deletes the old org, which the API allows only when it is empty.
  std::unordered_map<std::string, std::vector<std::string>> children;
  // (parent id, name) pairs looked up for orgs about to be created; "" parent = root.
  std::set<std::pair<std::string, std::string>> searched;
  // `parent: {id: …}` ids of the config that the API says name no organization: asked for by
  // id because nothing else read showed them (the orgs found are in `orgs`).
  std::set<std::string> absent_parents;
  // What sits inside orgs, by org id: read for the orgs whose config manages members or
  // accounts, and for the orgs to delete (which the API deletes only when empty).
  std::unordered_map<std::string, std::vector<Member>> members;
  std::unordered_map<std::string, std::vector<Account>> accounts;
  // Accounts of the config that no org read above holds: where they sit now (account id ->
  // org id, "" when in none), from GET /organizations?containing.account=.
  std::map<std::string, std::string> account_homes;

  bool operator==(const Remote&) const = default;
};

struct Options {
  bool adopt = false;  // take over untracked orgs that match by name and parent
  // Keys to replace (--replace): needed for a parent change, which the API cannot make in
  // place; also allowed without one, to recreate an org.
  std::set<std::string> replace{};
  // With `{}`: designated initializers that leave them out stay -Wextra clean.
  Budget budget{};                  // for the plan's estimate
  std::set<std::string> targets{};  // --target: see restrict_to_targets

  bool operator==(const Options&) const = default;
};

struct Plan {
  int format_version = kPlanFormatVersion;
  // What the plan was made against; apply of a saved plan refuses when either moved on.
  std::string lineage;
  std::uint64_t serial = 0;
  std::string config_digest;
  std::vector<std::string> config_files;
  bool refreshed = false;  // whether the remote side was read
  // make_plan's inputs besides the config and the state, saved with the plan so that apply
  // re-derives its actions instead of trusting them (see verify_saved_plan): the options, and
  // what was read of the remote side (set by whoever read it; absent without refresh).
  Options options;
  std::optional<Remote> remote;

  // What reading the remote side taught us, written to state before any action runs:
  std::vector<std::string> forget;                  // tracked orgs gone remotely
  std::map<std::string, state::OrgState> observed;  // drifted or recovered orgs, as they are
  std::map<std::string, bool> protection;           // prevent_destroy flags that change
  std::vector<Drift> drift;                         // for display: what changed outside cforg
  // Orgs in `observed` only because the state starts recording (or stops recording) what sits
  // inside them: members or accounts the config now manages, read for the first time.
  std::set<std::string> contents_learned;

  std::vector<Action> actions;  // creates/adopts/updates parents first, then deletes children first
  std::size_t unchanged = 0;
  std::vector<std::string> warnings;
  std::vector<Problem> errors;  // non-empty: the plan must not be applied

  Summary summary() const;
  Estimate estimate() const;
  // Anything for apply to change: an action, or a prevent_destroy flag in state. This is what
  // --detailed-exitcode reports.
  bool has_changes() const;
  // Whether apply writes the state: changes, or what refreshing learned (forget, observed).
  bool touches_state() const;
  bool operator==(const Plan&) const = default;
};

Plan make_plan(const config::Config& cfg, const state::State& st, const Remote* remote,
               const Options& opts);

// --target (Terraform's -target): keeps only the actions of `targets` and of what they depend
// on (transitively: a child's create needs its parent's, a parent's delete its children's),
// records the targets and warns that this is for exceptional use. Refresh findings (forget,
// observed, drift) and errors are kept whole: they are true whatever is targeted.
void restrict_to_targets(Plan& plan, const std::set<std::string>& targets);

// The state the actions start from: `st` with the plan's forget/observed/protection applied.
// `s` as one word of a POSIX shell command, quoted only when it must be, so that the commands
// cforg suggests paste as they read: cforg import 'Retail Web' ID.
std::string shell_word(std::string_view s);

// When reading the remote side found most tracked orgs gone at once: a wrong account, or a
// token that cannot see them, far more often than that many deletions. Forgetting them would
// empty the state (and plan them all for creation). A message saying so and what to do; empty
// when the plan forgets few (fewer than 2, or half the tracked orgs or fewer).
std::string mass_forget_problem(const Plan& plan, const state::State& st);

state::State refreshed_state(const state::State& st, const Plan& plan);

// The parent id `spec` would have, given the state so far ("" for a root); nullopt when the
// parent is managed but not created yet.
std::optional<std::string> resolve_parent_id(const OrgSpec& spec, const state::State& st);

}  // namespace cforg::plan
