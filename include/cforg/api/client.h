// The Cloudflare Organizations API, as typed calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cforg/api/rate_budget.h"
#include "cforg/api/retry.h"
#include "cforg/api/transport.h"
#include "cforg/model/organization.h"

namespace cforg::api {

inline constexpr const char* kDefaultBaseUrl = "https://api.cloudflare.com/client/v4";

// One item of the envelope's `errors`.
struct ErrorItem {
  int code = 0;
  std::string message;
};

// A call that did not succeed, after any retries.
struct ApiError {
  enum class Kind {
    http,       // an error status with (usually) Cloudflare's error envelope
    transport,  // no usable response: see HttpResponse::Failure
    protocol,   // a 2xx whose body is not what the contract says
  };
  Kind kind = Kind::http;
  int status = 0;                 // HTTP status, 0 without a response
  std::vector<ErrorItem> errors;  // from the envelope
  std::string detail;             // transport failure text or protocol problem
  // The server may have carried the request out (timeout, dropped connection, 5xx): for a
  // POST, look before creating again.
  bool outcome_unknown = false;
  std::string request;  // "POST /organizations", for messages

  // "POST /organizations: HTTP 400, Cloudflare error 1001: parent not found"
  std::string str() const;
  bool not_found() const { return kind == Kind::http && status == 404; }
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(ApiError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Empty {};

// GET /organizations filters. The client follows every page.
struct ListQuery {
  std::vector<std::string> ids;          // id=a&id=b
  std::optional<std::string> parent_id;  // parent.id=<id>; "" means parent.id=null (roots)
  std::string name_contains;             // name.contains= (case-insensitive)
  int page_size = 100;
};

// Thread-safe. Every call goes through the shared rate budget and retry policy.
class Client {
 public:
  virtual ~Client() = default;
  virtual Result<Organization> create(const OrgSpec& spec) = 0;
  virtual Result<Organization> get(const std::string& id) = 0;
  virtual Result<Organization> update(const std::string& id, const OrgSpec& spec) = 0;
  virtual Result<Empty> remove(const std::string& id) = 0;
  virtual Result<std::vector<Organization>> list(const ListQuery& query) = 0;
};

// Counters for progress lines, summaries and benchmarks.
struct ClientStats {
  std::atomic<std::uint64_t> requests{0};  // sent, retries included
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> rate_limited{0};  // 429s received
  std::atomic<std::uint32_t> in_flight{0};
};

struct ClientOptions {
  std::string base_url = kDefaultBaseUrl;  // without trailing slash
  RateLimit rate_limit;
  RetryPolicy retry;
  std::uint64_t seed = 0;  // for backoff jitter; 0: random
};

class HttpClient : public Client {
 public:
  HttpClient(std::unique_ptr<Transport> transport, ClientOptions opts);
  ~HttpClient() override;

  Result<Organization> create(const OrgSpec& spec) override;
  Result<Organization> get(const std::string& id) override;
  Result<Organization> update(const std::string& id, const OrgSpec& spec) override;
  Result<Empty> remove(const std::string& id) override;
  Result<std::vector<Organization>> list(const ListQuery& query) override;

  const ClientStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientStats stats_;
};

// The API's JSON for an organization <-> the model. Throws std::invalid_argument.
Organization organization_from_json(const nlohmann::json& j);
Organization organization_from_json(nlohmann::json&& j);  // moves meta out of `j`
nlohmann::json spec_to_json(const OrgSpec& spec);

}  // namespace cforg::api
