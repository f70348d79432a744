#include "cforg/state/journal.h"

#include <array>
#include <utility>

#include "cforg/model/json_fields.h"
#include "cforg/model/printable.h"
#include "contents_json.h"
#include "json_text.h"
#include "org_json.h"

namespace cforg::state {
namespace {

using Op = JournalRecord::Op;
using detail::MemberRule;

constexpr std::array<std::pair<Op, const char*>, 8> kOps = {{
    {Op::begin_create, "begin_create"},
    {Op::put, "put"},
    {Op::remove, "remove"},
    {Op::begin_member, "begin_member"},
    {Op::put_member, "put_member"},
    {Op::remove_member, "remove_member"},
    {Op::put_account, "put_account"},
    {Op::remove_account, "remove_account"},
}};

const char* op_name(Op op) {
  for (const auto& [o, name] : kOps) {
    if (o == op) return name;
  }
  return "put";
}

// What a record carries besides its key: an org, a member or an account.
enum class Payload { org, none, member, account };

Payload payload_of(Op op) {
  switch (op) {
    case Op::begin_create:
    case Op::put:
      return Payload::org;
    case Op::remove:
      return Payload::none;
    case Op::begin_member:
    case Op::put_member:
    case Op::remove_member:
      return Payload::member;
    case Op::put_account:
    case Op::remove_account:
      return Payload::account;
  }
  return Payload::none;
}

MemberRule member_rule(Op op) {
  switch (op) {
    case Op::begin_member:
      return MemberRule::begin;
    case Op::remove_member:
      return MemberRule::remove;
    default:
      return MemberRule::put;
  }
}

[[noreturn]] void untracked(const JournalRecord& r) {
  throw StateError(std::string(op_name(r.op)) + " for organizations." + r.key +
                   ": no such organization in the state (the record cannot belong to it)");
}

// The org of `key` for a record inside it; a record for an org the state does not track is
// damage (an org's members and accounts are journaled only while it is tracked), not
// something to skip quietly.
OrgState& tracked_org(State& s, const JournalRecord& r) {
  auto it = s.orgs.find(r.key);
  if (it == s.orgs.end()) untracked(r);
  return it->second;
}

// Managed from the first record on, even when that record removes something.
template <typename T>
T& managed(std::optional<T>& field) {
  if (!field) field.emplace();
  return *field;
}

[[noreturn]] void bad_record(const std::string& where, const std::string& problem) {
  throw StateError(where + ": " + problem);
}

}  // namespace

nlohmann::json to_json(const JournalRecord& r) {
  nlohmann::json j = nlohmann::json::object();
  j["op"] = op_name(r.op);
  j["key"] = r.key;
  switch (payload_of(r.op)) {
    case Payload::org:
      j["org"] = org_to_json(r.org);
      break;
    case Payload::none:
      break;
    case Payload::member:
      j["member"] = detail::member_to_json(r.member, member_rule(r.op));
      break;
    case Payload::account:
      j["account"] = detail::account_to_json(r.account, r.op == Op::remove_account);
      break;
  }
  return j;
}

std::string record_line(const JournalRecord& r, const std::string& where) {
  if (r.key.empty()) bad_record(where, "key: is empty");
  std::string line;
  line.reserve(384);
  try {
    // Members by name, as to_json(r).dump() writes them: account, key, member, op, org.
    const Payload payload = payload_of(r.op);
    detail::JsonWriter w(line, -1);
    w.begin_object();
    if (payload == Payload::account) {
      detail::check_account(r.account, where, "account");
      w.key("account");
      detail::write_account(w, r.account, r.op == Op::remove_account);
    }
    w.key("key");
    w.string(r.key);
    if (payload == Payload::member) {
      detail::check_member(r.member, where, "member", member_rule(r.op));
      w.key("member");
      detail::write_member(w, r.member, member_rule(r.op));
    }
    w.key("op");
    w.string(op_name(r.op));
    if (payload == Payload::org) {
      detail::check_org(r.org, where, "org", r.op == Op::begin_create);
      w.key("org");
      detail::write_org(w, r.org);
    }
    w.end_object();
  } catch (const nlohmann::json::exception& e) {
    bad_record(where, r.key + ": " + e.what());  // invalid UTF-8
  }
  line += '\n';
  return line;
}

JournalRecord record_from_json(const nlohmann::json& j, const std::string& where) {
  JsonObject o(JsonAt(j, where, "", raise_state_error), UnknownFields::refuse);
  JournalRecord r;
  const std::string name = o.required<std::string>("op");
  bool known = false;
  for (const auto& [op, op_text] : kOps) {
    if (name == op_text) {
      r.op = op;
      known = true;
    }
  }
  if (!known) {
    o.fail("op", "unknown operation \"" + printable(name, 60) +
                     "\" (written by a newer cforg? upgrade cforg)");
  }
  r.key = o.required<std::string>("key");
  if (r.key.empty()) o.fail("key", "is empty");
  switch (payload_of(r.op)) {
    case Payload::org:
      r.org = detail::parse_org(o.at("org"), r.op == Op::begin_create);
      break;
    case Payload::none:
      (void)o.find("org");  // a remove's org, if any, is not read
      break;
    case Payload::member:
      r.member = detail::parse_member(o.at("member"), member_rule(r.op));
      break;
    case Payload::account:
      r.account = detail::parse_account(o.at("account"), r.op == Op::remove_account);
      break;
  }
  o.done();
  return r;
}

void fold(State& s, const JournalRecord& r) {
  fold(s, JournalRecord(r));
}

void refuse_contradicting_journal(const std::string& problem) {
  throw StateError(problem +
                   " (with the records of the journal folded in: it contradicts the state). "
                   "Move the journal aside to load the state without it; the next plan finds "
                   "any org the interrupted run created by its name, for you to import or "
                   "adopt, and creates none twice");
}

void fold_at(State& s, const JournalRecord& r, const std::string& at) {
  try {
    fold(s, r);
  } catch (const StateError& e) {
    refuse_contradicting_journal(at + ": " + e.what());
  }
}

void check_folded(const State& s, const std::string& journal_where) {
  try {
    validate(s, journal_where);
  } catch (const StateError& e) {
    refuse_contradicting_journal(e.what());
  }
}

void fold(State& s, JournalRecord&& r) {
  switch (r.op) {
    case JournalRecord::Op::begin_create: {
      auto it = s.orgs.find(r.key);
      // Already tracked with an id: the create this record announced was recorded (or the
      // org was adopted); a pending entry would forget that id.
      if (it != s.orgs.end() && !it->second.id.empty()) return;
      OrgState pending;
      pending.spec = std::move(r.org.spec);
      pending.parent_key = std::move(r.org.parent_key);
      pending.pending_create = true;
      s.orgs[r.key] = std::move(pending);
      return;
    }
    case JournalRecord::Op::put:
      s.orgs[r.key] = std::move(r.org);
      return;
    case JournalRecord::Op::remove:
      s.orgs.erase(r.key);
      return;
    case Op::begin_member: {
      auto& members = managed(tracked_org(s, r).members);
      std::string email = canonical_email(r.member.email);
      auto it = members.find(email);
      // Recorded with an id already: the create this record announces was answered (or the
      // member was found); a pending entry would forget that id.
      if (it != members.end() && !it->second.id.empty()) return;
      Member pending;
      pending.email = std::move(r.member.email);
      pending.status = r.member.status;
      pending.pending = true;
      members[std::move(email)] = std::move(pending);
      return;
    }
    case Op::put_member: {
      auto& members = managed(tracked_org(s, r).members);
      members[canonical_email(r.member.email)] = std::move(r.member);
      return;
    }
    case Op::remove_member:
      managed(tracked_org(s, r).members).erase(canonical_email(r.member.email));
      return;
    case Op::put_account: {
      OrgState& here = tracked_org(s, r);
      // An account sits in one org: moved here, it left wherever the state had it.
      for (auto& [key, org] : s.orgs) {
        if (&org != &here && org.accounts) org.accounts->erase(r.account.id);
      }
      std::string id = r.account.id;
      managed(here.accounts)[std::move(id)] = std::move(r.account);
      return;
    }
    case Op::remove_account:
      managed(tracked_org(s, r).accounts).erase(r.account.id);
      return;
  }
}

}  // namespace cforg::state
