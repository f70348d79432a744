// cforg export beyond the org list: each org's profile, members and accounts, read with one
// request (or one paged listing) per org each, and turned into what the config manages.
#include "export_contents.h"

#include <algorithm>
#include <map>
#include <set>

#include "cforg/config/config.h"
#include "parallel.h"

namespace cforg::plan {
namespace {

enum class Read { profile, members, accounts };

struct Task {
  std::size_t org;
  Read what;
};

// "a@x.com, b@x.com and 3 more": messages stay one line.
std::string few(const std::vector<std::string>& items, std::size_t shown = 3) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > shown) out += " and " + std::to_string(items.size() - shown) + " more";
  return out;
}

std::string quoted_keys(const std::vector<ExportedOrg>& orgs, const std::set<std::size_t>& which) {
  std::vector<std::string> keys;
  for (std::size_t i : which) keys.push_back("\"" + orgs[i].desired.key + "\"");
  return few(keys);
}

[[noreturn]] void fail(const ExportedOrg& o, Read what, const api::ApiError& err) {
  switch (what) {
    case Read::profile:
      throw ExportError("reading a profile: " + err.str() +
                        ". To export without profiles (only list requests), use --profiles=false");
    case Read::members:
      throw ExportError("listing the members of \"" + o.desired.key + "\" (" + o.remote.id +
                        "): " + err.str() + ". To export without members, use --members=false");
    case Read::accounts:
      throw ExportError("listing the accounts of \"" + o.desired.key + "\" (" + o.remote.id +
                        "): " + err.str() + ". To export without accounts, use --accounts=false");
  }
  throw ExportError("unreachable");
}

// The orgs (indices) holding an item that another org, or the same org a second time, holds.
template <class Items, class Name>
std::set<std::size_t> sharing(const std::vector<ExportedOrg>& orgs, Items items, Name name,
                              std::vector<std::string>& shared) {
  std::map<std::string, std::vector<std::size_t>> holders;
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    if (const auto* list = items(orgs[i])) {
      for (const auto& item : *list) holders[name(item)].push_back(i);
    }
  }
  std::set<std::size_t> out;
  for (const auto& [n, at] : holders) {
    if (at.size() < 2) continue;
    out.insert(at.begin(), at.end());
    shared.push_back(n);
  }
  return out;
}

}  // namespace

void read_org_contents(api::Client& client, const ExportOptions& opts,
                       std::vector<ExportedOrg>& orgs) {
  std::vector<Task> todo;
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    if (opts.profiles && !orgs[i].remote.profile_known) todo.push_back({i, Read::profile});
    if (opts.members) todo.push_back({i, Read::members});
    if (opts.accounts) todo.push_back({i, Read::accounts});
  }
  // Each task's own error, so that the one reported is the first in order, whatever the
  // threads' timing.
  std::vector<std::optional<api::ApiError>> failed(todo.size());
  std::size_t done = 0;
  in_parallel(todo.size(), opts.parallelism,
              [&](std::size_t t, std::mutex& mu) -> std::optional<api::ApiError> {
                ExportedOrg& o = orgs[todo[t].org];
                std::optional<api::ApiError> err;
                // The read's error, or its value handed to `store` under the lock.
                auto take = [&](auto read, auto store) {
                  if (!read) {
                    err = read.error();
                    return;
                  }
                  std::lock_guard lock(mu);
                  store(std::move(read.value()));
                };
                switch (todo[t].what) {
                  case Read::profile:
                    take(client.get_profile(o.remote.id), [&](std::optional<Profile> p) {
                      o.remote.spec.profile = std::move(p);
                      o.remote.profile_known = true;
                    });
                    break;
                  case Read::members:
                    take(client.list_members(o.remote.id),
                         [&](std::vector<Member> m) { o.members = std::move(m); });
                    break;
                  case Read::accounts:
                    take(client.list_accounts(o.remote.id),
                         [&](std::vector<Account> x) { o.accounts = std::move(x); });
                    break;
                }
                std::lock_guard lock(mu);
                if (err) {
                  failed[t] = err;
                  return err;
                }
                if (opts.on_read) opts.on_read(++done, todo.size());
                return std::nullopt;
              });
  for (std::size_t t = 0; t < todo.size(); ++t) {
    if (failed[t]) fail(orgs[todo[t].org], todo[t].what, *failed[t]);
  }
}

void desire_contents(const ExportOptions& opts, std::vector<ExportedOrg>& orgs,
                     std::vector<std::string>& warnings) {
  if (opts.profiles) {
    for (ExportedOrg& x : orgs) x.desired.spec.profile = x.remote.spec.profile;
  } else {
    // Not read, so not managed: a config without `profile:` leaves the profile alone.
    for (ExportedOrg& x : orgs) x.remote.profile_known = false;
  }

  // Members: a config lists an email in one org only, so the orgs that share one are left
  // out whole (listing the email in one of them would make the plan remove it from the other).
  std::vector<std::string> shared;
  std::set<std::size_t> unmanaged = sharing(
      orgs, [](const ExportedOrg& x) { return x.members ? &*x.members : nullptr; },
      [](const Member& m) { return canonical_email(m.email); }, shared);
  if (!unmanaged.empty()) {
    warnings.push_back("the members of " + std::to_string(unmanaged.size()) + " organizations (" +
                       quoted_keys(orgs, unmanaged) +
                       ") are left out, not managed: a config lists an email in one organization "
                       "only, and " +
                       few(shared) + (shared.size() == 1 ? " is a member" : " are members") +
                       " of several. To manage them, list each email under one of them");
  }
  const std::size_t max_members = config::Limits{}.max_members_per_org;
  std::set<std::size_t> too_many;
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    if (orgs[i].members && orgs[i].members->size() > max_members && !unmanaged.count(i)) {
      too_many.insert(i);
    }
  }
  if (!too_many.empty()) {
    warnings.push_back("the members of " + quoted_keys(orgs, too_many) +
                       " are left out, not managed: more than the " + std::to_string(max_members) +
                       " a config may list in one organization");
  }
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    ExportedOrg& x = orgs[i];
    if (!x.members || unmanaged.count(i) || too_many.count(i)) continue;
    std::vector<MemberSpec> specs;
    for (const Member& m : *x.members) specs.push_back({m.email, m.status});
    std::sort(specs.begin(), specs.end(), [](const MemberSpec& a, const MemberSpec& b) {
      return std::pair(canonical_email(a.email), a.email) <
             std::pair(canonical_email(b.email), b.email);
    });
    x.desired.members = std::move(specs);
  }

  // Accounts: an account sits in one org, but a listing taken while one moves can show it in
  // two; such orgs are left out rather than written as a config that does not load.
  shared.clear();
  unmanaged = sharing(
      orgs, [](const ExportedOrg& x) { return x.accounts ? &*x.accounts : nullptr; },
      [](const Account& a) { return a.id; }, shared);
  if (!unmanaged.empty()) {
    warnings.push_back("the accounts of " + quoted_keys(orgs, unmanaged) +
                       " are left out, not managed: the listings showed " + few(shared) +
                       " in more than one organization (moved during the export?); export "
                       "again");
  }
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    ExportedOrg& x = orgs[i];
    if (!x.accounts || unmanaged.count(i)) continue;
    std::vector<AccountSpec> specs;
    for (const Account& a : *x.accounts) specs.push_back({a.id, a.name});
    std::sort(specs.begin(), specs.end(), [](const AccountSpec& a, const AccountSpec& b) {
      return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    });
    x.desired.accounts = std::move(specs);
  }
}

}  // namespace cforg::plan
