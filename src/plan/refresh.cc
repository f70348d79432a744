#include "cforg/plan/refresh.h"

#include <algorithm>
#include <map>

#include "parallel.h"
#include "refresh_contents.h"

namespace cforg::plan {
namespace {

using Query = api::ListQuery;

// Sends the queries and adds every org returned to `remote`. Stops at the first error.
std::optional<api::ApiError> run_queries(const std::vector<Query>& queries, api::Client& client,
                                         int parallelism, Remote& remote) {
  return in_parallel(queries.size(), parallelism,
                     [&](std::size_t i, std::mutex& mu) -> std::optional<api::ApiError> {
                       api::Result<std::vector<Organization>> page = client.list(queries[i]);
                       if (!page) return page.error();
                       std::lock_guard lock(mu);
                       for (Organization& o : page.value()) {
                         remote.orgs.emplace(o.id, std::move(o));
                       }
                       return std::nullopt;
                     });
}

// The children of every tracked org to be replaced, one listing each.
std::optional<api::ApiError> read_children(const state::State& st, api::Client& client,
                                           const ReadOptions& opts, Remote& remote) {
  std::vector<std::string> ids;
  for (const std::string& key : opts.replace) {
    auto it = st.orgs.find(key);
    if (it != st.orgs.end() && !it->second.pending_create && remote.orgs.count(it->second.id)) {
      ids.push_back(it->second.id);
    }
  }
  return in_parallel(ids.size(), opts.parallelism,
                     [&](std::size_t i, std::mutex& mu) -> std::optional<api::ApiError> {
                       Query q;
                       q.parent_id = ids[i];
                       api::Result<std::vector<Organization>> page = client.list(q);
                       if (!page) return page.error();
                       std::lock_guard lock(mu);
                       std::vector<std::string>& children = remote.children[ids[i]];
                       for (Organization& o : page.value()) {
                         children.push_back(o.id);
                         remote.orgs.emplace(o.id, std::move(o));
                       }
                       return std::nullopt;
                     });
}

// GET .../profile for the orgs read without one whose config manages a profile: the tracked
// ones, and the untracked look-alikes of orgs about to be created (adopt, recovery). Nothing
// is sent when the list carried profiles.
std::optional<api::ApiError> read_profiles(const config::Config& cfg, const state::State& st,
                                           api::Client& client, const ReadOptions& opts,
                                           Remote& remote) {
  std::unordered_set<std::string> wanted_ids;
  std::set<std::pair<std::string, std::string>> wanted_names;  // (parent id, name)
  std::unordered_map<std::string, std::string> id_of;          // key -> id, tracked and known
  for (const auto& [key, org] : st.orgs) {
    if (!org.pending_create && remote.orgs.count(org.id)) id_of[key] = org.id;
  }
  for (const config::DesiredOrg& d : cfg.orgs) {
    if (!d.spec.profile) continue;
    if (auto it = id_of.find(d.key); it != id_of.end()) {
      wanted_ids.insert(it->second);
      continue;
    }
    std::optional<std::string> parent = resolve_parent_id_in(d.spec.parent, id_of);
    if (!parent) {
      // The parent is untracked: its look-alike, if any, is found by name.
      for (const auto& [id, org] : remote.orgs) {
        if (org.spec.name == d.spec.name) wanted_ids.insert(id);
      }
      continue;
    }
    wanted_names.insert({*parent, d.spec.name});
  }
  std::vector<std::string> ids;
  for (const auto& [id, org] : remote.orgs) {
    if (org.profile_known) continue;
    if (wanted_ids.count(id) || wanted_names.count({org.spec.parent.api_id(), org.spec.name})) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return in_parallel(ids.size(), opts.parallelism,
                     [&](std::size_t i, std::mutex& mu) -> std::optional<api::ApiError> {
                       api::Result<std::optional<Profile>> profile = client.get_profile(ids[i]);
                       if (!profile) return profile.error();
                       std::lock_guard lock(mu);
                       Organization& org = remote.orgs.at(ids[i]);
                       org.spec.profile = std::move(profile.value());
                       org.profile_known = true;
                       return std::nullopt;
                     });
}

// The `parent: {id: …}` ids of the config that nothing read so far shows to exist (as an org
// read, or as the parent of one), asked for by id: a wrong id is then an error at plan, not
// at apply, when the create is refused and its children are skipped. The list's `id=` filter
// is the same read as GET /organizations/{id}, but takes 100 ids a request and an API token
// (the spec's GET takes only the global key).
std::optional<api::ApiError> read_external_parents(const config::Config& cfg, api::Client& client,
                                                   const ReadOptions& opts, Remote& remote) {
  std::unordered_set<std::string> known;
  for (const auto& [id, org] : remote.orgs) {
    known.insert(id);
    if (!org.spec.parent.is_root()) known.insert(org.spec.parent.api_id());
  }
  std::set<std::string> unknown;
  for (const config::DesiredOrg& d : cfg.orgs) {
    if (const std::string* id = d.spec.parent.id(); id && !known.count(*id)) {
      unknown.insert(*id);
    }
  }
  std::vector<Query> queries;
  for (const std::string& id : unknown) {
    if (queries.empty() || queries.back().ids.size() >= opts.ids_per_request) {
      queries.emplace_back();
    }
    queries.back().ids.push_back(id);
  }
  if (auto err = run_queries(queries, client, opts.parallelism, remote)) return err;
  for (const std::string& id : unknown) {
    if (!remote.orgs.count(id)) remote.absent_parents.insert(id);
  }
  return std::nullopt;
}

// Someone the plan may create: a config org not tracked (or tracked but gone, or pending),
// or a pending create the config no longer declares.
struct Candidate {
  std::string key;
  std::string name;
  // A key (a managed parent, resolved as the search goes), an id (an external parent, or a
  // pending create's recorded one) or a root.
  ParentRef parent;
  bool done = false;
};

// Every tracked org, by id, ids_per_request at a time.
api::Result<Remote> read_tracked(const state::State& st, api::Client& client,
                                 const ReadOptions& opts) {
  Remote remote;
  std::vector<Query> queries;
  for (const auto& [key, org] : st.orgs) {
    if (org.pending_create || org.id.empty()) continue;
    if (queries.empty() || queries.back().ids.size() >= opts.ids_per_request) {
      queries.emplace_back();
    }
    queries.back().ids.push_back(org.id);
    remote.checked.insert(org.id);
  }
  if (auto err = run_queries(queries, client, opts.parallelism, remote)) return *err;
  return remote;
}

}  // namespace

api::Result<Remote> read_remote(const config::Config& cfg, const state::State& st,
                                api::Client& client, const ReadOptions& opts) {
  api::Result<Remote> read = read_tracked(st, client, opts);
  if (!read) return read;
  Remote& remote = read.value();

  std::unordered_set<std::string> tracked;                // ids of tracked orgs that exist
  std::unordered_map<std::string, std::string> resolved;  // key -> id of an existing org
  for (const auto& [key, org] : st.orgs) {
    if (!org.pending_create && remote.orgs.count(org.id)) {
      tracked.insert(org.id);
      resolved[key] = org.id;
    }
  }
  std::vector<Candidate> candidates;
  for (const config::DesiredOrg& d : cfg.orgs) {
    if (resolved.count(d.key)) continue;
    candidates.push_back({d.key, d.spec.name, d.spec.parent});
  }
  for (const auto& [key, org] : st.orgs) {
    if (org.pending_create && !cfg.find(key)) {
      candidates.push_back({key, org.spec.name, org.spec.parent});
    }
  }

  // Level by level: a candidate can be looked for once its parent's id is known. When that
  // would take more requests than reading every org once, read every org once instead.
  bool read_everything = false;
  for (;;) {
    std::map<std::string, std::vector<Candidate*>> by_parent;
    for (Candidate& c : candidates) {
      if (c.done) continue;
      if (std::optional<std::string> parent_id = resolve_parent_id_in(c.parent, resolved))
        by_parent[*parent_id].push_back(&c);
    }
    if (by_parent.empty()) break;
    std::vector<Query> queries;
    for (const auto& [parent_id, group] : by_parent) {
      // A few names: one small query each. Many: one listing of all the parent's children.
      constexpr std::size_t kFewNames = 3;
      if (group.size() <= kFewNames) {
        for (const Candidate* c : group) {
          Query q;
          q.parent_id = parent_id;
          q.name = c->name;
          queries.push_back(std::move(q));
        }
      } else {
        Query q;
        q.parent_id = parent_id;
        queries.push_back(std::move(q));
      }
    }
    std::size_t pages_of_everything =
        (tracked.size() + candidates.size()) / opts.ids_per_request + 1;
    if (!read_everything && queries.size() > pages_of_everything) {
      queries = {Query{}};
      read_everything = true;
    } else if (read_everything) {
      queries.clear();  // every org is already in `remote`
    }
    if (auto err = run_queries(queries, client, opts.parallelism, remote)) return *err;

    std::map<std::pair<std::string, std::string>, std::vector<std::string>> found;
    for (const auto& [id, org] : remote.orgs) {
      if (!tracked.count(id)) found[{org.spec.parent.api_id(), org.spec.name}].push_back(id);
    }
    for (const auto& [parent_id, group] : by_parent) {
      for (Candidate* c : group) {
        c->done = true;
        remote.searched.insert({parent_id, c->name});
        auto it = found.find({parent_id, c->name});
        // Exactly one match: the org exists; its children may exist too, look for them next.
        if (it != found.end() && it->second.size() == 1) resolved[c->key] = it->second.front();
      }
    }
  }
  if (auto err = read_external_parents(cfg, client, opts, remote)) return *err;
  if (auto err = read_children(st, client, opts, remote)) return *err;
  if (auto err = read_profiles(cfg, st, client, opts, remote)) return *err;
  if (auto err = read_contents(cfg, st, client, opts.parallelism, opts.account_sources, remote))
    return *err;
  return read;
}

}  // namespace cforg::plan
