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

// One member of a create, once its shape is checked.
struct MemberInput {
  std::string email;  // as sent; compared ASCII case-folded
  std::string status = "active";
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
// A member to create, `{"user": {"email"}, "status"?}`; `pointer` names it in the body
// ("/member", "/members/3") for the error's source (codes 1040..1042).
Outcome<MemberInput> validate_member(const Json& value, const std::string& pointer);
// Loosely email-shaped: 1..254 visible ASCII characters, one '@' with something either side.
// Loose on purpose: the emulator is there to catch a client sending no email, not to out-RFC it.
bool email_shaped(std::string_view email);

}  // namespace cforg::emulator
