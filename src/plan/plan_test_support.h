// Helpers shared by the plan stage's tests: configs from YAML, tracked orgs, remote sides, and
// an estate with a change of every kind.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"
#include "support/ids.h"

namespace cforg::plan::fixtures {

inline config::Config load(const std::string& yaml) {
  config::LoadResult r = config::load_text(yaml, "test.yaml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front().str());
  return r.config;
}

inline std::string id(int n) {
  return testing::org_id(n);
}

inline state::OrgState tracked(int n, const std::string& name, int parent = 0) {
  state::OrgState o;
  o.id = id(n);
  o.spec.name = name;
  if (parent) o.spec.parent = ParentRef::id(id(parent));
  o.create_time = "2026-01-01T00:00:00.000Z";
  o.meta = nlohmann::json::object();
  return o;
}

inline Organization remote_of(const state::OrgState& o) {
  Organization r;
  r.id = o.id;
  r.spec = o.spec;
  r.spec.prevent_destroy = false;  // cforg's own: the API has no such field
  r.create_time = o.create_time;
  r.meta = o.meta;
  return r;
}

inline std::vector<std::string> keys(const Plan& p) {
  std::vector<std::string> out;
  for (const Action& a : p.actions) out.push_back(std::string(to_string(a.kind)) + " " + a.key);
  return out;
}

inline const char* const kTree = R"(
organizations:
  - name: Data
    parent: platform
  - name: Platform
    key: platform
    parent: root
  - name: Root
    key: root
)";

inline state::State tree_state() {
  state::State st;
  st.lineage = "lineage-1";
  st.serial = 4;
  st.orgs["root"] = tracked(1, "Root");
  st.orgs["platform"] = tracked(2, "Platform", 1);
  st.orgs["Data"] = tracked(3, "Data", 2);
  st.relink_parents();
  return st;
}

// Everything in `st` exists remotely as the state says.
inline Remote remote_as_state(const state::State& st) {
  Remote remote;
  for (const auto& [key, org] : st.orgs) {
    remote.checked.insert(org.id);
    remote.orgs[org.id] = remote_of(org);
  }
  return remote;
}

// A lost state: everything exists remotely, nothing is tracked.
inline Remote untracked_tree() {
  Remote remote;
  for (const auto& [key, org] : tree_state().orgs) remote.orgs[org.id] = remote_of(org);
  remote.searched = {{"", "Root"}, {id(1), "Platform"}, {id(2), "Data"}};
  return remote;
}

// An estate with changes of every kind (creates in a tree, renames, drift, deletes at several
// depths with siblings, a replacement), plus `filler` unchanged orgs tracked and remote. The
// fillers change nothing in the plan, but they change the bucket counts and insertion history
// of every hash container the planner and its inputs use.
struct Estate {
  config::Config cfg;
  state::State st;
  Remote remote;
};

inline Estate estate_with_filler(int filler) {
  std::string yaml = "organizations:\n";
  Estate e;
  auto track = [&](int n, const std::string& key, const std::string& name, int parent) {
    e.st.orgs[key] = tracked(n, name, parent);
    e.remote.checked.insert(id(n));
    e.remote.orgs[id(n)] = remote_of(e.st.orgs[key]);
  };
  // Kept: a root with a child renamed in config and one drifted remotely.
  yaml += "  - {name: Root, key: root}\n";
  yaml += "  - {name: Renamed, key: ren, parent: root}\n";
  yaml += "  - {name: Drift, key: drift, parent: root}\n";
  yaml += "  - {name: Moved, key: moved, parent: root}\n";  // was under gone-a: replaced
  track(1, "root", "Root", 0);
  track(2, "ren", "Old name", 1);
  track(3, "drift", "Drift", 1);
  e.remote.orgs[id(3)].spec.name = "Drifted";
  // Deleted: a subtree two levels deep with siblings, in an order unlike their keys.
  track(10, "gone-a", "Gone A", 1);
  track(11, "gone-z", "Gone Z", 10);
  track(12, "gone-m", "Gone M", 10);
  track(13, "gone-b", "Gone B", 11);
  track(14, "gone-y", "Gone Y", 1);
  track(15, "moved", "Moved", 10);
  e.remote.children[id(15)] = {};
  // Created: a small tree whose config order is not its key order.
  for (const char* name : {"New Z", "New A", "New M"}) {
    yaml += std::string("  - {name: ") + name + ", parent: root}\n";
    yaml += std::string("  - {name: ") + name + " child, parent: " + name + "}\n";
  }
  for (int i = 0; i < filler; ++i) {
    std::string name = "Filler " + std::to_string(i);
    yaml += "  - {name: " + name + ", parent: root}\n";
    track(1000 + i, name, name, 1);
  }
  e.cfg = load(yaml);
  return e;
}

}  // namespace cforg::plan::fixtures
