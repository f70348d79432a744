// Both credential schemes over HTTP, configured or open, and --auth strict.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "http_test_support.h"
#include "support/binaries.h"

namespace cforg::emulator::http_test {
namespace {

using cforg::testing::Child;
using namespace std::chrono_literals;

// The emulator started with no credential flags at all, which the harness never does.
class OpenEmulator {
 public:
  OpenEmulator() {
    child_ = std::make_unique<Child>(
        std::vector<std::string>{cforg::testing::emulator_bin(), "--port", "0"},
        cforg::testing::RunOptions{}, dir_ / "emulator");
    static const std::regex listening(R"(listening on (http://127\.0\.0\.1:\d+/client/v4))");
    for (int i = 0; i < 2000 && base_.empty(); ++i) {
      std::smatch m;
      std::string out = child_->out();
      if (std::regex_search(out, m, listening)) base_ = m[1];
      std::this_thread::sleep_for(5ms);
    }
    if (base_.empty()) throw std::runtime_error("open emulator did not start: " + child_->err());
  }
  ~OpenEmulator() {
    child_->kill(SIGTERM);
    child_->wait();
  }
  long status(const std::vector<std::string>& headers) const {
    return raw(base_ + "/organizations", "GET", "", headers).status;
  }

 private:
  cforg::testing::TempDir dir_;
  std::unique_ptr<Child> child_;
  std::string base_;
};

TEST(EmulatorCredentials, BothAuthSchemesAndRefusals) {
  Emulator e;
  std::vector<std::string> key_auth(std::begin(kKeyAuth), std::end(kKeyAuth));
  EXPECT_EQ(e.request("POST", "/organizations", R"({"name":"by key"})", key_auth).status, 200);
  EXPECT_EQ(e.request("GET", "/organizations").status, 200);

  const std::vector<std::vector<std::string>> refused = {
      {},
      {"Authorization: Bearer wrong-token"},
      {"Authorization: Bearer "},
      {"Authorization: test-token-0123456789"},  // no scheme
      {kKeyAuth[0], "X-Auth-Key: wrong-key"},
      {"X-Auth-Email: someone@example.com", kKeyAuth[1]},
      {kKeyAuth[0]},
  };
  for (const auto& headers : refused) {
    HttpReply r = e.request("GET", "/organizations", "", headers);
    expect_error(r, 403, 10000);
    EXPECT_EQ(r.body["errors"][0]["message"], "Authentication error");
  }
  expect_error(e.request("POST", "/organizations", R"({"name":"x"})", {}), 403, 10000);
  EXPECT_EQ(e.stats()["organizations"], 1);
  // The stats route needs no credential.
  EXPECT_EQ(e.request("GET", "/__emulator/stats", "", {}).status, 200);
}

TEST(EmulatorCredentials, WithoutCredentialFlagsAnyCredentialWorks) {
  OpenEmulator open;
  EXPECT_EQ(open.status({"Authorization: Bearer anything"}), 200);
  EXPECT_EQ(open.status({"X-Auth-Email: a@b.c", "X-Auth-Key: k"}), 200);
  EXPECT_EQ(open.status({}), 403);
  EXPECT_EQ(open.status({"Authorization: Bearer "}), 403);
  EXPECT_EQ(open.status({"X-Auth-Email: a@b.c"}), 403);
}

TEST(EmulatorCredentials, StrictAuthTakesATokenOnlyOnTheList) {
  Emulator e(no_window({"--auth", "strict"}));
  EXPECT_EQ(e.request("GET", "/organizations").status, 200) << "the list takes a token";
  HttpReply refused = e.request("POST", "/organizations", R"({"name":"by token"})");
  expect_error(refused, 403, 10000);
  std::string message = refused.body["errors"][0]["message"];
  EXPECT_NE(message.find("global API key"), std::string::npos) << message;
  EXPECT_NE(message.find("X-Auth-Key"), std::string::npos) << message;
  EXPECT_EQ(e.stats()["organizations"], 0);

  HttpReply created = e.request("POST", "/organizations", R"({"name":"by key"})", key_auth());
  ASSERT_EQ(created.status, 200);
  std::string path = "/organizations/" + created.body["result"]["id"].get<std::string>();
  for (const auto& [method, where, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", path, ""},
           {"PUT", path, R"({"name":"x"})"},
           {"GET", path + "/profile", ""},
           {"PUT", path + "/profile", profile_body("p")},
           {"DELETE", path, ""}}) {
    HttpReply by_token = e.request(method, where, body);
    expect_error(by_token, 403, 10000);
    EXPECT_NE(by_token.body["errors"][0]["message"].get<std::string>().find("global API key"),
              std::string::npos);
  }
  EXPECT_EQ(e.stats()["token_refused"], 6);
  // With both schemes sent, the key is used.
  std::vector<std::string> both = key_auth();
  both.push_back(Emulator::bearer());
  EXPECT_EQ(e.request("GET", path, "", both).status, 200);
  EXPECT_EQ(e.request("GET", path, "", key_auth()).status, 200);
  EXPECT_EQ(e.request("PUT", path, R"({"name":"x"})", key_auth()).status, 200);
  EXPECT_EQ(e.request("PUT", path + "/profile", profile_body("p"), key_auth()).status, 204);
  EXPECT_EQ(e.request("GET", path + "/profile", "", key_auth()).status, 200);
  EXPECT_EQ(e.request("GET", "/organizations", "", key_auth()).status, 200);
  EXPECT_EQ(e.request("DELETE", path, "", key_auth()).status, 204);
  // A wrong token is a plain authentication error, not advice about the key.
  HttpReply wrong =
      e.request("POST", "/organizations", R"({"name":"x"})", {"Authorization: Bearer nope"});
  expect_error(wrong, 403, 10000);
  EXPECT_EQ(wrong.body["errors"][0]["message"], "Authentication error");
}

TEST(EmulatorCredentials, AnyAuthTakesBothSchemesEverywhere) {
  Emulator e(no_window());
  HttpReply created = e.request("POST", "/organizations", R"({"name":"by token"})");
  ASSERT_EQ(created.status, 200);
  std::string path = "/organizations/" + created.body["result"]["id"].get<std::string>();
  for (const auto& headers : {std::vector<std::string>{Emulator::bearer()}, key_auth()}) {
    EXPECT_EQ(e.request("GET", path, "", headers).status, 200);
    EXPECT_EQ(e.request("PUT", path, R"({"name":"x"})", headers).status, 200);
    EXPECT_EQ(e.request("PUT", path + "/profile", profile_body("p"), headers).status, 204);
    EXPECT_EQ(e.request("GET", path + "/profile", "", headers).status, 200);
  }
  EXPECT_EQ(e.stats()["token_refused"], 0);
}

}  // namespace
}  // namespace cforg::emulator::http_test
