// What an answer says: Cloudflare's envelope read into a result, or into an ApiError that a
// person can act on (the server's text made printable and capped).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "call.h"
#include "cforg/api/client.h"

namespace cforg::api {

// A 2xx that arrived.
bool succeeded(const HttpResponse& res);
// An answer with this status (not a transport failure).
bool has_status(const HttpResponse& res, int status);
// Whether the server may have carried out a request that ended like this. A GET changes
// nothing either way.
bool maybe_acted(const std::string& method, const HttpResponse& res);

// "HTTP 503", or the transport failure and its text.
std::string describe(const HttpResponse& res);
// "1.5 s": a wait, for messages.
std::string seconds_text(std::chrono::milliseconds ms);
// The Retry-After as the server sent it, for messages: "(Retry-After: 86400)".
std::string quoted_retry_after(const HttpResponse& res);

ApiError protocol_error(std::string request, int status, std::string detail,
                        bool outcome_unknown = false);

// The envelope of a 2xx (null for an accepted empty 2xx). A 2xx means the server carried the
// request out, whatever its body says: when the body is unusable a caller must not take a
// failed create as "nothing happened".
Result<nlohmann::json> parse_success(const Call& c, const HttpResponse& res);

// The error a failed answer (or no answer) is, after `retries` retries.
ApiError error_from(const std::string& method, const HttpResponse& res,
                    const std::string& request_line, bool unknown, int retries);

// What a 403 most likely means, for someone who has to fix it.
std::string forbidden_advice(const Call& c, AuthScheme scheme);

}  // namespace cforg::api
