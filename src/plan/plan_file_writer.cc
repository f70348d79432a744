// The plan file's writer: the JSON of a plan and of its parts, sealed with its digest, and the
// file written atomically.
#include <unistd.h>

#include <algorithm>

#include "cforg/plan/plan_file.h"
#include "cforg/state/file_write.h"

namespace cforg::plan {
namespace {

using nlohmann::json;

json or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

// An action's `after`: an OrgSpec whose parent may be a key, and which keeps prevent_destroy.
json target_to_json(const OrgSpec& t) {
  json parent = nullptr;
  if (const std::string* k = t.parent.key()) parent = {{"key", *k}};
  if (const std::string* i = t.parent.id()) parent = {{"id", *i}};
  return {{"name", t.name},
          {"parent", parent},
          {"profile", t.profile ? profile_to_json(*t.profile) : json(nullptr)},
          {"prevent_destroy", t.prevent_destroy}};
}

json change_value_to_json(const Change::Value& v) {
  struct ToJson {
    json operator()(std::monostate) const { return nullptr; }
    json operator()(const std::string& s) const { return s; }
    json operator()(const ParentValue& p) const {
      json j = {{"id", or_null(p.id)}};
      if (!p.key.empty()) j["key"] = p.key;
      return j;
    }
    json operator()(const Profile& p) const { return profile_to_json(p); }
  };
  return std::visit(ToJson{}, v);
}

// An organization as the API returns it, so that api::organization_from_json reads it back with
// the API's own checks: `profile` present only when the API told it.
json remote_org_to_json(const Organization& o) {
  json j = {{"id", o.id}, {"name", o.spec.name}, {"meta", o.meta}};
  j["parent"] = nullptr;
  if (!o.spec.parent.is_root()) {
    j["parent"] = {{"id", o.spec.parent.api_id()}};
    if (!o.parent_name.empty()) j["parent"]["name"] = o.parent_name;
  }
  if (o.profile_known) j["profile"] = o.spec.profile ? profile_to_json(*o.spec.profile) : json();
  if (!o.create_time.empty()) j["create_time"] = o.create_time;
  return j;
}

// A member and an account as the API spells them, so that api::member_from_json and
// account_from_json read them back with the API's own checks.
json remote_member_to_json(const Member& m) {
  json j = {{"id", m.id}, {"status", to_string(m.status)}, {"user", {{"email", m.email}}}};
  if (!m.create_time.empty()) j["create_time"] = m.create_time;
  return j;
}

json remote_account_to_json(const Account& a) {
  return {{"id", a.id}, {"name", a.name}, {"type", a.type}};
}

// Sorted, so that one plan always has the same bytes (and digest).
template <typename Set>
std::vector<std::string> sorted(const Set& s) {
  std::vector<std::string> out(s.begin(), s.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void to_json(json& j, const Change& c) {
  j = {{"attribute", c.path()},
       {"before", change_value_to_json(c.before)},
       {"after", change_value_to_json(c.after)}};
}

void to_json(json& j, const Action& a) {
  j = {{"action", to_string(a.kind)},
       {"key", a.key},
       {"id", or_null(a.id)},
       {"before", a.before ? state::org_to_json(*a.before) : json(nullptr)},
       {"after", a.after ? target_to_json(*a.after) : json(nullptr)},
       {"changes", a.changes},
       {"depends_on", a.depends_on},
       {"after_removal_of", a.after_removal_of},
       {"drift", a.drift},
       {"recover", a.recover},
       {"replace", a.replace},
       {"requests", a.requests()}};
  // Inside an org (absent for an org's own actions, so that their plans keep their bytes).
  if (a.member) {
    j["member"] = {{"email", a.member->email},
                   {"status", to_string(a.member->status)},
                   {"id", or_null(a.member->id)}};
  }
  if (a.account) {
    j["account"] = {{"id", a.account->id}, {"name", a.account->name}, {"type", a.account->type}};
    j["from"] = {{"key", or_null(a.from_key)}, {"id", or_null(a.from_id)}};
  }
}

void to_json(json& j, const Budget& b) {
  j = {{"requests", b.requests}, {"window_ms", b.window_ms}};
}

void to_json(json& j, const Options& o) {
  j = {{"adopt", o.adopt}, {"replace", o.replace}, {"targets", o.targets}, {"budget", o.budget}};
}

void to_json(json& j, const Remote& r) {
  std::vector<const Organization*> orgs;
  orgs.reserve(r.orgs.size());
  for (const auto& [id, org] : r.orgs) orgs.push_back(&org);
  std::sort(orgs.begin(), orgs.end(),
            [](const Organization* a, const Organization* b) { return a->id < b->id; });
  json out_orgs = json::array();
  for (const Organization* o : orgs) out_orgs.push_back(remote_org_to_json(*o));
  json children = json::object();
  for (const auto& [id, kids] : r.children) children[id] = kids;
  json searched = json::array();
  for (const auto& [parent, name] : r.searched)
    searched.push_back({{"parent", parent}, {"name", name}});
  j = {{"orgs", out_orgs},
       {"checked", sorted(r.checked)},
       {"children", children},
       {"searched", searched},
       {"absent_parents", r.absent_parents}};
  // Read only when a config manages members or accounts: absent otherwise.
  auto by_org = [](const auto& lists, auto item_to_json) {
    std::vector<std::string> ids;
    for (const auto& [id, items] : lists) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    json out = json::object();
    for (const std::string& id : ids) {
      json items = json::array();
      for (const auto& item : lists.at(id)) items.push_back(item_to_json(item));
      out[id] = std::move(items);
    }
    return out;
  };
  if (!r.members.empty()) j["members"] = by_org(r.members, remote_member_to_json);
  if (!r.accounts.empty()) j["accounts"] = by_org(r.accounts, remote_account_to_json);
  if (!r.account_homes.empty()) j["account_homes"] = r.account_homes;
}

void to_json(json& j, const Problem& p) {
  j = {{"key", p.key}, {"message", p.message}, {"where", or_null(p.where)}};
}

void to_json(json& j, const Drift& d) {
  j = {{"key", d.key}, {"id", d.id}, {"changes", d.changes}};
  if (!d.members_added.empty()) j["members_added"] = d.members_added;
  if (!d.members_removed.empty()) j["members_removed"] = d.members_removed;
  if (!d.accounts_arrived.empty()) j["accounts_arrived"] = d.accounts_arrived;
  if (!d.accounts_left.empty()) j["accounts_left"] = d.accounts_left;
}

void to_json(json& j, const Summary& s) {
  j = {{"create", s.create},    {"update", s.update},
       {"delete", s.remove},    {"adopt", s.adopt},
       {"replace", s.replace},  {"unchanged", s.unchanged},
       {"renames", s.renames},  {"profile_updates", s.profile_updates},
       {"requests", s.requests}};
  if (s.members_added || s.members_removed || s.accounts_moved) {
    j["members_added"] = s.members_added;
    j["members_removed"] = s.members_removed;
    j["accounts_moved"] = s.accounts_moved;
  }
}

void to_json(json& j, const Estimate& e) {
  j = {{"requests", e.requests},
       {"lookups", e.lookups},
       {"young_parent_creates", e.young_parent_creates},
       {"seconds", e.seconds},
       {"budget",
        {{"requests", e.budget.requests},
         {"window_seconds", static_cast<double>(e.budget.window_ms) / 1000.0}}}};
}

json to_json(const Plan& plan) {
  json actions = json::array();
  for (const Action& a : plan.actions) actions.push_back(a);
  json observed = json::object();
  for (const auto& [key, org] : plan.observed) observed[key] = state::org_to_json(org);
  json doc = {{"format_version", plan.format_version},
              {"state", {{"lineage", plan.lineage}, {"serial", plan.serial}}},
              {"config", {{"digest", plan.config_digest}, {"files", plan.config_files}}},
              {"refreshed", plan.refreshed},
              {"options", plan.options},
              {"remote", plan.remote ? json(*plan.remote) : json(nullptr)},
              {"refresh", {{"forget", plan.forget}, {"observed", observed}, {"drift", plan.drift}}},
              {"protection", plan.protection},
              {"actions", actions},
              {"summary", plan.summary()},
              {"estimate", plan.estimate()},
              {"changes_pending", plan.has_changes()},
              {"warnings", plan.warnings},
              {"errors", plan.errors}};
  if (!plan.contents_learned.empty()) doc["refresh"]["contents_learned"] = plan.contents_learned;
  doc["digest"] = plan_digest(doc);
  return doc;
}

void write_plan_file(const Plan& plan, const std::string& path) {
  write_file_atomically(path, to_json(plan).dump(2) + "\n", "the plan");
}

void write_file_atomically(const std::string& path, std::string_view text,
                           const std::string& what) {
  try {
    if (path == "-") {
      state::write_all(STDOUT_FILENO, text, what + " to standard output");
      return;
    }
    // Through a symlink to its target, as any editor writes; never over a device or a folder.
    state::write_file_atomically(path, text, {.follow_symlinks = true, .regular_file_only = true});
  } catch (const state::StateError& e) {
    throw PlanFileError(path == "-" ? std::string(e.what())
                                    : "cannot write " + what + " to " + path + ": " + e.what());
  }
}

}  // namespace cforg::plan
