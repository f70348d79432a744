// The API's rules for the shape of a request body, before the store looks at what it names
// (whether a parent exists is the store's business: codes 1008, 1009).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "error_codes.h"

namespace cforg::emulator {

using Json = nlohmann::json;

struct Profile {
  std::string business_address, business_email, business_name, business_phone, external_metadata;
};

// What a POST or PUT body asks for, once its shape is checked.
struct OrganizationInput {
  std::string name;
  std::string parent_id;  // empty: a root organization
  std::optional<Profile> profile;
};

// A 400 of `code` (codes 1001..1017), the pointer naming the member at fault.
ApiError bad_request(int code, std::string message, std::string pointer = "");

// Body text -> JSON object (codes 1001, 1002).
Outcome<Json> parse_json_object(std::string_view text);
// `name`: present, a string, not empty (codes 1003..1005).
Outcome<std::string> validate_name(const Json& body);
// The shape rules of POST/PUT /organizations bodies (codes 1003..1007, 1010, 1011). Whether the
// parent exists is the store's business (1008, 1009).
Outcome<OrganizationInput> validate_organization(const Json& body);
// The five profile fields, all strings; `pointer` prefixes the source pointer ("" or "/profile").
Outcome<Profile> validate_profile(const Json& value, const std::string& pointer);

}  // namespace cforg::emulator
