// The Planner behind make_plan: reads what the remote side says of each tracked org, then
// plans each org of the config (parents first) and the deletes of what it no longer declares.
#include "planner.h"

#include <algorithm>

#include "contents.h"
#include "diff.h"
#include "order.h"

namespace cforg::plan {
namespace {

using config::Config;
using config::DesiredOrg;
using state::OrgState;
using state::State;

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
      // What the state would record of this answer: state::from_remote is the one rule for
      // what an answer leaves out (a profile it did not carry is kept).
      OrgState observed = state::from_remote(it->second, &org);
      // Drift in a profile the config does not manage is no concern of this plan.
      const config::DesiredOrg* d = cfg_.find(key);
      if (!d || !d->spec.profile) observed.spec.profile = org.spec.profile;
      std::vector<Change> drifted = diff(org.spec, "", observed.spec, "");
      if (!drifted.empty()) {
        plan_.drift.push_back({key, org.id, std::move(drifted)});
        plan_.observed[key] = std::move(observed);
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

  // Every tracked org the config no longer declares is deleted, children first, after what is
  // planned inside orgs (an org must be empty before its delete).
  void plan_deletes() {
    DoomedOrgs doomed;
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
    plan_contents({.cfg = cfg_,
                   .st = st_,
                   .remote = remote_,
                   .current = [this](const std::string& key) { return current(key); },
                   .created_here =
                       [this](const std::string& key) {
                         return acting_.count(key) > 0 || replaced_.count(key) > 0;
                       }},
                  doomed, plan_);
    if (doomed.empty()) return;
    check_emptiness(doomed);

    std::unordered_map<std::string, const OrgState*> by_id;  // the current tree
    for (const auto& [key, org] : st_.orgs) {
      if (const OrgState* c = current(key); c && !c->id.empty()) by_id[c->id] = c;
    }
    for (Action& a : deletes_children_first(doomed, old_of_replaced, by_id)) push(std::move(a));
  }

  // The API deletes only empty orgs. Children it lists that this plan does not delete would
  // make a replacement stop halfway, after the deletes of the children it does manage.
  void check_emptiness(const DoomedOrgs& doomed) {
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
                                   DoomedOrgs& doomed) {
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
  DoomedOrgs replacing_;                       // and their old orgs
  std::unordered_map<std::string, std::string> resolved_;  // key -> id ("" = not yet)
  std::map<std::pair<std::string, std::string>, std::vector<const Organization*>> by_name_;
};

}  // namespace

Plan plan_actions(const config::Config& cfg, const state::State& st, const Remote* remote,
                  const Options& opts) {
  return Planner(cfg, st, remote, opts).run();
}

}  // namespace cforg::plan
