// The domain value every stage shares: a Cloudflare organization and its writable parts.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cforg {

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
  std::string parent_name;  // server-computed, informational
  std::string create_time;  // RFC 3339
  nlohmann::json meta;      // server-computed: flags, managed_by, hierarchy_tags

  bool operator==(const Organization&) const = default;
};

// True for an organization id as the API issues them: 32 lowercase hex digits.
bool is_org_id(std::string_view s);

// The profile's field names, in the API's (alphabetical) order, and access by name.
inline constexpr std::string_view kProfileFields[] = {
    "business_address", "business_email", "business_name", "business_phone", "external_metadata"};
const std::string& profile_field(const Profile& p, std::string_view field);
std::string& profile_field(Profile& p, std::string_view field);

// Profile <-> {"business_address": ..., ...}. from_json throws std::invalid_argument naming the
// missing or mistyped field.
nlohmann::json profile_to_json(const Profile& p);
Profile profile_from_json(const nlohmann::json& j);

}  // namespace cforg
