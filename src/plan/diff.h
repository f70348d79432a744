// The attribute-level comparison of one organization: what the planner plans from, and what
// reading the remote side reports as drift.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "cforg/plan/plan.h"

namespace cforg::plan {

// The attribute-level differences between what an org is and what it should be.
// `to.parent` is a root when the new parent is not created yet (then `to_parent_key` says
// which it is, and it differs). A profile is compared only when `to` manages one (`to.profile`
// set) and `from`'s is known: the API has no call that removes a profile, so an absent one in
// the config means "not managed".
std::vector<Change> diff(const OrgSpec& from, const std::string& from_parent_key, const OrgSpec& to,
                         const std::string& to_parent_key, bool from_profile_known = true);

// Whether any of `changes` is of one of `attributes`.
bool changes_any(const std::vector<Change>& changes,
                 std::initializer_list<Change::Attribute> attributes);

}  // namespace cforg::plan
