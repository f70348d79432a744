// The typed client's account calls: the accounts of an org (every page), and a move to another
// org. Accounts are never created here. The batch POST /accounts/move is marked "not
// implemented" in the contract: never used.
#include <set>

#include "cforg/api/client.h"
#include "client_impl.h"
#include "envelope.h"
#include "list_reader.h"
#include "request_loop.h"
#include "response_text.h"

namespace cforg::api {

Result<std::vector<Account>> HttpClient::list_accounts(const std::string& org_id) {
  if (auto e = bad_id("GET /organizations/{id}/accounts", "organization", org_id)) return *e;
  PagedList list{org_path(org_id) + "/accounts", "", org_id, "accounts"};
  std::vector<Account> all;
  auto r = read_pages(impl_->loop, impl_->account_page_sizes, list, [&](nlohmann::json& item) {
    all.push_back(account_from_json(item));
    return true;
  });
  if (!r) return r.error();
  return all;
}

Result<AccountMove> HttpClient::move_account(const std::string& account_id,
                                             const std::string& destination_org_id) {
  const std::string line = "POST /accounts/{account_id}/move";
  if (auto why = account_id_problem(account_id); !why.empty()) {
    return protocol_error(line, 0, "the account id " + why);
  }
  if (auto e = bad_id(line, "destination organization", destination_org_id)) return *e;
  // Names the destination for the young-org gate: an org created moments ago may refuse it
  // for a while, as it refuses a child's create. Never repeated after an unknown outcome (a
  // POST): the caller looks where the account is (list with containing_account).
  Call c{"POST", "/accounts/" + escape(account_id) + "/move",
         nlohmann::json{{"destination_organization_id", destination_org_id}}.dump(),
         destination_org_id};
  auto r = impl_->loop.call(c);
  if (!r) return r.error();
  AccountMove move;
  try {
    move = account_move_from_json(r.value()["result"]);
  } catch (const std::exception& ex) {
    return protocol_error(c.line(), 200, ex.what(), true);
  }
  // The server acted (a 2xx): an answer about another account or destination is an unknown
  // outcome.
  std::string wrong;
  if (move.account_id != account_id) {
    wrong = "account \"" + printable(move.account_id, 130) + "\"";
  } else if (move.destination_organization_id != destination_org_id) {
    wrong = "destination \"" + printable(move.destination_organization_id, 130) + "\"";
  }
  if (!wrong.empty()) {
    return protocol_error(c.line(), 200, "the answer names the " + wrong + ", not the one asked",
                          true);
  }
  return move;
}

Result<std::string> account_home(Client& client, const std::string& account_id) {
  ListQuery q;
  q.containing_account = account_id;
  auto listed = client.list(q);
  if (!listed) return listed.error();
  std::set<std::string> parents;
  for (const Organization& o : listed.value()) {
    if (const std::string* p = o.spec.parent.id()) parents.insert(*p);
  }
  for (const Organization& o : listed.value()) {
    if (!parents.count(o.id)) return o.id;
  }
  return std::string();
}

}  // namespace cforg::api
