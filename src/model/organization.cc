#include "cforg/model/organization.h"

#include <stdexcept>

#include "cforg/model/json_fields.h"

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

const std::string& ParentRef::key_or_empty() const {
  static const std::string kNone;
  const Key* k = std::get_if<Key>(&v_);
  return k ? k->value : kNone;
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

void to_json(nlohmann::json& j, const Profile& p) {
  j = nlohmann::json::object();
  for (std::string_view f : kProfileFields) j[std::string(f)] = profile_field(p, f);
}

void read_json(const JsonAt& at, Profile& p) {
  JsonObject o(at, UnknownFields::allow);
  for (std::string_view f : kProfileFields) profile_field(p, f) = o.required<std::string>(f);
}

nlohmann::json profile_to_json(const Profile& p) {
  return p;
}

Profile profile_from_json(const nlohmann::json& j) {
  return JsonAt(j, "", "profile").get<Profile>();
}

}  // namespace cforg
