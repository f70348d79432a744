#include "cforg/model/organization.h"

#include <stdexcept>

namespace cforg {

std::string org_id_problem(std::string_view s) {
  if (s.empty()) return "is empty";
  if (s.size() > kMaxOrgIdLength) {
    return "is " + std::to_string(s.size()) + " characters long; ids have at most " +
           std::to_string(kMaxOrgIdLength);
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c > 0x20 && c < 0x7f) continue;
    std::string what = c == ' '                ? "a space"
                       : c == '\t'             ? "a tab"
                       : c < 0x20 || c == 0x7f ? "a control character"
                                               : "a non-ASCII byte";
    return "contains " + what + " at character " + std::to_string(i + 1);
  }
  return "";
}

const std::string* ParentRef::key() const {
  const Key* k = std::get_if<Key>(&v_);
  return k ? &k->value : nullptr;
}

const std::string* ParentRef::id() const {
  const Id* i = std::get_if<Id>(&v_);
  return i ? &i->value : nullptr;
}

const std::string& ParentRef::api_id() const {
  static const std::string kRoot;
  if (const Id* i = std::get_if<Id>(&v_)) return i->value;
  if (const Key* k = std::get_if<Key>(&v_)) {
    throw std::logic_error("the parent \"" + k->value +
                           "\" is a config key, which has no id until it is resolved "
                           "(resolve_parent_id); this is a bug in cforg");
  }
  return kRoot;
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
