// An organization's members over HTTP: create, list, read, delete; the email filter and the
// pages; both readings of a second create for the same email; members:batchCreate absent and
// present; auth and faults on the new routes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

std::string members_of(const json& org) {
  return "/organizations/" + org["id"].get<std::string>() + "/members";
}

json member_body(const std::string& email, const std::string& status = "") {
  json member = {{"user", {{"email", email}}}};
  if (!status.empty()) member["status"] = status;
  return {{"member", member}};
}

// POST .../members; the created member.
json add_member(const Emulator& e, const json& org, const std::string& email,
                const std::string& status = "") {
  HttpReply r = e.request("POST", members_of(org), member_body(email, status).dump());
  EXPECT_EQ(r.status, 200) << r.body.dump();
  return r.body["result"];
}

std::vector<std::string> emails_of(const json& items) {
  std::vector<std::string> out;
  for (const auto& m : items) out.push_back(m["user"]["email"]);
  return out;
}

TEST(EmulatorMembers, CreateGetListDeleteRoundTrip) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  json member = add_member(e, org, "Ada@Example.com");
  EXPECT_TRUE(published_id(member["id"])) << member["id"];
  EXPECT_EQ(member["status"], "active") << "status defaults to active";
  EXPECT_EQ(member["meta"], json::object());
  EXPECT_EQ(member["update_time"], member["create_time"]);
  EXPECT_TRUE(std::regex_match(member["create_time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_TRUE(published_id(member["user"]["id"]));
  EXPECT_EQ(member["user"]["email"], "Ada@Example.com") << "kept as sent";
  EXPECT_EQ(member["user"]["name"], "");
  EXPECT_EQ(member["user"]["two_factor_authentication_enabled"], false);
  EXPECT_EQ(member.size(), 6u) << member.dump();

  std::string path = members_of(org) + "/" + member["id"].get<std::string>();
  HttpReply got = e.request("GET", path);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["result"], member);
  HttpReply listed = e.request("GET", members_of(org));
  EXPECT_EQ(listed.body["result"], json::array({member}));
  EXPECT_EQ(listed.body["result_info"], json({{"total_size", 1}}));

  Raw deleted = raw(e, "DELETE", path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  expect_error(e.request("GET", path), 404, 1045);
  expect_error(e.request("DELETE", path), 404, 1045);
  EXPECT_EQ(e.request("GET", members_of(org)).body["result"], json::array());
}

TEST(EmulatorMembers, CanceledStatusIsKept) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  EXPECT_EQ(add_member(e, org, "gone@example.com", "canceled")["status"], "canceled");
}

TEST(EmulatorMembers, DeleteAnswersAnEnvelopeUnderThatReading) {
  Emulator e(no_window({"--delete-response", "envelope"}));
  json org = create(e, "Acme");
  json member = add_member(e, org, "ada@example.com");
  HttpReply deleted = e.request("DELETE", members_of(org) + "/" + member["id"].get<std::string>());
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["result"], json({{"id", member["id"]}}));
}

TEST(EmulatorMembers, BadBodiesAre400WithPointers) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  std::string path = members_of(org);
  expect_error(e.request("POST", path, "{}"), 400, 1040, "/member");
  expect_error(e.request("POST", path, R"({"member": {}})"), 400, 1041, "/member/user/email");
  for (const std::string& bad : std::vector<std::string>{
           "", "no-at-sign", "a@b@c", "a b@example.com", "@example.com", "ada@",
           "tab\t@example.com", std::string(243, 'a') + "@example.com"}) {
    expect_error(e.request("POST", path, member_body(bad).dump()), 400, 1041, "/member/user/email");
  }
  expect_error(e.request("POST", path, R"({"member": {"user": {"email": 5}}})"), 400, 1041,
               "/member/user/email");
  expect_error(e.request("POST", path, member_body("ada@example.com", "paused").dump()), 400, 1042,
               "/member/status");
  // 254 characters is still an email.
  add_member(e, org, std::string(242, 'a') + "@example.com");
  expect_error(e.request("POST", path, "[]"), 400, 1002);
}

TEST(EmulatorMembers, UnknownOrganizationOrMemberIs404) {
  Emulator e(no_window());
  json acme = create(e, "Acme");
  json other = create(e, "Other");
  json member = add_member(e, acme, "ada@example.com");
  std::string unknown = "/organizations/" + kUnknownId + "/members";
  expect_error(e.request("GET", unknown), 404, 1020);
  expect_error(e.request("POST", unknown, member_body("ada@example.com").dump()), 404, 1020);
  expect_error(e.request("GET", unknown + "/" + member["id"].get<std::string>()), 404, 1020);
  expect_error(e.request("GET", members_of(acme) + "/" + kUnknownId), 404, 1045);
  // A member id names its member in its own organization only.
  expect_error(e.request("GET", members_of(other) + "/" + member["id"].get<std::string>()), 404,
               1045);
  expect_error(e.request("PUT", members_of(acme) + "/" + member["id"].get<std::string>(), "{}"),
               405, 7001);
}

TEST(EmulatorMembers, EmailFilterIsEndsWithAndCaseInsensitive) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  add_member(e, org, "ada@Example.COM");
  add_member(e, org, "bob@other.org");
  add_member(e, org, "cy@sub.example.com", "canceled");
  auto emails = [&](const std::string& query) {
    HttpReply r = e.request("GET", members_of(org) + "?" + query);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return emails_of(r.body["result"]);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(emails("user.email=EXAMPLE.com"), (V{"ada@Example.COM", "cy@sub.example.com"}));
  EXPECT_EQ(emails("user.email=ada@example.com"), (V{"ada@Example.COM"}));
  EXPECT_EQ(emails("user.email=ada"), V{}) << "ends with, not contains";
  EXPECT_EQ(emails("status[]=canceled"), (V{"cy@sub.example.com"}));
  EXPECT_EQ(emails("status%5B%5D=active&status%5B%5D=canceled").size(), 3u);
  EXPECT_EQ(emails("status[]=active&user.email=example.com"), (V{"ada@Example.COM"}));
  expect_error(e.request("GET", members_of(org) + "?status[]=paused"), 400, 1016);
}

TEST(EmulatorMembers, PagesCarryTheFiltersAcrossPages) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  for (int i = 0; i < 12; ++i) {
    add_member(e, org, "m" + std::to_string(i) + (i % 3 == 0 ? "@other.org" : "@example.com"));
  }
  const std::string filters = "status[]=active&user.email=example.com";
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  for (;;) {
    std::string query = members_of(org) + "?" + filters + "&page_size=3";
    if (!token.empty()) query += "&page_token=" + token;
    HttpReply r = e.request("GET", query);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["result_info"]["total_size"], 8);
    for (const auto& email : emails_of(r.body["result"])) seen.push_back(email);
    ++pages;
    if (!r.body["result_info"].contains("next_page_token")) break;
    token = r.body["result_info"]["next_page_token"];
    // A token without its filters is refused, not silently widened.
    expect_error(e.request("GET", members_of(org) + "?page_token=" + token), 400, 1015);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_EQ(seen.front(), "m1@example.com");
  EXPECT_EQ(seen.back(), "m11@example.com");
  HttpReply first = e.request("GET", members_of(org));
  EXPECT_EQ(first.body["result"].size(), 10u) << "page_size defaults to 10";
  expect_error(e.request("GET", members_of(org) + "?page_size=1001"), 400, 1019);
  expect_error(e.request("GET", members_of(org) + "?page_token=zz"), 400, 1014);
}

TEST(EmulatorMembers, SecondCreateForTheSameEmailIs409ByDefault) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  add_member(e, org, "ada@example.com");
  HttpReply again = e.request("POST", members_of(org), member_body("ADA@example.com").dump());
  expect_error(again, 409, 1044, "/member/user/email");
  EXPECT_NE(again.body["errors"][0]["message"].get<std::string>().find("already a member"),
            std::string::npos);
  // The same user may be a member of another organization.
  add_member(e, create(e, "Other"), "ada@example.com");
}

TEST(EmulatorMembers, SecondCreateAnswersTheExistingMemberUnderThatReading) {
  Emulator e(no_window({"--member-exists", "existing"}));
  json org = create(e, "Acme");
  json first = add_member(e, org, "ada@example.com");
  json again = add_member(e, org, "Ada@Example.com", "canceled");
  EXPECT_EQ(again, first) << "unchanged: same id, email as first sent, status active";
  EXPECT_EQ(e.request("GET", members_of(org)).body["result"].size(), 1u);
}

TEST(EmulatorMembers, BatchCreateIsAbsentByDefault) {
  Emulator e(no_window());
  json org = create(e, "Acme");
  std::string batch = members_of(org) + ":batchCreate";
  json body = {{"members", {{{"user", {{"email", "ada@example.com"}}}}}}};
  expect_error(e.request("POST", batch, body.dump()), 404, 7003);
  expect_error(e.request("GET", batch), 404, 7003);  // an unknown path, not a 405
  EXPECT_EQ(e.request("GET", members_of(org)).body["result"], json::array());
}

TEST(EmulatorMembers, BatchCreateWhenPresentCreatesAllInOrder) {
  Emulator e(no_window({"--members-batch-create", "present"}));
  json org = create(e, "Acme");
  json body = {{"members",
                {{{"user", {{"email", "a@example.com"}}}},
                 {{"user", {{"email", "b@example.com"}}}, {"status", "canceled"}}}}};
  HttpReply r = e.request("POST", members_of(org) + ":batchCreate", body.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(emails_of(r.body["result"]),
            (std::vector<std::string>{"a@example.com", "b@example.com"}));
  EXPECT_EQ(r.body["result"][1]["status"], "canceled");
  EXPECT_EQ(e.request("GET", members_of(org)).body["result"], r.body["result"]);
  expect_error(e.request("GET", members_of(org) + ":batchCreate"), 405, 7001);
}

TEST(EmulatorMembers, BatchCreateIsAllOrNothing) {
  Emulator e(no_window({"--members-batch-create", "present"}));
  json org = create(e, "Acme");
  add_member(e, org, "taken@example.com");
  std::string batch = members_of(org) + ":batchCreate";
  auto item = [](const std::string& email) { return json({{"user", {{"email", email}}}}); };
  json invalid = {{"members", {item("a@example.com"), item("b@example.com"), item("nope")}}};
  expect_error(e.request("POST", batch, invalid.dump()), 400, 1041, "/members/2/user/email");
  json taken = {{"members", {item("a@example.com"), item("TAKEN@example.com")}}};
  expect_error(e.request("POST", batch, taken.dump()), 409, 1044, "/members/1/user/email");
  json twice = {{"members", {item("c@example.com"), item("C@example.com")}}};
  expect_error(e.request("POST", batch, twice.dump()), 409, 1044, "/members/1/user/email");
  json big = {{"members", json::array()}};
  for (int i = 0; i < 101; ++i) big["members"].push_back(item(std::to_string(i) + "@example.com"));
  expect_error(e.request("POST", batch, big.dump()), 400, 1043, "/members");
  expect_error(e.request("POST", batch, R"({"members": []})"), 400, 1043, "/members");
  EXPECT_EQ(emails_of(e.request("GET", members_of(org)).body["result"]),
            std::vector<std::string>{"taken@example.com"})
      << "no failed batch created anything";
  big["members"].erase(100);
  EXPECT_EQ(e.request("POST", batch, big.dump()).status, 200) << "100 items is the cap";
}

TEST(EmulatorMembers, BatchCreateReusesExistingMembersUnderThatReading) {
  Emulator e(no_window({"--members-batch-create", "present", "--member-exists", "existing"}));
  json org = create(e, "Acme");
  json existing = add_member(e, org, "taken@example.com");
  json body = {
      {"members",
       {{{"user", {{"email", "new@example.com"}}}}, {{"user", {{"email", "Taken@example.com"}}}}}}};
  HttpReply r = e.request("POST", members_of(org) + ":batchCreate", body.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["result"][1], existing);
  EXPECT_EQ(e.request("GET", members_of(org)).body["result"].size(), 2u);
}

TEST(EmulatorMembers, StrictAuthWantsTheGlobalKeyOnEveryMemberRoute) {
  Emulator e(no_window({"--auth", "strict", "--members-batch-create", "present"}));
  HttpReply made = e.request("POST", "/organizations", R"({"name":"Acme"})", key_auth());
  json org = made.body["result"];
  std::string body = member_body("ada@example.com").dump();
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", members_of(org)},
           {"GET", members_of(org)},
           {"POST", members_of(org) + ":batchCreate"},
           {"GET", members_of(org) + "/" + kUnknownId},
           {"DELETE", members_of(org) + "/" + kUnknownId}}) {
    HttpReply r = e.request(method, path, method == "POST" ? body : "");
    expect_error(r, 403, 10000);
    EXPECT_NE(r.body["errors"][0]["message"].get<std::string>().find("global API key"),
              std::string::npos)
        << method << " " << path;
  }
  HttpReply created = e.request("POST", members_of(org), body, key_auth());
  EXPECT_EQ(created.status, 200);
  std::string path = members_of(org) + "/" + created.body["result"]["id"].get<std::string>();
  EXPECT_EQ(e.request("GET", path, "", key_auth()).status, 200);
  EXPECT_EQ(e.request("DELETE", path, "", key_auth()).status, 204);
  EXPECT_EQ(e.stats()["token_refused"], 5);
}

TEST(EmulatorMembers, MemberRoutesNameTheirOrganizationForThePostCreateWindow) {
  Emulator e;  // the window is on by default
  json org = create(e, "Acme");
  expect_error(e.request("POST", members_of(org), member_body("ada@example.com").dump()), 403,
               10000);
  expect_error(e.request("GET", members_of(org)), 403, 10000);
  EXPECT_EQ(e.stats()["post_create_403"], 2);
}

TEST(EmulatorMembers, AnAmbiguousCreateIsCommitted) {
  // Every POST/PUT/DELETE is committed, then answered 502, cut off or reset.
  Emulator e(no_window({"--ambiguous-rate", "1"}));
  raw(e, "POST", "/organizations", R"({"name":"Acme"})");  // itself made ambiguous
  ASSERT_EQ(e.stats()["organizations"], 1);
  json org = e.organizations().front();
  Raw r = raw(e, "POST", members_of(org), member_body("ada@example.com").dump());
  EXPECT_TRUE(r.rc != CURLE_OK || r.status == 502) << r.rc << " " << r.status << " " << r.body;
  HttpReply listed = e.request("GET", members_of(org));
  EXPECT_EQ(emails_of(listed.body["result"]), std::vector<std::string>{"ada@example.com"});
  EXPECT_EQ(e.stats()["faults"]["ambiguous"], 2);
}

TEST(EmulatorMembers, AnInjectedFailureCreatesNothing) {
  Emulator e(no_window({"--fail-rate", "1"}));
  HttpReply r = e.request("POST", "/organizations/" + kUnknownId + "/members",
                          member_body("ada@example.com").dump());
  EXPECT_TRUE(r.status == 500 || r.status == 503) << r.status;
  EXPECT_EQ(e.stats()["faults"]["failed"], 1);
}

}  // namespace
}  // namespace cforg::emulator::http_test
