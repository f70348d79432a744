// When and how long to wait before sending a request again.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "cforg/api/transport.h"

namespace cforg::api {

struct RetryPolicy {
  int max_retries = 10;  // like Cloudflare's Go SDK
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{30000};

  // Whether `res` of a request with this method is worth sending again. 429 always (nothing
  // was done); transport failures and 5xx only when repeating is harmless (GET, PUT, DELETE)
  // or the request provably never arrived. A POST with an unknown outcome is never repeated
  // here: the caller must find out whether it took effect.
  static bool retryable(const std::string& method, const HttpResponse& res);

  // The wait before retry number `attempt` (1-based): Retry-After when the server gave one,
  // else exponential backoff from base_delay, capped at max_delay, with jitter in [50%, 100%].
  std::chrono::milliseconds delay(int attempt, const HttpResponse& res, std::uint64_t random) const;
};

}  // namespace cforg::api
