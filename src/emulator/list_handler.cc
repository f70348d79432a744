// The organizations' list: the query string's filters and page, one page of the store, and
// result_info in the shape --pagination names.
#include <utility>
#include <variant>

#include "handlers.h"
#include "list_query.h"
#include "responses.h"

namespace cforg::emulator {

void list_organizations(const HandlerContext& api, const httplib::Request& req,
                        httplib::Response& res) {
  auto query = parse_list_query(req.params, api.options.max_page_size, api.options.clamp_page_size);
  if (auto* error = std::get_if<ApiError>(&query)) return reply_error(res, *error);
  auto page = api.store.list(std::get<ListQuery>(query));
  if (!page.ok()) return reply_error(res, page.error());
  reply_page(res, std::move(page.value()), api.options.pagination);
}

}  // namespace cforg::emulator
