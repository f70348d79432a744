#include "validation.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cforg::emulator {
namespace {

constexpr std::array<const char*, 5> kProfileFields = {
    "business_address", "business_email", "business_name", "business_phone", "external_metadata"};

}  // namespace

ApiError bad_request(int code, std::string message, std::string pointer) {
  return {400, code, std::move(message), std::move(pointer)};
}

Outcome<Json> parse_json_object(std::string_view text) {
  Json body = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return bad_request(code::kBodyNotJson, "request body is not valid JSON");
  }
  if (!body.is_object()) {
    return bad_request(code::kBodyNotObject,
                       "request body must be a JSON object, got " + std::string(body.type_name()));
  }
  return body;
}

Outcome<Profile> validate_profile(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    return bad_request(code::kProfileNotObject,
                       (pointer.empty() ? std::string("request body") : "profile") +
                           " must be an object with the five profile fields",
                       pointer.empty() ? "/" : pointer);
  }
  std::array<std::string, 5> fields;
  for (size_t i = 0; i < kProfileFields.size(); ++i) {
    const char* name = kProfileFields[i];
    auto it = value.find(name);
    std::string where = pointer.empty() ? name : "profile." + std::string(name);
    if (it == value.end()) {
      return bad_request(code::kProfileFieldInvalid,
                         where +
                             " is required: a profile needs all of business_address, "
                             "business_email, business_name, business_phone, "
                             "external_metadata",
                         pointer + "/" + name);
    }
    if (!it->is_string()) {
      return bad_request(code::kProfileFieldInvalid,
                         where + " must be a string, got " + std::string(it->type_name()),
                         pointer + "/" + name);
    }
    fields[i] = it->get<std::string>();
  }
  return Profile{fields[0], fields[1], fields[2], fields[3], fields[4]};
}

Outcome<std::string> validate_name(const Json& body) {
  auto name = body.find("name");
  if (name == body.end()) return bad_request(code::kNameMissing, "name is required", "/name");
  if (!name->is_string()) {
    return bad_request(code::kNameNotString,
                       "name must be a string, got " + std::string(name->type_name()), "/name");
  }
  std::string text = name->get<std::string>();
  if (text.empty()) return bad_request(code::kNameEmpty, "name must not be empty", "/name");
  return text;
}

Outcome<OrganizationInput> validate_organization(const Json& body) {
  OrganizationInput input;
  auto name = validate_name(body);
  if (!name.ok()) return name.error();
  input.name = name.value();

  // `null` is read as "absent" for the optional members: some JSON encoders write unset
  // optionals that way, and the contract does not say the API refuses it.
  auto parent = body.find("parent");
  if (parent != body.end() && !parent->is_null()) {
    if (!parent->is_object()) {
      return bad_request(code::kParentNotObject,
                         "parent must be an object like {\"id\": \"...\"}, got " +
                             std::string(parent->type_name()),
                         "/parent");
    }
    auto id = parent->find("id");
    if (id == parent->end() || !id->is_string()) {
      return bad_request(code::kParentIdNotString,
                         id == parent->end()
                             ? std::string("parent.id is required when parent is given")
                             : "parent.id must be a string, got " + std::string(id->type_name()),
                         "/parent/id");
    }
    input.parent_id = id->get<std::string>();
    if (input.parent_id.empty()) {
      return bad_request(code::kParentNotFound, "parent organization '' not found", "/parent/id");
    }
  }

  auto profile = body.find("profile");
  if (profile != body.end() && !profile->is_null()) {
    auto checked = validate_profile(*profile, "/profile");
    if (!checked.ok()) return checked.error();
    input.profile = checked.value();
  }
  return input;
}

bool email_shaped(std::string_view email) {
  if (email.empty() || email.size() > 254) return false;
  bool visible =
      std::all_of(email.begin(), email.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  size_t at = email.find('@');
  return visible && at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string_view::npos;
}

Outcome<MemberInput> validate_member(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    return bad_request(code::kMemberNotObject,
                       "member must be an object {\"user\": {\"email\": ...}}", pointer);
  }
  MemberInput input;
  auto user = value.find("user");
  const Json* email = nullptr;
  if (user != value.end() && user->is_object()) {
    if (auto it = user->find("email"); it != user->end()) email = &*it;
  }
  if (!email || !email->is_string() || !email_shaped(email->get_ref<const std::string&>())) {
    std::string shown = email && email->is_string() ? " '" + email->get<std::string>() + "'" : "";
    return bad_request(code::kMemberEmailInvalid,
                       "user.email" + shown +
                           " must be an email address (one '@', at most 254 "
                           "visible characters)",
                       pointer + "/user/email");
  }
  input.email = email->get<std::string>();
  if (auto status = value.find("status"); status != value.end() && !status->is_null()) {
    if (!status->is_string() || (*status != "active" && *status != "canceled")) {
      return bad_request(code::kMemberStatusInvalid, "status must be \"active\" or \"canceled\"",
                         pointer + "/status");
    }
    input.status = status->get<std::string>();
  }
  return input;
}

}  // namespace cforg::emulator
