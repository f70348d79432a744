#include "cforg/plan/plan_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cforg/model/json_parse.h"

namespace cforg::plan {
namespace {

using nlohmann::json;

json or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json target_to_json(const Target& t) {
  json parent = nullptr;
  if (!t.parent_key.empty()) parent = {{"key", t.parent_key}};
  if (!t.parent_id.empty()) parent = {{"id", t.parent_id}};
  return {{"name", t.name},
          {"parent", parent},
          {"profile", t.profile ? profile_to_json(*t.profile) : json(nullptr)},
          {"prevent_destroy", t.prevent_destroy}};
}

json changes_to_json(const std::vector<Change>& changes) {
  json out = json::array();
  for (const Change& c : changes) {
    out.push_back({{"attribute", c.attribute}, {"before", c.before}, {"after", c.after}});
  }
  return out;
}

json action_to_json(const Action& a) {
  return {{"action", to_string(a.kind)},
          {"key", a.key},
          {"id", or_null(a.id)},
          {"before", a.before ? state::org_to_json(*a.before) : json(nullptr)},
          {"after", a.after ? target_to_json(*a.after) : json(nullptr)},
          {"changes", changes_to_json(a.changes)},
          {"depends_on", a.depends_on},
          {"after_removal_of", a.after_removal_of},
          {"drift", a.drift},
          {"recover", a.recover},
          {"replace", a.replace},
          {"requests", a.requests()}};
}

// Field access that explains itself: every failure names the field and the source.
class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  const json& field(const json& j, const char* name, json::value_t type, bool nullable = false) {
    if (!j.is_object()) fail(std::string("expected an object around \"") + name + "\"");
    auto it = j.find(name);
    if (it == j.end()) fail(std::string("\"") + name + "\" is missing");
    if (nullable && it->is_null()) return *it;
    bool ok = it->type() == type || (type == json::value_t::number_unsigned &&
                                     it->is_number_integer() && it->get<long long>() >= 0);
    if (!ok) fail(std::string("\"") + name + "\" has the wrong type");
    return *it;
  }
  std::string str(const json& j, const char* name) {
    const json& v = field(j, name, json::value_t::string, true);
    return v.is_null() ? "" : v.get<std::string>();
  }
  bool flag(const json& j, const char* name) {
    return field(j, name, json::value_t::boolean).get<bool>();
  }
  [[noreturn]] void fail(const std::string& why) {
    throw PlanFileError(where_ + ": not a valid cforg plan: " + why);
  }
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

ActionKind kind_from(Reader& r, const std::string& s) {
  for (ActionKind k :
       {ActionKind::create, ActionKind::update, ActionKind::remove, ActionKind::adopt}) {
    if (to_string(k) == s) return k;
  }
  r.fail("unknown action \"" + s + "\"");
}

Target target_from(Reader& r, const json& j) {
  Target t;
  t.name = r.str(j, "name");
  const json& parent = r.field(j, "parent", json::value_t::object, true);
  if (!parent.is_null()) {
    if (parent.contains("key")) t.parent_key = r.str(parent, "key");
    if (parent.contains("id")) t.parent_id = r.str(parent, "id");
  }
  const json& profile = r.field(j, "profile", json::value_t::object, true);
  try {
    if (!profile.is_null()) t.profile = profile_from_json(profile);
  } catch (const std::invalid_argument& e) {
    r.fail(e.what());
  }
  t.prevent_destroy = r.flag(j, "prevent_destroy");
  return t;
}

std::vector<Change> changes_from(Reader& r, const json& j) {
  std::vector<Change> out;
  for (const json& c : r.field(j, "changes", json::value_t::array)) {
    out.push_back({r.str(c, "attribute"), c.value("before", json()), c.value("after", json())});
  }
  return out;
}

}  // namespace

json to_json(const Plan& plan) {
  json actions = json::array();
  for (const Action& a : plan.actions) actions.push_back(action_to_json(a));
  json observed = json::object();
  for (const auto& [key, org] : plan.observed) observed[key] = state::org_to_json(org);
  json drift = json::array();
  for (const Drift& d : plan.drift) {
    drift.push_back({{"key", d.key}, {"id", d.id}, {"changes", changes_to_json(d.changes)}});
  }
  json errors = json::array();
  for (const Problem& p : plan.errors) {
    errors.push_back({{"key", p.key}, {"message", p.message}, {"where", or_null(p.where)}});
  }
  Summary s = plan.summary();
  return {{"format_version", plan.format_version},
          {"state", {{"lineage", plan.lineage}, {"serial", plan.serial}}},
          {"config", {{"digest", plan.config_digest}, {"files", plan.config_files}}},
          {"refreshed", plan.refreshed},
          {"refresh", {{"forget", plan.forget}, {"observed", observed}, {"drift", drift}}},
          {"protection", plan.protection},
          {"actions", actions},
          {"summary",
           {{"create", s.create},
            {"update", s.update},
            {"delete", s.remove},
            {"adopt", s.adopt},
            {"replace", s.replace},
            {"unchanged", s.unchanged},
            {"renames", s.renames},
            {"profile_updates", s.profile_updates},
            {"requests", s.requests}}},
          {"changes_pending", plan.has_changes()},
          {"warnings", plan.warnings},
          {"errors", errors}};
}

Plan plan_from_json(const json& j, const std::string& where) {
  Reader r(where);
  using T = json::value_t;
  Plan p;
  // Everything under the try: a member of the wrong type deep inside ("files": [1]) is a
  // json::exception, which must come out as a PlanFileError naming the file (found by
  // tests/fuzz), not as nlohmann's bare message.
  try {
    // Compared before narrowing: 2^32 + 2 must not pass for version 2.
    const auto version = r.field(j, "format_version", T::number_unsigned).get<std::uint64_t>();
    if (version != static_cast<std::uint64_t>(kPlanFormatVersion)) {
      r.fail("format_version " + std::to_string(version) + "; this cforg reads version " +
             std::to_string(kPlanFormatVersion) + ": make the plan with the same cforg version");
    }
    p.format_version = kPlanFormatVersion;
    const json& st = r.field(j, "state", T::object);
    p.lineage = r.str(st, "lineage");
    p.serial = r.field(st, "serial", T::number_unsigned).get<std::uint64_t>();
    const json& cfg = r.field(j, "config", T::object);
    p.config_digest = r.str(cfg, "digest");
    for (const json& f : r.field(cfg, "files", T::array))
      p.config_files.push_back(f.get<std::string>());
    p.refreshed = r.flag(j, "refreshed");
    const json& refresh = r.field(j, "refresh", T::object);
    for (const json& k : r.field(refresh, "forget", T::array))
      p.forget.push_back(k.get<std::string>());
    for (const auto& [key, org] : r.field(refresh, "observed", T::object).items()) {
      p.observed[key] = state::org_from_json(org, where);
    }
    for (const json& d : r.field(refresh, "drift", T::array)) {
      p.drift.push_back({r.str(d, "key"), r.str(d, "id"), changes_from(r, d)});
    }
    for (const auto& [key, flag] : r.field(j, "protection", T::object).items()) {
      p.protection[key] = flag.get<bool>();
    }
    for (const json& a : r.field(j, "actions", T::array)) {
      Action act;
      act.kind = kind_from(r, r.str(a, "action"));
      act.key = r.str(a, "key");
      act.id = r.str(a, "id");
      const json& before = r.field(a, "before", T::object, true);
      if (!before.is_null()) act.before = state::org_from_json(before, where);
      const json& after = r.field(a, "after", T::object, true);
      if (!after.is_null()) act.after = target_from(r, after);
      act.changes = changes_from(r, a);
      for (const json& k : r.field(a, "depends_on", T::array))
        act.depends_on.push_back(k.get<std::string>());
      for (const json& k : r.field(a, "after_removal_of", T::array))
        act.after_removal_of.push_back(k.get<std::string>());
      act.drift = r.flag(a, "drift");
      act.recover = r.flag(a, "recover");
      act.replace = r.flag(a, "replace");
      if (act.replace && act.kind != ActionKind::create && act.kind != ActionKind::remove)
        r.fail("action on \"" + act.key + "\": only a create or a delete can be a replacement");
      if (act.kind != ActionKind::remove && !act.after)
        r.fail("action on \"" + act.key + "\" has no \"after\"");
      if (act.kind != ActionKind::create && act.id.empty())
        r.fail("action on \"" + act.key + "\" has no \"id\"");
      p.actions.push_back(std::move(act));
    }
    p.unchanged = r.field(r.field(j, "summary", T::object), "unchanged", T::number_unsigned)
                      .get<std::size_t>();
    for (const json& w : r.field(j, "warnings", T::array))
      p.warnings.push_back(w.get<std::string>());
    for (const json& e : r.field(j, "errors", T::array))
      p.errors.push_back({r.str(e, "key"), r.str(e, "message"), r.str(e, "where")});
  } catch (const json::exception& e) {
    r.fail(e.what());
  } catch (const state::StateError& e) {
    r.fail(e.what());
  }
  return p;
}

namespace {

[[noreturn]] void cannot_write(const std::string& path, const std::string& why) {
  throw PlanFileError("cannot write the plan to " + path + ": " + why);
}

void write_all(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) cannot_write(path, std::strerror(errno));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void write_plan_file(const Plan& plan, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string text = to_json(plan).dump(2) + "\n";
  if (path == "-") {  // standard output
    write_all(STDOUT_FILENO, text, "standard output");
    return;
  }
  // Through a symlink to its target, as any editor writes; never over a device or a folder
  // (as root, a rename over /dev/full would replace the device with a file).
  std::error_code ec;
  fs::path target = path;
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    // Followed by hand: the target may not exist yet, which weakly_canonical does not follow.
    fs::path next = fs::read_symlink(target, ec);
    if (ec) cannot_write(path, "cannot follow the symlink: " + ec.message());
    if (hops == 40) cannot_write(path, "too many levels of symlinks");
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    cannot_write(path, "it is not a regular file (a folder, a device or a pipe); name a file");
  }
  fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(folder, ec))
    cannot_write(path, "the folder " + folder.string() + " does not exist");
  // A temporary file beside it, fsynced, then renamed over it, and the folder fsynced: a crash
  // leaves the old plan or the new one, never half of one.
  std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(path, std::strerror(errno));
  try {
    write_all(fd, text, path);
    if (::fsync(fd) != 0) cannot_write(path, std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    cannot_write(path, std::strerror(err));
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
    throw PlanFileError(where + ": not a cforg plan (" +
                        (parsed.syntax_error ? std::string("not valid JSON") : parsed.problem) +
                        ")");
  }
  return plan_from_json(parsed.value, where);
}

}  // namespace cforg::plan
