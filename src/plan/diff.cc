#include "diff.h"

#include <algorithm>

namespace cforg::plan {

std::vector<Change> diff(const OrgSpec& from, const std::string& from_parent_key, const OrgSpec& to,
                         const std::string& to_parent_key, bool from_profile_known) {
  std::vector<Change> changes;
  if (from.name != to.name) changes.push_back(Change::name_change(from.name, to.name));
  if (from.parent != to.parent || (to.parent.is_root() && !to_parent_key.empty())) {
    changes.push_back(Change::parent_change({from.parent.api_id(), from_parent_key},
                                            {to.parent.api_id(), to_parent_key}));
  }
  if (!to.profile || !from_profile_known) return changes;
  if (!from.profile) {
    changes.push_back(Change::profile_change(std::nullopt, to.profile));
  } else if (*from.profile != *to.profile) {
    for (std::string_view f : kProfileFields) {
      const std::string& a = profile_field(*from.profile, f);
      const std::string& b = profile_field(*to.profile, f);
      if (a != b) changes.push_back(Change::profile_field_change(f, a, b));
    }
  }
  return changes;
}

bool changes_any(const std::vector<Change>& changes,
                 std::initializer_list<Change::Attribute> attributes) {
  return std::any_of(changes.begin(), changes.end(), [&](const Change& c) {
    return std::find(attributes.begin(), attributes.end(), c.attribute) != attributes.end();
  });
}

}  // namespace cforg::plan
