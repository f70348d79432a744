// Config::digest(): a fingerprint of the desired state, not of the files that declare it.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/config/sha256.h"

namespace cforg::config {

namespace {

// Feeds SHA-256 with fields that cannot run into each other: every string goes in as
// "<length>:<bytes>", so ("ab", "c") and ("a", "bc") differ.
class Hasher {
 public:
  void field(std::string_view s) {
    sha_.update(std::to_string(s.size()) + ":");
    sha_.update(s);
  }

  std::string hex() { return sha_.hex(); }

 private:
  Sha256 sha_;
};

// The parent as the digest has always spelled it: its kind, then its key or id ("" for a root).
std::pair<std::string_view, std::string_view> parent_fields(const ParentRef& p) {
  if (const std::string* k = p.key()) return {"key", *k};
  if (const std::string* i = p.id()) return {"id", *i};
  return {"none", ""};
}

}  // namespace

std::string Config::digest() const {
  // Sorted by key, so that the order of organizations and of files does not matter; locations
  // and the list of files are left out for the same reason.
  std::vector<const DesiredOrg*> sorted;
  sorted.reserve(orgs.size());
  for (const DesiredOrg& org : orgs) sorted.push_back(&org);
  std::sort(sorted.begin(), sorted.end(),
            [](const DesiredOrg* a, const DesiredOrg* b) { return a->key < b->key; });

  Hasher h;
  h.field("cforg-config-v1");  // bump when the serialization changes
  for (const DesiredOrg* org : sorted) {
    h.field(org->key);
    h.field(org->spec.name);
    auto [kind, parent] = parent_fields(org->spec.parent);
    h.field(kind);
    h.field(parent);
    if (org->spec.profile) {
      h.field("profile");
      for (std::string_view f : kProfileFields) h.field(profile_field(*org->spec.profile, f));
    } else {
      h.field("no profile");
    }
    h.field(org->spec.prevent_destroy ? "prevent_destroy" : "destroyable");
    // Members and accounts only when the config manages them: an organization without the keys
    // hashes as it did before they existed, so the digests of those configs did not change (and
    // "cforg-config-v1" stays). The fields cannot be read as the next organization's: its
    // parent kind is never a number or an email. Emails go in canonical and sorted (their
    // order and letter case mean nothing); account ids sorted. Account names are left out:
    // they are comments for people, never sent or compared, so renaming one changes no plan.
    if (org->members) {
      std::vector<std::pair<std::string, std::string_view>> members;
      members.reserve(org->members->size());
      for (const MemberSpec& m : *org->members) {
        members.emplace_back(canonical_email(m.email), to_string(m.status));
      }
      std::sort(members.begin(), members.end());
      h.field("members");
      h.field(std::to_string(members.size()));
      for (const auto& [email, status] : members) {
        h.field(email);
        h.field(status);
      }
    }
    if (org->accounts) {
      std::vector<std::string_view> ids;
      ids.reserve(org->accounts->size());
      for (const AccountSpec& a : *org->accounts) ids.push_back(a.id);
      std::sort(ids.begin(), ids.end());
      h.field("accounts");
      h.field(std::to_string(ids.size()));
      for (std::string_view id : ids) h.field(id);
    }
  }
  return h.hex();
}

}  // namespace cforg::config
