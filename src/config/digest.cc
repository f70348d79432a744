// Config::digest(): a fingerprint of the desired state, not of the files that declare it.
#include <algorithm>

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
  }
  return h.hex();
}

}  // namespace cforg::config
