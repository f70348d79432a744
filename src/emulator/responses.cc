#include "responses.h"

#include <string>
#include <utility>

namespace cforg::emulator {
namespace {

Json error_item(const ApiError& error) {
  Json item = {{"code", error.code}, {"message", error.message}};
  if (!error.pointer.empty()) item["source"] = {{"pointer", error.pointer}};
  return item;
}

// Never throws: ids in messages come from the URL and may not be valid UTF-8.
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Json envelope_error(const ApiError& error) {
  return {{"success", false},
          {"errors", Json::array({error_item(error)})},
          {"messages", Json::array()},
          {"result", nullptr}};
}

Json envelope_ok(Json result) {
  return {{"success", true},
          {"errors", Json::array()},
          {"messages", Json::array()},
          {"result", std::move(result)}};
}

void reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), kJsonType);
}

void reply_error(httplib::Response& res, const ApiError& error) {
  reply(res, error.status, envelope_error(error));
}

void reply_outcome(httplib::Response& res, const Outcome<Json>& outcome) {
  if (outcome.ok()) {
    reply(res, 200, envelope_ok(outcome.value()));
  } else {
    reply_error(res, outcome.error());
  }
}

void reply_no_content(httplib::Response& res, const Outcome<Json>& outcome) {
  if (!outcome.ok()) return reply_error(res, outcome.error());
  res.status = 204;
}

void reply_page(httplib::Response& res, ListPage page, Pagination pagination) {
  Json info = Json::object();
  if (pagination == Pagination::kCursor) {
    // The generic Cloudflare shape, the older reading of this API.
    info = {{"page", page.page},
            {"per_page", page.per_page},
            {"count", page.items.size()},
            {"total_count", page.total_count},
            {"cursor", page.next_token}};
  } else if (!page.next_token.empty()) {
    info["next_page_token"] = page.next_token;  // "The API omits next_page_token to indicate no
  }                                             // more items."
  info["total_size"] = page.total_count;
  Json body = envelope_ok(std::move(page.items));
  body["result_info"] = std::move(info);
  reply(res, 200, body);
}

void set_rate_headers(httplib::Response& res, const RateStatus& rate, RateLimitHeaders style,
                      std::chrono::milliseconds window) {
  if (style == RateLimitHeaders::kModern || style == RateLimitHeaders::kBoth) {
    // As Cloudflare's API changelog of 2025-09 shows them: "default";r=50;t=30.
    res.set_header("Ratelimit", "\"default\";r=" + std::to_string(rate.remaining) +
                                    ";t=" + std::to_string(rate.reset));
    res.set_header("Ratelimit-Policy", "\"default\";q=" + std::to_string(rate.limit) +
                                           ";w=" + std::to_string(ceil_seconds(window)));
  }
  if (style == RateLimitHeaders::kLegacy || style == RateLimitHeaders::kBoth) {
    res.set_header("x-ratelimit-limit", std::to_string(rate.limit));
    res.set_header("x-ratelimit-remaining", std::to_string(rate.remaining));
    res.set_header("x-ratelimit-reset", std::to_string(rate.reset));
  }
}

}  // namespace cforg::emulator
