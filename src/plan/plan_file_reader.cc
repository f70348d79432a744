// The plan file's reader: strict, every error naming the file and the member; nothing is
// believed before the format version and the digest are checked (plan_file.cc).
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "cforg/api/client.h"
#include "cforg/model/json_fields.h"
#include "cforg/model/json_parse.h"
#include "cforg/plan/plan_file.h"
#include "plan_file_format.h"

namespace cforg::plan {
namespace {

using nlohmann::json;

// A string member that may be null (written for an empty string).
std::string nullable_string(JsonObject& o, std::string_view key) {
  return o.required<std::optional<std::string>>(key).value_or("");
}

ActionKind kind_from(const JsonAt& at) {
  const std::string s = at.get<std::string>();
  for (ActionKind k :
       {ActionKind::create, ActionKind::update, ActionKind::remove, ActionKind::adopt,
        ActionKind::add_member, ActionKind::remove_member, ActionKind::move_account}) {
    if (to_string(k) == s) return k;
  }
  at.fail("unknown action \"" + s + "\"");
}

OrgSpec target_from(const JsonAt& at) {
  JsonObject o(at, UnknownFields::allow);
  OrgSpec t;
  t.name = nullable_string(o, "name");
  JsonAt parent = o.at("parent");
  if (!parent.json().is_null()) {
    JsonObject p(parent, UnknownFields::allow);
    if (auto key = p.optional<std::string>("key")) t.parent = ParentRef::key(std::move(*key));
    if (auto id = p.optional<std::string>("id")) t.parent = ParentRef::id(std::move(*id));
  }
  t.profile = o.required<std::optional<Profile>>("profile");
  t.prevent_destroy = o.required<bool>("prevent_destroy");
  return t;
}

// A change's value, of the type its attribute holds.
Change::Value change_value_from(const JsonAt& at, Change::Attribute attribute) {
  switch (attribute) {
    case Change::Attribute::name:
    case Change::Attribute::profile_field:
      return at.get<std::string>();
    case Change::Attribute::parent: {
      if (at.json().is_null()) return std::monostate{};
      JsonObject o(at, UnknownFields::allow);
      ParentValue p{nullable_string(o, "id"), o.optional<std::string>("key", "")};
      if (p.id.empty() && p.key.empty()) at.fail("a parent with neither an id nor a key");
      return p;
    }
    case Change::Attribute::profile:
      if (at.json().is_null()) return std::monostate{};
      return at.get<Profile>();
  }
  return std::monostate{};
}

Member member_from(const JsonAt& at) {
  JsonObject o(at, UnknownFields::allow);
  Member m;
  m.email = nullable_string(o, "email");
  JsonAt status = o.at("status");
  std::optional<MemberStatus> s = member_status_from(status.get<std::string>());
  if (!s) status.fail("unknown member status \"" + status.get<std::string>() + "\"");
  m.status = *s;
  m.id = nullable_string(o, "id");
  if (m.email.empty()) at.fail("a member without an email");
  return m;
}

// Lists of the remote side by org id, each item read as the API's JSON.
template <class T, class Read>
std::unordered_map<std::string, std::vector<T>> lists_by_org(const JsonAt& at, Read read) {
  if (!at.json().is_object()) at.mistyped("an object");
  std::unordered_map<std::string, std::vector<T>> out;
  for (const auto& [id, items] : at.json().items()) {
    if (!items.is_array()) at.fail("\"" + id + "\" is not an array");
    std::vector<T>& list = out[id];
    for (const json& item : items) list.push_back(read(item));
  }
  return out;
}

}  // namespace

void read_json(const JsonAt& at, Change& c) {
  JsonObject o(at, UnknownFields::allow);
  JsonAt attribute = o.at("attribute");
  const std::string path = attribute.get<std::string>();
  if (path == "name") {
    c.attribute = Change::Attribute::name;
  } else if (path == "parent") {
    c.attribute = Change::Attribute::parent;
  } else if (path == "profile") {
    c.attribute = Change::Attribute::profile;
  } else if (path.starts_with("profile.") &&
             std::find(std::begin(kProfileFields), std::end(kProfileFields),
                       std::string_view(path).substr(8)) != std::end(kProfileFields)) {
    c.attribute = Change::Attribute::profile_field;
    c.field = path.substr(8);
  } else {
    attribute.fail("unknown attribute \"" + path + "\"");
  }
  c.before = change_value_from(o.at("before"), c.attribute);
  c.after = change_value_from(o.at("after"), c.attribute);
}

void read_json(const JsonAt& at, Action& a) {
  JsonObject o(at, UnknownFields::allow);
  a.kind = kind_from(o.at("action"));
  a.key = nullable_string(o, "key");
  a.id = nullable_string(o, "id");
  a.before = o.required<std::optional<state::OrgState>>("before");
  JsonAt after = o.at("after");
  if (!after.json().is_null()) a.after = target_from(after);
  a.changes = o.required<std::vector<Change>>("changes");
  a.depends_on = o.required<std::vector<std::string>>("depends_on");
  a.after_removal_of = o.required<std::vector<std::string>>("after_removal_of");
  a.drift = o.required<bool>("drift");
  a.recover = o.required<bool>("recover");
  a.replace = o.required<bool>("replace");
  const std::string on = "action on \"" + a.key + "\"";
  if (is_content_action(a.kind)) {
    if (a.kind == ActionKind::move_account) {
      JsonObject acc(o.at("account"), UnknownFields::allow);
      a.account = Account{nullable_string(acc, "id"), nullable_string(acc, "name"),
                          nullable_string(acc, "type")};
      if (a.account->id.empty()) at.fail(on + ": an account move without an account id");
      JsonObject from(o.at("from"), UnknownFields::allow);
      a.from_key = nullable_string(from, "key");
      a.from_id = nullable_string(from, "id");
    } else {
      a.member = member_from(o.at("member"));
      if (a.kind == ActionKind::remove_member && a.member->id.empty())
        at.fail(on + ": a member removal without the member's id");
    }
    return;
  }
  if (a.replace && a.kind != ActionKind::create && a.kind != ActionKind::remove)
    at.fail(on + ": only a create or a delete can be a replacement");
  if (a.kind != ActionKind::remove && !a.after) at.fail(on + " has no \"after\"");
  if (a.kind != ActionKind::create && a.id.empty()) at.fail(on + " has no \"id\"");
}

void read_json(const JsonAt& at, Budget& b) {
  JsonObject o(at, UnknownFields::allow);
  b.requests = o.required<std::uint32_t>("requests");
  b.window_ms = o.required<std::uint64_t>("window_ms");
}

void read_json(const JsonAt& at, Options& out) {
  JsonObject o(at, UnknownFields::allow);
  out.adopt = o.required<bool>("adopt");
  out.replace = o.required<std::set<std::string>>("replace");
  out.targets = o.required<std::set<std::string>>("targets");
  out.budget = o.required<Budget>("budget");
}

void read_json(const JsonAt& at, Remote& rem) {
  JsonObject o(at, UnknownFields::allow);
  JsonAt orgs = o.at("orgs");
  if (!orgs.json().is_array()) orgs.mistyped("an array");
  for (const json& org_json : orgs.json()) {
    Organization org = api::organization_from_json(org_json);
    std::string id = org.id;
    if (!rem.orgs.emplace(id, std::move(org)).second) {
      orgs.fail("the remote side lists the organization " + id + " twice");
    }
  }
  for (std::string& id : o.required<std::vector<std::string>>("checked")) {
    rem.checked.insert(std::move(id));
  }
  for (auto& [id, kids] : o.required<std::map<std::string, std::vector<std::string>>>("children")) {
    rem.children[id] = std::move(kids);
  }
  JsonAt searched = o.at("searched");
  if (!searched.json().is_array()) searched.mistyped("an array");
  for (std::size_t i = 0; i < searched.json().size(); ++i) {
    JsonObject s(searched.element(searched.json()[i], i), UnknownFields::allow);
    rem.searched.insert({nullable_string(s, "parent"), nullable_string(s, "name")});
  }
  rem.absent_parents = o.required<std::set<std::string>>("absent_parents");
  if (o.find("members"))
    rem.members = lists_by_org<Member>(o.at("members"),
                                       [](const json& m) { return api::member_from_json(m); });
  if (o.find("accounts"))
    rem.accounts = lists_by_org<Account>(o.at("accounts"),
                                         [](const json& a) { return api::account_from_json(a); });
  rem.account_homes = o.optional<std::map<std::string, std::string>>("account_homes", {});
}

void read_json(const JsonAt& at, Problem& p) {
  JsonObject o(at, UnknownFields::allow);
  p.key = nullable_string(o, "key");
  p.message = nullable_string(o, "message");
  p.where = nullable_string(o, "where");
}

void read_json(const JsonAt& at, Drift& d) {
  JsonObject o(at, UnknownFields::allow);
  d.key = nullable_string(o, "key");
  d.id = nullable_string(o, "id");
  d.changes = o.required<std::vector<Change>>("changes");
  d.members_added = o.optional<std::vector<std::string>>("members_added", {});
  d.members_removed = o.optional<std::vector<std::string>>("members_removed", {});
  d.accounts_arrived = o.optional<std::vector<std::string>>("accounts_arrived", {});
  d.accounts_left = o.optional<std::vector<std::string>>("accounts_left", {});
}

Plan plan_from_json(const json& j, const std::string& where) {
  Plan p;
  // Everything under the try: a member of the wrong type deep inside ("files": [1]) is a
  // json::exception, which must come out as a PlanFileError naming the file (found by
  // tests/fuzz), not as nlohmann's bare message.
  try {
    JsonObject doc(JsonAt(j, where), UnknownFields::allow);  // the digest seals the rest
    check_version_and_digest(j, where);
    p.format_version = kPlanFormatVersion;
    JsonObject st(doc.at("state"), UnknownFields::allow);
    p.lineage = nullable_string(st, "lineage");
    p.serial = st.required<std::uint64_t>("serial");
    JsonObject cfg(doc.at("config"), UnknownFields::allow);
    p.config_digest = nullable_string(cfg, "digest");
    p.config_files = cfg.required<std::vector<std::string>>("files");
    p.refreshed = doc.required<bool>("refreshed");
    p.options = doc.required<Options>("options");
    p.remote = doc.required<std::optional<Remote>>("remote");
    JsonObject refresh_members(doc.at("refresh"), UnknownFields::allow);
    p.forget = refresh_members.required<std::vector<std::string>>("forget");
    p.observed = refresh_members.required<std::map<std::string, state::OrgState>>("observed");
    p.drift = refresh_members.required<std::vector<Drift>>("drift");
    p.contents_learned = refresh_members.optional<std::set<std::string>>("contents_learned", {});
    p.protection = doc.required<std::map<std::string, bool>>("protection");
    p.actions = doc.required<std::vector<Action>>("actions");
    p.unchanged =
        JsonObject(doc.at("summary"), UnknownFields::allow).required<std::size_t>("unchanged");
    p.warnings = doc.required<std::vector<std::string>>("warnings");
    p.errors = doc.required<std::vector<Problem>>("errors");
  } catch (const JsonFieldError& e) {  // names the member: "options.budget.requests: ..."
    invalid_plan(where, e.field_problem());
  } catch (const json::exception& e) {
    invalid_plan(where, e.what());
  } catch (const state::StateError& e) {
    invalid_plan(where, e.what());
  } catch (const std::invalid_argument& e) {  // an organization of the remote side
    invalid_plan(where, e.what());
  }
  return p;
}

Plan read_plan_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw PlanFileError("cannot read the plan file " + path + ": no such file or not readable");
  std::stringstream ss;
  ss << in.rdbuf();
  return plan_from_text(ss.str(), path);
}

Plan plan_from_text(std::string_view text, const std::string& where) {
  JsonParse parsed = parse_json_checked(text);
  if (!parsed.ok()) {
    throw PlanFileError(parsed.located(where, text) +
                        ": not a cforg plan (invalid JSON: " + parsed.message() + ")");
  }
  return plan_from_json(parsed.value, where);
}

}  // namespace cforg::plan
