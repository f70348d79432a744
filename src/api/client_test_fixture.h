// The typed client against a scripted fake transport: what the client tests of every part
// (endpoints, envelope, request loop, list reader, young-org gate) share.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "fake_wait_clock.h"

namespace cforg::api::test {

using namespace std::chrono_literals;
using Failure = HttpResponse::Failure;
using nlohmann::json;

// Replies from a queue (then `fallback`) and records every request.
struct Script {
  std::mutex mu;
  std::vector<HttpRequest> requests;
  std::vector<Clock::time_point> sent_at;
  std::deque<HttpResponse> replies;
  HttpResponse fallback;
  std::shared_ptr<WaitClock> clock = steady_wait_clock();  // what sent_at reads

  std::size_t count() {
    std::lock_guard lock(mu);
    return requests.size();
  }
  HttpRequest request(std::size_t i) {
    std::lock_guard lock(mu);
    return requests.at(i);
  }
};

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(std::shared_ptr<Script> s, AuthScheme scheme = AuthScheme::global_key)
      : s_(std::move(s)), scheme_(scheme) {}
  AuthScheme auth_scheme() const override { return scheme_; }
  HttpResponse send(const HttpRequest& req) override {
    std::lock_guard lock(s_->mu);
    s_->requests.push_back(req);
    s_->sent_at.push_back(s_->clock->now());
    if (s_->replies.empty()) return s_->fallback;
    HttpResponse r = s_->replies.front();
    s_->replies.pop_front();
    return r;
  }

 private:
  std::shared_ptr<Script> s_;
  AuthScheme scheme_;
};

inline HttpResponse reply(int status, const json& body,
                          std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  r.retry_after = retry_after;
  return r;
}

inline HttpResponse failure(Failure f) {
  HttpResponse r;
  r.failure = f;
  r.failure_text = "simulated";
  return r;
}

inline HttpResponse no_content(int status = 204) {
  HttpResponse r;
  r.status = status;
  return r;
}

inline json envelope(const json& result, const json& result_info = nullptr) {
  json j = {{"success", true},
            {"errors", json::array()},
            {"messages", json::array()},
            {"result", result}};
  if (!result_info.is_null()) j["result_info"] = result_info;
  return j;
}

inline json error_envelope(int code, const std::string& message) {
  return {{"success", false},
          {"errors", {{{"code", code}, {"message", message}}}},
          {"messages", json::array()},
          {"result", nullptr}};
}

inline json org_json(const std::string& id, const std::string& name,
                     const std::string& parent = "") {
  json j = {{"id", id},
            {"name", name},
            {"create_time", "2019-12-27T18:11:19.117Z"},
            {"meta", {{"flags", {{"sub_org_creation", "allowed"}}}, {"managed_by", "x"}}}};
  if (!parent.empty()) j["parent"] = {{"id", parent}, {"name", "the parent"}};
  return j;
}

inline json profile_json() {
  return {{"business_address", "1 Road"},
          {"business_email", "ops@acme.test"},
          {"business_name", "Acme"},
          {"business_phone", "+1 555"},
          {"external_metadata", "{}"}};
}

inline const std::string kBase = "https://api.test/client/v4";
// Ids of the published shape: opaque, 32 characters, not hex.
inline const std::string kId = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";
inline const std::string kParent = "p7b9c3d2e8f4g1h5i6j0k9l2m3n7o4zz";

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    script->fallback = reply(200, envelope(org_json(kId, "fallback")));
    ClientOptions o;
    o.base_url = kBase + "/";  // a trailing slash must not double up
    o.rate_limit = RateLimit::parse("0");
    o.retry.max_retries = 3;
    o.retry.base_delay = 1ms;
    o.retry.max_delay = 4ms;
    o.seed = 42;
    // Waits take no time: a test asserts on what the fake recorded.
    o.clock = clock;
    script->clock = clock;
    opts = o;
  }
  HttpClient& client() {
    if (!client_)
      client_ = std::make_unique<HttpClient>(std::make_unique<FakeTransport>(script, scheme), opts);
    return *client_;
  }
  void queue(HttpResponse r) { script->replies.push_back(std::move(r)); }

  std::shared_ptr<FakeWaitClock> clock = std::make_shared<FakeWaitClock>();
  std::shared_ptr<Script> script = std::make_shared<Script>();
  ClientOptions opts;
  AuthScheme scheme = AuthScheme::global_key;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace cforg::api::test
