// Accounts: an organization's list, and the move of one account into an organization. Accounts
// are seeded at start-up (--accounts N); the API creates none.
#include <utility>
#include <variant>

#include "handlers.h"
#include "responses.h"
#include "sub_list_query.h"

namespace cforg::emulator {

void list_accounts(const HandlerContext& api, const std::string& org_id,
                   const httplib::Request& req, httplib::Response& res) {
  auto query = parse_account_query(req.params, org_id, api.options.max_page_size,
                                   api.options.clamp_page_size);
  if (auto* error = std::get_if<ApiError>(&query)) return reply_error(res, *error);
  auto page = api.store.list_accounts(org_id, std::get<AccountQuery>(query));
  if (!page.ok()) return reply_error(res, page.error());
  // Always result_info {next_page_token, total_size} (or the cursor shape): as the org list.
  reply_page(res, std::move(page.value()), api.options.pagination);
}

void move_account(const HandlerContext& api, const std::string& account_id, const Json& body,
                  httplib::Response& res) {
  reply_outcome(res, api.store.move_account(account_id, body));
}

void move_accounts(httplib::Response& res) {
  reply_error(res, {501, code::kNotImplemented,
                    "POST /accounts/move is not implemented: move accounts one at a time with "
                    "POST /accounts/{account_id}/move",
                    ""});
}

}  // namespace cforg::emulator
