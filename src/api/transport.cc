// Helpers of the transport interface that do not depend on libcurl's handles.
#include "cforg/api/transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "cforg/model/ascii.h"

namespace cforg::api {
namespace {

constexpr std::uint64_t kDaySeconds = 86400;

// A non-negative decimal integer and nothing else.
std::optional<std::uint64_t> whole_number(std::string_view s) {
  s = trim_blanks(s);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::chrono::milliseconds> seconds_up_to_a_day(std::optional<std::uint64_t> s) {
  if (!s || *s > kDaySeconds) return std::nullopt;
  return std::chrono::seconds(*s);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(trim_blanks(s.substr(0, at)));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// One member of an RFC 8941 list as the IETF rate-limit headers use it: an item (the policy's
// name) followed by ;key=value parameters. Only integer parameters are kept.
using Params = std::map<std::string, std::uint64_t, std::less<>>;

std::vector<Params> structured_list(std::string_view value) {
  std::vector<Params> members;
  for (std::string_view member : split(value, ',')) {
    if (member.empty()) continue;
    Params params;
    auto parts = split(member, ';');
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto eq = parts[i].find('=');
      if (eq == std::string_view::npos) continue;
      auto n = whole_number(parts[i].substr(eq + 1));
      if (n) params.emplace(std::string(trim_blanks(parts[i].substr(0, eq))), *n);
    }
    members.push_back(std::move(params));
  }
  return members;
}

std::optional<std::uint64_t> param(const Params& p, std::string_view key) {
  auto it = p.find(key);
  if (it == p.end()) return std::nullopt;
  return it->second;
}

}  // namespace

const char* failure_name(HttpResponse::Failure f) {
  switch (f) {
    case HttpResponse::Failure::none:
      return "none";
    case HttpResponse::Failure::not_sent:
      return "not sent";
    case HttpResponse::Failure::timeout:
      return "timeout";
    case HttpResponse::Failure::broken:
      return "connection broken";
    case HttpResponse::Failure::unusable:
      return "request unusable";
  }
  return "unknown";
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::time_t now) {
  value = trim_blanks(value);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    // delta-seconds. Anything beyond a day is not a pause we would sit through anyway.
    std::uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (end != value.data() + value.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range || seconds > kDaySeconds)
      seconds = kDaySeconds;
    else if (ec != std::errc())
      return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  // An HTTP date. curl_getdate parses the RFC 7231 forms (and the obsolete ones).
  std::string date(value);
  std::time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::seconds(std::min<std::time_t>(when - now, kDaySeconds));
}

std::string base_url_problem(const std::string& url, bool allow_insecure_http) {
  CURLU* u = curl_url();
  if (!u) throw std::bad_alloc();
  std::string problem;
  auto part = [u](CURLUPart what) {
    char* text = nullptr;
    std::string out;
    if (curl_url_get(u, what, &text, 0) == CURLUE_OK && text) out = text;
    curl_free(text);
    return out;
  };
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    problem =
        "is not a URL (expected https://HOST/PATH, such as "
        "https://api.cloudflare.com/client/v4)";
  } else {
    std::string scheme = part(CURLUPART_SCHEME);
    std::string host = part(CURLUPART_HOST);
    bool loopback = host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
    if (scheme == "http" && !loopback && !allow_insecure_http) {
      problem =
          "is plain http to a host that is not this machine, so the credentials would "
          "cross the network unencrypted; use https, or --allow-insecure-http if you "
          "must";
    } else if (scheme != "https" && scheme != "http") {
      problem = "has the scheme \"" + scheme + "\"; expected https";
    }
  }
  std::string shown = url;
  if (problem.empty() || !part(CURLUPART_PASSWORD).empty() || !part(CURLUPART_USER).empty()) {
    curl_url_set(u, CURLUPART_USER, nullptr, 0);
    curl_url_set(u, CURLUPART_PASSWORD, nullptr, 0);
    shown = part(CURLUPART_URL);
  }
  curl_url_cleanup(u);
  return problem.empty() ? "" : "the base URL " + shown + " " + problem;
}

ServerRateLimit parse_rate_limit_headers(const RateLimitHeaders& h, std::time_t now) {
  ServerRateLimit modern;
  if (h.ratelimit) {
    // Several policies may be listed: the one with the fewest requests left binds.
    for (const Params& p : structured_list(*h.ratelimit)) {
      auto r = param(p, "r");
      if (!r || (modern.remaining && *modern.remaining <= *r)) continue;
      modern.remaining = r;
      modern.reset = seconds_up_to_a_day(param(p, "t"));
    }
  }
  if (h.ratelimit_policy) {
    // The tightest quota, with its window.
    for (const Params& p : structured_list(*h.ratelimit_policy)) {
      auto q = param(p, "q");
      auto w = seconds_up_to_a_day(param(p, "w"));
      if (!q || !w || *w == std::chrono::milliseconds(0)) continue;
      if (modern.limit && *modern.limit <= *q) continue;
      modern.limit = q;
      modern.window = w;
    }
  }
  if (modern.usable()) return modern;

  ServerRateLimit legacy;
  if (h.x_remaining) legacy.remaining = whole_number(*h.x_remaining);
  if (h.x_limit) legacy.limit = whole_number(*h.x_limit);
  if (h.x_reset) {
    // Some servers send seconds until the reset, others the reset's Unix time.
    if (auto v = whole_number(*h.x_reset)) {
      constexpr std::uint64_t kLooksLikeUnixTime = 1'000'000'000;
      if (*v >= kLooksLikeUnixTime) {
        auto n = static_cast<std::uint64_t>(std::max<std::time_t>(now, 0));
        legacy.reset = seconds_up_to_a_day(*v > n ? *v - n : 0);
      } else {
        legacy.reset = seconds_up_to_a_day(v);
      }
    }
  }
  return legacy.usable() ? legacy : modern;
}

}  // namespace cforg::api
