// What cforg knows it manages: the state, as a value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cforg/model/membership.h"
#include "cforg/model/organization.h"

namespace cforg::state {

inline constexpr int kFormatVersion = 1;

// The state is unreadable or inconsistent: corrupt JSON, an unknown format_version, a journal
// from another lineage. The message names the file and says what to do. Such a state is never
// overwritten.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One managed organization as the state records it: its writable attributes (the one OrgSpec
// every stage shares) and what the API told us of it.
struct OrgState {
  std::string id;  // empty only while `pending_create`
  // The parent is a root or an id, never a key: the state knows parents by id.
  OrgSpec spec;
  // Derived, not an attribute: the parent's key when the parent is managed in this state, else
  // empty. Kept so that the state file and a plan can say "platform" where the API says an id;
  // relink_parents() recomputes it, and load checks it against the parent id.
  std::string parent_key;
  std::string create_time;
  nlohmann::json meta;
  // A create was sent but its outcome was never recorded (the process died, or every retry
  // was ambiguous). The org may exist remotely: look it up by name and parent before creating.
  bool pending_create = false;
  // What cforg manages inside the org, by canonical_email and by account id. nullopt: not
  // managed (the config has no `members:` / `accounts:` for it), so nothing is recorded and
  // nothing is read; a present map, even empty, is managed. A member with `pending` has been
  // sent but not confirmed.
  std::optional<std::map<std::string, Member>> members;
  std::optional<std::map<std::string, Account>> accounts;

  // The parent as the API spells it: "" for a root.
  const std::string& parent_id() const { return spec.parent.api_id(); }
  bool operator==(const OrgState&) const = default;
};

// Record what the API returned for the org, keeping what only cforg knows from `previous` (the
// parent key while the parent is unchanged, prevent_destroy), and the previous profile when the
// response did not carry one (Organization::profile_known).
OrgState from_remote(const Organization& org, const OrgState* previous = nullptr);
OrgState from_remote(Organization&& org, const OrgState* previous = nullptr);

struct State {
  int format_version = kFormatVersion;
  std::string lineage;                   // UUID fixed when the state is first saved; empty before
  std::uint64_t serial = 0;              // bumped on every write
  std::map<std::string, OrgState> orgs;  // by org key

  // The key of the managed org with this id, or nullptr. A linear scan: to resolve many ids,
  // build an index once instead.
  const std::string* key_of(const std::string& id) const;
  // Recompute every parent_key from the parent id (after orgs were added, removed or moved). O(n).
  void relink_parents();

  bool operator==(const State&) const = default;
};

// A random (version 4) UUID, for lineages and lock ids.
std::string new_uuid();

// State <-> its JSON document (sorted keys). from_json throws StateError; `where` names the
// source in messages.
nlohmann::json to_json(const State& s);
State from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json org_to_json(const OrgState& o);
OrgState org_from_json(const nlohmann::json& j, const std::string& where);
// The reader of json_fields.h, for an org inside another document (a plan's `before`): checks
// what org_from_json checks, and names the org's path in its messages.
void read_json(const JsonAt& at, OrgState& o);

// Throws StateError, as from_json would on reading it back, when `s` breaks a rule of a
// readable state (an invalid id, two keys holding one id, a parent key naming the wrong org).
// save() checks this first: a state that could not be loaded again is never written.
void validate(const State& s, const std::string& where);

// The longest organization key a state holds (a key defaults to a name; names are far
// shorter): a 10,000-character key is damage, not a key.
inline constexpr std::size_t kMaxKeyBytes = 1024;

// The serial a save of `s` writes: s.serial + 1. Throws StateError at the largest serial rather
// than wrap to 0, which would let a stale saved plan pass the serial check again.
std::uint64_t next_serial(const State& s, const std::string& where);

// The state file's text: to_json pretty-printed (2 spaces) with a trailing newline, so that a
// change to one org is a small diff in git. state_from_text reports JSON syntax errors as
// "where:line:column: ...".
std::string state_to_text(const State& s);
State state_from_text(std::string_view text, const std::string& where);

}  // namespace cforg::state
