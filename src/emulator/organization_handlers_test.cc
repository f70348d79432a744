// An organization's routes over HTTP: create, read, update, delete, in the published reading
// and the older ones, with the validation errors' codes and pointers.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

TEST(EmulatorOrganizations, PublishedCrudRoundTrip) {
  // Every default is the published reading; only the post-create window is off here (it has
  // its own tests).
  Emulator e(no_window());
  json root = create(e, "Root");
  ASSERT_TRUE(published_id(root["id"])) << root["id"];
  EXPECT_TRUE(std::regex_match(root["create_time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  // The SDKs type `profile` optional, not nullable: no profile sent, no profile key.
  EXPECT_FALSE(root.contains("profile")) << root.dump();
  EXPECT_TRUE(root["meta"]["tenant_flags"]["member_management"].is_string());
  EXPECT_TRUE(root["meta"]["tenant_flags"]["enterprise_capability"].is_string());
  EXPECT_FALSE(root["meta"].contains("flags"));
  json profile = json::parse(profile_body("acme"));
  HttpReply posted = e.request(
      "POST", "/organizations",
      json({{"name", "Child"}, {"parent", {{"id", root["id"]}}}, {"profile", profile}}).dump());
  ASSERT_EQ(posted.status, 200) << posted.body.dump();
  json child = posted.body["result"];
  EXPECT_EQ(child["profile"], profile);
  EXPECT_EQ(child["parent"], json({{"id", root["id"]}, {"name", "Root"}}));
  EXPECT_EQ(child["meta"]["hierarchy_tags"], json::array({root["id"], child["id"]}));

  // GET and the list leave the profile out entirely (--read-profile omit).
  std::string path = "/organizations/" + child["id"].get<std::string>();
  HttpReply got = e.request("GET", path);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["success"], true);
  EXPECT_EQ(got.body["errors"], json::array());
  EXPECT_EQ(got.body["messages"], json::array());
  json without_profile = child;
  without_profile.erase("profile");
  EXPECT_EQ(got.body["result"], without_profile);
  HttpReply list = e.request("GET", "/organizations");
  for (const auto& o : list.body["result"]) EXPECT_FALSE(o.contains("profile")) << o.dump();

  // PUT: only the name; parent and profile are silently ignored (--put-extra-fields ignore).
  json put = {
      {"name", "Renamed"}, {"parent", nullptr}, {"profile", json::parse(profile_body("x"))}};
  HttpReply renamed = e.request("PUT", path, put.dump());
  EXPECT_EQ(renamed.status, 200) << renamed.body.dump();
  EXPECT_EQ(renamed.body["result"]["name"], "Renamed");
  EXPECT_EQ(renamed.body["result"]["parent"]["id"], root["id"]) << "the parent stays";
  EXPECT_FALSE(renamed.body["result"].contains("profile"));
  EXPECT_EQ(renamed.body["result"]["create_time"], child["create_time"]);

  // The profile endpoints: GET is an envelope, PUT a 204 without a body.
  HttpReply read = e.request("GET", path + "/profile");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body["result"], profile) << "the PUT above did not touch the profile";
  Raw written =
      raw(e, "PUT", path + "/profile", profile_body("beta"), {Emulator::bearer(), "Accept: */*"});
  EXPECT_EQ(written.rc, CURLE_OK);
  EXPECT_EQ(written.status, 204);
  EXPECT_EQ(written.body, "");
  EXPECT_EQ(e.request("GET", path + "/profile").body["result"], json::parse(profile_body("beta")));
  HttpReply root_profile =
      e.request("GET", "/organizations/" + root["id"].get<std::string>() + "/profile");
  expect_error(root_profile, 404, 1021);  // --profile-missing 404
  expect_error(e.request("PUT", path + "/profile", R"({"business_name": "n"})"), 400, 1011,
               "/business_address");
  json mistyped = json::parse(profile_body("m"));
  mistyped["business_phone"] = 5;
  expect_error(e.request("PUT", path + "/profile", mistyped.dump()), 400, 1011, "/business_phone");

  // DELETE: 204, no body (--delete-response empty).
  Raw deleted = raw(e, "DELETE", path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  expect_error(e.request("GET", path), 404, 1020);
  expect_error(e.request("DELETE", path), 404, 1020);
  expect_error(e.request("GET", path + "/profile"), 404, 1020);
  expect_error(e.request("PUT", path + "/profile", profile_body("z")), 404, 1020);
}

TEST(EmulatorOrganizations, OlderReadingsByFlag) {
  Emulator e(no_window({"--id-format", "hex", "--put-extra-fields", "apply", "--read-profile",
                        "include", "--profile-missing", "null", "--delete-response", "envelope",
                        "--meta-flags", "flags"}));
  json root = create(e, "Root");
  ASSERT_TRUE(std::regex_match(root["id"].get<std::string>(), std::regex("[0-9a-f]{32}")));
  EXPECT_TRUE(root["meta"]["flags"]["sub_org_creation"].is_string());
  EXPECT_FALSE(root["meta"].contains("tenant_flags"));
  json child = create(e, "Child", root["id"]);
  std::string path = "/organizations/" + child["id"].get<std::string>();

  // Profile key in GET and the list when the org has one; never null.
  HttpReply got = e.request("GET", path);
  EXPECT_FALSE(got.body["result"].contains("profile")) << got.body.dump();
  HttpReply none = e.request("GET", path + "/profile");
  EXPECT_EQ(none.status, 200);
  EXPECT_TRUE(none.body["result"].is_null());
  EXPECT_EQ(none.body["success"], true);

  // PUT is a full replace: profile set, parent dropped (the organization becomes a root).
  json put = {{"name", "Renamed"}, {"profile", json::parse(profile_body("acme"))}};
  HttpReply replaced = e.request("PUT", path, put.dump());
  EXPECT_EQ(replaced.status, 200);
  EXPECT_EQ(replaced.body["result"]["name"], "Renamed");
  EXPECT_FALSE(replaced.body["result"].contains("parent"));
  EXPECT_EQ(replaced.body["result"]["profile"]["business_name"], "acme");
  bool listed = false;
  HttpReply list = e.request("GET", "/organizations");
  for (const auto& o : list.body["result"]) {
    EXPECT_EQ(o.contains("profile"), o["id"] == child["id"]) << o.dump();
    if (o["id"] == child["id"]) listed = o["profile"]["business_name"] == "acme";
  }
  EXPECT_TRUE(listed);
  std::string root_path = "/organizations/" + root["id"].get<std::string>();
  json cycle = {{"name", "Root"}, {"parent", {{"id", root["id"]}}}};
  expect_error(e.request("PUT", root_path, cycle.dump()), 400, 1009, "/parent/id");

  HttpReply deleted = e.request("DELETE", path);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["success"], true);
  EXPECT_EQ(deleted.body["result"], json({{"id", child["id"]}}));
}

TEST(EmulatorOrganizations, PutExtraFieldsReject) {
  Emulator e(no_window({"--put-extra-fields", "reject"}));
  json root = create(e, "Root");
  json other = create(e, "Other");
  json child = create(e, "Child", root["id"]);
  std::string path = "/organizations/" + child["id"].get<std::string>();
  HttpReply moved =
      e.request("PUT", path, json({{"name", "Child"}, {"parent", {{"id", other["id"]}}}}).dump());
  expect_error(moved, 400, 1017, "/parent");
  EXPECT_NE(moved.body["errors"][0]["message"].get<std::string>().find("parent"),
            std::string::npos);
  expect_error(
      e.request("PUT", path,
                json({{"name", "Child"}, {"profile", json::parse(profile_body("p"))}}).dump()),
      400, 1017, "/profile");
  HttpReply got = e.request("GET", path);
  EXPECT_EQ(got.body["result"]["parent"]["id"], root["id"]);
  EXPECT_EQ(e.request("PUT", path, R"({"name":"Renamed"})").body["result"]["name"], "Renamed");
  expect_error(e.request("PUT", path, R"({"parent":null})"), 400, 1003, "/name");
}

TEST(EmulatorOrganizations, ValidationErrorsHaveCodesAndPointers) {
  Emulator e(no_window());
  json root = create(e, "Root");
  expect_error(e.request("POST", "/organizations", "{not json"), 400, 1001);
  expect_error(e.request("POST", "/organizations", "[1,2]"), 400, 1002);
  expect_error(e.request("POST", "/organizations", "{}"), 400, 1003, "/name");
  expect_error(e.request("POST", "/organizations", R"({"name": 3})"), 400, 1004, "/name");
  expect_error(e.request("POST", "/organizations", R"({"name": ""})"), 400, 1005, "/name");
  expect_error(e.request("POST", "/organizations", R"({"name": "x", "parent": "p"})"), 400, 1006,
               "/parent");
  expect_error(e.request("POST", "/organizations", R"({"name": "x", "parent": {}})"), 400, 1007,
               "/parent/id");
  expect_error(e.request("POST", "/organizations",
                         json({{"name", "x"}, {"parent", {{"id", kUnknownId}}}}).dump()),
               400, 1008, "/parent/id");
  expect_error(e.request("POST", "/organizations", R"({"name": "x", "profile": 1})"), 400, 1010,
               "/profile");
  expect_error(
      e.request("POST", "/organizations", R"({"name": "x", "profile": {"business_name": "n"}})"),
      400, 1011, "/profile/business_address");
  std::string root_path = "/organizations/" + root["id"].get<std::string>();
  expect_error(e.request("PUT", root_path, R"({"name": ""})"), 400, 1005, "/name");
  expect_error(e.request("PUT", root_path, "[]"), 400, 1002);
  expect_error(e.request("PUT", root_path + "/profile", R"({"business_name": "n"})"), 400, 1011);
  expect_error(e.request("PUT", root_path + "/profile", "[]"), 400, 1002);
  expect_error(raw_reply(e, "POST", "/organizations", {"Content-Length: 0"}), 400, 1001);
  EXPECT_EQ(e.stats()["organizations"], 1);
}

TEST(EmulatorOrganizations, DeleteOfNonEmptyOrganizationIsRefused) {
  Emulator e(no_window());
  json root = create(e, "Root");
  json child = create(e, "Child", root["id"]);
  std::string root_path = "/organizations/" + root["id"].get<std::string>();
  HttpReply refused = e.request("DELETE", root_path);
  expect_error(refused, 400, 1012);
  EXPECT_NE(refused.body["errors"][0]["message"].get<std::string>().find("not empty"),
            std::string::npos);
  EXPECT_EQ(e.request("DELETE", "/organizations/" + child["id"].get<std::string>()).status, 204);
  EXPECT_EQ(e.request("DELETE", root_path).status, 204);
  EXPECT_EQ(e.stats()["organizations"], 0);
}

TEST(EmulatorOrganizations, SameSeedSameIds) {
  Emulator a({"--seed", "9"}), b({"--seed", "9"}), c({"--seed", "10"});
  json x = create(a, "x");
  EXPECT_TRUE(published_id(x["id"]));
  EXPECT_EQ(x["id"], create(b, "x")["id"]);
  EXPECT_NE(create(a, "y")["id"], create(c, "y")["id"]);
  Emulator hex({"--seed", "9", "--id-format", "hex"});
  EXPECT_TRUE(
      std::regex_match(create(hex, "x")["id"].get<std::string>(), std::regex("[0-9a-f]{32}")));
}

}  // namespace
}  // namespace cforg::emulator::http_test
