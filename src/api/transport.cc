// Helpers of the transport interface that do not depend on libcurl's handles.
#include "cforg/api/transport.h"

#include <curl/curl.h>

#include <charconv>

namespace cforg::api {

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
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    // delta-seconds. Anything beyond a day is not a pause we would sit through anyway.
    std::uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (end != value.data() + value.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range || seconds > 86400)
      seconds = 86400;
    else if (ec != std::errc())
      return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  // An HTTP date. curl_getdate parses the RFC 7231 forms (and the obsolete ones).
  std::string date(value);
  std::time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::seconds(std::min<std::time_t>(when - now, 86400));
}

}  // namespace cforg::api
