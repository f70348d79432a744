// Routing over HTTP: an unknown path is a 404, a known one with the wrong method a 405.
#include <gtest/gtest.h>

#include <string>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

TEST(EmulatorRoutes, UnknownRoutesAndWrongMethods) {
  Emulator e;
  expect_error(e.request("GET", "/organisations"), 404, 7003);
  expect_error(e.request("GET", "/organizations/"), 404, 7003);
  expect_error(e.request("GET", "/organizations/abc/users"), 404, 7003);
  expect_error(e.request("GET", "/organizations/abc/members/"), 404, 7003);
  expect_error(e.request("GET", "/accounts"), 404, 7003);
  expect_error(e.request("POST", "/accounts/abc", "{}"), 404, 7003);
  // The sub-resources route, and answer for what they name.
  expect_error(e.request("GET", "/organizations/abc/members"), 404, 1020);
  expect_error(e.request("GET", "/organizations/abc/accounts"), 404, 1020);
  expect_error(e.request("POST", "/accounts/abc/move", "{}"), 404, 1046);
  expect_error(e.request("GET", "/organizations/" + kUnknownId), 404, 1020);

  Raw patch = raw(e, "PATCH", "/organizations/abc", "{}");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.headers["allow"], "GET, PUT, DELETE");
  EXPECT_EQ(json::parse(patch.body)["errors"][0]["code"], 7001);
  Raw delete_all = raw(e, "DELETE", "/organizations");
  EXPECT_EQ(delete_all.status, 405);
  EXPECT_EQ(delete_all.headers["allow"], "GET, POST");
  EXPECT_EQ(raw(e, "POST", "/organizations/abc/profile", "{}").status, 405);
  EXPECT_EQ(raw(e, "PUT", "/organizations/abc/members", "{}").headers["allow"], "GET, POST");
  EXPECT_EQ(raw(e, "POST", "/organizations/abc/members/m", "{}").headers["allow"], "GET, DELETE");
  EXPECT_EQ(raw(e, "POST", "/organizations/abc/accounts", "{}").headers["allow"], "GET");
  EXPECT_EQ(raw(e, "GET", "/accounts/abc/move").headers["allow"], "POST");
}

}  // namespace
}  // namespace cforg::emulator::http_test
