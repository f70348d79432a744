// The server's pipeline over HTTP: the rate limiter, the post-create window, the spend hook, the
// stats, the worker pool, the log. What depends on time runs on a server in this process whose
// clock the test moves (SteppedServer), so that no test sleeps through a block or a window.
#include "server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_test_support.h"
#include "rate_limiter.h"

namespace cforg::emulator::http_test {
namespace {

using namespace std::chrono_literals;

// The server in this process, on loopback, with the harness's credentials and a steady clock
// that stands still until advance() moves it.
class SteppedServer {
 public:
  explicit SteppedServer(Options options) {
    options.port = 0;
    options.token = cforg::testing::kTestToken;
    options.email = cforg::testing::kTestEmail;
    options.key = cforg::testing::kTestKey;
    Clocks clocks;
    clocks.steady = [this] { return now(); };
    server_ = std::make_unique<Server>(options, std::move(clocks));
    int port = server_->bind();
    if (port < 0) throw std::runtime_error("the in-process emulator cannot listen");
    origin_ = "http://127.0.0.1:" + std::to_string(port);
    runner_ = std::thread([this] { server_->run(); });
    // stop() does nothing before run() listens: the first answer shows that it does.
    stats();
  }
  ~SteppedServer() {
    server_->stop();
    runner_.join();
  }
  SteppedServer(const SteppedServer&) = delete;
  SteppedServer& operator=(const SteppedServer&) = delete;

  void advance(std::chrono::milliseconds by) { elapsed_ += by.count(); }

  HttpReply request(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    std::vector<std::string> headers = {Emulator::bearer()}) const {
    if (!body.empty()) headers.push_back("Content-Type: application/json");
    return reply_of(raw(origin_ + "/client/v4" + path, method, body, headers));
  }
  // GET /__emulator/stats
  json stats() const { return reply_of(raw(origin_ + "/__emulator/stats", "GET", "", {})).body; }

 private:
  std::chrono::steady_clock::time_point now() const {
    return start_ + std::chrono::milliseconds(elapsed_.load());
  }

  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::atomic<int64_t> elapsed_{0};  // milliseconds advanced since start_
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::string origin_;  // http://127.0.0.1:PORT
};

// Options with `--rate-limit text` and, when given, `--block-seconds`.
Options rate_limited(const char* text, std::optional<std::chrono::milliseconds> block = {}) {
  Options options;
  options.rate_limit = *parse_rate_limit(text);
  if (block) options.rate_limit.block = *block;
  return options;
}

TEST(EmulatorServer, RateLimitPerCredential) {
  SteppedServer e(rate_limited("5/2"));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(e.request("GET", "/organizations").status, 200) << i;
  HttpReply limited = e.request("GET", "/organizations");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["errors"][0]["code"], 971);
  EXPECT_EQ(limited.body["errors"][0]["message"],
            "Please wait and consider throttling your request speed");
  ASSERT_TRUE(limited.headers.count("retry-after"));
  int retry_after = std::stoi(limited.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  // Another credential has its own window.
  EXPECT_EQ(e.request("GET", "/organizations", "", key_auth()).status, 200);
  EXPECT_EQ(e.stats()["rate_limited"], 1);
  e.advance(std::chrono::seconds(retry_after));
  EXPECT_EQ(e.request("GET", "/organizations").status, 200) << "Retry-After was too short";
}

TEST(EmulatorServer, A429BlocksTheCredential) {
  SteppedServer e(rate_limited("2/1", 3s));
  EXPECT_EQ(refused_after_two(e).headers["retry-after"], "3");
  // The window has freed, the block has not.
  e.advance(1500ms);
  HttpReply blocked = e.request("GET", "/organizations");
  EXPECT_EQ(blocked.status, 429);
  int left = std::stoi(blocked.headers["retry-after"]);
  EXPECT_GE(left, 1);
  EXPECT_LE(left, 2);
  EXPECT_EQ(e.request("GET", "/organizations", "", key_auth()).status, 200)
      << "the block is per credential";
  json stats = e.stats();
  EXPECT_EQ(stats["rate_limited"], 2);
  EXPECT_EQ(stats["rate_limited_blocked"], 1);
  e.advance(1600ms);  // 3.1 s after the first request
  EXPECT_EQ(e.request("GET", "/organizations").status, 200) << "the block is over";

  // No block (--block-seconds 0): the older behaviour, a slot frees and the next request passes.
  SteppedServer unblocked(rate_limited("2/1", 0s));
  EXPECT_EQ(refused_after_two(unblocked).headers["retry-after"], "1");
  unblocked.advance(1s);
  EXPECT_EQ(unblocked.request("GET", "/organizations").status, 200);
}

TEST(EmulatorServer, PostCreateWindowRefusesRequestsNamingTheNewOrganization) {
  Options options;
  options.consistency_ms = 1500;
  SteppedServer e(options);
  json root = create(e, "Root");
  std::string id = root["id"];
  std::string path = "/organizations/" + id;
  struct Call {
    std::string method, path, body;
  };
  std::vector<Call> calls = {
      {"POST", "/organizations", json({{"name", "Child"}, {"parent", {{"id", id}}}}).dump()},
      {"GET", path, ""},
      {"PUT", path, R"({"name":"Renamed"})"},
      {"DELETE", path, ""},
      {"GET", path + "/profile", ""},
      {"PUT", path + "/profile", profile_body("p")},
  };
  for (const auto& c : calls) {
    HttpReply r = e.request(c.method, c.path, c.body, key_auth());
    expect_error(r, 403, 10000);
    EXPECT_EQ(r.body["errors"][0]["message"], "Authentication error") << c.method << " " << c.path;
  }
  e.advance(1400ms);  // still inside the window
  // Lists are not affected, and show the new organization at once; other roots neither.
  HttpReply listed = e.request("GET", "/organizations");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["result"].size(), 1u);
  EXPECT_EQ(e.request("GET", "/organizations?parent.id=" + id).status, 200);
  EXPECT_EQ(e.request("POST", "/organizations", R"({"name":"Another root"})").status, 200);
  EXPECT_EQ(e.stats()["post_create_403"], calls.size());
  EXPECT_EQ(e.stats()["organizations"], 2) << "nothing was done by a refused request";
  expect_error(e.request("GET", path), 403, 10000);

  e.advance(200ms);  // 1.6 s after the create
  EXPECT_EQ(e.request("GET", path).status, 200);
  json child = create(e, "Child", id);
  EXPECT_EQ(child["parent"]["id"], id);
  // The child is young now, its parent no longer.
  expect_error(e.request("GET", "/organizations/" + child["id"].get<std::string>()), 403, 10000);
  EXPECT_EQ(e.request("PUT", path + "/profile", profile_body("p")).status, 204);
}

TEST(EmulatorServer, PostCreateWindowIsOnByDefaultAndZeroDisablesIt) {
  {
    Emulator e;
    json root = create(e, "Root");
    expect_error(e.request("POST", "/organizations",
                           json({{"name", "Child"}, {"parent", {{"id", root["id"]}}}}).dump()),
                 403, 10000);
    EXPECT_EQ(e.stats()["post_create_403"], 1);
  }
  {
    Emulator e({"--consistency-ms", "0"});
    json root = create(e, "Root");
    EXPECT_EQ(create(e, "Child", root["id"])["parent"]["id"], root["id"]);
    EXPECT_EQ(e.stats()["post_create_403"], 0);
  }
}

TEST(EmulatorServer, SpendHookTakesAnotherClientsShare) {
  Emulator e({"--rate-limit", "10/60"});
  json spent = e.spend(7);
  EXPECT_EQ(spent["spent"], 7);
  EXPECT_EQ(spent["rate_limit"], json({{"limit", 10}, {"remaining", 3}, {"reset", 60}}));
  Raw first = raw(e, "GET", "/organizations");
  EXPECT_EQ(ratelimit(first).first, 2) << "the headers show what the other client spent";
  EXPECT_EQ(e.request("GET", "/organizations").status, 200);
  EXPECT_EQ(e.request("GET", "/organizations").status, 200);
  EXPECT_EQ(e.request("GET", "/organizations").status, 429);
  // The key's budget is untouched; spending it works with its headers.
  EXPECT_EQ(e.spend(4, Emulator::global_key_headers())["rate_limit"]["remaining"], 6);
  // The hook is not rate limited, even while the credential is blocked.
  EXPECT_EQ(e.spend(1)["spent"], 1);
  HttpReply anonymous = e.request("POST", "/__emulator/spend?count=1", "", {});
  expect_error(anonymous, 403, 10000);
  expect_error(e.request("POST", "/__emulator/spend?count=-1", ""), 400, 1030);
  expect_error(e.request("POST", "/__emulator/spend", ""), 400, 1030);
  json stats = e.stats();
  EXPECT_EQ(stats["spent"], 12);
  EXPECT_EQ(stats["requests_total"], 4) << "hook calls are not API requests";
  // Without --rate-limit the hook spends nothing and says so.
  Emulator unlimited;
  EXPECT_EQ(unlimited.spend(5), json({{"spent", 0}, {"rate_limit", nullptr}}));
}

TEST(EmulatorServer, StatsCountApiRequestsOnly) {
  Emulator e;
  json before = e.stats();
  EXPECT_EQ(before["requests_total"], 0);
  for (int i = 0; i < 3; ++i) create(e, "s" + std::to_string(i));
  e.request("GET", "/organizations");
  e.request("GET", "/organizations/" + kUnknownId);
  e.request("DELETE", "/organizations/" + kUnknownId, "", {});
  e.stats();
  json s = e.stats();
  EXPECT_EQ(s["requests_total"], 6);
  EXPECT_EQ(s["requests_by_method"], json({{"POST", 3}, {"GET", 2}, {"DELETE", 1}}));
  EXPECT_EQ(s["responses_by_status"], json({{"200", 4}, {"404", 1}, {"403", 1}}));
  EXPECT_EQ(s["organizations"], 3);
  EXPECT_EQ(s["rate_limited"], 0);
  EXPECT_EQ(s["rate_limited_blocked"], 0);
  EXPECT_EQ(s["post_create_403"], 0);
  EXPECT_EQ(s["token_refused"], 0);
  EXPECT_EQ(s["spent"], 0);
  EXPECT_EQ(s["faults"]["failed"], 0);
  EXPECT_EQ(s["faults"]["ambiguous"], 0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_GE(s["max_in_flight"], 1);
}

TEST(EmulatorServer, ServesManySlowRequestsAtOnce) {
  // 32 requests that each sleep 300 ms: with httplib's default pool of 8 threads they would
  // queue (4 rounds, >1.2 s); the emulator's pool serves them together.
  Emulator e({"--latency-ms", "300"});
  e.request("GET", "/organizations");  // libcurl's global init, before the threads
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&e, &ok] { ok += e.request("GET", "/organizations").status == 200; });
  }
  for (auto& t : threads) t.join();
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(ok, 32);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 1100ms);
  EXPECT_GE(e.stats()["max_in_flight"], 16);
}

TEST(EmulatorServer, NeverPrintsCredentials) {
  Emulator e({"--verbose"});
  create(e, "logged");
  std::vector<std::string> key_auth(std::begin(kKeyAuth), std::end(kKeyAuth));
  e.request("GET", "/organizations", "", key_auth);
  e.request("GET", "/organizations", "", {"Authorization: Bearer a-wrong-secret-value"});
  e.process().kill(SIGTERM);
  EXPECT_EQ(e.process().wait(), 0);
  std::string logs = e.process().out() + e.process().err();
  EXPECT_NE(logs.find("POST /client/v4/organizations -> 200"), std::string::npos) << logs;
  for (const char* secret : {cforg::testing::kTestToken, cforg::testing::kTestEmail,
                             cforg::testing::kTestKey, "a-wrong-secret-value"}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << secret << " leaked:\n" << logs;
  }
}

}  // namespace
}  // namespace cforg::emulator::http_test
