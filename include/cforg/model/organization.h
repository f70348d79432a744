// The domain value every stage shares: a Cloudflare organization and its writable parts.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cforg {

class JsonAt;  // json_fields.h

// The business profile. The API requires all five fields whenever a profile is present.
struct Profile {
  std::string business_name;
  std::string business_email;
  std::string business_phone;
  std::string business_address;
  std::string external_metadata;

  bool operator==(const Profile&) const = default;
};

// The writable attributes: what POST and PUT (a full replace) send.
struct OrgSpec {
  std::string name;
  std::string parent_id;  // empty: a root organization
  std::optional<Profile> profile;

  bool operator==(const OrgSpec&) const = default;
};

// An organization as the API returns it.
struct Organization {
  std::string id;
  OrgSpec spec;
  // Whether the response carried a `profile` key. GET and list may leave it out; an absent key
  // means "not told", never "no profile" (then spec.profile is empty and says nothing).
  bool profile_known = true;
  std::string parent_name;  // server-computed, informational
  std::string create_time;  // RFC 3339
  nlohmann::json meta;      // server-computed: flags, managed_by, hierarchy_tags

  bool operator==(const Organization&) const = default;
};

// Organization ids are opaque strings. The published example, a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8,
// is 32 characters and not hex, and nothing promises the length either: check only what can be
// checked. An id goes into URL paths and filters, so it must be visible ASCII.
inline constexpr std::size_t kMaxOrgIdLength = 128;
// Why `s` cannot be an organization id ("is empty", "contains a space at character 4", ...), or
// "" when it can.
std::string org_id_problem(std::string_view s);
inline bool is_org_id(std::string_view s) {
  return org_id_problem(s).empty();
}

// The profile's field names, in the API's (alphabetical) order, and access by name.
inline constexpr std::string_view kProfileFields[] = {
    "business_address", "business_email", "business_name", "business_phone", "external_metadata"};
const std::string& profile_field(const Profile& p, std::string_view field);
std::string& profile_field(Profile& p, std::string_view field);

// Profile <-> {"business_address": ..., ...}: nlohmann's writer (found by ADL) and the checked
// reader (json_fields.h), which refuses a missing or mistyped field and ignores unknown ones
// (the API may add some).
void to_json(nlohmann::json& j, const Profile& p);
void read_json(const JsonAt& at, Profile& p);
// The same, for a value read on its own; from_json throws JsonFieldError (an
// std::invalid_argument) "profile.business_email: missing".
nlohmann::json profile_to_json(const Profile& p);
Profile profile_from_json(const nlohmann::json& j);

}  // namespace cforg
