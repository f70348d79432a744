// The libcurl transport against a scripted loopback server: headers, methods, connection
// reuse, Retry-After, failure classification, and credentials kept out of every log.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

#include "cforg/api/client.h"
#include "cforg/api/transport.h"
#include "support/scripted_server.h"

namespace cforg::api {
namespace {

using namespace std::chrono_literals;
using cforg::testing::ScriptedReply;
using cforg::testing::ScriptedServer;
using ::testing::HasSubstr;
using ::testing::Not;
using Failure = HttpResponse::Failure;

constexpr const char* kToken = "tok-SECRET-5f2d8a0c1b7e";
constexpr const char* kKey = "key-SECRET-9e8d7c6b5a";

Credentials token() {
  return Credentials{kToken, "", ""};
}

TEST(CurlTransport, SendsBearerTokenAndJsonHeaders) {
  ScriptedServer server;
  auto t = make_curl_transport(token());
  HttpResponse r = t->send({"GET", server.url("/client/v4/organizations?page_size=2"), ""});
  ASSERT_EQ(r.failure, Failure::none) << r.failure_text;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"success":true})");
  auto head = server.requests().at(0).head;
  EXPECT_THAT(head, ::testing::StartsWith("GET /client/v4/organizations?page_size=2 HTTP/1.1\r\n"));
  EXPECT_THAT(head, HasSubstr(std::string("\r\nAuthorization: Bearer ") + kToken + "\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: application/json\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nUser-Agent: cforg/"));
  EXPECT_THAT(head, Not(HasSubstr("X-Auth-Key")));
}

TEST(CurlTransport, SendsGlobalKeyHeaders) {
  ScriptedServer server;
  auto t = make_curl_transport(Credentials{"", "ops@example.com", kKey});
  t->send({"GET", server.url("/x"), ""});
  auto head = server.requests().at(0).head;
  EXPECT_THAT(head, HasSubstr("\r\nX-Auth-Email: ops@example.com\r\n"));
  EXPECT_THAT(head, HasSubstr(std::string("\r\nX-Auth-Key: ") + kKey + "\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("Authorization")));
}

TEST(CurlTransport, SendsMethodsAndBodies) {
  ScriptedServer server;
  auto t = make_curl_transport(token());
  t->send({"POST", server.url("/o"), R"({"name":"a"})"});
  t->send({"PUT", server.url("/o/1"), R"({"name":"b"})"});
  t->send({"DELETE", server.url("/o/1"), ""});
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_THAT(reqs[0].head, ::testing::StartsWith("POST /o HTTP/1.1"));
  EXPECT_EQ(reqs[0].body, R"({"name":"a"})");
  EXPECT_THAT(reqs[1].head, ::testing::StartsWith("PUT /o/1 HTTP/1.1"));
  EXPECT_EQ(reqs[1].body, R"({"name":"b"})");
  EXPECT_THAT(reqs[2].head, ::testing::StartsWith("DELETE /o/1 HTTP/1.1"));
  EXPECT_EQ(reqs[2].body, "");
  for (const auto& r : reqs) EXPECT_THAT(r.head, Not(HasSubstr("Expect:")));
}

TEST(CurlTransport, SendsAColonInAPathAsItIs) {
  // POST .../members:batchCreate: libcurl must neither escape the ':' nor read it as a port.
  ScriptedServer server;
  auto t = make_curl_transport(token());
  t->send({"POST", server.url("/client/v4/organizations/o%2F1/members:batchCreate"), "{}"});
  EXPECT_THAT(server.requests().at(0).head,
              ::testing::StartsWith(
                  "POST /client/v4/organizations/o%2F1/members:batchCreate HTTP/1.1\r\n"));
}

TEST(CurlTransport, ReusesKeepAliveConnections) {
  ScriptedServer server;
  auto t = make_curl_transport(token());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(t->send({"GET", server.url("/x"), ""}).status, 200);
  t->send({"PUT", server.url("/x"), "{}"});
  t->send({"DELETE", server.url("/x"), ""});
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransport, PostsReuseKeepAliveConnections) {
  ScriptedServer server;
  auto t = make_curl_transport(token());
  t->send({"GET", server.url("/x"), ""});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(t->send({"POST", server.url("/x"), R"({"name":"a"})"}).status, 200);
  }
  EXPECT_EQ(server.connections(), 1);
  for (const auto& r : server.requests()) EXPECT_THAT(r.head, Not(HasSubstr("chunked")));
  EXPECT_EQ(server.requests().back().body, R"({"name":"a"})");
}

// The server answers a first request, takes a second on the same (reused) connection, then
// closes it without a reply: it may well have processed it. libcurl's habit is to send the
// request again on a new connection.
void drop_the_second_request(ScriptedServer& server) {
  server.push(ScriptedReply::http(200, "{}"));
  server.push(ScriptedReply::close_connection());
}

TEST(CurlTransport, PostIsNeverResentWhenAReusedConnectionDies) {
  ScriptedServer server;
  drop_the_second_request(server);
  auto t = make_curl_transport(token());
  ASSERT_EQ(t->send({"POST", server.url("/o"), R"({"name":"a"})"}).status, 200);
  HttpResponse r = t->send({"POST", server.url("/o"), R"({"name":"b"})"});
  EXPECT_EQ(r.failure, Failure::broken) << r.failure_text;  // unknown outcome: look it up
  EXPECT_THAT(r.failure_text, HasSubstr("without a reply"));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);  // "b" went out once
  EXPECT_EQ(reqs[1].body, R"({"name":"b"})");
  EXPECT_EQ(reqs[1].connection, 1);
  // The connection is gone, not the transport: the next POST opens a new one and succeeds.
  EXPECT_EQ(t->send({"POST", server.url("/o"), R"({"name":"c"})"}).status, 200);
}

TEST(CurlTransport, IdempotentRequestsAreResentWhenAReusedConnectionDies) {
  // The same script with a PUT: libcurl resends it, which is harmless (and shows that the test
  // above would catch a POST going out the way a PUT does).
  ScriptedServer server;
  drop_the_second_request(server);
  auto t = make_curl_transport(token());
  HttpResponse first = t->send({"PUT", server.url("/o/1"), R"({"name":"a"})"});
  ASSERT_EQ(first.status, 200);
  EXPECT_FALSE(first.resent);
  HttpResponse second = t->send({"PUT", server.url("/o/1"), R"({"name":"b"})"});
  EXPECT_EQ(second.status, 200);
  // Said so: an earlier copy may have been carried out (a DELETE's resend may find it gone).
  EXPECT_TRUE(second.resent);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].body, R"({"name":"b"})");
  EXPECT_EQ(reqs[2].connection, 2);
}

TEST(CurlTransport, ReadsRetryAfterSeconds) {
  ScriptedServer server;
  server.push(ScriptedReply::http(429, "{}", "Retry-After: 17\r\n"));
  server.push(ScriptedReply::http(200, "{}"));
  auto t = make_curl_transport(token());
  HttpResponse r = t->send({"GET", server.url("/x"), ""});
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after, std::optional<std::chrono::milliseconds>(17s));
  EXPECT_EQ(t->send({"GET", server.url("/x"), ""}).retry_after, std::nullopt);
}

TEST(CurlTransport, ReadsRetryAfterDate) {
  std::time_t in_a_minute = std::time(nullptr) + 60;
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&in_a_minute));
  ScriptedServer server;
  server.push(ScriptedReply::http(503, "{}", std::string("retry-after: ") + date + "\r\n"));
  HttpResponse r = make_curl_transport(token())->send({"GET", server.url("/x"), ""});
  ASSERT_TRUE(r.retry_after);
  EXPECT_GE(*r.retry_after, 58s);
  EXPECT_LE(*r.retry_after, 60s);
}

TEST(CurlTransport, ABodyBeyond16MiBIsNotReadWhole) {
  ScriptedServer server;
  server.push(ScriptedReply::http(200, std::string((16u << 20) + 1, '[')));
  server.push(ScriptedReply::http(200, std::string(1u << 20, ' ') + "{}"));
  auto t = make_curl_transport(token());
  HttpResponse big = t->send({"GET", server.url("/x"), ""});
  EXPECT_EQ(big.failure, Failure::broken);
  EXPECT_THAT(big.failure_text, HasSubstr("larger than 16 MiB"));
  EXPECT_TRUE(big.body.empty());
  HttpResponse fine = t->send({"GET", server.url("/x"), ""});  // 1 MiB: a large page
  EXPECT_EQ(fine.failure, Failure::none) << fine.failure_text;
  EXPECT_EQ(fine.body.size(), (1u << 20) + 2);
}

TEST(BaseUrl, HttpsAnywhereHttpOnlyToThisMachine) {
  EXPECT_EQ(base_url_problem("https://api.cloudflare.com/client/v4", false), "");
  EXPECT_EQ(base_url_problem("http://127.0.0.1:4010/client/v4", false), "");
  EXPECT_EQ(base_url_problem("http://localhost:4010/client/v4", false), "");
  EXPECT_EQ(base_url_problem("http://[::1]:4010/client/v4", false), "");
  EXPECT_THAT(base_url_problem("http://proxy.corp.example/client/v4", false),
              HasSubstr("unencrypted; use https, or --allow-insecure-http"));
  EXPECT_EQ(base_url_problem("http://proxy.corp.example/client/v4", true), "");
  EXPECT_THAT(base_url_problem("not a url", false), HasSubstr("is not a URL"));
  EXPECT_THAT(base_url_problem("ftp://api.cloudflare.com/", false), HasSubstr("\"ftp\""));
  // A password in the URL is never repeated.
  std::string why = base_url_problem("http://user:hunter2@proxy.example/v4", false);
  EXPECT_THAT(why, HasSubstr("http://proxy.example/v4"));
  EXPECT_THAT(why, Not(HasSubstr("hunter2")));
}

TEST(RetryAfter, Parses) {
  const std::time_t now = 1700000000;  // 2023-11-14T22:13:20Z
  EXPECT_EQ(parse_retry_after("120", now), std::optional<std::chrono::milliseconds>(120s));
  EXPECT_EQ(parse_retry_after(" 5\r\n", now), std::optional<std::chrono::milliseconds>(5s));
  EXPECT_EQ(parse_retry_after("0", now), std::optional<std::chrono::milliseconds>(0s));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now),
            std::optional<std::chrono::milliseconds>(60s));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now),  // already past
            std::optional<std::chrono::milliseconds>(0s));
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now),  // capped at a day
            std::optional<std::chrono::milliseconds>(86400s));
  for (const char* bad : {"", "soon", "-5", "5s", "1.5"}) {
    EXPECT_EQ(parse_retry_after(bad, now), std::nullopt) << bad;
  }
}

TEST(CurlTransport, ClosedWithoutReplyIsBroken) {
  ScriptedServer server;
  server.push(ScriptedReply::close_connection());
  HttpResponse r = make_curl_transport(token())->send({"POST", server.url("/x"), "{}"});
  EXPECT_EQ(r.failure, Failure::broken) << r.failure_text;
  EXPECT_FALSE(r.failure_text.empty());
}

TEST(CurlTransport, NoReplyInTimeIsATimeout) {
  ScriptedServer server;
  server.push(ScriptedReply::hang());
  TransportOptions opts;
  opts.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  HttpResponse r = make_curl_transport(token(), opts)->send({"POST", server.url("/x"), "{}"});
  EXPECT_EQ(r.failure, Failure::timeout) << r.failure_text;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_EQ(server.requests().size(), 1u);  // it did arrive: the outcome is unknown
}

TEST(CurlTransport, RefusedConnectionWasNotSent) {
  int port;
  {
    ScriptedServer gone;
    port = gone.port();
  }  // closed: nothing listens there now
  HttpResponse r = make_curl_transport(token())->send(
      {"POST", "http://127.0.0.1:" + std::to_string(port) + "/x", "{}"});
  EXPECT_EQ(r.failure, Failure::not_sent) << r.failure_text;
}

TEST(CurlTransport, ConnectTimeoutWasNotSent) {
  // A listener whose accept queue is full never completes a new handshake: the connect times
  // out with nothing sent. (Linux keeps backlog+1 completed connections; fill them.)
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(50ms);
  TransportOptions opts;
  opts.connect_timeout = 300ms;
  opts.timeout = 2s;
  HttpResponse r =
      make_curl_transport(token(), opts)
          ->send({"POST", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x", "{}"});
  for (int c : fillers) ::close(c);
  ::close(fd);
  EXPECT_EQ(r.failure, Failure::not_sent) << r.failure_text;
}

TEST(CurlTransport, BadUrlIsUnusable) {
  auto t = make_curl_transport(token());
  EXPECT_EQ(t->send({"GET", "ftp://127.0.0.1/x", ""}).failure, Failure::unusable);
  EXPECT_EQ(t->send({"GET", "not a url", ""}).failure, Failure::unusable);
}

TEST(CurlTransport, ThreadSafeUnderConcurrentUse) {
  ScriptedServer server;
  auto t = make_curl_transport(token());
  std::atomic<int> ok{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 8; ++i) {
    workers.emplace_back([&] {
      for (int j = 0; j < 25; ++j) ok += t->send({"GET", server.url("/x"), ""}).status == 200;
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(ok, 200);
  EXPECT_LE(server.connections(), 8);  // one per pooled handle at most: connections are reused
}

TEST(CredentialsFromEnv, ReadsAllThreeAndTrimsNewlines) {
  setenv("CLOUDFLARE_API_TOKEN", "  abc\n", 1);
  setenv("CLOUDFLARE_EMAIL", "e@x", 1);
  setenv("CLOUDFLARE_API_KEY", "k\r\n", 1);
  Credentials c = Credentials::from_env();
  EXPECT_EQ(c.token, "abc");
  EXPECT_EQ(c.email, "e@x");
  EXPECT_EQ(c.key, "k");
  // Both configured: the global key, which the spec lists for every endpoint.
  EXPECT_EQ(c.scheme(), AuthScheme::global_key);
  unsetenv("CLOUDFLARE_API_KEY");
  c = Credentials::from_env();
  EXPECT_EQ(c.scheme(), AuthScheme::token);  // an email alone is no global key
  unsetenv("CLOUDFLARE_API_TOKEN");
  EXPECT_TRUE(Credentials::from_env().empty());
  EXPECT_EQ(Credentials::from_env().scheme(), AuthScheme::none);
  setenv("CLOUDFLARE_API_KEY", "k", 1);
  c = Credentials::from_env();
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.scheme(), AuthScheme::global_key);
  unsetenv("CLOUDFLARE_EMAIL");
  unsetenv("CLOUDFLARE_API_KEY");
  EXPECT_TRUE(Credentials::from_env().empty());
}

TEST(CurlTransport, WithBothSchemesSendsOnlyTheGlobalKey) {
  ScriptedServer server;
  auto t = make_curl_transport(Credentials{kToken, "ops@example.com", kKey});
  EXPECT_EQ(t->auth_scheme(), AuthScheme::global_key);
  t->send({"GET", server.url("/x"), ""});
  t->send({"POST", server.url("/x"), "{}"});
  for (const auto& r : server.requests()) {
    EXPECT_THAT(r.head, HasSubstr("\r\nX-Auth-Email: ops@example.com\r\n"));
    EXPECT_THAT(r.head, HasSubstr(std::string("\r\nX-Auth-Key: ") + kKey + "\r\n"));
    EXPECT_THAT(r.head, Not(HasSubstr("Authorization")));
    EXPECT_THAT(r.head, Not(HasSubstr(kToken)));
  }
  EXPECT_EQ(make_curl_transport(token())->auth_scheme(), AuthScheme::token);
}

TEST(CurlTransport, AcceptsAnythingWhenAskedTo) {
  ScriptedServer server(
      ScriptedReply{ScriptedReply::Action::respond, "HTTP/1.1 204 No Content\r\n\r\n"});
  auto t = make_curl_transport(token());
  HttpRequest put{"PUT", server.url("/o/1/profile"), R"({"business_name":"b"})"};
  put.accept_any = true;
  HttpResponse r = t->send(put);
  EXPECT_EQ(r.failure, Failure::none) << r.failure_text;
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  t->send({"GET", server.url("/o/1"), ""});
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_THAT(reqs[0].head, HasSubstr("\r\nAccept: */*\r\n"));
  EXPECT_THAT(reqs[0].head, Not(HasSubstr("Accept: application/json")));
  EXPECT_THAT(reqs[0].head, HasSubstr("\r\nContent-Type: application/json\r\n"));
  EXPECT_THAT(reqs[0].head, HasSubstr(kToken));
  EXPECT_THAT(reqs[1].head, HasSubstr("\r\nAccept: application/json\r\n"));
}

TEST(CurlTransport, ReadsRatelimitHeaders) {
  ScriptedServer server;
  server.push(ScriptedReply::http(
      200, "{}", "Ratelimit: \"default\";r=50;t=30\r\nRatelimit-Policy: \"burst\";q=100;w=60\r\n"));
  server.push(ScriptedReply::http(
      200, "{}",
      "x-ratelimit-limit: 1200\r\nx-ratelimit-remaining: 7\r\nx-ratelimit-reset: 12\r\n"));
  server.push(ScriptedReply::http(200, "{}"));
  server.push(ScriptedReply::http(200, "{}", "Ratelimit: garbage\r\n"));
  auto t = make_curl_transport(token());
  ServerRateLimit modern = t->send({"GET", server.url("/x"), ""}).rate_limit;
  EXPECT_EQ(modern.remaining, 50u);
  EXPECT_EQ(modern.reset, std::optional<std::chrono::milliseconds>(30s));
  EXPECT_EQ(modern.limit, 100u);
  EXPECT_EQ(modern.window, std::optional<std::chrono::milliseconds>(60s));
  ServerRateLimit legacy = t->send({"GET", server.url("/x"), ""}).rate_limit;
  EXPECT_EQ(legacy.remaining, 7u);
  EXPECT_EQ(legacy.limit, 1200u);
  EXPECT_EQ(legacy.reset, std::optional<std::chrono::milliseconds>(12s));
  EXPECT_FALSE(t->send({"GET", server.url("/x"), ""}).rate_limit.usable());
  EXPECT_FALSE(t->send({"GET", server.url("/x"), ""}).rate_limit.usable());
}

TEST(CurlTransport, RetryAfterIsQuotedAsSent) {
  ScriptedServer server;
  server.push(ScriptedReply::http(429, "{}", "Retry-After: 999999999\r\n"));
  HttpResponse r = make_curl_transport(token())->send({"GET", server.url("/x"), ""});
  EXPECT_EQ(r.retry_after, std::optional<std::chrono::milliseconds>(86400s));  // a day at most
  EXPECT_EQ(r.retry_after_text, "999999999");
}

TEST(RateLimitHeaders, ParsesThePublishedForm) {
  const std::time_t now = 1700000000;
  RateLimitHeaders h;
  h.ratelimit = "\"default\";r=50;t=30";
  h.ratelimit_policy = "\"burst\";q=100;w=60";
  ServerRateLimit s = parse_rate_limit_headers(h, now);
  EXPECT_TRUE(s.usable());
  EXPECT_EQ(s.remaining, 50u);
  EXPECT_EQ(s.reset, std::optional<std::chrono::milliseconds>(30s));
  EXPECT_EQ(s.limit, 100u);
  // Several policies: the one with the fewest left binds.
  h.ratelimit = "\"default\";r=900;t=200, \"burst\";r=3;t=2";
  s = parse_rate_limit_headers(h, now);
  EXPECT_EQ(s.remaining, 3u);
  EXPECT_EQ(s.reset, std::optional<std::chrono::milliseconds>(2s));
  // t missing: the policy's window stands in.
  h.ratelimit = "\"default\";r=5";
  s = parse_rate_limit_headers(h, now);
  EXPECT_TRUE(s.usable());
  EXPECT_FALSE(s.reset);
  EXPECT_EQ(s.window, std::optional<std::chrono::milliseconds>(60s));
}

TEST(RateLimitHeaders, BadValuesAreNotUsed) {
  const std::time_t now = 1700000000;
  for (const char* bad : {"", "garbage", "\"default\";r=-1;t=30", "\"default\";r=abc;t=30",
                          "\"default\";r=5;t=999999999", "\"default\";r=5;t=18446744073709551616",
                          "\"default\";r=18446744073709551616;t=5", "\"default\";t=5"}) {
    RateLimitHeaders h;
    h.ratelimit = bad;
    EXPECT_FALSE(parse_rate_limit_headers(h, now).usable()) << bad;
  }
  RateLimitHeaders none;
  EXPECT_EQ(parse_rate_limit_headers(none, now), ServerRateLimit{});
}

TEST(RateLimitHeaders, ParsesTheOlderHeaders) {
  const std::time_t now = 1700000000;
  RateLimitHeaders h;
  h.x_limit = "1200";
  h.x_remaining = "11";
  h.x_reset = "40";
  ServerRateLimit s = parse_rate_limit_headers(h, now);
  EXPECT_EQ(s.remaining, 11u);
  EXPECT_EQ(s.limit, 1200u);
  EXPECT_EQ(s.reset, std::optional<std::chrono::milliseconds>(40s));
  h.x_reset = std::to_string(now + 25);  // a Unix time
  EXPECT_EQ(parse_rate_limit_headers(h, now).reset, std::optional<std::chrono::milliseconds>(25s));
  h.x_reset = "4102444800";  // 2100-01-01: absurd, not a wait
  EXPECT_FALSE(parse_rate_limit_headers(h, now).usable());
  // Both forms: the published one wins.
  h.x_reset = "40";
  h.ratelimit = "\"default\";r=2;t=3";
  EXPECT_EQ(parse_rate_limit_headers(h, now).remaining, 2u);
}

// Replaces spdlog's default logger with one writing into a string, at trace level.
class CapturedLog {
 public:
  CapturedLog() : saved_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(saved_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> saved_;
  std::ostringstream out_;
};

TEST(CurlTransport, CredentialsNeverReachLogsOrOutput) {
  ScriptedServer server;
  for (int client = 0; client < 2; ++client) {
    server.push(ScriptedReply::http(201, R"({"success":true,"result":{"id":"i","name":"n"}})"));
    server.push(ScriptedReply::http(429, "{}", "Retry-After: 0\r\n"));
    server.push(
        ScriptedReply::http(403, R"({"success":false,"errors":[{"code":10000,"message":"no"}]})"));
    server.push(ScriptedReply::close_connection());
    server.push(ScriptedReply::http(404, "{}"));
  }
  std::string log;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  {
    CapturedLog capture;
    for (const Credentials& creds : {token(), Credentials{"", "ops@example.com", kKey}}) {
      ClientOptions opts;
      opts.base_url = server.url("/client/v4");
      opts.retry.base_delay = 1ms;
      opts.retry.max_retries = 2;
      opts.consistency_timeout = 0ms;  // the 403 below is the error path, not a young org
      HttpClient client(make_curl_transport(creds), opts);
      // Success, a 429 then a 403, a dropped connection retried: every log line and message.
      auto created = client.create(OrgSpec{"n", ParentRef::root(), std::nullopt});
      auto forbidden = client.get("i");
      auto missing = client.get("i");
      if (created.ok() && !forbidden.ok() && !missing.ok()) {
        log += forbidden.error().str() + "\n" + missing.error().str() + "\n";
      } else {
        log += "unexpected results\n";
      }
    }
    log += capture.text();
  }
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  // The credentials really went out...
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 10u);
  EXPECT_THAT(reqs[0].head, HasSubstr(kToken));
  EXPECT_THAT(reqs[5].head, HasSubstr(kKey));
  // ...and were never written anywhere else, at any level.
  EXPECT_THAT(log, HasSubstr("GET http://127.0.0.1:"));  // the capture did capture
  EXPECT_THAT(log, HasSubstr("rate limited"));
  EXPECT_THAT(log, HasSubstr("Cloudflare error 10000"));
  EXPECT_THAT(log, HasSubstr("HTTP 404"));
  for (const std::string& text : {log, out, err}) {
    EXPECT_THAT(text, Not(HasSubstr(kToken)));
    EXPECT_THAT(text, Not(HasSubstr(kKey)));
    EXPECT_THAT(text, Not(HasSubstr("Bearer")));
    EXPECT_THAT(text, Not(HasSubstr("X-Auth-Key")));
    EXPECT_THAT(text, Not(HasSubstr("ops@example.com")));
  }
}

}  // namespace
}  // namespace cforg::api
