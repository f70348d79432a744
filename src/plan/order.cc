#include "order.h"

#include <algorithm>
#include <string_view>

namespace cforg::plan {

std::vector<const config::DesiredOrg*> parents_first(const config::Config& cfg) {
  std::unordered_map<std::string_view, std::vector<const config::DesiredOrg*>> children;
  std::vector<const config::DesiredOrg*> order;
  order.reserve(cfg.orgs.size());
  for (const config::DesiredOrg& d : cfg.orgs) {
    if (const std::string* parent = d.spec.parent.key(); parent && cfg.find(*parent)) {
      children[*parent].push_back(&d);
    } else {
      order.push_back(&d);
    }
  }
  for (std::size_t i = 0; i < order.size(); ++i) {  // breadth first: the queue is `order`
    auto it = children.find(order[i]->key);
    if (it != children.end()) order.insert(order.end(), it->second.begin(), it->second.end());
  }
  return order;
}

std::vector<Action> deletes_children_first(
    const DoomedOrgs& doomed, const std::unordered_set<std::string>& replaced,
    const std::unordered_map<std::string, const state::OrgState*>& by_id) {
  auto depth = [&](const state::OrgState* o) {
    int d = 0;
    for (auto it = by_id.find(o->parent_id()); it != by_id.end() && d < 1000;
         it = by_id.find(it->second->parent_id())) {
      ++d;
    }
    return d;
  };
  struct Doomed {
    int depth;
    const std::string* key;
    const state::OrgState* org;
  };
  std::vector<Doomed> order;
  std::unordered_map<std::string, std::string> key_of_doomed;  // id -> key
  for (const auto& [key, cur] : doomed) {
    order.push_back({depth(cur), &key, cur});
    key_of_doomed[cur->id] = key;
  }
  std::sort(order.begin(), order.end(), [](const Doomed& a, const Doomed& b) {
    return a.depth != b.depth ? a.depth > b.depth : *a.key < *b.key;
  });
  // An org can be deleted once its children are: each child's delete is a replacement's
  // (then the key has a create too) or the key's only action.
  std::unordered_map<std::string, std::vector<std::string>> must_leave;  // parent key -> keys
  for (const auto& [key, cur] : doomed) {
    auto p = key_of_doomed.find(cur->parent_id());
    if (p != key_of_doomed.end()) must_leave[p->second].push_back(key);
  }
  std::vector<Action> deletes;
  deletes.reserve(order.size());
  for (const Doomed& d : order) {
    Action a;
    a.kind = ActionKind::remove;
    a.key = *d.key;
    a.id = d.org->id;
    a.before = *d.org;
    a.replace = replaced.count(a.key) > 0;
    if (auto it = must_leave.find(a.key); it != must_leave.end()) {
      for (const std::string& child : it->second) {
        (replaced.count(child) ? a.after_removal_of : a.depends_on).push_back(child);
      }
      std::sort(a.depends_on.begin(), a.depends_on.end());
      std::sort(a.after_removal_of.begin(), a.after_removal_of.end());
    }
    deletes.push_back(std::move(a));
  }
  return deletes;
}

}  // namespace cforg::plan
