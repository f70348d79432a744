// An organization's members: create (one, or a batch when --members-batch-create present), list,
// read, delete. What a second create for the same email answers is the store's
// (--member-exists).
#include <utility>
#include <variant>

#include "handlers.h"
#include "responses.h"
#include "sub_list_query.h"

namespace cforg::emulator {

void create_member(const HandlerContext& api, const std::string& org_id, const Json& body,
                   httplib::Response& res) {
  reply_outcome(res, api.store.create_member(org_id, body));
}

void create_members(const HandlerContext& api, const std::string& org_id, const Json& body,
                    httplib::Response& res) {
  reply_outcome(res, api.store.create_members(org_id, body));
}

void list_members(const HandlerContext& api, const std::string& org_id, const httplib::Request& req,
                  httplib::Response& res) {
  auto query = parse_member_query(req.params, org_id, api.options.max_page_size,
                                  api.options.clamp_page_size);
  if (auto* error = std::get_if<ApiError>(&query)) return reply_error(res, *error);
  auto page = api.store.list_members(org_id, std::get<MemberQuery>(query));
  if (!page.ok()) return reply_error(res, page.error());
  reply_page(res, std::move(page.value()), api.options.pagination);
}

void get_member(const HandlerContext& api, const std::string& org_id, const std::string& member_id,
                httplib::Response& res) {
  reply_outcome(res, api.store.get_member(org_id, member_id));
}

void delete_member(const HandlerContext& api, const std::string& org_id,
                   const std::string& member_id, httplib::Response& res) {
  // The contract only says "2xx": the same reading as an organization's DELETE.
  if (api.options.delete_response == DeleteResponse::kEmpty) {
    return reply_no_content(res, api.store.remove_member(org_id, member_id));
  }
  reply_outcome(res, api.store.remove_member(org_id, member_id));
}

}  // namespace cforg::emulator
