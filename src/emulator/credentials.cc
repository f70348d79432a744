#include "credentials.h"

#include <string_view>

#include "hashing.h"
#include "list_query.h"

namespace cforg::emulator {
namespace {

// Constant-time comparison, so the emulator does not teach clients timing attacks by example.
bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;  // the length is not the secret
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return diff == 0;
}

// The rate limiter keys callers by a digest of their credential, so no secret is kept around.
std::string credential_digest(std::string_view scheme, std::string_view a, std::string_view b) {
  return hex64(Hasher(0x63726564ULL).add(scheme).add(a).add(b).value());
}

bool open_to_anyone(const Options& options) {
  return options.token.empty() && options.email.empty() && options.key.empty();
}

}  // namespace

std::optional<Credential> bearer_of(const httplib::Request& req, const Options& options) {
  std::string authorization = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() > kBearer.size() &&
      ascii_lower(authorization.substr(0, kBearer.size())) == kBearer) {
    std::string_view token = std::string_view(authorization).substr(kBearer.size());
    if (open_to_anyone(options) || (!options.token.empty() && same_secret(token, options.token))) {
      return Credential{Credential::Scheme::kBearer, credential_digest("bearer", token, "")};
    }
  }
  return std::nullopt;
}

std::optional<Credential> global_key_of(const httplib::Request& req, const Options& options) {
  std::string email = req.get_header_value("X-Auth-Email");
  std::string key = req.get_header_value("X-Auth-Key");
  if (!email.empty() && !key.empty()) {
    bool configured = !options.email.empty() || !options.key.empty();
    if (open_to_anyone(options) ||
        (configured && same_secret(email, options.email) && same_secret(key, options.key))) {
      return Credential{Credential::Scheme::kGlobalKey, credential_digest("key", email, key)};
    }
  }
  return std::nullopt;
}

std::optional<Credential> credential_of(const httplib::Request& req, const Options& options) {
  auto credential = bearer_of(req, options);
  if (!credential) credential = global_key_of(req, options);
  return credential;
}

}  // namespace cforg::emulator
