// Which API route a path names, and which methods it takes. The emulator routes by itself
// (one catch-all handler per method) so that an unknown path is a 404 and a known path with the
// wrong method a 405, both with Cloudflare's envelope. A new resource adds its RouteKind here.
#pragma once

#include <string>
#include <string_view>

#include "error_codes.h"

namespace cforg::emulator {

// The test hooks (/__emulator/stats, /__emulator/spend) live under this prefix, outside the API.
inline constexpr std::string_view kInternalPrefix = "/__emulator/";

enum class RouteKind {
  kNone,
  kCollection,    // /organizations
  kOrganization,  // /organizations/{id}
  kProfile,       // /organizations/{id}/profile
  kMembers,       // /organizations/{id}/members
  kMember,        // /organizations/{id}/members/{member_id}
  kMembersBatch,  // /organizations/{id}/members:batchCreate (only with --members-batch-create)
  kAccounts,      // /organizations/{id}/accounts
  kAccountMove,   // /accounts/{account_id}/move
  kAccountsMove,  // /accounts/move: the batch the contract marks not implemented
};

struct Route {
  RouteKind kind = RouteKind::kNone;
  std::string id;            // the organization the path names, if any
  std::string sub_id;        // the member or account the path names, if any
  const char* allowed = "";  // for 405 and the Allow header
};

// `batch_create`: whether members:batchCreate exists (--members-batch-create present). Absent,
// its path is as unknown as any other: 404, not 405.
Route resolve(std::string_view path, bool batch_create = false);
// Whether `route` takes `method` (HEAD counts as GET: httplib serves it through the GET handlers).
bool method_allowed(const Route& route, std::string_view method);
// The methods httplib routes at all; it refuses the others (TRACE, CONNECT, ...) before routing.
bool known_method(std::string_view method);

// The 404 of a path no route matches.
ApiError route_not_found(const std::string& path);

}  // namespace cforg::emulator
