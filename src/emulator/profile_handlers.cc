// An organization's profile, which has its own routes: the organization's PUT does not set it.
#include "handlers.h"
#include "responses.h"

namespace cforg::emulator {

void get_profile(const HandlerContext& api, const std::string& id, httplib::Response& res) {
  auto profile = api.store.get_profile(id);
  if (profile.ok() && profile.value().is_null() &&
      api.options.profile_missing == ProfileMissing::k404) {
    return reply_error(
        res, {404, code::kProfileNotFound, "organization '" + id + "' has no profile", ""});
  }
  reply_outcome(res, profile);
}

void put_profile(const HandlerContext& api, const std::string& id, const Json& body,
                 httplib::Response& res) {
  reply_no_content(res, api.store.put_profile(id, body));
}

}  // namespace cforg::emulator
