// The rate-limit headers every response carries, in each --ratelimit-headers style.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

TEST(EmulatorResponses, RateLimitHeadersOnEveryResponse) {
  Emulator e(no_window({"--rate-limit", "4/30"}));
  Raw first = raw(e, "GET", "/organizations");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(ratelimit(first), std::make_pair(3, 30));
  EXPECT_EQ(first.headers["ratelimit-policy"], "\"default\";q=4;w=30");
  EXPECT_FALSE(first.headers.count("retry-after")) << "Retry-After only on 429";
  EXPECT_FALSE(first.headers.count("x-ratelimit-limit"));
  // Refused before the limiter (unknown id = 404 counts; unknown route, bad auth do not):
  // the headers still come, with the credential's state.
  Raw missing = raw(e, "GET", "/organizations/" + kUnknownId);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ratelimit(missing).first, 2);
  Raw no_route = raw(e, "GET", "/nowhere");
  EXPECT_EQ(no_route.status, 404);
  EXPECT_EQ(ratelimit(no_route).first, 2);
  Raw bad_auth = raw(e, "GET", "/organizations", "", {"Authorization: Bearer nope"});
  EXPECT_EQ(bad_auth.status, 403);
  EXPECT_EQ(ratelimit(bad_auth), std::make_pair(4, 0)) << "an unknown caller has spent nothing";
  EXPECT_EQ(raw(e, "POST", "/organizations", R"({"name":"a"})").status, 200);
  Raw last = raw(e, "GET", "/organizations");
  EXPECT_EQ(ratelimit(last).first, 0);
  Raw limited = raw(e, "GET", "/organizations");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(ratelimit(limited), std::make_pair(0, 30));
  EXPECT_EQ(limited.headers["retry-after"], "30") << "the block: as long as the window";
  EXPECT_EQ(json::parse(limited.body)["errors"][0]["code"], 971);
  // The other credential has its own budget.
  Raw other = raw(e, "GET", "/organizations", "", key_auth());
  EXPECT_EQ(ratelimit(other).first, 3);
  // No --rate-limit: no headers at all.
  Emulator unlimited;
  Raw plain = raw(unlimited, "GET", "/organizations");
  EXPECT_FALSE(plain.headers.count("ratelimit"));
  EXPECT_FALSE(plain.headers.count("ratelimit-policy"));
}

TEST(EmulatorResponses, RateLimitHeaderStyles) {
  auto headers_of = [](const std::string& style) {
    Emulator e({"--rate-limit", "2/10", "--ratelimit-headers", style});
    raw(e, "GET", "/organizations");
    raw(e, "GET", "/organizations");
    return std::make_pair(raw(e, "GET", "/organizations", "", key_auth()).headers,
                          raw(e, "GET", "/organizations").headers);
  };
  auto [legacy, legacy_429] = headers_of("legacy");
  EXPECT_EQ(legacy["x-ratelimit-limit"], "2");
  EXPECT_EQ(legacy["x-ratelimit-remaining"], "1");
  EXPECT_EQ(legacy["x-ratelimit-reset"], "10");
  EXPECT_FALSE(legacy.count("ratelimit"));
  EXPECT_FALSE(legacy.count("ratelimit-policy"));
  EXPECT_EQ(legacy_429["x-ratelimit-remaining"], "0");
  EXPECT_EQ(legacy_429["retry-after"], "10");
  auto [both, both_429] = headers_of("both");
  EXPECT_EQ(both["x-ratelimit-remaining"], "1");
  EXPECT_EQ(both["ratelimit"], "\"default\";r=1;t=10");
  EXPECT_EQ(both["ratelimit-policy"], "\"default\";q=2;w=10");
  auto [none, none_429] = headers_of("none");
  EXPECT_FALSE(none.count("ratelimit"));
  EXPECT_FALSE(none.count("x-ratelimit-limit"));
  EXPECT_EQ(none_429["retry-after"], "10") << "a 429 always says how long to wait";
}

}  // namespace
}  // namespace cforg::emulator::http_test
