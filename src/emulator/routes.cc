#include "routes.h"

namespace cforg::emulator {
namespace {

constexpr std::string_view kCollection = "/client/v4/organizations";
constexpr std::string_view kAccounts = "/client/v4/accounts";

// A segment of an id: not empty, no further '/'.
bool one_segment(std::string_view text) {
  return !text.empty() && text.find('/') == std::string_view::npos;
}

// /accounts/{account_id}/move and the batch /accounts/move.
Route resolve_account(std::string_view rest) {
  if (rest == "move") return {RouteKind::kAccountsMove, "", "", "POST"};
  constexpr std::string_view kMove = "/move";
  if (rest.size() > kMove.size() && rest.substr(rest.size() - kMove.size()) == kMove) {
    std::string_view id = rest.substr(0, rest.size() - kMove.size());
    if (one_segment(id)) return {RouteKind::kAccountMove, "", std::string(id), "POST"};
  }
  return {};
}

}  // namespace

Route resolve(std::string_view path, bool batch_create) {
  if (path == kCollection) return {RouteKind::kCollection, "", "", "GET, POST"};
  if (path.substr(0, kAccounts.size() + 1) == std::string(kAccounts) + "/") {
    return resolve_account(path.substr(kAccounts.size() + 1));
  }
  if (path.size() <= kCollection.size() + 1 || path.substr(0, kCollection.size()) != kCollection ||
      path[kCollection.size()] != '/') {
    return {};
  }
  std::string_view rest = path.substr(kCollection.size() + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return {RouteKind::kOrganization, std::string(rest), "", "GET, PUT, DELETE"};
  }
  if (slash == 0) return {};
  std::string id(rest.substr(0, slash));
  std::string_view tail = rest.substr(slash);
  if (tail == "/profile") return {RouteKind::kProfile, id, "", "GET, PUT"};
  if (tail == "/members") return {RouteKind::kMembers, id, "", "GET, POST"};
  if (tail == "/members:batchCreate" && batch_create) {
    return {RouteKind::kMembersBatch, id, "", "POST"};
  }
  if (tail == "/accounts") return {RouteKind::kAccounts, id, "", "GET"};
  constexpr std::string_view kMembersPrefix = "/members/";
  if (tail.substr(0, kMembersPrefix.size()) == kMembersPrefix &&
      one_segment(tail.substr(kMembersPrefix.size()))) {
    return {RouteKind::kMember, id, std::string(tail.substr(kMembersPrefix.size())), "GET, DELETE"};
  }
  return {};
}

bool method_allowed(const Route& route, std::string_view method) {
  std::string_view allowed = route.allowed;
  if (method == "HEAD") method = "GET";
  size_t at = 0;
  while (at < allowed.size()) {
    size_t comma = allowed.find(", ", at);
    std::string_view one = allowed.substr(at, comma == std::string_view::npos ? comma : comma - at);
    if (one == method) return true;
    if (comma == std::string_view::npos) break;
    at = comma + 2;
  }
  return false;
}

bool known_method(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == m) return true;
  }
  return false;
}

ApiError route_not_found(const std::string& path) {
  return {404, code::kRouteNotFound,
          "Could not route to " + path + ", perhaps your object identifier is invalid?", ""};
}

}  // namespace cforg::emulator
