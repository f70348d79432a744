// The request loop: one logical request sent, and sent again while the retry policy, the rate
// budget and the young-org gate allow.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

#include "call.h"
#include "cforg/api/client.h"
#include "young_orgs.h"

namespace cforg::api {

// Percent-escapes everything but RFC 3986's unreserved characters (libcurl's escape), so a value
// can go in a query string or a path segment as is.
std::string escape(std::string_view s);

class RequestLoop {
 public:
  RequestLoop(std::unique_ptr<Transport> transport, ClientOptions opts, ClientStats& stats);
  ~RequestLoop();

  // Sends `c`, again while the policy allows. Returns the parsed envelope of a successful
  // response (null for an accepted empty 2xx).
  Result<nlohmann::json> call(const Call& c);
  // call(), then the envelope's result as an organization (which may be young: see
  // YoungOrgs::seen); protocol errors for anything unusable.
  Result<Organization> one_org(const Call& c);

  YoungOrgs& young() { return young_; }

 private:
  std::uint64_t random();
  bool stopping() const { return opts_.stop && opts_.stop->load(); }

  std::unique_ptr<Transport> transport_;
  ClientOptions opts_;
  std::shared_ptr<WaitClock> clock_;
  std::shared_ptr<RateBudget> budget_;  // the client's own, or opts_.budget
  ClientStats& stats_;
  YoungOrgs young_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace cforg::api
