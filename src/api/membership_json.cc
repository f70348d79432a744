// The API's JSON for what lives inside an organization (members, accounts, a move's answer) ->
// the model. Fields the contract does not name are ignored: the API may add some. Failures are
// JsonFieldErrors (std::invalid_argument): "member.user.email: missing".
#include <stdexcept>

#include "cforg/api/client.h"
#include "cforg/model/json_fields.h"
#include "cforg/model/printable.h"

namespace cforg::api {
namespace {

// An id the API gave, which goes into URL paths later: opaque, but only what can be checked is.
std::string id_at(JsonObject& o, std::string_view key) {
  std::string id = o.required<std::string>(key);
  if (auto why = org_id_problem(id); !why.empty()) o.fail(key, why);
  return id;
}

}  // namespace

Member member_from_json(const nlohmann::json& j) {
  JsonObject o(JsonAt(j, "", "member"), UnknownFields::allow);
  Member m;
  m.id = id_at(o, "id");
  const std::string status = o.required<std::string>("status");
  auto s = member_status_from(status);
  if (!s) {
    o.fail("status", "\"" + printable(status, 40) + "\" is not a member status (active, canceled)");
  }
  m.status = *s;
  JsonObject user(o.at("user"), UnknownFields::allow);
  m.email = user.required<std::string>("email");
  if (m.email.empty()) user.fail("email", "is empty");
  // Informational: a mistyped one is not worth refusing the answer (as an org's).
  if (const nlohmann::json* t = o.find("create_time"); t && t->is_string()) m.create_time = *t;
  return m;
}

Account account_from_json(const nlohmann::json& j) {
  JsonObject o(JsonAt(j, "", "account"), UnknownFields::allow);
  Account a;
  a.id = id_at(o, "id");
  a.name = o.required<std::string>("name");
  // Kept as given ("standard", "enterprise", or what comes next); absent: "".
  a.type = o.optional<std::string>("type", "");
  return a;
}

AccountMove account_move_from_json(const nlohmann::json& j) {
  JsonObject o(JsonAt(j, "", "move"), UnknownFields::allow);
  AccountMove m;
  m.account_id = id_at(o, "account_id");
  m.destination_organization_id = id_at(o, "destination_organization_id");
  // Absent, null or "": the account was in no organization.
  m.source_organization_id = o.optional<std::optional<std::string>>("source_organization_id")
                                 .value_or(std::nullopt)
                                 .value_or("");
  if (!m.source_organization_id.empty()) {
    if (auto why = org_id_problem(m.source_organization_id); !why.empty()) {
      o.fail("source_organization_id", why);
    }
  }
  return m;
}

}  // namespace cforg::api
