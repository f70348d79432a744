#include "cforg/state/state.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cforg/model/json_fields.h"
#include "contents_json.h"
#include "json_text.h"
#include "json_writer.h"
#include "org_json.h"

namespace cforg::state {
namespace {

using nlohmann::json;

// Validation failures read "file: organizations.platform.id: <problem>".
[[noreturn]] void invalid(const std::string& where, const std::string& field,
                          const std::string& problem) {
  throw StateError(where + ": " + field + ": " + problem);
}

// null for a root, else {"id": ..., "key": ...} with the key only for a parent managed here.
json parent_to_json(const OrgState& o) {
  if (o.spec.parent.is_root()) return nullptr;
  json j = json::object();
  j["id"] = o.parent_id();
  if (!o.parent_key.empty()) j["key"] = o.parent_key;
  return j;
}

void read_parent(const JsonAt& at, OrgState& o) {
  if (at.json().is_null()) return;  // a root
  JsonObject f(at, UnknownFields::refuse);
  auto id = f.required<std::string>("id");
  if (id.empty()) f.fail("id", "is empty (a root organization has \"parent\": null)");
  o.spec.parent = ParentRef::id(std::move(id));
  if (auto key = f.optional<std::string>("key")) {
    if (key->empty()) f.fail("key", "is empty (omit it for a parent not managed here)");
    o.parent_key = std::move(*key);
  }
  f.done();
}

// What the JSON types cannot express: the rules every org of a readable state obeys.
// Across orgs: an id is tracked under one key only, and a parent key names the org that holds
// the parent id.
// A parent that is the org itself, or a chain of parents that comes back to where it started:
// no such tree exists, and walking it would never end.
void check_no_cycles(const State& s, const std::string& where,
                     const std::unordered_map<std::string_view, const std::string*>& key_by_id) {
  // 0: not seen, 1: on the current walk, 2: known to reach a root.
  std::unordered_map<std::string_view, int> mark;
  mark.reserve(s.orgs.size());
  for (const auto& [key, org] : s.orgs) {
    std::vector<std::string_view> walk;
    std::string_view id = org.id;
    while (!id.empty()) {
      int& m = mark[id];
      if (m == 2) break;
      if (m == 1) {
        const std::string& at = *key_by_id.at(id);
        invalid(where, "organizations." + at + ".parent",
                walk.size() == 1 && walk.front() == id
                    ? "is the organization itself"
                    : "the parents of " + at + " lead back to it (a cycle)");
      }
      m = 1;
      walk.push_back(id);
      auto it = key_by_id.find(id);
      if (it == key_by_id.end()) break;
      id = s.orgs.at(*it->second).parent_id();
      if (!key_by_id.count(id)) break;  // a parent outside this state, or a root
    }
    for (std::string_view w : walk) mark[w] = 2;
  }
}

void check_links(const State& s, const std::string& where) {
  std::unordered_map<std::string_view, const std::string*> key_by_id;
  key_by_id.reserve(s.orgs.size());
  for (const auto& [key, org] : s.orgs) {
    if (org.id.empty()) continue;
    auto [it, added] = key_by_id.emplace(org.id, &key);
    if (!added) {
      invalid(where, "organizations." + key + ".id",
              org.id + " is also the id of organizations." + *it->second +
                  "; one organization cannot be tracked under two keys");
    }
  }
  for (const auto& [key, org] : s.orgs) {
    if (org.parent_key.empty()) continue;
    auto it = key_by_id.find(org.parent_id());
    if (it == key_by_id.end() || *it->second != org.parent_key) {
      invalid(where, "organizations." + key + ".parent.key",
              "\"" + org.parent_key + "\" does not hold the parent id " + org.parent_id());
    }
  }
  check_no_cycles(s, where, key_by_id);
}

void check_key(const std::string& key, const std::string& where) {
  if (key.empty()) invalid(where, "organizations", "an organization key is empty");
  if (key.size() > kMaxKeyBytes) {
    invalid(where, "organizations." + key.substr(0, 40) + "…",
            "the key is " + std::to_string(key.size()) + " bytes long, more than the " +
                std::to_string(kMaxKeyBytes) + " a key may have");
  }
}

}  // namespace

namespace detail {

void check_org(const OrgState& o, const std::string& where, const std::string& path,
               bool id_optional) {
  if (!(o.id.empty() && (o.pending_create || id_optional))) {
    if (std::string problem = org_id_problem(o.id); !problem.empty()) {
      invalid(where, path + ".id",
              "\"" + o.id + "\" is not an organization id: it " + problem +
                  (o.id.empty() ? "; only a pending_create entry may lack one" : ""));
    }
  }
  if (o.spec.name.empty()) invalid(where, path + ".name", "is empty");
  if (const std::string* key = o.spec.parent.key()) {
    // Only code builds such an org: what the state reads has a parent id or none.
    invalid(where, path + ".parent",
            "is the config key \"" + *key + "\", not an id; this is a bug in cforg");
  }
  if (const std::string* parent = o.spec.parent.id()) {
    if (std::string problem = org_id_problem(*parent); !problem.empty()) {
      invalid(where, path + ".parent.id",
              "\"" + *parent + "\" is not an organization id: it " + problem);
    }
  }
  if (o.spec.parent.is_root() && !o.parent_key.empty()) {
    invalid(where, path + ".parent.key", "is set for a root organization");
  }
  if (!o.meta.is_object() && !o.meta.is_null()) {
    invalid(where, path + ".meta",
            std::string("expected an object or null, found ") + o.meta.type_name());
  }
  if (o.members) check_members(*o.members, where, path + ".members");
  if (o.accounts) check_accounts(*o.accounts, where, path + ".accounts");
}

void write_org(JsonWriter& w, const OrgState& o) {
  // Members by name, as a std::map-backed nlohmann object dumps them.
  w.begin_object();
  if (o.accounts) {
    w.key("accounts");
    write_accounts(w, *o.accounts);
  }
  w.key("create_time");
  w.string(o.create_time);
  w.key("id");
  w.string(o.id);
  if (o.members) {
    w.key("members");
    write_members(w, *o.members);
  }
  w.key("meta");
  w.value(o.meta);
  w.key("name");
  w.string(o.spec.name);
  w.key("parent");
  if (o.spec.parent.is_root()) {
    w.literal("null");
  } else {
    w.begin_object();
    w.key("id");
    w.string(o.parent_id());
    if (!o.parent_key.empty()) {
      w.key("key");
      w.string(o.parent_key);
    }
    w.end_object();
  }
  if (o.pending_create) {
    w.key("pending_create");
    w.literal("true");
  }
  w.key("prevent_destroy");
  w.literal(o.spec.prevent_destroy ? "true" : "false");
  w.key("profile");
  if (!o.spec.profile) {
    w.literal("null");
  } else {
    w.begin_object();
    for (std::string_view field : kProfileFields) {  // sorted, as the dump's keys are
      w.key(field);
      w.string(profile_field(*o.spec.profile, field));
    }
    w.end_object();
  }
  w.end_object();
}

OrgState parse_org(const JsonAt& at, bool id_optional) {
  // Members nobody asked for are refused: a typo in a hand edit, or a field of a newer cforg
  // that this one would drop. That is why `members` and `accounts` did not need a new
  // format_version: a cforg from before them refuses a state that has them ("members: unknown
  // field") instead of dropping them on its next save; a state without them is the same file
  // as before (docs/STATE.md).
  JsonObject f(at, UnknownFields::refuse);
  OrgState o;
  o.pending_create = f.optional<bool>("pending_create", false);
  o.id = f.required<std::string>("id");
  o.spec.name = f.required<std::string>("name");
  read_parent(f.at("parent"), o);
  o.spec.profile = f.required<std::optional<Profile>>("profile");
  o.create_time = f.required<std::string>("create_time");
  o.meta = f.required<json>("meta");
  o.spec.prevent_destroy = f.required<bool>("prevent_destroy");
  // Absent: not managed; [] (even empty): managed.
  if (const json* members = f.find("members")) {
    o.members = parse_members(f.where().member(*members, "members"));
  }
  if (const json* accounts = f.find("accounts")) {
    o.accounts = parse_accounts(f.where().member(*accounts, "accounts"));
  }
  f.done();
  check_org(o, std::string(at.source()), at.path(), id_optional);
  return o;
}

}  // namespace detail

OrgState from_remote(const Organization& org, const OrgState* previous) {
  return from_remote(Organization(org), previous);
}

OrgState from_remote(Organization&& org, const OrgState* previous) {
  OrgState o;
  o.id = std::move(org.id);
  o.spec = std::move(org.spec);
  o.spec.prevent_destroy = false;  // cforg's own: the API never sends it
  o.create_time = std::move(org.create_time);
  o.meta = std::move(org.meta);
  if (previous) {
    // A response without `profile` says nothing about it: keep what we knew.
    if (!org.profile_known) o.spec.profile = previous->spec.profile;
    if (o.create_time.empty()) o.create_time = previous->create_time;
    o.spec.prevent_destroy = previous->spec.prevent_destroy;
    // The key names the parent by its id; it stays right only while the parent does.
    if (previous->spec.parent == o.spec.parent) o.parent_key = previous->parent_key;
    // An org's answer carries neither its members nor its accounts: they are read and
    // journaled by calls of their own, so what the state knew of them stays.
    o.members = previous->members;
    o.accounts = previous->accounts;
  }
  return o;
}

const std::string* State::key_of(const std::string& id) const {
  if (id.empty()) return nullptr;
  for (const auto& [key, org] : orgs) {
    if (org.id == id) return &key;
  }
  return nullptr;
}

void State::relink_parents() {
  // One index from id to key makes this O(n); a key_of() per org would be O(n^2), which a
  // state of 100,000 orgs cannot afford.
  std::unordered_map<std::string_view, const std::string*> key_by_id;
  key_by_id.reserve(orgs.size());
  for (const auto& [key, org] : orgs) {
    if (!org.id.empty()) key_by_id.emplace(org.id, &key);
  }
  for (auto& [key, org] : orgs) {
    auto it = org.spec.parent.is_root() ? key_by_id.end() : key_by_id.find(org.parent_id());
    org.parent_key = it == key_by_id.end() ? std::string() : *it->second;
  }
}

std::string new_uuid() {
  // A fresh generator per call: UUIDs are rare (a lineage, a lock), and a generator kept
  // across calls would hand a forked child the same sequence as its parent.
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(), device(), device()};
  std::mt19937_64 random(seed);
  std::uint64_t hi = random();
  std::uint64_t lo = random();
  hi = (hi & ~std::uint64_t{0xF000}) | 0x4000;                           // version 4: random
  lo = (lo & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);  // variant 10xx
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

nlohmann::json org_to_json(const OrgState& o) {
  json j = json::object();
  j["create_time"] = o.create_time;
  j["id"] = o.id;
  j["meta"] = o.meta;
  j["name"] = o.spec.name;
  j["parent"] = parent_to_json(o);
  j["prevent_destroy"] = o.spec.prevent_destroy;
  j["profile"] = o.spec.profile ? profile_to_json(*o.spec.profile) : json(nullptr);
  if (o.pending_create) j["pending_create"] = true;  // only when set: most diffs never see it
  if (o.members) j["members"] = detail::members_to_json(*o.members);  // only when managed
  if (o.accounts) j["accounts"] = detail::accounts_to_json(*o.accounts);
  return j;
}

void read_json(const JsonAt& at, OrgState& o) {
  o = detail::parse_org(at, false);
}

OrgState org_from_json(const nlohmann::json& j, const std::string& where) {
  return JsonAt(j, where, "org", raise_state_error).get<OrgState>();
}

nlohmann::json to_json(const State& s) {
  json orgs = json::object();
  for (const auto& [key, org] : s.orgs) orgs[key] = org_to_json(org);
  json j = json::object();
  j["format_version"] = s.format_version;
  j["lineage"] = s.lineage;
  j["organizations"] = std::move(orgs);
  j["serial"] = s.serial;
  return j;
}

State from_json(const nlohmann::json& j, const std::string& where) {
  JsonObject f(JsonAt(j, where, "", raise_state_error), UnknownFields::refuse);
  // The version first: a newer format may differ in any other respect.
  const json* version = f.find("format_version");
  if (!version) f.fail("format_version", "missing (is this a cforg state file?)");
  if (!version->is_number_integer() || version->get<std::int64_t>() != kFormatVersion) {
    throw StateError(where + ": unknown format_version " + version->dump() +
                     "; this cforg reads format_version " + std::to_string(kFormatVersion) +
                     " only. The state was probably written by a newer cforg: upgrade cforg "
                     "(the file is left as it is).");
  }

  State s;
  s.format_version = kFormatVersion;
  s.lineage = f.required<std::string>("lineage");
  s.serial = f.required<std::uint64_t>("serial");
  JsonAt orgs = f.at("organizations");
  if (!orgs.json().is_object()) orgs.mistyped("an object");
  f.done();

  for (auto it = orgs.json().begin(); it != orgs.json().end(); ++it) {
    check_key(it.key(), where);
    s.orgs.emplace_hint(s.orgs.end(), it.key(),
                        detail::parse_org(orgs.member(it.value(), it.key()), false));
  }

  check_links(s, where);
  detail::check_account_owners(s, where);
  return s;
}

void validate(const State& s, const std::string& where) {
  if (s.format_version != kFormatVersion) {
    invalid(where, "format_version", "this cforg writes only " + std::to_string(kFormatVersion));
  }
  for (const auto& [key, org] : s.orgs) {
    check_key(key, where);
    detail::check_org(org, where, "organizations." + key, false);
  }
  check_links(s, where);
  detail::check_account_owners(s, where);
}

std::string state_to_text(const State& s) {
  try {
    std::string out;
    out.reserve(256 + s.orgs.size() * 1024);
    detail::JsonWriter w(out, 2);
    w.begin_object();
    w.key("format_version");
    w.literal(std::to_string(s.format_version));
    w.key("lineage");
    w.string(s.lineage);
    w.key("organizations");
    w.begin_object();
    for (const auto& [key, org] : s.orgs) {
      w.key(key);
      detail::write_org(w, org);
    }
    w.end_object();
    w.key("serial");
    w.literal(std::to_string(s.serial));
    w.end_object();
    out += '\n';
    return out;
  } catch (const nlohmann::json::exception& e) {
    // Only invalid UTF-8 in a string can fail here.
    throw StateError(std::string("cannot write the state as JSON: ") + e.what());
  }
}

std::uint64_t next_serial(const State& s, const std::string& where) {
  if (s.serial == std::numeric_limits<std::uint64_t>::max()) {
    throw StateError(where + ": serial " + std::to_string(s.serial) +
                     " is the largest there is; a next one would wrap to 0 and let stale "
                     "saved plans apply again. Give the state a new lineage (cforg state "
                     "pull into a new file, or edit lineage and serial by hand)");
  }
  return s.serial + 1;
}

State state_from_text(std::string_view text, const std::string& where) {
  return from_json(parse_json_text(text, where), where);
}

}  // namespace cforg::state
