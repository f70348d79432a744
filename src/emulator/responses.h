// What every answer of the emulator looks like: Cloudflare's envelope
// ({success, errors, messages, result}), a list's result_info, and the rate-limit headers.
#pragma once

#include <httplib.h>

#include <chrono>

#include "options.h"
#include "rate_limiter.h"
#include "store.h"

namespace cforg::emulator {

inline constexpr const char* kJsonType = "application/json";

Json envelope_ok(Json result);
Json envelope_error(const ApiError& error);

// `body` as the response, with its status.
void reply(httplib::Response& res, int status, const Json& body);
// The error in an envelope, with its status.
void reply_error(httplib::Response& res, const ApiError& error);
// 200 with the value in an envelope, or the error.
void reply_outcome(httplib::Response& res, const Outcome<Json>& outcome);
// 204 with no body and no Content-Type (the SDKs send Accept: */* and read nothing), or the error.
void reply_no_content(httplib::Response& res, const Outcome<Json>& outcome);
// 200 with one page of a list: its items, and result_info in the shape `pagination` names.
void reply_page(httplib::Response& res, ListPage page, Pagination pagination);

// The rate-limit headers of `style` for a credential in `rate`; `window` is the limit's.
void set_rate_headers(httplib::Response& res, const RateStatus& rate, RateLimitHeaders style,
                      std::chrono::milliseconds window);

}  // namespace cforg::emulator
