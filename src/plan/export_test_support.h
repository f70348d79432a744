// A fake estate for the export tests (export_test.cc, export_contents_test.cc).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/model/ascii.h"
#include "stub_client.h"
#include "support/ids.h"

namespace cforg::plan::testing_support {

// Serves list() from a fixed set of orgs (in the order given, as a server may), without
// profiles unless told; get_profile() from the same set; list_members() and list_accounts()
// from their maps by org id (an org not in them has none).
class EstateClient : public StubClient {
 public:
  api::Result<std::optional<Profile>> get_profile(const std::string& id) override {
    std::lock_guard lock(mu);
    ++profile_reads;
    for (const Organization& o : orgs) {
      if (o.id == id) return o.spec.profile;
    }
    return api::ApiError{};
  }
  api::Result<std::vector<Member>> list_members(const std::string& org,
                                                const std::string&) override {
    std::lock_guard lock(mu);
    ++member_reads;
    if (org == failing) {
      api::ApiError err;
      err.status = 500;
      err.request = "GET .../members";
      return err;
    }
    auto it = members.find(org);
    return it == members.end() ? std::vector<Member>{} : it->second;
  }
  api::Result<std::vector<Account>> list_accounts(const std::string& org) override {
    std::lock_guard lock(mu);
    ++account_reads;
    auto it = accounts.find(org);
    return it == accounts.end() ? std::vector<Account>{} : it->second;
  }
  api::Result<std::vector<Organization>> list(const api::ListQuery& q) override {
    std::lock_guard lock(mu);
    queries.push_back(q);
    std::vector<Organization> out;
    for (const Organization& o : orgs) {
      if (ascii_lower(o.spec.name).find(ascii_lower(q.name_contains)) == std::string::npos)
        continue;
      out.push_back(o);
      out.back().profile_known = false;
      out.back().spec.profile.reset();
    }
    return out;
  }

  Organization& add(const std::string& name, const std::string& parent_id = "",
                    std::optional<Profile> profile = std::nullopt) {
    Organization o;
    o.id = testing::org_id(orgs.size() + 1);
    o.spec = {name, ParentRef::from_api_id(parent_id), std::move(profile)};
    o.create_time = "2026-01-01T00:00:" + std::to_string(10 + orgs.size()) + "Z";
    orgs.push_back(o);
    return orgs.back();
  }

  std::vector<Organization> orgs;
  std::mutex mu;
  std::vector<api::ListQuery> queries;
  std::size_t profile_reads = 0;
  std::map<std::string, std::vector<Member>> members;    // by org id
  std::map<std::string, std::vector<Account>> accounts;  // by org id
  std::size_t member_reads = 0, account_reads = 0;
  std::string failing;  // list_members of this org id fails
};

}  // namespace cforg::plan::testing_support
