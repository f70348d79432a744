#include <cstdlib>

#include "cforg/api/transport.h"

namespace cforg::api {
namespace {

// A value pasted from a file or `$(cat …)` often ends in a newline, which would otherwise be sent
// inside the header and rejected as bad auth with no visible cause.
std::string env_value(const char* name) {
  const char* v = std::getenv(name);
  std::string s = v ? v : "";
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

AuthScheme Credentials::scheme() const {
  if (has_global_key()) return AuthScheme::global_key;
  if (!token.empty()) return AuthScheme::token;
  return AuthScheme::none;
}

Credentials Credentials::from_env() {
  Credentials c;
  c.token = env_value("CLOUDFLARE_API_TOKEN");
  c.email = env_value("CLOUDFLARE_EMAIL");
  c.key = env_value("CLOUDFLARE_API_KEY");
  return c;
}

}  // namespace cforg::api
