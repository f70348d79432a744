// One HTTP exchange, no retries: the seam between the API client and the network.
#pragma once

#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cforg::api {

// Who we are to the API. Held only by the transport, which puts it in headers; nothing else
// ever formats it. Never logged, printed or stored.
struct Credentials {
  std::string token;  // Authorization: Bearer <token>
  std::string email;  // X-Auth-Email, with key
  std::string key;    // X-Auth-Key

  bool empty() const { return token.empty() && (email.empty() || key.empty()); }
  // From CLOUDFLARE_API_TOKEN, else CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY; empty when neither.
  static Credentials from_env();
};

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE
  std::string url;     // absolute
  std::string body;    // JSON, for POST and PUT
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
};

// "not sent", "timeout", "connection broken", ... for messages.
const char* failure_name(HttpResponse::Failure f);

// A Retry-After value: delta-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
// counted from `now`; a date in the past gives zero). nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::time_t now);

class Transport {
 public:
  virtual ~Transport() = default;
  // Thread-safe: called from many workers at once.
  virtual HttpResponse send(const HttpRequest& req) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds timeout{30000};  // whole request
  std::chrono::milliseconds connect_timeout{10000};
};

// libcurl, with a pool of easy handles so connections are kept alive and reused.
std::unique_ptr<Transport> make_curl_transport(Credentials creds, TransportOptions opts = {});

}  // namespace cforg::api
