#include "cforg/api/retry.h"

#include <algorithm>
#include <cstdint>

namespace cforg::api {
namespace {

// Sending these again leaves the server as one successful send would: a repeat is harmless even
// when the first one was carried out. POST creates a new organization every time.
bool idempotent(const std::string& method) {
  return method == "GET" || method == "PUT" || method == "DELETE" || method == "HEAD";
}

}  // namespace

bool RetryPolicy::retryable(const std::string& method, const HttpResponse& res) {
  using Failure = HttpResponse::Failure;
  switch (res.failure) {
    case Failure::none:
      // 429: the server refused before doing anything, whatever the method.
      if (res.status == 429) return true;
      // 5xx: the server may have got part or all of the way through.
      if (res.status >= 500) return idempotent(method);
      return false;
    case Failure::not_sent:
      return true;
    case Failure::timeout:
    case Failure::broken:
      return idempotent(method);
    case Failure::unusable:
      return false;
  }
  return false;
}

std::chrono::milliseconds RetryPolicy::delay(int attempt, const HttpResponse& res,
                                             std::uint64_t random) const {
  if (res.retry_after) return std::max(*res.retry_after, std::chrono::milliseconds(0));
  // base * 2^(attempt-1), computed in double so a large attempt cannot overflow, then capped.
  double exp = static_cast<double>(base_delay.count());
  for (int i = 1; i < attempt && exp < static_cast<double>(max_delay.count()); ++i) exp *= 2;
  double capped = std::min(exp, static_cast<double>(max_delay.count()));
  // Jitter in [50%, 100%] so workers that failed together do not all come back together, while
  // the wait never drops below half the intended backoff.
  constexpr std::uint64_t kSteps = 1'000'000;
  double fraction = static_cast<double>(random % (kSteps + 1)) / static_cast<double>(kSteps);
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped * (0.5 + 0.5 * fraction)));
}

}  // namespace cforg::api
