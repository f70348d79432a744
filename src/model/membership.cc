#include "cforg/model/membership.h"

#include "cforg/model/ascii.h"
#include "cforg/model/organization.h"

namespace cforg {

std::string_view to_string(MemberStatus s) {
  return s == MemberStatus::canceled ? "canceled" : "active";
}

std::optional<MemberStatus> member_status_from(std::string_view s) {
  if (s == "active") return MemberStatus::active;
  if (s == "canceled") return MemberStatus::canceled;
  return std::nullopt;
}

std::string canonical_email(std::string_view email) {
  return ascii_lower(email);
}

std::string account_id_problem(std::string_view s) {
  // The same opaque-id rule as organizations: ids go into URL paths.
  return org_id_problem(s);
}

}  // namespace cforg
