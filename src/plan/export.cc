#include "cforg/plan/export.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "cforg/config/writer.h"
#include "cforg/model/ascii.h"
#include "cforg/plan/plan.h"
#include "cforg/plan/plan_file.h"
#include "export_contents.h"

namespace cforg::plan {
namespace {

namespace fs = std::filesystem;

// Siblings in a stable order that does not depend on how the server pages.
bool by_name_then_id(const Organization* a, const Organization* b) {
  return std::tie(a->spec.name, a->id) < std::tie(b->spec.name, b->id);
}

// The orgs the filters keep, by id.
std::unordered_set<std::string> kept_ids(const std::vector<Organization>& all,
                                         const ExportOptions& opts) {
  std::unordered_set<std::string> below;  // below --parent, or everything
  if (opts.parent_id.empty()) {
    for (const Organization& o : all) below.insert(o.id);
  } else {
    std::unordered_map<std::string, std::vector<const Organization*>> children;
    bool found = false;
    for (const Organization& o : all) {
      children[o.spec.parent.api_id()].push_back(&o);
      found = found || o.id == opts.parent_id;
    }
    if (!found) {
      throw ExportError("--parent " + opts.parent_id + ": no organization has this id among the " +
                        std::to_string(all.size()) +
                        " these credentials list; check the id (the dashboard shows it) and the "
                        "account of the credentials");
    }
    std::vector<std::string> todo = {opts.parent_id};
    while (!todo.empty()) {
      std::string id = std::move(todo.back());
      todo.pop_back();
      for (const Organization* c : children[id]) {
        if (below.insert(c->id).second) todo.push_back(c->id);
      }
    }
  }
  std::unordered_set<std::string> kept;
  for (const Organization& o : all) {
    if (below.count(o.id) && o.spec.name.compare(0, opts.name_prefix.size(), opts.name_prefix) == 0)
      kept.insert(o.id);
  }
  return kept;
}

// The config refuses two orgs of one name under one parent (cforg finds orgs again by name and
// parent): say which, rather than write a config that does not load.
void refuse_ambiguous_siblings(const std::vector<const Organization*>& orgs) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> ids;
  for (const Organization* o : orgs) ids[{o->spec.parent.api_id(), o->spec.name}].push_back(o->id);
  std::string message;
  std::size_t groups = 0;
  for (auto& [where, same] : ids) {
    if (same.size() < 2) continue;
    if (++groups > 5) continue;
    std::sort(same.begin(), same.end());
    message += std::string(message.empty() ? "" : "; ") + "\"" + where.second + "\" (" +
               (where.first.empty() ? "roots" : "under " + where.first) + "): ";
    for (std::size_t i = 0; i < same.size(); ++i) message += (i ? ", " : "") + same[i];
  }
  if (groups == 0) return;
  if (groups > 5) message += "; and " + std::to_string(groups - 5) + " more";
  throw ExportError(
      "cannot export organizations that share a name under one parent, since "
      "cforg tells orgs apart by name and parent after a lost state: " +
      message +
      ". Rename all but one of each (the dashboard, or PUT /organizations/{id}), "
      "or leave them out with --parent or --name-prefix");
}

// key_from_name, made unique: see export.h.
std::unordered_map<std::string, std::string> derive_keys(
    const std::vector<const Organization*>& orgs) {
  std::map<std::string, std::vector<const Organization*>> by_slug;
  for (const Organization* o : orgs) by_slug[key_from_name(o->spec.name)].push_back(o);
  // How deep each org sits among those exported. A parent is older than its children, but
  // create_time has only milliseconds, and a child created at once after its parent can carry
  // the same one: then depth says which came first.
  std::unordered_map<std::string, const Organization*> by_id;
  for (const Organization* o : orgs) by_id[o->id] = o;
  auto depth = [&](const Organization* o) {
    std::size_t d = 0;
    for (auto it = by_id.find(o->spec.parent.api_id()); it != by_id.end() && d < by_id.size();
         it = by_id.find(it->second->spec.parent.api_id())) {
      ++d;
    }
    return d;
  };
  std::unordered_map<std::string, std::string> key_of;
  std::set<std::string> taken;
  std::vector<std::pair<std::string, const Organization*>> others;
  for (auto& [slug, group] : by_slug) {
    std::sort(group.begin(), group.end(), [&](const Organization* a, const Organization* b) {
      return std::tuple(a->create_time, depth(a), a->id) <
             std::tuple(b->create_time, depth(b), b->id);
    });
    key_of[group.front()->id] = slug;
    taken.insert(slug);
    for (std::size_t i = 1; i < group.size(); ++i) others.push_back({slug, group[i]});
  }
  // After every bare slug is taken, so that a suffixed key never takes another org's.
  for (const auto& [slug, o] : others) {
    std::string id_part = key_from_name(o->id);
    std::string key;
    for (std::size_t n = 8;; ++n) {
      key = slug + "-" + id_part.substr(0, n);
      if (!taken.count(key)) break;
      if (n >= id_part.size()) {
        for (int i = 2; taken.count(key); ++i) key = slug + "-" + id_part + "-" + std::to_string(i);
        break;
      }
    }
    taken.insert(key);
    key_of[o->id] = key;
  }
  return key_of;
}

}  // namespace

std::string key_from_name(std::string_view name) {
  std::string key;
  bool dash = false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9')) {
      if (dash && !key.empty()) key += '-';
      dash = false;
      key += c;
    } else if (u >= 'A' && u <= 'Z') {
      if (dash && !key.empty()) key += '-';
      dash = false;
      key += ascii_lower(static_cast<char>(u));
    } else {
      dash = true;
    }
  }
  return key.empty() ? "org" : key;
}

Export export_orgs(api::Client& client, const ExportOptions& opts) {
  api::ListQuery query;
  // Only a name filter narrows what the server sends; --parent needs the whole tree above.
  if (opts.parent_id.empty()) query.name_contains = opts.name_prefix;
  api::Result<std::vector<Organization>> listed = client.list(query);
  if (!listed) {
    throw ExportError("listing the organizations: " + listed.error().str() +
                      ". Check the credentials and CLOUDFLARE_BASE_URL");
  }
  std::vector<Organization>& all = listed.value();
  Export e;
  e.listed = all.size();
  std::unordered_set<std::string> kept = kept_ids(all, opts);

  std::vector<const Organization*> orgs;
  std::unordered_map<std::string, std::vector<const Organization*>> children;
  std::vector<const Organization*> tops;
  for (const Organization& o : all) {
    if (!kept.count(o.id)) continue;
    orgs.push_back(&o);
    if (kept.count(o.spec.parent.api_id())) {
      children[o.spec.parent.api_id()].push_back(&o);
    } else {
      tops.push_back(&o);
    }
  }
  refuse_ambiguous_siblings(orgs);
  std::unordered_map<std::string, std::string> key_of = derive_keys(orgs);

  std::sort(tops.begin(), tops.end(), by_name_then_id);
  for (auto& [parent, list] : children) std::sort(list.begin(), list.end(), by_name_then_id);
  for (const Organization* top : tops) {
    e.tree_starts.push_back(e.orgs.size());
    std::vector<const Organization*> stack = {top};  // depth first, siblings in order
    while (!stack.empty()) {
      const Organization* o = stack.back();
      stack.pop_back();
      ExportedOrg x;
      x.desired.key = key_of.at(o->id);
      x.desired.spec.name = o->spec.name;
      if (kept.count(o->spec.parent.api_id())) {
        x.desired.spec.parent = ParentRef::key(key_of.at(o->spec.parent.api_id()));
      } else if (!o->spec.parent.is_root()) {
        x.desired.spec.parent = o->spec.parent;
      }
      x.remote = *o;
      e.orgs.push_back(std::move(x));
      auto it = children.find(o->id);
      if (it != children.end()) stack.insert(stack.end(), it->second.rbegin(), it->second.rend());
    }
  }
  read_org_contents(client, opts, e.orgs);
  desire_contents(opts, e.orgs, e.warnings);
  return e;
}

std::string export_yaml(const Export& e, std::size_t begin, std::size_t end) {
  std::vector<config::DesiredOrg> orgs;
  for (std::size_t i = begin; i < end; ++i) orgs.push_back(e.orgs[i].desired);
  return config::to_yaml(
      orgs,
      "Written by `cforg export`: the organizations as they existed. Keys come from the names\n"
      "(lower-case, other characters as \"-\"); rename an org freely, but keep its key.");
}

namespace {

// The text must load back as exactly the orgs it was made of: a name the writer quoted wrong
// would otherwise become another org (or no org) without anyone noticing.
void check_loads_back(const std::string& text, const Export& e, std::size_t begin, std::size_t end,
                      const std::string& file) {
  config::LoadResult r = config::load_text(text, file);
  auto fail = [&](const std::string& why) {
    throw ExportError("the config written for " + file + " does not read back as exported (" + why +
                      "); nothing was written. This is a bug in cforg; please report it");
  };
  if (!r.ok()) fail(r.errors.front().str());
  if (r.config.orgs.size() != end - begin) fail("a different number of organizations");
  for (std::size_t i = begin; i < end; ++i) {
    const config::DesiredOrg& want = e.orgs[i].desired;
    const config::DesiredOrg& got = r.config.orgs[i - begin];
    if (got.key != want.key || got.spec != want.spec || got.members != want.members ||
        got.accounts != want.accounts) {
      fail("organization \"" + want.key + "\" differs");
    }
  }
}

bool is_config_file(const fs::path& p) {
  std::string ext = p.extension().string();
  return (ext == ".yaml" || ext == ".yml") && p.filename().string().front() != '.';
}

}  // namespace

void check_export_target(const std::string& out, bool force) {
  std::error_code ec;
  bool folder = !out.empty() && (out.back() == '/' || fs::is_directory(out, ec));
  if (force || out.empty() || out == "-") return;
  if (!folder) {
    if (fs::exists(fs::symlink_status(out, ec))) {
      throw ExportError(out + " exists already; to replace it, add --force (or name a new file)");
    }
    return;
  }
  std::vector<fs::path> present;
  for (const fs::directory_entry& f : fs::directory_iterator(out, ec)) {
    if (is_config_file(f.path())) present.push_back(f.path());
  }
  if (present.empty()) return;
  std::sort(present.begin(), present.end());
  throw ExportError(out + " holds config files already (" + present.front().string() +
                    (present.size() > 1 ? " and " + std::to_string(present.size() - 1) + " more"
                                        : std::string()) +
                    "); cforg reads every *.yaml there, so export into an empty folder, or add "
                    "--force to replace them");
}

std::vector<std::string> write_export(const Export& e, const std::string& out, bool force) {
  std::error_code ec;
  bool folder = !out.empty() && (out.back() == '/' || fs::is_directory(out, ec));
  check_export_target(out, force);
  if (!folder) {
    std::string text = export_yaml(e, 0, e.orgs.size());
    check_loads_back(text, e, 0, e.orgs.size(), out);
    write_file_atomically(out, text, "the config");
    return {out};
  }
  // One file per top-level tree, named after its root's key (keys are [a-z0-9-], so names
  // are safe and distinct).
  std::vector<std::pair<std::string, std::string>> files;  // path, text
  std::set<std::string> names;
  for (std::size_t t = 0; t < e.tree_starts.size(); ++t) {
    std::size_t begin = e.tree_starts[t];
    std::size_t end = t + 1 < e.tree_starts.size() ? e.tree_starts[t + 1] : e.orgs.size();
    std::string name = e.orgs[begin].desired.key + ".yaml";
    std::string path = (fs::path(out) / name).string();
    std::string text = export_yaml(e, begin, end);
    check_loads_back(text, e, begin, end, path);
    names.insert(name);
    files.push_back({path, std::move(text)});
  }
  std::vector<fs::path> stale;
  if (fs::is_directory(out, ec)) {
    for (const fs::directory_entry& f : fs::directory_iterator(out, ec)) {
      if (is_config_file(f.path())) stale.push_back(f.path());
    }
  } else if (!fs::create_directories(out, ec) && ec) {
    throw ExportError("cannot create the folder " + out + ": " + ec.message());
  }
  std::vector<std::string> written;
  for (const auto& [path, text] : files) {
    write_file_atomically(path, text, "the config");
    written.push_back(path);
  }
  for (const fs::path& p : stale) {
    if (!names.count(p.filename().string())) fs::remove(p, ec);
  }
  return written;
}

void record_in_state(const Export& e, state::State& st) {
  std::vector<std::string> clashes;
  std::unordered_map<std::string, std::string> tracked;  // id -> key
  for (const auto& [key, org] : st.orgs) {
    if (!org.id.empty()) tracked[org.id] = key;
  }
  for (const ExportedOrg& x : e.orgs) {
    if (auto it = st.orgs.find(x.desired.key); it != st.orgs.end()) {
      clashes.push_back("the key \"" + x.desired.key + "\" (" + it->second.id + ")");
    } else if (auto t = tracked.find(x.remote.id); t != tracked.end()) {
      clashes.push_back(x.remote.id + " (as \"" + t->second + "\")");
    }
  }
  if (!clashes.empty()) {
    std::string list;
    for (std::size_t i = 0; i < clashes.size() && i < 5; ++i) list += (i ? ", " : "") + clashes[i];
    if (clashes.size() > 5) list += " and " + std::to_string(clashes.size() - 5) + " more";
    throw ExportError("--import: the state tracks " + list +
                      " already; nothing was imported. Export into a state of its own "
                      "(--state FILE), leave those orgs out with --parent or --name-prefix, or "
                      "forget them first with cforg state rm");
  }
  std::unordered_map<std::string, std::string> account_home;  // id -> key, as recorded
  for (const auto& [key, org] : st.orgs) {
    if (org.accounts)
      for (const auto& [id, a] : *org.accounts) account_home[id] = key;
  }
  for (const ExportedOrg& x : e.orgs) {
    state::OrgState o = state::from_remote(x.remote);
    if (x.desired.members && x.members) {
      o.members.emplace();
      for (const Member& m : *x.members) (*o.members)[canonical_email(m.email)] = m;
    }
    if (x.desired.accounts && x.accounts) {
      o.accounts.emplace();
      for (const Account& a : *x.accounts) {
        // It sits here now: a record of it in another org is out of date.
        if (auto it = account_home.find(a.id); it != account_home.end()) {
          st.orgs.at(it->second).accounts->erase(a.id);
        }
        (*o.accounts)[a.id] = a;
      }
    }
    st.orgs[x.desired.key] = std::move(o);
  }
  st.relink_parents();
}

}  // namespace cforg::plan
