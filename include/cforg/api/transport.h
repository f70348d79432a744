// One HTTP exchange, no retries: the seam between the API client and the network.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cforg::api {

// Which credential authenticates the requests.
enum class AuthScheme {
  none,
  token,       // Authorization: Bearer
  global_key,  // X-Auth-Email + X-Auth-Key
};

// Who we are to the API. Held only by the transport, which puts it in headers; nothing else
// ever formats it. Never logged, printed or stored.
//
// The published spec lists only the global key (X-Auth-Email + X-Auth-Key) for create, get,
// update, delete and the profile endpoints; only the list also takes a token. So with both
// configured, the global key is used for everything.
struct Credentials {
  std::string token;  // Authorization: Bearer <token>
  std::string email;  // X-Auth-Email, with key
  std::string key;    // X-Auth-Key

  bool has_global_key() const { return !email.empty() && !key.empty(); }
  bool empty() const { return token.empty() && !has_global_key(); }
  // The scheme requests go out with: the global key when it is complete, else the token.
  AuthScheme scheme() const;
  // From CLOUDFLARE_API_TOKEN, CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (the official SDKs'
  // names), each trimmed of surrounding whitespace; all that are set are kept.
  static Credentials from_env();
};

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string url;     // absolute
  std::string body;    // JSON, for POST and PUT
  // Accept: */* instead of application/json. PUT .../profile answers 204 without a body, and
  // the SDKs send "*/*" for it.
  bool accept_any = false;
};

// What a response's rate-limit headers say about the credential's budget at the server:
// `Ratelimit: "default";r=50;t=30` with `Ratelimit-Policy: "burst";q=100;w=60`, or the older
// x-ratelimit-limit / -remaining / -reset. Only figures that parsed are set.
struct ServerRateLimit {
  std::optional<std::uint64_t> remaining;           // requests left in the current window
  std::optional<std::chrono::milliseconds> reset;   // until that window resets, from receipt
  std::optional<std::uint64_t> limit;               // the policy's quota per window
  std::optional<std::chrono::milliseconds> window;  // the policy's window

  // Usable for budgeting: how many are left, and (from t or the policy's window) until when.
  bool usable() const { return remaining.has_value() && (reset || window); }
  bool operator==(const ServerRateLimit&) const = default;
};

struct HttpResponse {
  enum class Failure {
    none,      // a complete HTTP response arrived (any status)
    not_sent,  // could not connect / resolve: the server never saw the request
    timeout,   // no complete response in time: the server may have processed it
    broken,    // connection reset or response cut short: the server may have processed it
    unusable,  // the request cannot be made as given (bad URL, TLS certificate rejected):
               // nothing was sent, and sending it again cannot help
  };
  Failure failure = Failure::none;
  std::string failure_text;  // curl's description, for messages
  int status = 0;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
  std::string retry_after_text;  // the header as the server sent it, to quote in messages
  ServerRateLimit rate_limit;    // from the rate-limit headers, when any parsed
  // libcurl sent the request again on a fresh connection after a kept-alive one died (PUT and
  // DELETE only): an earlier copy may have been carried out.
  bool resent = false;
};

// "not sent", "timeout", "connection broken", ... for messages.
const char* failure_name(HttpResponse::Failure f);

// A Retry-After value: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
// counted from `now`; a date in the past gives zero). Anything longer than a day counts as a day
// (an absurd figure must never become an endless sleep). nullopt when it is neither form.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::time_t now);

// The header values as received (nullopt: the header was absent); `now` for a reset given as a
// Unix time. Values that do not parse leave their fields unset; the figures are capped at a day.
struct RateLimitHeaders {
  std::optional<std::string> ratelimit;         // Ratelimit
  std::optional<std::string> ratelimit_policy;  // Ratelimit-Policy
  std::optional<std::string> x_limit;           // x-ratelimit-limit
  std::optional<std::string> x_remaining;       // x-ratelimit-remaining
  std::optional<std::string> x_reset;           // x-ratelimit-reset (seconds, or a Unix time)
};
ServerRateLimit parse_rate_limit_headers(const RateLimitHeaders& h, std::time_t now);

class Transport {
 public:
  virtual ~Transport() = default;
  // Thread-safe: called from many workers at once.
  virtual HttpResponse send(const HttpRequest& req) = 0;
  // The credential requests go out with, for advice in error messages.
  virtual AuthScheme auth_scheme() const { return AuthScheme::none; }
};

struct TransportOptions {
  std::chrono::milliseconds timeout{30000};  // whole request
  std::chrono::milliseconds connect_timeout{10000};
  // A CA bundle (PEM) to verify servers against instead of the system's: a corporate proxy's.
  // Verification itself is never turned off.
  std::string ca_bundle;
};

// Why `url` may not be the API's base URL, empty when it may: it must parse, and be https,
// or plain http to a loopback host (the emulator), or any http when `allow_insecure_http`
// (credentials would cross the network in the clear). The message quotes the URL without
// any user:password in it.
std::string base_url_problem(const std::string& url, bool allow_insecure_http);

// libcurl, with a pool of easy handles so connections are kept alive and reused.
std::unique_ptr<Transport> make_curl_transport(Credentials creds, TransportOptions opts = {});

}  // namespace cforg::api
