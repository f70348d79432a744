#include "cforg/plan/plan.h"

#include <algorithm>

namespace cforg::plan {
namespace {

using config::Config;
using config::DesiredOrg;
using state::OrgState;
using state::State;

// The attribute-level differences between what an org is and what it should be.
// `to.parent` is a root when the new parent is not created yet (then `to_parent_key` says
// which it is, and it differs). A profile is compared only when `to` manages one (`to.profile`
// set) and `from`'s is known: the API has no call that removes a profile, so an absent one in
// the config means "not managed".
std::vector<Change> diff(const OrgSpec& from, const std::string& from_parent_key, const OrgSpec& to,
                         const std::string& to_parent_key, bool from_profile_known = true) {
  std::vector<Change> changes;
  if (from.name != to.name) changes.push_back(Change::name_change(from.name, to.name));
  if (from.parent != to.parent || (to.parent.is_root() && !to_parent_key.empty())) {
    changes.push_back(Change::parent_change({from.parent.api_id(), from_parent_key},
                                            {to.parent.api_id(), to_parent_key}));
  }
  if (!to.profile || !from_profile_known) return changes;
  if (!from.profile) {
    changes.push_back(Change::profile_change(std::nullopt, to.profile));
  } else if (*from.profile != *to.profile) {
    for (std::string_view f : kProfileFields) {
      const std::string& a = profile_field(*from.profile, f);
      const std::string& b = profile_field(*to.profile, f);
      if (a != b) changes.push_back(Change::profile_field_change(f, a, b));
    }
  }
  return changes;
}

bool changes_any(const std::vector<Change>& changes,
                 std::initializer_list<Change::Attribute> attributes) {
  return std::any_of(changes.begin(), changes.end(), [&](const Change& c) {
    return std::find(attributes.begin(), attributes.end(), c.attribute) != attributes.end();
  });
}

// Config orgs ordered so that every parent comes before its children; siblings keep their
// declaration order. The config is validated, so parent keys resolve and there is no cycle.
std::vector<const DesiredOrg*> parents_first(const Config& cfg) {
  std::unordered_map<std::string_view, std::vector<const DesiredOrg*>> children;
  std::vector<const DesiredOrg*> order;
  order.reserve(cfg.orgs.size());
  for (const DesiredOrg& d : cfg.orgs) {
    if (const std::string* parent = d.spec.parent.key(); parent && cfg.find(*parent)) {
      children[*parent].push_back(&d);
    } else {
      order.push_back(&d);
    }
  }
  for (std::size_t i = 0; i < order.size(); ++i) {  // breadth first: the queue is `order`
    auto it = children.find(order[i]->key);
    if (it != children.end()) order.insert(order.end(), it->second.begin(), it->second.end());
  }
  return order;
}

class Planner {
 public:
  Planner(const Config& cfg, const State& st, const Remote* remote, const Options& opts)
      : cfg_(cfg), st_(st), remote_(remote), opts_(opts) {}

  Plan run() {
    plan_.lineage = st_.lineage;
    plan_.serial = st_.serial;
    plan_.config_digest = cfg_.digest();
    plan_.config_files = cfg_.files;
    plan_.refreshed = remote_ != nullptr;
    plan_.options = opts_;
    read_remote_side();
    for (const DesiredOrg* d : parents_first(cfg_)) plan_org(*d);
    plan_deletes();
    return std::move(plan_);
  }

 private:
  // The org as currently known: refreshed when the remote side was read. nullptr when not
  // tracked, or gone remotely.
  const OrgState* current(const std::string& key) const {
    auto o = plan_.observed.find(key);
    if (o != plan_.observed.end()) return &o->second;
    if (forgotten_.count(key)) return nullptr;
    auto it = st_.orgs.find(key);
    return it == st_.orgs.end() ? nullptr : &it->second;
  }

  // Compares every tracked org with what the API returned: gone, drifted or unchanged.
  void read_remote_side() {
    for (const auto& [key, org] : st_.orgs) {
      if (org.pending_create) continue;
      tracked_ids_.insert(org.id);
      if (!remote_ || !remote_->checked.count(org.id)) continue;
      auto it = remote_->orgs.find(org.id);
      if (it == remote_->orgs.end()) {
        plan_.forget.push_back(key);
        forgotten_.insert(key);
        plan_.warnings.push_back("org \"" + key + "\" (" + org.id +
                                 ") no longer exists remotely: it is dropped from state and, if "
                                 "the config still declares it, planned for creation");
        continue;
      }
      const Organization& r = it->second;
      // Drift in a profile the config does not manage is no concern of this plan.
      const config::DesiredOrg* d = cfg_.find(key);
      OrgSpec seen = r.spec;
      if (!r.profile_known || !d || !d->spec.profile) seen.profile = org.spec.profile;
      std::vector<Change> drifted = diff(org.spec, "", seen, "");
      if (!drifted.empty()) {
        plan_.drift.push_back({key, org.id, std::move(drifted)});
        plan_.observed[key] = state::from_remote(r, &org);
        plan_.observed[key].spec.profile = seen.profile;
      }
    }
    if (!remote_) return;
    for (const auto& [id, org] : remote_->orgs) {
      if (!tracked_ids_.count(id))
        by_name_[{org.spec.parent.api_id(), org.spec.name}].push_back(&org);
    }
    for (auto& [where, matches] : by_name_) {  // deterministic messages
      std::sort(matches.begin(), matches.end(),
                [](const Organization* a, const Organization* b) { return a->id < b->id; });
    }
  }

  // Untracked remote orgs with this parent and name, not yet claimed by another key.
  std::vector<const Organization*> untracked_matches(const std::string& parent_id,
                                                     const std::string& name) const {
    std::vector<const Organization*> out;
    auto it = by_name_.find({parent_id, name});
    if (it == by_name_.end()) return out;
    for (const Organization* o : it->second) {
      if (!claimed_.count(o->id)) out.push_back(o);
    }
    return out;
  }

  // The parent id `t` would have now: known when the parent exists (tracked, matched) or is
  // external; "" for a root; nullopt while the parent is still to be created.
  std::optional<std::string> parent_id_of(const OrgSpec& t) const {
    return resolve_parent_id_in(t.parent, resolved_);
  }

  // A `parent: {id: …}` that names no organization: with the remote side read, an error at
  // its place (the create would be refused at apply, its children skipped); without, a
  // warning when the state does not know the id either. The org is planned all the same: the
  // error keeps the plan from being applied, and leaving it out would turn its children's
  // plans into errors of their own.
  void check_external_parent(const DesiredOrg& d) {
    if (!d.spec.parent.id()) return;
    const std::string& id = *d.spec.parent.id();
    const std::string where = d.parent_where.line ? d.parent_where.str() : d.where.str();
    if (remote_) {
      if (!remote_->absent_parents.count(id)) return;
      problem(d.key,
              "its parent id " + id +
                  " names no organization: the API has none with that id (it was deleted, or "
                  "the id is mistyped). Correct the id, or write the key of an organization of "
                  "the config as its parent",
              where);
      return;
    }
    if (known_ids_.empty()) {
      for (const auto& [key, org] : st_.orgs) {
        known_ids_.insert(org.id);
        if (!org.spec.parent.is_root()) known_ids_.insert(org.parent_id());
      }
    }
    if (!known_ids_.count(id)) {
      plan_.warnings.push_back(
          "org \"" + d.key + "\": its parent id " + id + " (" + where +
          ") is not checked: with --refresh=false nothing is read remotely, and the state does "
          "not know this id. If it names no organization, its create fails at apply; plan "
          "with refresh to check it");
    }
  }

  void plan_org(const DesiredOrg& d) {
    check_external_parent(d);
    OrgSpec t = d.spec;
    const OrgState* cur = current(d.key);
    if (cur && !cur->pending_create) {
      if (cur->spec.prevent_destroy != t.prevent_destroy) {
        plan_.protection[d.key] = t.prevent_destroy;
      }
      if (opts_.replace.count(d.key)) {
        plan_replacement(d, *cur, std::move(t));
        return;
      }
      resolved_[d.key] = cur->id;
      plan_change(d, *cur, t, plan_.observed.count(d.key) > 0);
      return;
    }
    std::optional<std::string> pid = parent_id_of(t);
    std::vector<const Organization*> matches;
    if (pid) matches = untracked_matches(*pid, t.name);
    if (matches.size() > 1) {
      std::string ids;
      for (const Organization* m : matches) ids += (ids.empty() ? "" : ", ") + m->id;
      problem(d.key, "several organizations named \"" + t.name + "\" exist under " +
                         parent_label(t) + " and none is in state (" + ids +
                         "); import the right one with: cforg import " + shell_word(d.key) +
                         " <id>");
      return;
    }
    if (matches.size() == 1) {
      const Organization& m = *matches.front();
      claimed_.insert(m.id);
      resolved_[d.key] = m.id;
      OrgState found = state::from_remote(m);
      found.spec.prevent_destroy = cur ? cur->spec.prevent_destroy : false;
      if (cur && cur->pending_create) {
        // Our own create from an interrupted run did succeed: record it, no flag needed.
        plan_.warnings.push_back("org \"" + d.key + "\": a create interrupted earlier had " +
                                 "succeeded (" + m.id + "); it is recorded in state");
        plan_.observed[d.key] = found;
        if (found.spec.prevent_destroy != t.prevent_destroy) {
          plan_.protection[d.key] = t.prevent_destroy;
        }
        plan_change(d, plan_.observed[d.key], t, false);
      } else if (opts_.adopt) {
        Action a;
        a.kind = ActionKind::adopt;
        a.key = d.key;
        a.id = m.id;
        a.changes = diff(m.spec, "", want_spec(t, pid), t.parent.key_or_empty(), m.profile_known);
        a.before = std::move(found);
        a.after = std::move(t);
        add_dependency(a, a.after->parent.key_or_empty());
        push(std::move(a));
      } else {
        problem(d.key, "an organization named \"" + t.name + "\" already exists under " +
                           parent_label(t) + " (" + m.id +
                           ") but is not in state; to manage it, plan with --adopt or run: "
                           "cforg import " +
                           shell_word(d.key) + " " + m.id);
      }
      return;
    }
    Action a;
    a.kind = ActionKind::create;
    a.key = d.key;
    a.recover =
        cur && cur->pending_create && !(pid && remote_ && remote_->searched.count({*pid, t.name}));
    a.after = std::move(t);
    add_dependency(a, a.after->parent.key_or_empty());
    resolved_[d.key] = "";
    push(std::move(a));
  }

  // An org that exists and is tracked: an update when the config says otherwise. A new parent
  // cannot be set in place: that takes a replacement, asked for by name.
  void plan_change(const DesiredOrg& d, const OrgState& cur, const OrgSpec& t, bool drifted) {
    std::vector<Change> changes =
        diff(cur.spec, cur.parent_key, want_spec(t, parent_id_of(t)), t.parent.key_or_empty());
    if (changes.empty()) {
      ++plan_.unchanged;
      return;
    }
    if (changes_any(changes, {Change::Attribute::parent})) {
      refuse_move(d, cur, t);
      return;
    }
    Action a;
    a.kind = ActionKind::update;
    a.key = d.key;
    a.id = cur.id;
    a.before = cur;
    a.after = t;
    a.changes = std::move(changes);
    a.drift = drifted;
    add_dependency(a, t.parent.key_or_empty());
    push(std::move(a));
  }

  void refuse_move(const DesiredOrg& d, const OrgState& cur, const OrgSpec& t) {
    std::string from = cur.spec.parent.is_root() ? "the top level" : "\"" + cur.parent_id() + "\"";
    if (!cur.parent_key.empty()) from = "\"" + cur.parent_key + "\" (" + cur.parent_id() + ")";
    std::string why;
    if (const std::string* parent = t.parent.key(); parent && replaced_.count(*parent)) {
      why = "its parent \"" + *parent +
            "\" is replaced, which gives it a new id, and the Cloudflare API cannot move an "
            "organization to another parent. Replace it too: add --replace " +
            shell_word(d.key) + " (it is deleted and created again under the new \"" + *parent +
            "\")";
    } else {
      why = "its parent changes from " + from + " to " + parent_label(t) +
            ", but the Cloudflare API cannot move an organization to another parent. To "
            "recreate it there (a new id; the old org is deleted, which the API allows only when "
            "it is empty), plan with --replace " +
            shell_word(d.key) + "; to keep it where it is, set its parent back to " + from;
    }
    problem(d.key, why, d.parent_where.line ? d.parent_where.str() : d.where.str());
  }

  // --replace KEY: the old org is deleted (children first, see plan_deletes), then a new one
  // is created in its place. The API deletes only empty orgs, so every child it has must be
  // replaced (or deleted) in the same plan.
  void plan_replacement(const DesiredOrg& d, const OrgState& cur, OrgSpec t) {
    if (!remote_) {
      problem(d.key,
              "--replace " + d.key +
                  " needs the remote side: plan with refresh enabled, so that cforg can check "
                  "that the old org is empty before deleting it",
              d.where.str());
      return;
    }
    if (cur.spec.prevent_destroy || t.prevent_destroy) {
      problem(d.key,
              "--replace " + d.key +
                  " would delete the org, and prevent_destroy is set on it; set prevent_destroy: "
                  "false and apply first if it really must be recreated",
              d.where.str());
      return;
    }
    replaced_.insert(d.key);
    replacing_.push_back({d.key, &cur});
    Action a;
    a.kind = ActionKind::create;
    a.key = d.key;
    a.replace = true;
    a.before = cur;
    a.after = std::move(t);
    a.after_removal_of.push_back(d.key);
    add_dependency(a, a.after->parent.key_or_empty());
    resolved_[d.key] = "";
    push(std::move(a));
  }

  // Every tracked org the config no longer declares is deleted, children first.
  void plan_deletes() {
    std::vector<std::pair<std::string, const OrgState*>> doomed;
    for (const auto& [key, org] : st_.orgs) {
      if (cfg_.find(key)) continue;
      const OrgState* cur = current(key);
      if (!cur) continue;
      if (cur->pending_create) {
        plan_pending_without_config(key, *cur, doomed);
        continue;
      }
      if (cur->spec.prevent_destroy) {
        problem(key, "prevent_destroy is set on org \"" + key + "\" (" + cur->id +
                         ") and the config no longer declares it, so it would be deleted. To "
                         "delete it, first declare it again with prevent_destroy: false and "
                         "apply; to stop managing it without deleting it, run: cforg state rm " +
                         shell_word(key));
        continue;
      }
      doomed.emplace_back(key, cur);
    }
    std::unordered_set<std::string> old_of_replaced;  // keys whose delete is a replacement's
    for (const auto& [key, cur] : replacing_) {
      doomed.emplace_back(key, cur);
      old_of_replaced.insert(key);
    }
    if (doomed.empty()) return;
    check_emptiness(doomed);

    // Depth in the current tree decides the order: the deepest go first.
    std::unordered_map<std::string, const OrgState*> by_id;
    for (const auto& [key, org] : st_.orgs) {
      if (const OrgState* c = current(key); c && !c->id.empty()) by_id[c->id] = c;
    }
    auto depth = [&](const OrgState* o) {
      int d = 0;
      for (auto it = by_id.find(o->parent_id()); it != by_id.end() && d < 1000;
           it = by_id.find(it->second->parent_id())) {
        ++d;
      }
      return d;
    };
    std::vector<std::pair<int, std::string>> order;
    std::unordered_map<std::string, std::string> key_of_doomed;  // id -> key
    for (const auto& [key, cur] : doomed) {
      order.emplace_back(depth(cur), key);
      key_of_doomed[cur->id] = key;
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    // An org can be deleted once its children are: each child's delete is a replacement's
    // (then the key has a create too) or the key's only action.
    std::unordered_map<std::string, std::vector<std::string>> must_leave;  // parent key -> keys
    for (const auto& [key, cur] : doomed) {
      auto p = key_of_doomed.find(cur->parent_id());
      if (p != key_of_doomed.end()) must_leave[p->second].push_back(key);
    }
    for (const auto& [d, key] : order) {
      const OrgState* cur = old_of_replaced.count(key) ? replaced_state(key) : current(key);
      Action a;
      a.kind = ActionKind::remove;
      a.key = key;
      a.id = cur->id;
      a.before = *cur;
      a.replace = old_of_replaced.count(key) > 0;
      if (auto it = must_leave.find(key); it != must_leave.end()) {
        for (const std::string& child : it->second) {
          (old_of_replaced.count(child) ? a.after_removal_of : a.depends_on).push_back(child);
        }
        std::sort(a.depends_on.begin(), a.depends_on.end());
        std::sort(a.after_removal_of.begin(), a.after_removal_of.end());
      }
      push(std::move(a));
    }
  }

  const OrgState* replaced_state(const std::string& key) const {
    for (const auto& [k, cur] : replacing_) {
      if (k == key) return cur;
    }
    return nullptr;
  }

  // The API deletes only empty orgs. Children it lists that this plan does not delete would
  // make a replacement stop halfway, after the deletes of the children it does manage.
  void check_emptiness(const std::vector<std::pair<std::string, const OrgState*>>& doomed) {
    if (!remote_) return;
    std::unordered_set<std::string> leaving;
    for (const auto& [key, cur] : doomed) leaving.insert(cur->id);
    for (const auto& [key, cur] : replacing_) {
      auto it = remote_->children.find(cur->id);
      if (it == remote_->children.end()) continue;
      std::string others;
      for (const std::string& child : it->second) {
        if (!leaving.count(child)) others += (others.empty() ? "" : ", ") + child;
      }
      if (others.empty()) continue;
      const config::DesiredOrg* d = cfg_.find(key);
      problem(key,
              "cannot replace org \"" + key + "\" (" + cur->id +
                  "): the API deletes only empty organizations, and it has sub-organizations "
                  "that this plan does not delete (" +
                  others + "). Replace their keys too (--replace), or move or delete them first",
              d ? d->where.str() : "");
    }
  }

  // A create of an org no longer in the config was interrupted: delete what it made, if
  // anything; without a look at the remote side we cannot know.
  void plan_pending_without_config(const std::string& key, const OrgState& cur,
                                   std::vector<std::pair<std::string, const OrgState*>>& doomed) {
    std::pair<std::string, std::string> where{cur.parent_id(), cur.spec.name};
    if (!remote_ || !remote_->searched.count(where)) {
      problem(key, "a create of org \"" + key + "\" (\"" + cur.spec.name +
                       "\") was interrupted and the config no longer declares it; plan with "
                       "refresh enabled so that cforg can look for what it left");
      return;
    }
    std::vector<const Organization*> matches = untracked_matches(cur.parent_id(), cur.spec.name);
    if (matches.size() == 1) {
      claimed_.insert(matches.front()->id);
      OrgState found = state::from_remote(*matches.front());
      plan_.observed[key] = found;
      doomed.emplace_back(key, &plan_.observed[key]);
    } else {
      plan_.forget.push_back(key);
      forgotten_.insert(key);
    }
  }

  // The spec `t` asks for, with the parent id as far as it is known (see diff()).
  static OrgSpec want_spec(const OrgSpec& t, const std::optional<std::string>& parent_id) {
    return {t.name, ParentRef::from_api_id(parent_id.value_or("")), t.profile};
  }

  static std::string parent_label(const OrgSpec& t) {
    if (const std::string* k = t.parent.key()) return "\"" + *k + "\"";
    if (const std::string* i = t.parent.id()) return *i;
    return "the top level";
  }

  // `a` waits for the action on its parent when the parent is created or adopted here.
  void add_dependency(Action& a, const std::string& parent_key) {
    if (!parent_key.empty() && acting_.count(parent_key)) a.depends_on.push_back(parent_key);
  }

  void push(Action a) {
    if (a.kind == ActionKind::create || a.kind == ActionKind::adopt) acting_.insert(a.key);
    plan_.actions.push_back(std::move(a));
  }

  void problem(const std::string& key, std::string message, std::string where = "") {
    plan_.errors.push_back({key, std::move(message), std::move(where)});
  }

  const Config& cfg_;
  const State& st_;
  const Remote* remote_;
  const Options& opts_;
  Plan plan_;

  std::unordered_set<std::string> forgotten_;
  std::unordered_set<std::string> tracked_ids_;
  std::unordered_set<std::string> known_ids_;  // --refresh=false: ids (and parents) in state
  std::unordered_set<std::string> claimed_;    // remote ids taken by a key in this plan
  std::unordered_set<std::string> acting_;     // keys created or adopted in this plan
  std::unordered_set<std::string> replaced_;   // keys replaced in this plan
  std::vector<std::pair<std::string, const OrgState*>> replacing_;  // and their old orgs
  std::unordered_map<std::string, std::string> resolved_;           // key -> id ("" = not yet)
  std::map<std::pair<std::string, std::string>, std::vector<const Organization*>> by_name_;
};

}  // namespace

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
  }
  return "?";
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
    if (a.replace) {
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
  Plan p = Planner(cfg, st, remote, opts).run();
  if (!opts.targets.empty()) restrict_to_targets(p, opts.targets);
  return p;
}

std::string Budget::str() const {
  if (unlimited()) return "no budget";
  std::string window = window_ms % 1000 == 0
                           ? std::to_string(window_ms / 1000)
                           : std::to_string(static_cast<double>(window_ms) / 1000);
  return std::to_string(requests) + "/" + window + " s";
}

Estimate Plan::estimate() const {
  Estimate e;
  const Budget& budget = options.budget;
  e.budget = budget;
  std::unordered_set<std::string> created;
  for (const Action& a : actions) {
    if (a.kind == ActionKind::create) created.insert(a.key);
  }
  for (const Action& a : actions) {
    e.requests += a.requests();
    if (a.kind != ActionKind::create) continue;
    // Before a create, apply lists the orgs of its name and parent when the plan could not
    // look (--refresh=false) or an earlier attempt may have made it (apply/actions.cc).
    if (a.recover || !refreshed) ++e.lookups;
    if (a.after && created.count(a.after->parent.key_or_empty())) ++e.young_parent_creates;
  }
  e.requests += e.lookups;
  if (!budget.unlimited()) {
    e.seconds = static_cast<double>(e.requests) * static_cast<double>(budget.window_ms) / 1000.0 /
                budget.requests;
  }
  return e;
}

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

std::string shell_word(std::string_view s) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  if (!s.empty() && std::all_of(s.begin(), s.end(), plain)) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
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
