// The typed client against a scripted fake transport: URLs, bodies, envelopes, pagination and
// which failures are sent again.
#include "cforg/api/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cforg::api {
namespace {

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
  explicit FakeTransport(std::shared_ptr<Script> s) : s_(std::move(s)) {}
  HttpResponse send(const HttpRequest& req) override {
    std::lock_guard lock(s_->mu);
    s_->requests.push_back(req);
    s_->sent_at.push_back(Clock::now());
    if (s_->replies.empty()) return s_->fallback;
    HttpResponse r = s_->replies.front();
    s_->replies.pop_front();
    return r;
  }

 private:
  std::shared_ptr<Script> s_;
};

HttpResponse reply(int status, const json& body,
                   std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  r.retry_after = retry_after;
  return r;
}

HttpResponse failure(Failure f) {
  HttpResponse r;
  r.failure = f;
  r.failure_text = "simulated";
  return r;
}

json envelope(const json& result, const json& result_info = nullptr) {
  json j = {{"success", true},
            {"errors", json::array()},
            {"messages", json::array()},
            {"result", result}};
  if (!result_info.is_null()) j["result_info"] = result_info;
  return j;
}

json error_envelope(int code, const std::string& message) {
  return {{"success", false},
          {"errors", {{{"code", code}, {"message", message}}}},
          {"messages", json::array()},
          {"result", nullptr}};
}

json org_json(const std::string& id, const std::string& name, const std::string& parent = "") {
  json j = {{"id", id},
            {"name", name},
            {"create_time", "2019-12-27T18:11:19.117Z"},
            {"meta", {{"flags", {{"sub_org_creation", "allowed"}}}, {"managed_by", "x"}}}};
  if (!parent.empty()) j["parent"] = {{"id", parent}, {"name", "the parent"}};
  return j;
}

const std::string kBase = "https://api.test/client/v4";
const std::string kId = "0123456789abcdef0123456789abcdef";
const std::string kParent = "fedcba9876543210fedcba9876543210";

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
    opts = o;
  }
  HttpClient& client() {
    if (!client_)
      client_ = std::make_unique<HttpClient>(std::make_unique<FakeTransport>(script), opts);
    return *client_;
  }
  void queue(HttpResponse r) { script->replies.push_back(std::move(r)); }

  std::shared_ptr<Script> script = std::make_shared<Script>();
  ClientOptions opts;
  std::unique_ptr<HttpClient> client_;
};

// --- requests ---------------------------------------------------------------------------------

TEST_F(ClientTest, CreatePostsNameParentAndProfile) {
  OrgSpec spec{"Acme EU", kParent, Profile{"Acme", "ops@acme.test", "+1 555", "1 Road", "{}"}};
  queue(reply(201, envelope(org_json(kId, "Acme EU", kParent))));
  auto r = client().create(spec);
  ASSERT_TRUE(r.ok()) << r.error().str();
  auto req = script->request(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kBase + "/organizations");
  EXPECT_EQ(json::parse(req.body), json({{"name", "Acme EU"},
                                         {"parent", {{"id", kParent}}},
                                         {"profile",
                                          {{"business_name", "Acme"},
                                           {"business_email", "ops@acme.test"},
                                           {"business_phone", "+1 555"},
                                           {"business_address", "1 Road"},
                                           {"external_metadata", "{}"}}}}));
  EXPECT_EQ(r.value().id, kId);
  EXPECT_EQ(r.value().spec.parent_id, kParent);
  EXPECT_EQ(r.value().parent_name, "the parent");
}

TEST_F(ClientTest, CreateOmitsEmptyParentAndProfile) {
  client().create(OrgSpec{"Root", "", std::nullopt});
  EXPECT_EQ(json::parse(script->request(0).body), json({{"name", "Root"}}));
}

TEST_F(ClientTest, GetUpdateRemoveUseTheIdPath) {
  client().get(kId);
  client().update(kId, OrgSpec{"New", kParent, std::nullopt});
  queue(reply(200, envelope({{"id", kId}})));
  EXPECT_TRUE(client().remove(kId).ok());
  EXPECT_EQ(script->request(0).method, "GET");
  EXPECT_EQ(script->request(0).url, kBase + "/organizations/" + kId);
  EXPECT_EQ(script->request(0).body, "");
  EXPECT_EQ(script->request(1).method, "PUT");
  EXPECT_EQ(script->request(1).url, kBase + "/organizations/" + kId);
  EXPECT_EQ(json::parse(script->request(1).body),
            json({{"name", "New"}, {"parent", {{"id", kParent}}}}));
  EXPECT_EQ(script->request(2).method, "DELETE");
  EXPECT_EQ(script->request(2).url, kBase + "/organizations/" + kId);
}

TEST_F(ClientTest, EscapesIdsInPaths) {
  client().get("../a b");
  EXPECT_EQ(script->request(0).url, kBase + "/organizations/..%2Fa%20b");
  EXPECT_FALSE(client().get("").ok());  // never GET /organizations/ (that is the list)
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, ListBuildsFiltersAndEscapesValues) {
  queue(reply(200, envelope(json::array())));
  ListQuery q;
  q.ids = {"a1", "b2"};
  q.parent_id = kParent;
  q.name_contains = "R&D dept=1/ü";
  q.page_size = 50;
  ASSERT_TRUE(client().list(q).ok());
  EXPECT_EQ(script->request(0).url, kBase + "/organizations?id=a1&id=b2&parent.id=" + kParent +
                                        "&name.contains=R%26D%20dept%3D1%2F%C3%BC&page_size=50");
}

TEST_F(ClientTest, ListRootsSendsParentIdNull) {
  queue(reply(200, envelope(json::array())));
  ListQuery q;
  q.parent_id = "";
  ASSERT_TRUE(client().list(q).ok());
  EXPECT_EQ(script->request(0).url, kBase + "/organizations?parent.id=null&page_size=100");
}

TEST_F(ClientTest, ListClampsPageSizeToTheApisRange) {
  queue(reply(200, envelope(json::array())));
  queue(reply(200, envelope(json::array())));
  ListQuery q;
  q.page_size = 5000;
  client().list(q);
  q.page_size = 0;
  client().list(q);
  EXPECT_THAT(script->request(0).url, ::testing::EndsWith("?page_size=1000"));
  EXPECT_THAT(script->request(1).url, ::testing::EndsWith("?page_size=1"));
}

// --- responses --------------------------------------------------------------------------------

TEST_F(ClientTest, ParsesNullParentAndProfileAndKeepsMeta) {
  json o = org_json(kId, "Root");
  o["parent"] = nullptr;
  o["profile"] = nullptr;
  queue(reply(200, envelope(o)));
  auto r = client().get(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().spec.parent_id, "");
  EXPECT_FALSE(r.value().spec.profile);
  EXPECT_EQ(r.value().create_time, "2019-12-27T18:11:19.117Z");
  EXPECT_EQ(r.value().meta, o["meta"]);
}

TEST_F(ClientTest, MalformedOrganizationIsAProtocolError) {
  queue(reply(200, envelope({{"name", "no id"}})));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("organization.id is missing"));
}

TEST_F(ClientTest, NonJsonSuccessIsAProtocolError) {
  HttpResponse r;
  r.status = 200;
  r.body = "<html>hello</html>";
  queue(r);
  auto got = client().get(kId);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ApiError::Kind::protocol);
}

TEST_F(ClientTest, UnreadableSuccessOfAPostMayHaveCreated) {
  HttpResponse garbled;
  garbled.status = 201;
  garbled.body = R"({"success":true,"result":{"na)";
  queue(garbled);
  queue(reply(201, envelope({{"name", "no id"}})));
  for (int i = 0; i < 2; ++i) {
    auto r = client().create(OrgSpec{"X", "", std::nullopt});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
    EXPECT_TRUE(r.error().outcome_unknown) << "a 201 did create something";
  }
  EXPECT_EQ(script->count(), 2u);
}

TEST_F(ClientTest, SuccessFalseInA200IsAnError) {
  json body = error_envelope(1234, "odd");
  queue(reply(200, body));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::http);
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].code, 1234);
}

TEST_F(ClientTest, ErrorsCarryStatusAndCloudflareCodes) {
  queue(reply(400, error_envelope(1001, "parent not found")));
  auto r = client().create(OrgSpec{"X", kParent, std::nullopt});
  ASSERT_FALSE(r.ok());
  const ApiError& e = r.error();
  EXPECT_EQ(e.kind, ApiError::Kind::http);
  EXPECT_EQ(e.status, 400);
  ASSERT_EQ(e.errors.size(), 1u);
  EXPECT_EQ(e.errors[0].code, 1001);
  EXPECT_FALSE(e.outcome_unknown);
  EXPECT_EQ(e.str(), "POST /organizations: HTTP 400, Cloudflare error 1001: parent not found");
  EXPECT_EQ(script->count(), 1u);  // a 400 is an answer, not a glitch
}

TEST_F(ClientTest, NestedErrorChainsAreFlattened) {
  json body = error_envelope(1000, "outer");
  body["errors"][0]["error_chain"] = {{{"code", 1002}, {"message", "inner"}}};
  queue(reply(400, body));
  auto r = client().get(kId);
  ASSERT_EQ(r.error().errors.size(), 2u);
  EXPECT_EQ(r.error().errors[1].code, 1002);
  EXPECT_EQ(r.error().errors[1].message, "inner");
}

TEST_F(ClientTest, NonEnvelopeErrorBodyShowsInTheMessage) {
  HttpResponse r;
  r.status = 403;
  r.body = "<html>\n<b>Forbidden by proxy</b></html>";
  queue(r);
  auto got = client().get(kId);
  EXPECT_EQ(got.error().status, 403);
  EXPECT_THAT(got.error().str(), ::testing::HasSubstr("<b>Forbidden by proxy</b>"));
}

TEST_F(ClientTest, RemoveOfAMissingOrgReturnsTheNotFound) {
  queue(reply(404, error_envelope(1003, "organization not found")));
  auto r = client().remove(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().not_found());
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(script->count(), 1u);
}

// --- pagination -------------------------------------------------------------------------------

TEST_F(ClientTest, ListFollowsCursorRepeatingFilters) {
  queue(
      reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "tok 1"}, {"count", 1}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}), {{"cursor", "tok2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"cursor", ""}})));
  ListQuery q;
  q.name_contains = "x";
  q.page_size = 1;
  auto r = client().list(q);
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0].id, "a");
  EXPECT_EQ(r.value()[2].id, "c");
  ASSERT_EQ(script->count(), 3u);
  EXPECT_EQ(script->request(0).url, kBase + "/organizations?name.contains=x&page_size=1");
  EXPECT_EQ(script->request(1).url,
            kBase + "/organizations?name.contains=x&page_size=1&page_token=tok%201");
  EXPECT_EQ(script->request(2).url,
            kBase + "/organizations?name.contains=x&page_size=1&page_token=tok2");
}

TEST_F(ClientTest, ListFollowsNextPageToken) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"next_page_token", "n1"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}),
                            {{"cursor", nullptr}, {"next_page_token", "n2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"next_page_token", nullptr}})));
  auto r = client().list({});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 3u);
  EXPECT_THAT(script->request(1).url, ::testing::EndsWith("&page_token=n1"));
  EXPECT_THAT(script->request(2).url, ::testing::EndsWith("&page_token=n2"));
}

TEST_F(ClientTest, ListStopsWithoutResultInfo) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}))));
  auto r = client().list({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().size(), 1u);
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, ListFailsOnARepeatedTokenInsteadOfLooping) {
  script->fallback = reply(200, envelope(json::array({org_json("z", "Z")}), {{"cursor", "same"}}));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("\"same\" a second time"));
  EXPECT_EQ(script->count(), 2u);  // the first page, then the page that repeated it
}

TEST_F(ClientTest, ListFailsOnATokenCycle) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "t1"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}), {{"cursor", "t2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"cursor", "t1"}})));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, ListSurfacesAnErrorOnALaterPage) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "t1"}})));
  queue(reply(400, error_envelope(1004, "bad page token")));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors.at(0).code, 1004);
  EXPECT_THAT(r.error().request, ::testing::HasSubstr("page_token=t1"));
}

// --- retries ----------------------------------------------------------------------------------

TEST_F(ClientTest, PostIsNotRepeatedAfter502) {
  queue(reply(502, error_envelope(1, "bad gateway")));
  auto r = client().create(OrgSpec{"X", "", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("may have carried it out"));
}

TEST_F(ClientTest, PostIsNotRepeatedAfterTimeoutOrBrokenConnection) {
  for (Failure f : {Failure::timeout, Failure::broken}) {
    queue(failure(f));
    auto before = script->count();
    auto r = client().create(OrgSpec{"X", "", std::nullopt});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(script->count(), before + 1);
    EXPECT_EQ(r.error().kind, ApiError::Kind::transport);
    EXPECT_TRUE(r.error().outcome_unknown);
  }
  EXPECT_EQ(client().stats().retries, 0u);
}

TEST_F(ClientTest, PostIsRepeatedAfter429) {
  queue(reply(429, error_envelope(971, "Please wait"), 5ms));
  queue(reply(201, envelope(org_json(kId, "X"))));
  auto r = client().create(OrgSpec{"X", "", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 2u);
  EXPECT_EQ(script->request(1).body, script->request(0).body);
  EXPECT_EQ(client().stats().rate_limited, 1u);
  EXPECT_EQ(client().stats().retries, 1u);
  EXPECT_EQ(client().stats().requests, 2u);
}

TEST_F(ClientTest, PostIsRepeatedWhenItWasNeverSent) {
  queue(failure(Failure::not_sent));
  queue(failure(Failure::not_sent));
  queue(reply(201, envelope(org_json(kId, "X"))));
  auto r = client().create(OrgSpec{"X", "", std::nullopt});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, GetIsRetriedOn503) {
  queue(reply(503, error_envelope(1, "unavailable")));
  queue(reply(503, error_envelope(1, "unavailable")));
  auto r = client().get(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->count(), 3u);
  EXPECT_EQ(client().stats().retries, 2u);
}

TEST_F(ClientTest, PutAndDeleteAreRetriedAfterTimeouts) {
  queue(failure(Failure::timeout));
  EXPECT_TRUE(client().update(kId, OrgSpec{"X", "", std::nullopt}).ok());
  queue(failure(Failure::broken));
  queue(reply(200, envelope({{"id", kId}})));
  EXPECT_TRUE(client().remove(kId).ok());
  EXPECT_EQ(script->count(), 4u);
}

TEST_F(ClientTest, DeleteThatMayHaveWorkedThenNotFoundSaysSo) {
  queue(failure(Failure::broken));
  queue(reply(404, error_envelope(1003, "not found")));
  auto r = client().remove(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().not_found());
  EXPECT_TRUE(r.error().outcome_unknown);  // the first attempt may have deleted it
}

TEST_F(ClientTest, GivesUpAfterMaxRetries) {
  script->fallback = reply(503, error_envelope(1, "unavailable"));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 4u);  // 1 + max_retries (3)
  EXPECT_EQ(r.error().status, 503);
  EXPECT_FALSE(r.error().outcome_unknown);  // a GET changes nothing
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("gave up after 3 retries"));
}

TEST_F(ClientTest, UnusableRequestIsNotRetried) {
  queue(failure(Failure::unusable));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_FALSE(r.error().outcome_unknown);
}

TEST_F(ClientTest, TransportErrorMessageNamesTheFailure) {
  queue(failure(Failure::timeout));
  auto r = client().create(OrgSpec{"X", "", std::nullopt});
  EXPECT_EQ(r.error().str(),
            "POST /organizations: no response (timeout (simulated)); the server may have carried "
            "it out");
}

TEST_F(ClientTest, RetryAfterOn429PausesEveryWorker) {
  queue(reply(429, error_envelope(971, "Please wait"), 300ms));
  HttpClient& c = client();
  auto start = Clock::now();
  std::thread first([&] { EXPECT_TRUE(c.get(kId).ok()); });
  while (c.stats().retries == 0) std::this_thread::sleep_for(1ms);  // the pause is set by now
  // Another worker, whose own request never saw a 429, still waits out the pause.
  EXPECT_TRUE(c.get(kId).ok());
  first.join();
  std::lock_guard lock(script->mu);
  ASSERT_EQ(script->sent_at.size(), 3u);
  EXPECT_GE(script->sent_at[1] - start, 290ms);
  EXPECT_GE(script->sent_at[2] - start, 290ms);
}

TEST_F(ClientTest, EveryRequestGoesThroughTheBudget) {
  opts.rate_limit = RateLimit::parse("2/0.2");
  auto start = Clock::now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client().get(kId).ok());
  // 2 sends at 0, then 2 when those slots free 200 ms after their replies, then 2 more.
  EXPECT_GE(Clock::now() - start, 390ms);
  EXPECT_EQ(client().stats().requests, 6u);
  EXPECT_EQ(client().stats().in_flight, 0u);
}

TEST_F(ClientTest, ConcurrentCallsAreCounted) {
  HttpClient& c = client();
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(c.get(kId).ok());
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(client().stats().requests, 400u);
  EXPECT_EQ(script->count(), 400u);
}

}  // namespace
}  // namespace cforg::api
