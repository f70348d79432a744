// The orders a plan's actions come in: creates parents first (a child names its parent's id),
// deletes children first (the API deletes only empty organizations).
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

// Config orgs ordered so that every parent comes before its children; siblings keep their
// declaration order. The config is validated, so parent keys resolve and there is no cycle.
std::vector<const config::DesiredOrg*> parents_first(const config::Config& cfg);

// The orgs a plan deletes, by key, as currently known.
using DoomedOrgs = std::vector<std::pair<std::string, const state::OrgState*>>;

// The delete actions of `doomed`, the deepest in the current tree (`by_id`: every org as
// currently known, by id) first, ties by key. Each delete waits for its children's deletes:
// `after_removal_of` for a child being replaced (the keys in `replaced`, whose delete is one
// half of a replacement), `depends_on` for a child whose delete is the key's only action.
std::vector<Action> deletes_children_first(
    const DoomedOrgs& doomed, const std::unordered_set<std::string>& replaced,
    const std::unordered_map<std::string, const state::OrgState*>& by_id);

}  // namespace cforg::plan
