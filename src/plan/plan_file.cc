#include "cforg/plan/plan_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cforg/api/client.h"
#include "cforg/model/json_fields.h"
#include "cforg/model/json_parse.h"

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

// Sorted, so that one plan always has the same bytes (and digest).
template <typename Set>
std::vector<std::string> sorted(const Set& s) {
  std::vector<std::string> out(s.begin(), s.end());
  std::sort(out.begin(), out.end());
  return out;
}

[[noreturn]] void invalid_plan(const std::string& where, const std::string& why) {
  throw PlanFileError(where + ": not a valid cforg plan: " + why);
}

// A string member that may be null (written for an empty string).
std::string nullable_string(JsonObject& o, std::string_view key) {
  return o.required<std::optional<std::string>>(key).value_or("");
}

ActionKind kind_from(const JsonAt& at) {
  const std::string s = at.get<std::string>();
  for (ActionKind k :
       {ActionKind::create, ActionKind::update, ActionKind::remove, ActionKind::adopt}) {
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
  if (a.replace && a.kind != ActionKind::create && a.kind != ActionKind::remove)
    at.fail(on + ": only a create or a delete can be a replacement");
  if (a.kind != ActionKind::remove && !a.after) at.fail(on + " has no \"after\"");
  if (a.kind != ActionKind::create && a.id.empty()) at.fail(on + " has no \"id\"");
}

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
}

void to_json(json& j, const Budget& b) {
  j = {{"requests", b.requests}, {"window_ms", b.window_ms}};
}

void read_json(const JsonAt& at, Budget& b) {
  JsonObject o(at, UnknownFields::allow);
  b.requests = o.required<std::uint32_t>("requests");
  b.window_ms = o.required<std::uint64_t>("window_ms");
}

void to_json(json& j, const Options& o) {
  j = {{"adopt", o.adopt}, {"replace", o.replace}, {"targets", o.targets}, {"budget", o.budget}};
}

void read_json(const JsonAt& at, Options& out) {
  JsonObject o(at, UnknownFields::allow);
  out.adopt = o.required<bool>("adopt");
  out.replace = o.required<std::set<std::string>>("replace");
  out.targets = o.required<std::set<std::string>>("targets");
  out.budget = o.required<Budget>("budget");
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
}

void to_json(json& j, const Problem& p) {
  j = {{"key", p.key}, {"message", p.message}, {"where", or_null(p.where)}};
}

void read_json(const JsonAt& at, Problem& p) {
  JsonObject o(at, UnknownFields::allow);
  p.key = nullable_string(o, "key");
  p.message = nullable_string(o, "message");
  p.where = nullable_string(o, "where");
}

void to_json(json& j, const Drift& d) {
  j = {{"key", d.key}, {"id", d.id}, {"changes", d.changes}};
}

void read_json(const JsonAt& at, Drift& d) {
  JsonObject o(at, UnknownFields::allow);
  d.key = nullable_string(o, "key");
  d.id = nullable_string(o, "id");
  d.changes = o.required<std::vector<Change>>("changes");
}

void to_json(json& j, const Summary& s) {
  j = {{"create", s.create},    {"update", s.update},
       {"delete", s.remove},    {"adopt", s.adopt},
       {"replace", s.replace},  {"unchanged", s.unchanged},
       {"renames", s.renames},  {"profile_updates", s.profile_updates},
       {"requests", s.requests}};
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

// SHA-256 of the document without its "digest", dumped compactly. nlohmann keeps object keys
// sorted and prints numbers and strings one way, so a document read back and dumped again has
// the same bytes: any change to what it says changes the digest.
std::string plan_digest(const json& doc) {
  json rest = doc;
  rest.erase("digest");
  const std::string text = rest.dump();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr) != 1) {
    throw PlanFileError("SHA-256 is not available");
  }
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    hex += "0123456789abcdef"[md[i] >> 4];
    hex += "0123456789abcdef"[md[i] & 0xF];
  }
  return hex;
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
  doc["digest"] = plan_digest(doc);
  return doc;
}

Plan plan_from_json(const json& j, const std::string& where) {
  Plan p;
  // Everything under the try: a member of the wrong type deep inside ("files": [1]) is a
  // json::exception, which must come out as a PlanFileError naming the file (found by
  // tests/fuzz), not as nlohmann's bare message.
  try {
    JsonObject doc(JsonAt(j, where), UnknownFields::allow);  // the digest seals the rest
    // Compared before narrowing: 2^32 + 3 must not pass for version 3.
    const auto version = doc.required<std::uint64_t>("format_version");
    if (version < static_cast<std::uint64_t>(kPlanFormatVersion)) {
      // Before version 3 a plan carried neither a digest nor the inputs its actions came from, so
      // nothing in it can be verified.
      invalid_plan(where, "format_version " + std::to_string(version) +
                              ", written by an older cforg, whose plans cannot be verified (no "
                              "digest, no record of "
                              "what the actions were derived from); this cforg reads version " +
                              std::to_string(kPlanFormatVersion) + ": make a new plan");
    }
    if (version != static_cast<std::uint64_t>(kPlanFormatVersion)) {
      invalid_plan(where, "format_version " + std::to_string(version) +
                              "; this cforg reads version " + std::to_string(kPlanFormatVersion) +
                              ": make the plan with the same cforg version");
    }
    p.format_version = kPlanFormatVersion;
    // Before any field is believed: a hand edit is told as such, whatever it broke.
    const std::string digest = doc.required<std::string>("digest");
    try {
      if (digest != plan_digest(j)) {
        throw PlanFileError(where +
                            ": the plan file was changed after it was written: make a new plan "
                            "with cforg plan --out " +
                            shell_word(where) + " (its digest does not match its contents)");
      }
    } catch (const json::exception& e) {  // dump() of a string that is not UTF-8
      invalid_plan(where, e.what());
    }
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

namespace {

[[noreturn]] void cannot_write(const std::string& what, const std::string& path,
                               const std::string& why) {
  throw PlanFileError("cannot write " + what + " to " + path + ": " + why);
}

void write_all(int fd, std::string_view text, const std::string& what, const std::string& path) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) cannot_write(what, path, std::strerror(errno));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void write_plan_file(const Plan& plan, const std::string& path) {
  write_file_atomically(path, to_json(plan).dump(2) + "\n", "the plan");
}

void write_file_atomically(const std::string& path, std::string_view text,
                           const std::string& what) {
  namespace fs = std::filesystem;
  if (path == "-") {  // standard output
    write_all(STDOUT_FILENO, text, what, "standard output");
    return;
  }
  // Through a symlink to its target, as any editor writes; never over a device or a folder
  // (as root, a rename over /dev/full would replace the device with a file).
  std::error_code ec;
  fs::path target = path;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    // Followed by hand: the target may not exist yet, which weakly_canonical does not follow.
    fs::path next = fs::read_symlink(target, ec);
    if (ec) cannot_write(what, path, "cannot follow the symlink: " + ec.message());
    if (hops == 40) cannot_write(what, path, "too many levels of symlinks");
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    cannot_write(what, path,
                 "it is not a regular file (a folder, a device or a pipe); name a file");
  }
  fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(folder, ec))
    cannot_write(what, path, "the folder " + folder.string() + " does not exist");
  // A temporary file beside it, fsynced, then renamed over it, and the folder fsynced: a crash
  // leaves the old plan or the new one, never half of one.
  std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(what, path, std::strerror(errno));
  try {
    write_all(fd, text, what, path);
    if (::fsync(fd) != 0) cannot_write(what, path, std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    cannot_write(what, path, std::strerror(err));
  }
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
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
