// The domain value every stage shares: a Cloudflare organization and its writable parts.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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

// The parent of an organization: none (a root), the key of another organization of the
// config, or the id of an existing organization. A key means something only where a config is
// in play (config, plan); the API and the state know parents by id, so a key must be resolved
// (resolve_parent_id) before it reaches either.
class ParentRef {
 public:
  ParentRef() = default;  // a root
  static ParentRef root() { return {}; }
  static ParentRef key(std::string k) { return ParentRef(Key{std::move(k)}); }
  static ParentRef id(std::string i) { return ParentRef(Id{std::move(i)}); }
  // The API's and the state's spelling, where "" is a root.
  static ParentRef from_api_id(std::string i) { return i.empty() ? root() : id(std::move(i)); }

  bool is_root() const { return std::holds_alternative<std::monostate>(v_); }
  // The key or the id, or nullptr when the parent is not one.
  const std::string* key() const;
  const std::string* id() const;
  // The key, or "" when the parent is not one (how the state and a plan file spell it).
  const std::string& key_or_empty() const;
  // The id as the API and the state spell a parent: "" for a root. A key has no id yet:
  // asking for one is a bug, and throws std::logic_error.
  const std::string& api_id() const;

  bool operator==(const ParentRef&) const = default;

 private:
  struct Key {
    std::string value;
    bool operator==(const Key&) const = default;
  };
  struct Id {
    std::string value;
    bool operator==(const Id&) const = default;
  };
  explicit ParentRef(Key k) : v_(std::move(k)) {}
  explicit ParentRef(Id i) : v_(std::move(i)) {}
  std::variant<std::monostate, Key, Id> v_;
};

// The id `parent` stands for: "" for a root, the id for an id, and for a key the id that
// `id_of(key)` returns (a const std::string*): nullopt when that is nullptr or empty (the
// parent is not created yet). The one rule every stage resolves parents by; each passes
// what it knows of keys (the state, or what a plan or a refresh has found so far).
template <class IdOf>
std::optional<std::string> resolve_parent_id(const ParentRef& parent, const IdOf& id_of) {
  if (const std::string* k = parent.key()) {
    const std::string* found = id_of(*k);
    if (!found || found->empty()) return std::nullopt;
    return *found;
  }
  return parent.api_id();
}

// The same, with what is known of keys in a map of key -> id.
template <class Map>
std::optional<std::string> resolve_parent_id_in(const ParentRef& parent, const Map& id_of_key) {
  return resolve_parent_id(parent, [&](const std::string& key) -> const std::string* {
    auto it = id_of_key.find(key);
    return it == id_of_key.end() ? nullptr : &it->second;
  });
}

// The writable attributes of an organization, the same in every stage: what the config asks
// for, what a plan creates, what the state records and what POST sends (the client takes a
// parent only as root or id; prevent_destroy is cforg's own and never sent).
struct OrgSpec {
  std::string name;
  ParentRef parent;
  std::optional<Profile> profile;
  bool prevent_destroy = false;

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
