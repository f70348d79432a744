// Reading what sits inside organizations for a plan: members and accounts, with paged lists
// (one listing per org: ceil(members / page size) requests), only where a plan needs them.
#include "refresh_contents.h"

#include <map>
#include <set>

#include "parallel.h"

namespace cforg::plan {

std::optional<api::ApiError> read_contents(const config::Config& cfg, const state::State& st,
                                           api::Client& client, int parallelism,
                                           bool account_sources, Remote& remote) {
  // The tracked orgs that exist, and which of their contents a plan needs: what their config
  // manages, and everything of an org the config no longer declares (its delete needs it empty).
  std::vector<std::string> member_orgs, account_orgs;
  std::set<std::string> listed_accounts;  // in some org's `accounts:`
  for (const config::DesiredOrg& d : cfg.orgs) {
    if (d.accounts)
      for (const AccountSpec& a : *d.accounts) listed_accounts.insert(a.id);
  }
  for (const auto& [key, org] : st.orgs) {
    if (org.pending_create || org.id.empty() || !remote.orgs.count(org.id)) continue;
    const config::DesiredOrg* d = cfg.find(key);
    if (!d || d->members) member_orgs.push_back(org.id);
    if (!d || d->accounts) account_orgs.push_back(org.id);
  }
  // One listing per org, in parallel: `list(id)` is the client's call, `into` where it goes.
  auto read_each = [&](const std::vector<std::string>& ids, auto list, auto& into) {
    return in_parallel(ids.size(), parallelism,
                       [&](std::size_t i, std::mutex& mu) -> std::optional<api::ApiError> {
                         auto items = list(ids[i]);
                         if (!items) return items.error();
                         std::lock_guard lock(mu);
                         into[ids[i]] = std::move(items.value());
                         return std::nullopt;
                       });
  };
  if (auto err = read_each(
          member_orgs, [&](const std::string& id) { return client.list_members(id); },
          remote.members))
    return err;
  if (auto err = read_each(
          account_orgs, [&](const std::string& id) { return client.list_accounts(id); },
          remote.accounts))
    return err;
  if (!account_sources) return std::nullopt;
  // Accounts of the config that no org read holds: where are they? One list request each
  // (GET /organizations?containing.account=), so that a plan can say where a move comes from.
  for (const auto& [org_id, accounts] : remote.accounts) {
    for (const Account& a : accounts) listed_accounts.erase(a.id);
  }
  std::vector<std::string> homeless(listed_accounts.begin(), listed_accounts.end());
  return in_parallel(homeless.size(), parallelism,
                     [&](std::size_t i, std::mutex& mu) -> std::optional<api::ApiError> {
                       auto home = api::account_home(client, homeless[i]);
                       if (!home) return home.error();
                       std::lock_guard lock(mu);
                       remote.account_homes[homeless[i]] = std::move(home.value());
                       return std::nullopt;
                     });
}

}  // namespace cforg::plan
