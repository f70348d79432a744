#include "routes.h"

namespace cforg::emulator {
namespace {

constexpr std::string_view kCollection = "/client/v4/organizations";

}  // namespace

Route resolve(std::string_view path) {
  if (path == kCollection) return {RouteKind::kCollection, "", "GET, POST"};
  if (path.size() <= kCollection.size() + 1 || path.substr(0, kCollection.size()) != kCollection ||
      path[kCollection.size()] != '/') {
    return {};
  }
  std::string_view rest = path.substr(kCollection.size() + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return {RouteKind::kOrganization, std::string(rest), "GET, PUT, DELETE"};
  }
  if (slash > 0 && rest.substr(slash) == "/profile") {
    return {RouteKind::kProfile, std::string(rest.substr(0, slash)), "GET, PUT"};
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
