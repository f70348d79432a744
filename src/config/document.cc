#include "document.h"

#include <string_view>

#include "cforg/model/organization.h"
#include "contents.h"
#include "text.h"

namespace cforg::config::detail {

namespace {

constexpr std::string_view kTopFields[] = {"organizations"};
constexpr std::string_view kOrgFields[] = {
    "name", "key", "parent", "profile", "prevent_destroy", "members", "accounts"};
enum OrgField { kName, kKey, kParent, kProfile, kPreventDestroy, kMembers, kAccounts };
constexpr std::string_view kParentFields[] = {"id"};

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\v\f") == std::string_view::npos;
}

// The problem with a name, key or profile field's text, or "" (see text_problem).
std::string string_problem(std::string_view s, const Limits& limits, std::string_view field) {
  if (field == "name") return text_problem(s, limits.max_name_chars, "name", true);
  if (field == "key" || field == "parent") {
    if (s.size() > limits.max_key_bytes) {
      return "is " + std::to_string(s.size()) + " bytes long; cforg's limit for a key is " +
             std::to_string(limits.max_key_bytes) + " bytes";
    }
    return text_problem(s, limits.max_key_bytes, "key", true);
  }
  return text_problem(s, limits.max_profile_field_chars, "profile field", false);
}

// The value of a string field whose text is fit to send and to show, or nullopt (reported).
std::optional<std::string> checked_string(Reader& r, const Field& f, const Limits& limits) {
  std::optional<std::string> s = r.string(f);
  if (!s) return s;
  if (std::string problem = string_problem(*s, limits, f.name()); !problem.empty()) {
    r.error(r.at(f.value), f.name() + ": " + problem);
    return std::nullopt;
  }
  return s;
}

// The parent, and in `where` the place of its value.
ParentRef read_parent(Reader& r, const Field& f, const Limits& limits, Location& where) {
  ParentRef parent;
  where = r.value_at(f);
  const Node& v = f.value;
  if (v.is_mapping()) {
    const std::vector<Field> fields = r.fields(v, kParentFields, "parent");
    if (!fields[0].present) {
      r.error(r.at(v),
              "parent: missing 'id'; write {id: <organization id>} for an organization outside "
              "the config, or the key of one inside it as a string");
      return parent;
    }
    std::optional<std::string> id = r.string(fields[0]);
    if (!id) return parent;
    if (std::string problem = org_id_problem(*id); !problem.empty()) {
      r.error(r.at(fields[0].value), "parent id: " + problem);
      return parent;
    }
    where = r.at(fields[0].value);
    return ParentRef::id(std::move(*id));
  }
  if (v.is_null() && r.null_literal(v).empty()) {
    r.error(r.at(f.key),
            "parent: has no value; remove it for a root organization, or write the key of "
            "an organization or {id: ...}");
    return parent;
  }
  if (v.is_sequence()) {
    r.error(r.at(v), "parent: expected the key of an organization or {id: ...}, got a list");
    return parent;
  }
  std::optional<std::string> key = r.string(f);
  if (!key) return parent;
  if (is_blank(*key)) {
    r.error(r.at(v), "parent: is empty; remove it for a root organization");
    return parent;
  }
  if (std::string problem = string_problem(*key, limits, "parent"); !problem.empty()) {
    // Every key is checked so: this one cannot name an organization of the config.
    r.error(r.at(v), "parent: " + problem);
    return parent;
  }
  return ParentRef::key(std::move(*key));
}

std::optional<Profile> read_profile(Reader& r, const Field& f, const Limits& limits) {
  const Node& v = f.value;
  if (!v.is_mapping()) {
    if (v.is_null() && r.null_literal(v).empty()) {
      r.error(r.at(f.key), "profile: has no value; give all five fields, or remove it");
    } else {
      r.error(r.at(v), "profile: expected a mapping of the five business fields, got " +
                           std::string(describe(value_type(v))));
    }
    return std::nullopt;
  }
  const std::vector<Field> fields = r.fields(v, kProfileFields, "profile");
  Profile profile;
  std::string missing;
  bool ok = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].present) {
      missing += (missing.empty() ? "" : ", ") + std::string(kProfileFields[i]);
      ok = false;
    } else if (std::optional<std::string> s = checked_string(r, fields[i], limits)) {
      profile_field(profile, kProfileFields[i]) = std::move(*s);
    } else {
      ok = false;
    }
  }
  if (!missing.empty()) {
    r.error(r.at(f.key), "profile: missing " + missing +
                             "; the API requires all five fields whenever a profile is given");
  }
  if (!ok) return std::nullopt;
  return profile;
}

// Reads one `- name: ...` item. Returns nullopt when its key cannot be determined.
std::optional<ParsedOrg> read_org(Reader& r, const Node& item, const Limits& limits) {
  if (!item.is_mapping()) {
    const bool empty = item.is_null() && r.null_literal(item).empty();
    r.error(empty ? r.empty_at(item) : r.at(item),
            "an organization must be a mapping such as `- name: Acme`, got " +
                std::string(describe(value_type(item))));
    return std::nullopt;
  }
  const std::vector<Field> f = r.fields(item, kOrgFields, "an organization");
  ParsedOrg p{};
  DesiredOrg& org = p.org;
  org.where = r.at(item);

  bool key_known = false;
  if (!f[kName].present) {
    r.error(org.where, "missing 'name'; every organization needs one");
  } else if (std::optional<std::string> name = r.string(f[kName])) {
    p.name_at = r.position(f[kName].value.mark());
    if (is_blank(*name)) {
      r.error(r.at(f[kName].value), "name: is empty; give the organization a name");
    } else if (std::string problem = string_problem(*name, limits, "name"); !problem.empty()) {
      r.error(r.at(f[kName].value), "name: " + excerpt(*name) + " " + problem);
    } else if (std::string_view edge = edge_space(*name); !edge.empty()) {
      r.error(r.at(f[kName].value),
              "name: " + excerpt(*name) + " " + std::string(edge) +
                  " with white space; remove it: cforg finds organizations again by their "
                  "exact name, and the API may trim it");
    } else {
      org.spec.name = std::move(*name);
    }
  }
  if (f[kKey].present) {
    if (std::optional<std::string> key = r.string(f[kKey])) {
      if (is_blank(*key)) {
        r.error(r.at(f[kKey].value), "key: is empty; remove it to use the name as the key");
      } else if (std::string problem = string_problem(*key, limits, "key"); !problem.empty()) {
        r.error(r.at(f[kKey].value), "key: " + excerpt(*key) + " " + problem);
      } else {
        org.key = std::move(*key);
        p.key_at = r.position(f[kKey].value.mark());
        key_known = true;
      }
    }
  } else if (!org.spec.name.empty() && org.spec.name.size() > limits.max_key_bytes) {
    // A name within its limit of characters can still be longer than a key may be in bytes.
    r.error(r.at(f[kName].value),
            "name: " + excerpt(org.spec.name) + " is " + std::to_string(org.spec.name.size()) +
                " bytes, too long to be the organization's key (cforg's limit for a key is " +
                std::to_string(limits.max_key_bytes) + " bytes); give it a shorter `key:`");
  } else if (!org.spec.name.empty()) {
    org.key = org.spec.name;
    p.key_at = p.name_at;
    p.key_from_name = true;
    key_known = true;
  }
  if (f[kParent].present) {
    org.spec.parent = read_parent(r, f[kParent], limits, org.parent_where);
  }
  if (f[kProfile].present) org.spec.profile = read_profile(r, f[kProfile], limits);
  if (f[kPreventDestroy].present) {
    org.spec.prevent_destroy = r.boolean(f[kPreventDestroy]).value_or(false);
  }
  if (f[kMembers].present) read_members(r, f[kMembers], limits, org);
  if (f[kAccounts].present) read_accounts(r, f[kAccounts], limits, org);
  if (!key_known) return std::nullopt;
  return p;
}

}  // namespace

bool read_document(const Node& root, Reader& r, std::vector<ParsedOrg>& out, const Limits& limits) {
  constexpr std::string_view kHint = "`organizations: []` manages none";
  if (root.is_null()) {
    r.error({r.file(), 0, 0}, "the file is empty; expected `organizations:` with a list (" +
                                  std::string(kHint) + ")");
    return true;
  }
  if (!root.is_mapping()) {
    r.error(r.at(root), "expected a mapping with `organizations:` at the top level, got " +
                            std::string(describe(value_type(root))));
    return false;
  }
  const std::vector<Field> top = r.fields(root, kTopFields, "the top level");
  if (!top[0].present) {
    // Other keys were reported as unknown, with a suggestion, which says it better.
    if (root.size() == 0) {
      r.error(r.at(root),
              "missing `organizations:`, the list of organizations (" + std::string(kHint) + ")");
    }
    return false;
  }
  const Node& list = top[0].value;
  if (!list.is_sequence()) {
    // A bare `organizations:` is refused rather than read as an empty list: a plan from an
    // empty list deletes every managed organization, so that must be written on purpose.
    if (list.is_null() && r.null_literal(list).empty()) {
      r.error(r.at(top[0].key),
              "organizations: has no value; list the organizations (" + std::string(kHint) + ")");
    } else {
      r.error(r.at(list),
              "organizations: expected a list, got " + std::string(describe(value_type(list))));
    }
    return false;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (out.size() >= limits.max_orgs) {
      r.error(r.at(list.item(i)),
              "more than " + std::to_string(limits.max_orgs) +
                  " organizations, cforg's limit for a config; this one and the " +
                  std::to_string(list.size() - i - 1) + " after it in this file are not read");
      return false;
    }
    if (std::optional<ParsedOrg> org = read_org(r, list.item(i), limits)) {
      out.push_back(std::move(*org));
    }
  }
  return true;
}

}  // namespace cforg::config::detail
