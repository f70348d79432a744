// Which credential a request presents, and whether the emulator accepts it: an API token
// (Authorization: Bearer) or the global key (X-Auth-Email + X-Auth-Key), against the ones
// Options configures; with none configured, any non-empty credential of either scheme.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "options.h"

namespace cforg::emulator {

// A credential a request presented and the emulator accepts.
struct Credential {
  enum class Scheme { kBearer, kGlobalKey } scheme;
  std::string digest;  // the rate limiter's key: a hash, so no secret is kept around
};

// A valid bearer token the request carries.
std::optional<Credential> bearer_of(const httplib::Request& req, const Options& options);
// A valid email + key pair the request carries.
std::optional<Credential> global_key_of(const httplib::Request& req, const Options& options);
// The token if valid, else the key pair if valid: whose budget a request spends.
std::optional<Credential> credential_of(const httplib::Request& req, const Options& options);

}  // namespace cforg::emulator
