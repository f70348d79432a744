// Accounts: the seeded estate (--accounts N), listed per organization and moved between them.
// Accounts are never created through the API ("moved within an organization hierarchy or outside
// an organization"), so they exist from start-up, in no organization.
#include <string>

#include "hashing.h"
#include "store.h"
#include "store_paging.h"

namespace cforg::emulator {
namespace {

ApiError account_not_found(std::string_view id) {
  return {404, code::kAccountNotFound, "account '" + std::string(id) + "' not found", ""};
}

}  // namespace

void Store::seed_accounts(size_t count) {
  std::string now = format_rfc3339_millis(clock_());
  accounts_.reserve(count);
  for (size_t i = 1; i <= count; ++i) {
    Account a;
    a.seq = i;
    a.name = "Account " + std::to_string(i);
    a.name_lower = ascii_lower(a.name);
    a.created_on = now;
    // From the seed and the position only: the same --seed and --accounts give the same ids.
    uint64_t n = 0;
    do {
      a.id = make_id(Hasher(seed_).add("account").add(i).add(n++).value(), options_.ids);
    } while (account_seq_by_id_.count(a.id));
    account_seq_by_id_[a.id] = a.seq;
    accounts_.push_back(std::move(a));
  }
}

Json Store::render_account(const Account& a) {
  // Every seeded account is "standard"; settings are not modelled.
  return {{"id", a.id},
          {"name", a.name},
          {"type", "standard"},
          {"created_on", a.created_on},
          {"settings", Json::object()}};
}

Outcome<ListPage> Store::list_accounts(std::string_view org_id, const AccountQuery& q) const {
  std::lock_guard lock(mutex_);
  if (!find(org_id)) return organization_not_found(org_id);
  static const std::set<uint64_t> kNone;
  auto of = accounts_of_.find(std::string(org_id));
  const std::set<uint64_t>& seqs = of == accounts_of_.end() ? kNone : of->second;
  auto matches = [this, &q](uint64_t seq) {
    const Account& a = accounts_[seq - 1];
    for (const auto& n : q.names) {
      if (a.name != n) return false;
    }
    for (const auto& s : q.name_contains) {
      if (!text_contains(a.name_lower, s)) return false;
    }
    for (const auto& s : q.name_starts_with) {
      if (!text_starts_with(a.name_lower, s)) return false;
    }
    for (const auto& s : q.name_ends_with) {
      if (!text_ends_with(a.name_lower, s)) return false;
    }
    return true;
  };
  return page_of(seqs, q.page_size, q.after, q.digest, matches,
                 [this](uint64_t seq) { return render_account(accounts_[seq - 1]); });
}

Outcome<Json> Store::move_account(std::string_view account_id, const Json& body) {
  std::lock_guard lock(mutex_);
  auto found = account_seq_by_id_.find(std::string(account_id));
  if (found == account_seq_by_id_.end()) return account_not_found(account_id);
  auto dest = body.find("destination_organization_id");
  if (dest == body.end() || !dest->is_string() || dest->get_ref<const std::string&>().empty()) {
    return bad_request(code::kDestinationInvalid,
                       "destination_organization_id is required (an organization id)",
                       "/destination_organization_id");
  }
  const std::string& to = dest->get_ref<const std::string&>();
  if (!find(to)) {
    ApiError error = organization_not_found(to);
    error.pointer = "/destination_organization_id";
    return error;
  }
  Account& a = accounts_[found->second - 1];
  // A move to where the account already sits succeeds and changes nothing (source == destination).
  if (a.org_id != to) {
    auto held = accounts_of_.find(to);
    if (held != accounts_of_.end() && held->second.size() >= kMaxAccountsPerOrganization) {
      return bad_request(code::kOrganizationFull,
                         "organization '" + to + "' already holds " +
                             std::to_string(kMaxAccountsPerOrganization) +
                             " accounts, the limit per organization",
                         "/destination_organization_id");
    }
    if (!a.org_id.empty()) {
      auto from = accounts_of_.find(a.org_id);
      from->second.erase(a.seq);
      if (from->second.empty()) accounts_of_.erase(from);
    }
  }
  Json result = {{"account_id", a.id},
                 {"source_organization_id", a.org_id.empty() ? Json() : Json(a.org_id)},
                 {"destination_organization_id", to}};
  a.org_id = to;
  accounts_of_[to].insert(a.seq);
  return result;
}

Json Store::all_accounts() const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const auto& a : accounts_) {
    Json item = render_account(a);
    item["organization_id"] = a.org_id.empty() ? Json() : Json(a.org_id);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace cforg::emulator
