// An organization's own routes: create, read, rename (or replace), delete.
#include "handlers.h"
#include "responses.h"

namespace cforg::emulator {

void create_organization(const HandlerContext& api, const Json& body, httplib::Response& res) {
  auto created = api.store.create(body);
  if (created.ok()) {
    api.consistency.created(created.value()["id"].get<std::string>(), api.clocks.steady());
  }
  reply_outcome(res, created);
}

void get_organization(const HandlerContext& api, const std::string& id, httplib::Response& res) {
  reply_outcome(res, api.store.get(id));
}

void update_organization(const HandlerContext& api, const std::string& id, const Json& body,
                         httplib::Response& res) {
  reply_outcome(res, api.store.update(id, body));
}

void delete_organization(const HandlerContext& api, const std::string& id, httplib::Response& res) {
  if (api.options.delete_response == DeleteResponse::kEmpty) {
    return reply_no_content(res, api.store.remove(id));
  }
  reply_outcome(res, api.store.remove(id));
}

}  // namespace cforg::emulator
