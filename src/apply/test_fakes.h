// Test doubles shared by the apply tests: an in-memory journal and an in-memory API with
// scripted failures.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "actions.h"
#include "cforg/api/client.h"
#include "cforg/plan/plan.h"
#include "cforg/state/journal.h"
#include "support/ids.h"

namespace cforg::apply::fakes {

// Records appended and synced; checks that a child's create is only sent once its parent's
// record is durable.
class MemoryJournal : public state::Journal {
 public:
  using state::Journal::append;
  std::uint64_t append(std::span<const state::JournalRecord> batch) override {
    std::lock_guard lock(mu);
    records.insert(records.end(), batch.begin(), batch.end());
    ++appends;
    return records.size();
  }
  void sync(std::uint64_t seq) override {
    std::lock_guard lock(mu);
    synced = std::max(synced, seq);
    ++syncs;
  }
  // Whether a put of `id` is among the synced records.
  bool durable(const std::string& id) {
    std::lock_guard lock(mu);
    for (std::size_t i = 0; i < synced && i < records.size(); ++i) {
      if (records[i].op == state::JournalRecord::Op::put && records[i].org.id == id) return true;
    }
    return false;
  }
  std::mutex mu;
  std::vector<state::JournalRecord> records;
  std::uint64_t synced = 0;
  int syncs = 0;
  int appends = 0;  // calls, each of one or more records
};

// An in-memory API with scripted failures.
class FakeClient : public api::Client {
 public:
  api::Result<Organization> create(const OrgSpec& spec) override {
    enter();
    if (auto slow = slow_names.find(spec.name); slow != slow_names.end()) {
      std::this_thread::sleep_for(slow->second);
    }
    std::unique_lock lock(mu);
    ++posts;
    if (!spec.parent.is_root() && !orgs.count(spec.parent.api_id()))
      return leave(error(400, false));
    if (!spec.parent.is_root() && journal && !journal->durable(spec.parent.api_id())) {
      parent_not_durable = true;
    }
    if (fail_names.count(spec.name)) return leave(error(400, false));
    if (lost_names.count(spec.name) && lost_names[spec.name]-- > 0) {
      return leave(error(502, true));  // not committed, outcome unknown to the client
    }
    Organization o;
    o.id = next_id();
    o.spec = spec;
    o.meta = nlohmann::json::object();
    orgs[o.id] = o;
    if (ambiguous_names.count(spec.name) && ambiguous_names[spec.name]-- > 0) {
      return leave(error(0, true));  // committed, then the connection dropped
    }
    return leave(o);
  }
  api::Result<Organization> get(const std::string& id) override {
    std::lock_guard lock(mu);
    if (!orgs.count(id)) return error(404, false);
    return orgs[id];
  }
  api::Result<Organization> rename(const std::string& id, const std::string& name) override {
    std::lock_guard lock(mu);
    ++puts;
    if (!orgs.count(id)) return error(404, false);
    orgs[id].spec.name = name;
    Organization answer = orgs[id];
    answer.spec.profile.reset();  // as GET and PUT may: the profile is not told
    answer.profile_known = false;
    return answer;
  }
  api::Result<std::optional<Profile>> get_profile(const std::string& id) override {
    std::lock_guard lock(mu);
    if (!orgs.count(id)) return error(404, false);
    return orgs[id].spec.profile;
  }
  api::Result<api::Empty> put_profile(const std::string& id, const Profile& p) override {
    std::lock_guard lock(mu);
    ++profile_puts;
    if (!orgs.count(id)) return error(404, false);
    orgs[id].spec.profile = p;
    return api::Empty{};
  }
  api::Result<api::Empty> remove(const std::string& id) override {
    std::lock_guard lock(mu);
    ++deletes;
    if (!orgs.count(id)) return error(404, false);
    for (const auto& [other, o] : orgs) {
      if (o.spec.parent.api_id() == id) return error(400, false);
    }
    orgs.erase(id);
    return api::Empty{};
  }
  api::Result<std::vector<Organization>> list(const api::ListQuery& q) override {
    std::lock_guard lock(mu);
    ++lists;
    std::vector<Organization> out;
    for (const auto& [id, o] : orgs) {
      if (q.parent_id && o.spec.parent.api_id() != *q.parent_id) continue;
      if (q.containing_account && account_home[*q.containing_account] != id) continue;
      if (q.name && o.spec.name != *q.name) continue;
      out.push_back(o);
    }
    return out;
  }

  api::Result<std::vector<Member>> list_members(const std::string& org_id,
                                                const std::string& email) override {
    std::lock_guard lock(mu);
    ++lists;
    if (!orgs.count(org_id)) return error(404, false);
    std::vector<Member> out;
    for (const auto& [e, m] : members[org_id]) {
      if (email.empty() || e == canonical_email(email)) out.push_back(m);
    }
    return out;
  }
  api::Result<Member> create_member(const std::string& org_id, const MemberSpec& spec) override {
    enter();
    std::lock_guard lock(mu);
    ++member_posts;
    if (!orgs.count(org_id)) return leave(error(404, false));
    const std::string e = canonical_email(spec.email);
    if (members[org_id].count(e)) return leave(error(409, false));
    Member m{.id = "m" + std::to_string(++counter_),
             .email = spec.email,
             .status = spec.status,
             .create_time = "2026-12-07T00:00:00Z"};
    members[org_id][e] = m;
    if (ambiguous_members.count(e) && ambiguous_members[e]-- > 0) {
      return leave(error(0, true));  // created, then the connection dropped
    }
    return leave(m);
  }
  std::optional<bool> batches_member_creates() const override { return batch_support; }
  std::vector<api::MemberCreated> create_members(const std::string& org_id,
                                                 const std::vector<MemberSpec>& specs) override {
    {
      std::lock_guard lock(mu);
      ++batches;
      batch_sizes.push_back(specs.size());
      max_batches_in_flight = std::max(max_batches_in_flight, ++batches_in_flight);
    }
    std::vector<api::MemberCreated> out;
    for (const MemberSpec& m : specs) out.push_back({m.email, create_member(org_id, m)});
    std::lock_guard lock(mu);
    --batches_in_flight;
    return out;
  }
  api::Result<api::Empty> remove_member(const std::string& org_id,
                                        const std::string& member_id) override {
    std::lock_guard lock(mu);
    ++member_deletes;
    for (auto it = members[org_id].begin(); it != members[org_id].end(); ++it) {
      if (it->second.id == member_id) {
        members[org_id].erase(it);
        return api::Empty{};
      }
    }
    return error(404, false);
  }
  api::Result<std::vector<Account>> list_accounts(const std::string& org_id) override {
    std::lock_guard lock(mu);
    ++lists;
    std::vector<Account> out;
    for (const auto& [id, home] : account_home) {
      if (home == org_id) out.push_back(accounts[id]);
    }
    return out;
  }
  api::Result<AccountMove> move_account(const std::string& account_id,
                                        const std::string& destination) override {
    enter();
    std::lock_guard lock(mu);
    ++moves;
    if (!accounts.count(account_id) || !orgs.count(destination)) return leave(error(404, false));
    AccountMove m{account_id, account_home[account_id], destination};
    account_home[account_id] = destination;
    if (ambiguous_moves.count(account_id) && ambiguous_moves[account_id]-- > 0) {
      return leave(error(0, true));
    }
    return leave(m);
  }

  std::size_t count_named(const std::string& name) {
    std::lock_guard lock(mu);
    std::size_t n = 0;
    for (const auto& [id, o] : orgs) n += o.spec.name == name;
    return n;
  }

  std::mutex mu;
  std::map<std::string, Organization> orgs;
  std::set<std::string> fail_names;
  std::map<std::string, int> lost_names, ambiguous_names;
  std::map<std::string, std::chrono::milliseconds> slow_names;  // extra latency; set before a run
  MemoryJournal* journal = nullptr;
  bool parent_not_durable = false;
  int posts = 0, puts = 0, profile_puts = 0, deletes = 0, lists = 0;
  // Inside orgs: members by org id and canonical email; accounts and the org each sits in.
  std::map<std::string, std::map<std::string, Member>> members;
  std::map<std::string, Account> accounts;
  std::map<std::string, std::string> account_home;
  std::map<std::string, int> ambiguous_members, ambiguous_moves;  // by email / account id
  int member_posts = 0, member_deletes = 0, moves = 0;
  std::optional<bool> batch_support;  // what batches_member_creates() says
  int batches = 0;                    // create_members calls
  int batches_in_flight = 0, max_batches_in_flight = 0;
  std::vector<std::size_t> batch_sizes;
  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::chrono::milliseconds latency{0};

 private:
  void enter() {
    int now = ++in_flight;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(latency);
  }
  template <class T>
  T leave(T r) {
    --in_flight;
    return r;
  }
  std::string next_id() { return testing::org_id(++counter_); }
  static api::ApiError error(int status, bool unknown) {
    api::ApiError e;
    e.kind = status ? api::ApiError::Kind::http : api::ApiError::Kind::transport;
    e.status = status;
    e.outcome_unknown = unknown;
    e.errors = {{1000 + status, "scripted failure", ""}};
    e.request = "TEST";
    return e;
  }
  int counter_ = 0;
};

// A ledger over a plain state, noting each record written ahead and how many POSTs the API
// had seen by then.
class FakeLedger : public Ledger {
 public:
  explicit FakeLedger(FakeClient& client) : client_(client) {}
  std::optional<std::string> parent_id(const OrgSpec& t) const override {
    return plan::resolve_parent_id(t, st);
  }
  std::optional<state::OrgState> org(const std::string& key) const override {
    auto it = st.orgs.find(key);
    if (it == st.orgs.end()) return std::nullopt;
    return it->second;
  }
  bool tracks(const std::string& id) const override {
    for (const auto& [key, o] : st.orgs) {
      if (o.id == id) return true;
    }
    return false;
  }
  void write_ahead(state::JournalRecord r) override {
    std::lock_guard lock(client_.mu);
    posts_before.push_back(client_.posts);
    written.push_back(r);
    state::fold(st, std::move(r));
  }
  state::State st;
  std::vector<state::JournalRecord> written;
  std::vector<int> posts_before;  // per record written, the POSTs sent before it

 private:
  FakeClient& client_;
};

}  // namespace cforg::apply::fakes
