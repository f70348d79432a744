#include <stdexcept>

#include "cforg/api/client.h"

namespace cforg::api {
namespace {

std::string required_string(const nlohmann::json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end())
    throw std::invalid_argument(std::string("organization.") + field + " is missing");
  if (!it->is_string()) {
    throw std::invalid_argument(std::string("organization.") + field + " must be a string");
  }
  return it->get<std::string>();
}

// Everything but meta.
Organization fields_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("an organization must be a JSON object");
  Organization org;
  org.id = required_string(j, "id");
  // Opaque, but it goes into URL paths and filters: only what can be checked is.
  if (auto why = org_id_problem(org.id); !why.empty()) {
    throw std::invalid_argument("organization.id " + why);
  }
  org.spec.name = required_string(j, "name");
  if (auto t = j.find("create_time"); t != j.end() && t->is_string()) org.create_time = *t;

  // Absent and null both mean a root organization.
  if (auto p = j.find("parent"); p != j.end() && !p->is_null()) {
    if (!p->is_object()) throw std::invalid_argument("organization.parent must be an object");
    auto id = p->find("id");
    if (id == p->end() || !id->is_string()) {
      throw std::invalid_argument("organization.parent.id must be a string");
    }
    if (auto why = org_id_problem(id->get<std::string>()); !why.empty()) {
      throw std::invalid_argument("organization.parent.id " + why);
    }
    org.spec.parent = ParentRef::id(id->get<std::string>());
    if (auto n = p->find("name"); n != p->end() && n->is_string()) org.parent_name = *n;
  }
  // null means no profile; a present one must be complete (the model says why). An absent key
  // says nothing: GET and list may leave profiles out.
  auto p = j.find("profile");
  org.profile_known = p != j.end();
  if (p != j.end() && !p->is_null()) org.spec.profile = profile_from_json(*p);
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
