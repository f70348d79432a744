// Everything the command line can set (parsed in main.cc). The defaults follow the published
// Cloudflare Organizations API contract; every older or alternative reading of a point the
// contract changed or leaves open stays reachable by a flag (docs/EMULATOR.md says which is which).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "faults.h"
#include "rate_limiter.h"
#include "store.h"

namespace cforg::emulator {

// Where the next page's token goes in result_info.
enum class Pagination {
  kNextPageToken,  // published: result_info {next_page_token, total_size}; token absent at the end
  kCursor,         // older reading: result_info.cursor, "" on the last page (+ page, count, ...)
};

// What `DELETE /organizations/{id}` answers on success.
enum class DeleteResponse {
  kEmpty,     // 204, no body
  kEnvelope,  // 200 {success, errors, messages, result: {id}}
};

// `GET /organizations/{id}/profile` of an organization without a profile.
enum class ProfileMissing {
  k404,   // 404, code 1021
  kNull,  // 200, result: null
};

// Which credentials which endpoints take.
enum class AuthMode {
  kAny,     // both schemes everywhere
  kStrict,  // published security: a bearer token only on GET /organizations (the list)
};

// Which rate-limit headers responses carry when --rate-limit is set.
enum class RateLimitHeaders { kModern, kLegacy, kBoth, kNone };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  // Accepted credentials. All empty: any non-empty credential of either scheme is accepted.
  std::string token;
  std::string email;
  std::string key;
  AuthMode auth = AuthMode::kAny;
  FaultConfig faults;
  RateLimit rate_limit;  // its `block` defaults to its window (see main.cc)
  RateLimitHeaders ratelimit_headers = RateLimitHeaders::kModern;
  size_t threads = 64;
  Pagination pagination = Pagination::kNextPageToken;
  size_t max_page_size = 1000;
  bool clamp_page_size = false;  // --page-size-over-max clamp (default: reject with 400)
  StoreOptions store;  // ids, PUT semantics, profile in reads, meta flags, members, accounts
  ProfileMissing profile_missing = ProfileMissing::k404;
  DeleteResponse delete_response = DeleteResponse::kEmpty;
  // POST /organizations/{id}/members:batchCreate exists (not confirmed by the contract; absent:
  // its path answers 404 like any unknown one).
  bool members_batch_create = false;
  int64_t consistency_ms = 1000;  // post-create 403 window; 0 disables
  bool verbose = false;  // one stderr line per request (method, path, status; never headers)
};

}  // namespace cforg::emulator
