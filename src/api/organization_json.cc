#include <stdexcept>

#include "cforg/api/client.h"
#include "cforg/model/json_fields.h"

namespace cforg::api {
namespace {

// An id the API gave, used in URL paths and filters: opaque, but only what can be checked is.
std::string org_id_at(JsonObject& o, std::string_view key) {
  std::string id = o.required<std::string>(key);
  if (auto why = org_id_problem(id); !why.empty()) o.fail(key, why);
  return id;
}

// Everything but meta. Members the contract does not name are ignored: the API may add some.
// Failures are JsonFieldErrors (std::invalid_argument): "organization.id: missing".
Organization fields_from_json(const nlohmann::json& j) {
  JsonObject o(JsonAt(j, "", "organization"), UnknownFields::allow);
  Organization org;
  org.id = org_id_at(o, "id");
  org.spec.name = o.required<std::string>("name");
  // Informational, and not always sent: a mistyped one is not worth refusing the answer.
  if (const nlohmann::json* t = o.find("create_time"); t && t->is_string()) org.create_time = *t;
  // Absent and null both mean a root organization.
  if (const nlohmann::json* p = o.find("parent"); p && !p->is_null()) {
    JsonObject parent(o.at("parent"), UnknownFields::allow);
    org.spec.parent = ParentRef::id(org_id_at(parent, "id"));
    if (const nlohmann::json* n = parent.find("name"); n && n->is_string()) org.parent_name = *n;
  }
  // null means no profile; a present one must be complete (the model says why). An absent key
  // says nothing: GET and list may leave profiles out.
  org.profile_known = o.find("profile") != nullptr;
  if (org.profile_known) org.spec.profile = o.required<std::optional<Profile>>("profile");
  return org;
}

}  // namespace

// Meta is server-computed and not ours to interpret: kept exactly as received, unknown fields,
// `flags` and the newer `tenant_flags` alike.
Organization organization_from_json(const nlohmann::json& j) {
  Organization org = fields_from_json(j);
  if (auto m = j.find("meta"); m != j.end()) org.meta = *m;
  return org;
}

Organization organization_from_json(nlohmann::json&& j) {
  Organization org = fields_from_json(j);
  if (auto m = j.find("meta"); m != j.end()) org.meta = std::move(*m);
  return org;
}

nlohmann::json spec_to_json(const OrgSpec& spec) {
  nlohmann::json j = {{"name", spec.name}};
  // api_id() throws for a key: the API knows parents only by id.
  if (!spec.parent.is_root()) j["parent"] = {{"id", spec.parent.api_id()}};
  if (spec.profile) j["profile"] = profile_to_json(*spec.profile);
  return j;
}

}  // namespace cforg::api
