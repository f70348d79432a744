// The plan as a value: its kinds, changes and counts, and the state its actions start from.
#include "cforg/plan/plan.h"

#include "diff.h"
#include "planner.h"

namespace cforg::plan {

std::string_view to_string(ActionKind k) {
  switch (k) {
    case ActionKind::create:
      return "create";
    case ActionKind::update:
      return "update";
    case ActionKind::remove:
      return "delete";
    case ActionKind::adopt:
      return "adopt";
    case ActionKind::add_member:
      return "add-member";
    case ActionKind::remove_member:
      return "remove-member";
    case ActionKind::move_account:
      return "move-account";
  }
  return "?";
}

bool is_content_action(ActionKind k) {
  return k == ActionKind::add_member || k == ActionKind::remove_member ||
         k == ActionKind::move_account;
}

bool Action::renames() const {
  return (kind == ActionKind::update || kind == ActionKind::adopt) &&
         changes_any(changes, {Change::Attribute::name});
}

bool Action::sets_profile() const {
  return (kind == ActionKind::update || kind == ActionKind::adopt) &&
         changes_any(changes, {Change::Attribute::profile, Change::Attribute::profile_field});
}

std::size_t Action::requests() const {
  switch (kind) {
    case ActionKind::create:
    case ActionKind::remove:
    case ActionKind::add_member:
    case ActionKind::remove_member:
    case ActionKind::move_account:
      return 1;
    case ActionKind::update:
    case ActionKind::adopt:
      return (renames() ? 1 : 0) + (sets_profile() ? 1 : 0);
  }
  return 0;
}

Summary Plan::summary() const {
  Summary s;
  for (const Action& a : actions) {
    s.requests += a.requests();
    s.renames += a.renames() ? 1 : 0;
    s.profile_updates += a.sets_profile() ? 1 : 0;
    if (a.replace && !is_content_action(a.kind)) {
      if (a.kind == ActionKind::create) ++s.replace;
      continue;
    }
    switch (a.kind) {
      case ActionKind::create:
        ++s.create;
        break;
      case ActionKind::update:
        ++s.update;
        break;
      case ActionKind::remove:
        ++s.remove;
        break;
      case ActionKind::adopt:
        ++s.adopt;
        break;
      case ActionKind::add_member:
        ++s.members_added;
        break;
      case ActionKind::remove_member:
        if (!a.replace) ++s.members_removed;  // a status change counts once, as an add
        break;
      case ActionKind::move_account:
        ++s.accounts_moved;
        break;
    }
  }
  s.unchanged = unchanged;
  return s;
}

bool Plan::has_changes() const {
  return !actions.empty() || !protection.empty();
}

bool Plan::touches_state() const {
  return has_changes() || !forget.empty() || !observed.empty();
}

Plan make_plan(const config::Config& cfg, const state::State& st, const Remote* remote,
               const Options& opts) {
  Plan p = plan_actions(cfg, st, remote, opts);
  if (!opts.targets.empty()) restrict_to_targets(p, opts.targets);
  return p;
}

std::string mass_forget_problem(const Plan& plan, const state::State& st) {
  std::size_t tracked = 0;
  for (const auto& [key, org] : st.orgs) tracked += org.pending_create ? 0 : 1;
  const std::size_t gone = plan.forget.size();
  if (gone < 2 || gone * 2 <= tracked) return "";
  std::string some;
  for (std::size_t i = 0; i < gone && i < 3; ++i) {
    some += (i ? ", " : "") + std::string("\"") + plan.forget[i] + "\"";
  }
  if (gone > 3) some += ", ...";
  return "the remote side lists none of " + std::to_string(gone) + " of the " +
         std::to_string(tracked) + " organizations in state (" + some +
         "). That is more often a wrong account, base URL or credential (one that cannot see "
         "them) than that many deletions, so cforg does not drop them from state: check "
         "CLOUDFLARE_BASE_URL and the credentials. If they really are gone, run again with "
         "--allow-mass-forget";
}

state::State refreshed_state(const state::State& st, const Plan& plan) {
  state::State out = st;
  for (const std::string& key : plan.forget) out.orgs.erase(key);
  for (const auto& [key, org] : plan.observed) out.orgs[key] = org;
  for (const auto& [key, flag] : plan.protection) {
    if (auto it = out.orgs.find(key); it != out.orgs.end()) it->second.spec.prevent_destroy = flag;
  }
  out.relink_parents();
  return out;
}

std::optional<std::string> resolve_parent_id(const OrgSpec& spec, const state::State& st) {
  return cforg::resolve_parent_id(spec.parent, [&](const std::string& key) -> const std::string* {
    auto it = st.orgs.find(key);
    return it == st.orgs.end() || it->second.pending_create ? nullptr : &it->second.id;
  });
}

Change Change::name_change(std::string before, std::string after) {
  return {Attribute::name, "", std::move(before), std::move(after)};
}

Change Change::parent_change(const ParentValue& before, const ParentValue& after) {
  auto value = [](const ParentValue& p) -> Value {
    if (p.id.empty() && p.key.empty()) return std::monostate{};
    return p;
  };
  return {Attribute::parent, "", value(before), value(after)};
}

Change Change::profile_change(const std::optional<Profile>& before,
                              const std::optional<Profile>& after) {
  auto value = [](const std::optional<Profile>& p) -> Value {
    if (!p) return std::monostate{};
    return *p;
  };
  return {Attribute::profile, "", value(before), value(after)};
}

Change Change::profile_field_change(std::string_view field, std::string before, std::string after) {
  return {Attribute::profile_field, std::string(field), std::move(before), std::move(after)};
}

std::string Change::path() const {
  switch (attribute) {
    case Attribute::name:
      return "name";
    case Attribute::parent:
      return "parent";
    case Attribute::profile:
      return "profile";
    case Attribute::profile_field:
      return "profile." + field;
  }
  return "?";
}

}  // namespace cforg::plan
