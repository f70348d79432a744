#include "cforg/model/organization.h"

#include <stdexcept>

namespace cforg {

bool is_org_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

const std::string& profile_field(const Profile& p, std::string_view field) {
  return profile_field(const_cast<Profile&>(p), field);
}

std::string& profile_field(Profile& p, std::string_view field) {
  if (field == "business_address") return p.business_address;
  if (field == "business_email") return p.business_email;
  if (field == "business_name") return p.business_name;
  if (field == "business_phone") return p.business_phone;
  if (field == "external_metadata") return p.external_metadata;
  throw std::invalid_argument("unknown profile field: " + std::string(field));
}

nlohmann::json profile_to_json(const Profile& p) {
  nlohmann::json j = nlohmann::json::object();
  for (std::string_view f : kProfileFields) j[std::string(f)] = profile_field(p, f);
  return j;
}

Profile profile_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("profile must be an object");
  Profile p;
  for (std::string_view f : kProfileFields) {
    auto it = j.find(f);
    if (it == j.end()) throw std::invalid_argument("profile." + std::string(f) + " is missing");
    if (!it->is_string()) {
      throw std::invalid_argument("profile." + std::string(f) + " must be a string");
    }
    profile_field(p, f) = it->get<std::string>();
  }
  return p;
}

}  // namespace cforg
