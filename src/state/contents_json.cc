#include "contents_json.h"

#include <string_view>
#include <unordered_map>

#include "cforg/model/printable.h"

namespace cforg::state::detail {
namespace {

using nlohmann::json;

[[noreturn]] void invalid(const std::string& where, const std::string& field,
                          const std::string& problem) {
  throw StateError(where + ": " + field + ": " + problem);
}

std::string in_quotes(std::string_view s) {
  return "\"" + printable(s, 120) + "\"";
}

std::string indexed(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

bool known_status(MemberStatus s) {
  return s == MemberStatus::active || s == MemberStatus::canceled;
}

}  // namespace

void check_member(const Member& m, const std::string& where, const std::string& path,
                  MemberRule rule) {
  if (m.email.empty()) invalid(where, path + ".email", "is empty");
  if (rule == MemberRule::remove) return;
  if (!known_status(m.status)) {
    invalid(where, path + ".status", "is no member status; this is a bug in cforg");
  }
  if (rule == MemberRule::state && m.id.empty() && !m.pending) {
    invalid(where, path + ".id",
            "is empty; only a pending member (\"pending\": true) may lack one");
  }
  if (rule == MemberRule::put) {
    if (m.id.empty()) {
      invalid(where, path + ".id", "is empty; a put_member records a member the API answered with");
    }
    if (m.pending)
      invalid(where, path + ".pending", "is set; a put_member records a confirmed one");
  }
}

void check_account(const Account& a, const std::string& where, const std::string& path) {
  if (std::string problem = account_id_problem(a.id); !problem.empty()) {
    invalid(where, path + ".id", in_quotes(a.id) + " is not an account id: it " + problem);
  }
}

void write_member(JsonWriter& w, const Member& m, MemberRule rule) {
  // Members by name, as a std::map-backed nlohmann object dumps them.
  w.begin_object();
  if (rule != MemberRule::remove) {
    w.key("create_time");
    w.string(m.create_time);
  }
  w.key("email");
  w.string(m.email);
  if (rule != MemberRule::remove) {
    w.key("id");
    w.string(m.id);
    if (m.pending) {
      w.key("pending");
      w.literal("true");
    }
    w.key("status");
    w.string(to_string(m.status));
  }
  w.end_object();
}

void write_account(JsonWriter& w, const Account& a, bool id_only) {
  w.begin_object();
  w.key("id");
  w.string(a.id);
  if (!id_only) {
    w.key("name");
    w.string(a.name);
    w.key("type");
    w.string(a.type);
  }
  w.end_object();
}

json member_to_json(const Member& m, MemberRule rule) {
  json j = json::object();
  j["email"] = m.email;
  if (rule == MemberRule::remove) return j;
  j["create_time"] = m.create_time;
  j["id"] = m.id;
  if (m.pending) j["pending"] = true;  // only when set, as pending_create
  j["status"] = std::string(to_string(m.status));
  return j;
}

json account_to_json(const Account& a, bool id_only) {
  json j = json::object();
  j["id"] = a.id;
  if (id_only) return j;
  j["name"] = a.name;
  j["type"] = a.type;
  return j;
}

Member parse_member(const JsonAt& at, MemberRule rule) {
  JsonObject f(at, UnknownFields::refuse);
  Member m;
  m.email = f.required<std::string>("email");
  if (rule != MemberRule::remove) {
    m.create_time = f.required<std::string>("create_time");
    m.id = f.required<std::string>("id");
    m.pending = f.optional<bool>("pending", false);
    const std::string status = f.required<std::string>("status");
    std::optional<MemberStatus> s = member_status_from(status);
    if (!s) f.fail("status", in_quotes(status) + " is not a member status (active or canceled)");
    m.status = *s;
  }
  f.done();
  check_member(m, std::string(at.source()), at.path(), rule);
  return m;
}

Account parse_account(const JsonAt& at, bool id_only) {
  JsonObject f(at, UnknownFields::refuse);
  Account a;
  a.id = f.required<std::string>("id");
  if (!id_only) {
    a.name = f.required<std::string>("name");
    a.type = f.required<std::string>("type");
  }
  f.done();
  check_account(a, std::string(at.source()), at.path());
  return a;
}

void write_members(JsonWriter& w, const Members& members) {
  w.begin_array();
  for (const auto& [email, m] : members) {
    w.element();
    write_member(w, m, MemberRule::state);
  }
  w.end_array();
}

void write_accounts(JsonWriter& w, const Accounts& accounts) {
  w.begin_array();
  for (const auto& [id, a] : accounts) {
    w.element();
    write_account(w, a, false);
  }
  w.end_array();
}

json members_to_json(const Members& members) {
  json j = json::array();
  for (const auto& [email, m] : members) j.push_back(member_to_json(m, MemberRule::state));
  return j;
}

json accounts_to_json(const Accounts& accounts) {
  json j = json::array();
  for (const auto& [id, a] : accounts) j.push_back(account_to_json(a, false));
  return j;
}

Members parse_members(const JsonAt& at) {
  if (!at.json().is_array()) at.mistyped("an array");
  Members out;
  std::unordered_map<std::string, std::size_t> index_of;  // canonical email -> first index
  for (std::size_t i = 0; i < at.json().size(); ++i) {
    JsonAt e = at.element(at.json()[i], i);
    Member m = parse_member(e, MemberRule::state);
    std::string key = canonical_email(m.email);
    auto [it, added] = index_of.emplace(key, i);
    if (!added) {
      invalid(std::string(at.source()), e.path() + ".email",
              in_quotes(m.email) + " is also the email of " + indexed(at.path(), it->second) +
                  " (emails compare case-insensitively); a member is listed once");
    }
    out.emplace(std::move(key), std::move(m));
  }
  return out;
}

Accounts parse_accounts(const JsonAt& at) {
  if (!at.json().is_array()) at.mistyped("an array");
  Accounts out;
  std::unordered_map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < at.json().size(); ++i) {
    JsonAt e = at.element(at.json()[i], i);
    Account a = parse_account(e, false);
    auto [it, added] = index_of.emplace(a.id, i);
    if (!added) {
      invalid(std::string(at.source()), e.path() + ".id",
              in_quotes(a.id) + " is also the id of " + indexed(at.path(), it->second) +
                  "; an account is listed once");
    }
    std::string key = a.id;
    out.emplace(std::move(key), std::move(a));
  }
  return out;
}

void check_members(const Members& members, const std::string& where, const std::string& path) {
  std::size_t i = 0;
  for (const auto& [key, m] : members) {
    const std::string at = indexed(path, i++);
    check_member(m, where, at, MemberRule::state);
    if (std::string canonical = canonical_email(m.email); key != canonical) {
      invalid(where, at + ".email",
              in_quotes(m.email) + " is held under the key " + in_quotes(key) +
                  ", not under its canonical email " + in_quotes(canonical) +
                  "; this is a bug in cforg");
    }
  }
}

void check_accounts(const Accounts& accounts, const std::string& where, const std::string& path) {
  std::size_t i = 0;
  for (const auto& [key, a] : accounts) {
    const std::string at = indexed(path, i++);
    check_account(a, where, at);
    if (key != a.id) {
      invalid(where, at + ".id",
              in_quotes(a.id) + " is held under the key " + in_quotes(key) +
                  "; this is a bug in cforg");
    }
  }
}

void check_account_owners(const State& s, const std::string& where) {
  std::unordered_map<std::string_view, const std::string*> owner;
  for (const auto& [key, org] : s.orgs) {
    if (!org.accounts) continue;
    for (const auto& [id, a] : *org.accounts) {
      auto [it, added] = owner.emplace(id, &key);
      if (!added) {
        invalid(where, "organizations." + key + ".accounts",
                "account " + in_quotes(id) + " is also in organizations." + *it->second +
                    "; an account sits in one organization");
      }
    }
  }
}

}  // namespace cforg::state::detail
