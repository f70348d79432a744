#include "contents.h"

#include <map>
#include <set>
#include <unordered_map>

#include "cforg/model/membership.h"

namespace cforg::plan {
namespace {

using config::DesiredOrg;
using state::OrgState;
using MemberMap = std::map<std::string, Member>;    // by canonical email
using AccountMap = std::map<std::string, Account>;  // by id

// "a@x.com, b@x.com and 3 more": lists in messages stay one line.
template <class Range, class Name>
std::string few(const Range& items, Name name, std::size_t shown = 3) {
  std::string out;
  std::size_t n = 0;
  for (const auto& item : items) {
    if (n < shown) out += (n ? ", " : "") + name(item);
    ++n;
  }
  if (n > shown) out += " and " + std::to_string(n - shown) + " more";
  return out;
}

// What an action needs of a member: who (id, email) and its status; not when it was created.
Member as_action(const Member& m) {
  return Member{.id = m.id, .email = m.email, .status = m.status};
}

class ContentPlanner {
 public:
  ContentPlanner(const ContentContext& ctx, Plan& plan) : ctx_(ctx), plan_(plan) {
    for (const auto& [key, org] : ctx_.st.orgs) {
      if (!org.id.empty()) key_of_id_[org.id] = key;
      if (org.accounts) {
        for (const auto& [id, a] : *org.accounts) recorded_home_[id] = key;
      }
    }
    for (const Action& a : plan_.actions) {
      if (!is_content_action(a.kind)) org_acted_on_.insert(a.key);
    }
    if (ctx_.remote) {
      for (const auto& [org_id, accounts] : ctx_.remote->accounts) {
        for (const Account& a : accounts) remote_home_[a.id] = org_id;
      }
    }
  }

  void run(const DoomedOrgs& doomed) {
    for (const DesiredOrg& d : ctx_.cfg.orgs) {
      plan_members(d);
      plan_accounts(d);
    }
    for (const auto& [key, cur] : doomed) check_doomed(key, *cur);
  }

 private:
  // The org is there to read and act on: tracked, created, and not about to be replaced.
  const OrgState* existing(const std::string& key) const {
    const OrgState* cur = ctx_.current(key);
    if (!cur || cur->pending_create || cur->id.empty()) return nullptr;
    if (ctx_.created_here(key)) return nullptr;
    return cur;
  }

  OrgState& observed(const std::string& key, const OrgState& cur) {
    auto it = plan_.observed.find(key);
    if (it != plan_.observed.end()) return it->second;
    plan_.contents_learned.insert(key);
    return plan_.observed.emplace(key, cur).first->second;
  }

  Drift& drift_of(const std::string& key, const std::string& id) {
    for (Drift& d : plan_.drift) {
      if (d.key == key) return d;
    }
    plan_.drift.push_back({key, id, {}});
    plan_.contents_learned.erase(key);  // it is drift now, shown as such
    return plan_.drift.back();
  }

  Action content_action(ActionKind kind, const DesiredOrg& d, const OrgState* cur) {
    Action a;
    a.kind = kind;
    a.key = d.key;
    if (cur) a.id = cur->id;
    // After the org's own action: its create, or an update, whose record of the org would
    // otherwise race with (and overwrite) what this action records inside it.
    if (ctx_.created_here(d.key) || org_acted_on_.count(d.key)) a.depends_on.push_back(d.key);
    return a;
  }

  // What the org holds now: what the API listed when it was read (`read` says so), else what
  // the state recorded. `lists` are the remote side's lists of that kind, by org id.
  template <class Item, class KeyOf>
  std::map<std::string, Item> now(const OrgState* cur,
                                  const std::unordered_map<std::string, std::vector<Item>>* lists,
                                  const std::optional<std::map<std::string, Item>>& recorded,
                                  KeyOf key_of, bool& read) const {
    read = false;
    std::map<std::string, Item> have;
    if (!cur) return have;
    if (lists) {
      if (auto it = lists->find(cur->id); it != lists->end()) {
        read = true;
        for (const Item& item : it->second) have[key_of(item)] = item;
        return have;
      }
    }
    if (recorded) have = *recorded;
    return have;
  }

  MemberMap members_now(const OrgState* cur, bool& read) const {
    return now(
        cur, ctx_.remote ? &ctx_.remote->members : nullptr, cur ? cur->members : std::nullopt,
        [](const Member& m) { return canonical_email(m.email); }, read);
  }

  AccountMap accounts_now(const OrgState* cur, bool& read) const {
    return now(
        cur, ctx_.remote ? &ctx_.remote->accounts : nullptr, cur ? cur->accounts : std::nullopt,
        [](const Account& a) { return a.id; }, read);
  }

  void plan_members(const DesiredOrg& d) {
    const OrgState* cur = existing(d.key);
    if (!d.members) {
      if (cur && cur->members) {
        observed(d.key, *cur).members.reset();
        plan_.warnings.push_back("org \"" + d.key +
                                 "\": the config no longer has `members:`, so cforg stops "
                                 "managing them: the state forgets its " +
                                 std::to_string(cur->members->size()) +
                                 " members, and none is removed");
      }
      return;
    }
    bool read = false;
    MemberMap have = members_now(cur, read);
    if (read) record_members(d.key, *cur, have);

    std::map<std::string, const MemberSpec*> want;
    for (const MemberSpec& m : *d.members) want[canonical_email(m.email)] = &m;
    for (const auto& [email, spec] : want) {
      auto it = have.find(email);
      if (it == have.end() || it->second.pending) {
        Action a = content_action(ActionKind::add_member, d, cur);
        a.member = Member{.email = spec->email, .status = spec->status};
        // An interrupted create that refresh did not look for may have succeeded: look first.
        a.recover = it != have.end() && it->second.pending && !read;
        plan_.actions.push_back(std::move(a));
        continue;
      }
      if (it->second.status == spec->status) continue;
      // No update endpoint: a status change deletes the member and creates it again.
      Action out = content_action(ActionKind::remove_member, d, cur);
      out.member = as_action(it->second);
      out.replace = true;
      Action in = content_action(ActionKind::add_member, d, cur);
      in.member = Member{.email = spec->email, .status = spec->status};
      in.replace = true;
      plan_.actions.push_back(std::move(out));
      plan_.actions.push_back(std::move(in));
    }
    for (const auto& [email, m] : have) {
      if (want.count(email)) continue;
      if (m.pending) {
        plan_.warnings.push_back("org \"" + d.key + "\": a create of member " + m.email +
                                 " was interrupted and the config no longer lists it; plan with "
                                 "refresh enabled so that cforg can look for what it left");
        continue;
      }
      Action a = content_action(ActionKind::remove_member, d, cur);
      a.member = as_action(m);
      plan_.actions.push_back(std::move(a));
    }
  }

  // The remote side was read: the state records what it showed, and what differs from the
  // record (when there was one) is drift.
  void record_members(const std::string& key, const OrgState& cur, const MemberMap& have) {
    if (cur.members && *cur.members == have) return;
    if (cur.members) {
      std::vector<std::string> added, removed;
      for (const auto& [email, m] : have) {
        auto it = cur.members->find(email);
        if (it == cur.members->end() || it->second.pending) added.push_back(m.email);
      }
      for (const auto& [email, m] : *cur.members) {
        if (!m.pending && !have.count(email)) removed.push_back(m.email);
      }
      if (!added.empty() || !removed.empty()) {
        Drift& dr = drift_of(key, cur.id);
        dr.members_added = std::move(added);
        dr.members_removed = std::move(removed);
      }
    }
    observed(key, cur).members = have;
  }

  void plan_accounts(const DesiredOrg& d) {
    const OrgState* cur = existing(d.key);
    if (!d.accounts) {
      if (cur && cur->accounts) observed(d.key, *cur).accounts.reset();
      return;
    }
    bool read = false;
    AccountMap have = accounts_now(cur, read);
    if (read) record_accounts(d.key, *cur, have);

    std::map<std::string, const AccountSpec*> want;
    for (const AccountSpec& a : *d.accounts) want[a.id] = &a;
    for (const auto& [id, spec] : want) {
      if (have.count(id)) continue;
      Action a = content_action(ActionKind::move_account, d, cur);
      a.account = Account{.id = id, .name = spec->name, .type = ""};
      where_it_is(id, a.from_key, a.from_id);
      plan_.actions.push_back(std::move(a));
    }
    for (const auto& [id, a] : have) {
      if (want.count(id) || listed_elsewhere(id)) continue;
      plan_.warnings.push_back(
          "org \"" + d.key + "\": account " + id + (a.name.empty() ? "" : " (" + a.name + ")") +
          " sits in it but its `accounts:` does not list it. The API cannot take an account out "
          "of an organization, only move it to another: list it here, or under the org it "
          "should move to");
    }
  }

  void record_accounts(const std::string& key, const OrgState& cur, const AccountMap& have) {
    if (cur.accounts && *cur.accounts == have) return;
    if (cur.accounts) {
      std::vector<std::string> arrived, left;
      for (const auto& [id, a] : have) {
        if (!cur.accounts->count(id)) arrived.push_back(id);
      }
      for (const auto& [id, a] : *cur.accounts) {
        if (!have.count(id)) left.push_back(id);
      }
      if (!arrived.empty() || !left.empty()) {
        Drift& dr = drift_of(key, cur.id);
        dr.accounts_arrived = std::move(arrived);
        dr.accounts_left = std::move(left);
      }
    }
    observed(key, cur).accounts = have;
  }

  bool listed_elsewhere(const std::string& account_id) const {
    for (const DesiredOrg& d : ctx_.cfg.orgs) {
      if (!d.accounts) continue;
      for (const AccountSpec& a : *d.accounts) {
        if (a.id == account_id) return true;
      }
    }
    return false;
  }

  // Where the account sits now, as far as the plan knows: the orgs read, where the API said it
  // is (containing.account), or the state's record.
  void where_it_is(const std::string& account_id, std::string& key, std::string& id) const {
    key.clear();
    id.clear();
    if (auto it = remote_home_.find(account_id); it != remote_home_.end()) {
      id = it->second;
    } else if (ctx_.remote && ctx_.remote->account_homes.count(account_id)) {
      id = ctx_.remote->account_homes.at(account_id);
    } else if (auto r = recorded_home_.find(account_id); r != recorded_home_.end()) {
      key = r->second;
      if (const OrgState* o = ctx_.current(key)) id = o->id;
      return;
    }
    if (auto k = key_of_id_.find(id); !id.empty() && k != key_of_id_.end()) key = k->second;
  }

  // An org to delete must be empty by the time its delete goes out: its managed members are
  // removed first (the config no longer declares the org, nor them); anything else it holds
  // stops the plan, before any change is sent.
  void check_doomed(const std::string& key, const OrgState& cur) {
    if (cur.id.empty()) return;
    bool members_read = false, accounts_read = false;
    MemberMap members = members_now(&cur, members_read);
    AccountMap accounts = accounts_now(&cur, accounts_read);
    std::set<std::string> moved_out;
    for (const Action& a : plan_.actions) {
      if (a.kind == ActionKind::move_account && a.account && accounts.count(a.account->id))
        moved_out.insert(a.account->id);
    }
    std::vector<const Account*> staying;
    for (const auto& [id, a] : accounts) {
      if (!moved_out.count(id)) staying.push_back(&a);
    }
    const bool replaced = ctx_.created_here(key);
    const std::string who = "org \"" + key + "\" (" + cur.id + ")";
    const std::string verb = replaced ? "cannot replace " : "cannot delete ";
    if (!staying.empty()) {
      plan_.errors.push_back(
          {key,
           verb + who + ": the API deletes only empty organizations, and it holds " +
               std::to_string(staying.size()) + " account" + (staying.size() == 1 ? "" : "s") +
               " (" + few(staying, [](const Account* a) { return a->id; }) +
               ") that this plan does not move out. Accounts are never deleted, only moved: "
               "list each under the `accounts:` of the org it should move to",
           ""});
    }
    if (members.empty()) return;
    if (replaced || !cur.members) {
      plan_.errors.push_back(
          {key,
           verb + who + ": the API deletes only empty organizations, and it has " +
               std::to_string(members.size()) + " member" + (members.size() == 1 ? "" : "s") +
               " (" + few(members, [](const auto& e) { return e.second.email; }) + ")" +
               (replaced ? ", which a replacement would lose. Remove them first (`members: []`) "
                           "and apply, then replace it"
                         : " that cforg does not manage. To remove them with it, declare the "
                           "org again with `members: []` and apply first"),
           ""});
      return;
    }
    for (const auto& [email, m] : members) {
      if (m.pending) continue;
      Action a;
      a.kind = ActionKind::remove_member;
      a.key = key;
      a.id = cur.id;
      a.member = as_action(m);
      plan_.actions.push_back(std::move(a));
    }
  }

  const ContentContext& ctx_;
  Plan& plan_;
  std::unordered_map<std::string, std::string> key_of_id_;      // tracked orgs
  std::unordered_map<std::string, std::string> recorded_home_;  // account id -> key (state)
  std::unordered_map<std::string, std::string> remote_home_;    // account id -> org id (read)
  std::set<std::string> org_acted_on_;  // keys with an org action (create, update, adopt)
};

}  // namespace

void plan_contents(const ContentContext& ctx, const DoomedOrgs& doomed, Plan& plan) {
  ContentPlanner(ctx, plan).run(doomed);
}

}  // namespace cforg::plan
