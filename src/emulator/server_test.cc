// The real cforg-emulator binary over loopback, through the harness other tests use
// (tests/support/emulator.h): real requests, real responses.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "support/curl_collect.h"
#include "support/emulator.h"

namespace {

using cforg::testing::Child;
using cforg::testing::Emulator;
using cforg::testing::HttpReply;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string kKeyAuth[] = {std::string("X-Auth-Email: ") + cforg::testing::kTestEmail,
                                std::string("X-Auth-Key: ") + cforg::testing::kTestKey};

// What the harness's request() does not expose: response headers and transport errors.
struct Raw {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

Raw raw(const std::string& url, const std::string& method, const std::string& body,
        const std::vector<std::string>& headers) {
  Raw r;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, cforg::testing::collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, cforg::testing::collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  r.rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

Raw raw(const Emulator& e, const std::string& method, const std::string& path,
        const std::string& body = "", std::vector<std::string> headers = {Emulator::bearer()}) {
  if (!body.empty()) headers.push_back("Content-Type: application/json");
  return raw(e.base_url() + path, method, body, headers);
}

// A request with extra raw headers (the bearer included), read as the harness would.
HttpReply raw_reply(const Emulator& e, const std::string& method, const std::string& path,
                    std::vector<std::string> headers) {
  headers.push_back(Emulator::bearer());
  Raw r = raw(e.base_url() + path, method, "", headers);
  HttpReply reply;
  reply.status = static_cast<int>(r.status);
  reply.body = json::parse(r.body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

json create(const Emulator& e, const std::string& name, const std::string& parent = "") {
  json body = {{"name", name}};
  if (!parent.empty()) body["parent"] = {{"id", parent}};
  HttpReply r = e.request("POST", "/organizations", body.dump());
  EXPECT_EQ(r.status, 200) << r.body.dump();
  return r.body["result"];
}

// Extra arguments with the post-create 403 window off, for tests about something else that
// create children right after their parents.
std::vector<std::string> no_window(std::vector<std::string> extra = {}) {
  extra.insert(extra.end(), {"--consistency-ms", "0"});
  return extra;
}

// An id of the published shape that names no organization.
const std::string kUnknownId = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";

// 32 of [0-9a-z] with a letter beyond 'f': never valid hex.
bool published_id(const std::string& id) {
  return std::regex_match(id, std::regex("[0-9a-z]{32}")) &&
         std::regex_search(id, std::regex("[g-z]"));
}

std::vector<std::string> key_auth() {
  return {std::begin(kKeyAuth), std::end(kKeyAuth)};
}

void expect_error(const HttpReply& r, int status, int code, const std::string& pointer = "") {
  EXPECT_EQ(r.status, status) << r.body.dump();
  ASSERT_TRUE(r.body.is_object()) << "not an envelope";
  EXPECT_EQ(r.body["success"], false);
  EXPECT_TRUE(r.body["result"].is_null());
  EXPECT_EQ(r.body["messages"], json::array());
  ASSERT_EQ(r.body["errors"].size(), 1u) << r.body.dump();
  EXPECT_EQ(r.body["errors"][0]["code"], code) << r.body.dump();
  EXPECT_FALSE(r.body["errors"][0]["message"].get<std::string>().empty());
  if (!pointer.empty()) {
    EXPECT_EQ(r.body["errors"][0]["source"]["pointer"], pointer);
  }
}

std::string profile_body(const std::string& tag) {
  return json({{"business_address", tag + " road"},
               {"business_email", tag + "@example.com"},
               {"business_name", tag},
               {"business_phone", "+44 20 0000 0000"},
               {"external_metadata", "ref-" + tag}})
      .dump();
}

// The emulator started with no credential flags at all, which the harness never does.
class OpenEmulator {
 public:
  OpenEmulator() {
    child_ = std::make_unique<Child>(std::vector<std::string>{CFORG_EMULATOR_BIN, "--port", "0"},
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

TEST(EmulatorServer, PublishedCrudRoundTrip) {
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

TEST(EmulatorServer, OlderReadingsByFlag) {
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

TEST(EmulatorServer, PutExtraFieldsReject) {
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

TEST(EmulatorServer, BothAuthSchemesAndRefusals) {
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

TEST(EmulatorServer, WithoutCredentialFlagsAnyCredentialWorks) {
  OpenEmulator open;
  EXPECT_EQ(open.status({"Authorization: Bearer anything"}), 200);
  EXPECT_EQ(open.status({"X-Auth-Email: a@b.c", "X-Auth-Key: k"}), 200);
  EXPECT_EQ(open.status({}), 403);
  EXPECT_EQ(open.status({"Authorization: Bearer "}), 403);
  EXPECT_EQ(open.status({"X-Auth-Email: a@b.c"}), 403);
}

TEST(EmulatorServer, ValidationErrorsHaveCodesAndPointers) {
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

TEST(EmulatorServer, UnknownRoutesAndWrongMethods) {
  Emulator e;
  expect_error(e.request("GET", "/organisations"), 404, 7003);
  expect_error(e.request("GET", "/organizations/"), 404, 7003);
  expect_error(e.request("GET", "/organizations/abc/members"), 404, 7003);
  expect_error(e.request("GET", "/organizations/" + kUnknownId), 404, 1020);

  Raw patch = raw(e, "PATCH", "/organizations/abc", "{}");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.headers["allow"], "GET, PUT, DELETE");
  EXPECT_EQ(json::parse(patch.body)["errors"][0]["code"], 7001);
  Raw delete_all = raw(e, "DELETE", "/organizations");
  EXPECT_EQ(delete_all.status, 405);
  EXPECT_EQ(delete_all.headers["allow"], "GET, POST");
  EXPECT_EQ(raw(e, "POST", "/organizations/abc/profile", "{}").status, 405);
}

TEST(EmulatorServer, DeleteOfNonEmptyOrganizationIsRefused) {
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

TEST(EmulatorServer, PaginatesWithCursorWhenAsked) {
  Emulator e({"--pagination", "cursor"});
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) expected.push_back(create(e, "org-" + std::to_string(i))["id"]);

  std::vector<std::string> seen;
  std::string cursor;
  std::vector<json> infos;
  for (int guard = 0; guard < 10; ++guard) {
    std::string path = "/organizations?page_size=10";
    if (!cursor.empty()) path += "&page_token=" + cursor;
    HttpReply r = e.request("GET", path);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    for (const auto& o : r.body["result"]) seen.push_back(o["id"]);
    json info = r.body["result_info"];
    infos.push_back(info);
    EXPECT_FALSE(info.contains("next_page_token"));
    if (guard == 0) expected.push_back(create(e, "late")["id"]);  // must not shift the pages
    cursor = info["cursor"];
    if (cursor.empty()) break;
  }
  EXPECT_EQ(seen, expected);
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[0], json({{"page", 1},
                            {"per_page", 10},
                            {"count", 10},
                            {"total_count", 25},
                            {"total_size", 25},
                            {"cursor", infos[0]["cursor"]}}));
  EXPECT_EQ(infos[1]["page"], 2);
  EXPECT_EQ(infos[1]["total_count"], 26);
  EXPECT_EQ(infos[2]["count"], 6);
  EXPECT_EQ(infos[2]["cursor"], "");
  EXPECT_EQ(e.request("GET", "/organizations").body["result"].size(), 10u);  // default size

  expect_error(e.request("GET", "/organizations?page_size=0"), 400, 1013);
  expect_error(e.request("GET", "/organizations?page_size=1001"), 400, 1019);
  EXPECT_EQ(e.request("GET", "/organizations?page_size=1000").status, 200);
  expect_error(e.request("GET", "/organizations?page_size=ten"), 400, 1013);
  expect_error(e.request("GET", "/organizations?page_token=not-a-token"), 400, 1014);
  std::string first_cursor = infos[0]["cursor"];
  expect_error(e.request("GET", "/organizations?name.contains=org&page_token=" + first_cursor), 400,
               1015);
  EXPECT_EQ(e.organizations().size(), 26u);
}

TEST(EmulatorServer, PageSizeOverTheMaximum) {
  {
    Emulator e({"--max-page-size", "50"});
    for (int i = 0; i < 60; ++i) create(e, "o" + std::to_string(i));
    EXPECT_EQ(e.request("GET", "/organizations?page_size=50").body["result"].size(), 50u);
    HttpReply refused = e.request("GET", "/organizations?page_size=51");
    expect_error(refused, 400, 1019);  // --page-size-over-max reject
    EXPECT_NE(refused.body["errors"][0]["message"].get<std::string>().find("50"),
              std::string::npos);
    EXPECT_EQ(e.request("GET", "/organizations").body["result"].size(), 10u)
        << "the published default page size";
  }
  {
    Emulator e({"--max-page-size", "50", "--page-size-over-max", "clamp"});
    for (int i = 0; i < 60; ++i) create(e, "o" + std::to_string(i));
    HttpReply big = e.request("GET", "/organizations?page_size=100000");
    EXPECT_EQ(big.status, 200);
    EXPECT_EQ(big.body["result"].size(), 50u) << "silently the maximum";
    EXPECT_EQ(big.body["result_info"]["total_size"], 60);
    EXPECT_TRUE(big.body["result_info"]["next_page_token"].is_string());
    expect_error(e.request("GET", "/organizations?page_size=0"), 400, 1013);
  }
}

TEST(EmulatorServer, PaginatesWithNextPageTokenByDefault) {
  Emulator e;
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) expected.push_back(create(e, "o" + std::to_string(i))["id"]);
  HttpReply first = e.request("GET", "/organizations?page_size=3");
  json info = first.body["result_info"];
  ASSERT_TRUE(info["next_page_token"].is_string());
  EXPECT_EQ(info, json({{"next_page_token", info["next_page_token"]}, {"total_size", 5}}))
      << "exactly {next_page_token, total_size}";
  HttpReply second = e.request(
      "GET", "/organizations?page_size=3&page_token=" + info["next_page_token"].get<std::string>());
  EXPECT_EQ(second.body["result"].size(), 2u);
  EXPECT_EQ(second.body["result_info"], json({{"total_size", 5}}))
      << "next_page_token is absent on the last page";
  std::vector<std::string> seen;
  for (const auto& o : first.body["result"]) seen.push_back(o["id"]);
  for (const auto& o : second.body["result"]) seen.push_back(o["id"]);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(e.request("GET", "/organizations?page_size=5").body["result_info"],
            json({{"total_size", 5}}));
  EXPECT_EQ(e.request("GET", "/organizations?name=nothing").body["result_info"],
            json({{"total_size", 0}}));
  EXPECT_EQ(e.organizations().size(), 5u);
}

TEST(EmulatorServer, ListFilters) {
  Emulator e(no_window());
  json acme = create(e, "Acme Corp");
  json eng = create(e, "Acme Engineering", acme["id"]);
  json platform = create(e, "Platform Team", eng["id"]);
  json other = create(e, "Other");
  auto ids = [&e](const std::string& query) {
    HttpReply r = e.request("GET", "/organizations?" + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.body.dump();
    std::vector<std::string> out;
    for (const auto& o : r.body["result"]) out.push_back(o["id"]);
    EXPECT_EQ(r.body["result_info"]["total_size"], out.size());
    return out;
  };
  using V = std::vector<std::string>;
  std::string a = acme["id"], en = eng["id"], p = platform["id"], o = other["id"];
  EXPECT_EQ(ids("name=Acme%20Corp"), (V{a}));
  EXPECT_EQ(ids("name=acme%20corp"), V{}) << "name= is exact and case-sensitive";
  EXPECT_EQ(ids("name=Acme"), V{});
  EXPECT_EQ(ids("name=Acme%20Engineering&parent.id=" + a), (V{en}));
  EXPECT_EQ(ids("name=Acme%20Engineering&parent.id=null"), V{});
  EXPECT_EQ(ids("name.contains=ACME"), (V{a, en}));
  EXPECT_EQ(ids("name.contains=platform%20team"), (V{p}));
  EXPECT_EQ(ids("name.startsWith=acme%20e"), (V{en}));
  EXPECT_EQ(ids("name.endsWith=CORP"), (V{a}));
  EXPECT_EQ(ids("parent.id=null"), (V{a, o}));
  EXPECT_EQ(ids("parent.id=" + a), (V{en}));
  EXPECT_EQ(ids("id=" + o + "&id=" + a + "&id=" + kUnknownId), (V{a, o}));
  EXPECT_EQ(ids("containing.organization=" + p), (V{a, en}));
  EXPECT_EQ(ids("containing.account=0123"), V{});
  EXPECT_EQ(ids("containing.user=0123"), V{});
  EXPECT_EQ(ids("parent.id=null&name.contains=other"), (V{o}));
  EXPECT_EQ(ids("id=" + p + "&id=" + en + "&parent.id=" + en), (V{p}));
  EXPECT_EQ(ids("unknown.filter=x"), (V{a, en, p, o})) << "unknown parameters are ignored";
  expect_error(e.request("GET", "/organizations?parent.id="), 400, 1016);
}

// Statuses of `n` creations; a transport error (a dropped connection) reads as 0.
std::vector<int> create_many(const Emulator& e, int n) {
  std::vector<int> statuses;
  for (int i = 0; i < n; ++i) {
    try {
      statuses.push_back(
          e.request("POST", "/organizations", json({{"name", "f" + std::to_string(i)}}).dump())
              .status);
    } catch (const std::runtime_error&) {
      statuses.push_back(0);
    }
  }
  return statuses;
}

TEST(EmulatorServer, FailRateIsSeededAndReproducible) {
  const int n = 200;
  std::vector<int> first, second, other_seed;
  size_t committed = 0;
  json stats;
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "7"});
    first = create_many(e, n);
    committed = e.organizations().size();
    stats = e.stats();
  }
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "7"});
    second = create_many(e, n);
  }
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "8"});
    other_seed = create_many(e, n);
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other_seed);
  int failed = 0, ok = 0;
  std::set<int> kinds;
  for (int s : first) {
    kinds.insert(s);
    failed += s == 500 || s == 503;
    ok += s == 200;
  }
  EXPECT_EQ(failed + ok, n) << "only 200, 500 and 503 expected";
  EXPECT_EQ(kinds, (std::set<int>{200, 500, 503}));
  EXPECT_GE(failed, 40);  // 60 expected; 3 standard deviations is about 20
  EXPECT_LE(failed, 80);
  EXPECT_EQ(committed, static_cast<size_t>(ok)) << "a failed request must do nothing";
  EXPECT_EQ(stats["faults"]["failed"], failed);
}

TEST(EmulatorServer, AmbiguousRequestsAreCommitted) {
  Emulator e({"--ambiguous-rate", "0.5", "--seed", "3"});
  int ok = 0, bad_gateway = 0, dropped = 0, reset = 0;
  for (int i = 0; i < 120; ++i) {
    Raw r = raw(e, "POST", "/organizations", json({{"name", "f" + std::to_string(i)}}).dump());
    ok += r.rc == CURLE_OK && r.status == 200;
    bad_gateway += r.rc == CURLE_OK && r.status == 502;
    dropped += r.rc == CURLE_PARTIAL_FILE;  // a success's headers, then the body cut
    reset += r.rc == CURLE_GOT_NOTHING;     // not one byte of an answer
  }
  EXPECT_EQ(ok + bad_gateway + dropped + reset, 120);
  EXPECT_GE(bad_gateway, 8);
  EXPECT_GE(dropped, 8);
  EXPECT_GE(reset, 8);
  EXPECT_GE(ok, 30);
  EXPECT_EQ(e.organizations().size(), 120u) << "every ambiguous request was committed";
  json stats = e.stats();
  EXPECT_EQ(stats["faults"]["ambiguous"], bad_gateway + dropped + reset);
  EXPECT_EQ(stats["faults"]["ambiguous_dropped"], dropped);
  EXPECT_EQ(stats["faults"]["ambiguous_reset"], reset);
  // Reads are never ambiguous.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(e.request("GET", "/organizations").status, 200);
}

TEST(EmulatorServer, RateLimitPerCredential) {
  Emulator e({"--rate-limit", "5/2"});
  for (int i = 0; i < 5; ++i) ASSERT_EQ(e.request("GET", "/organizations").status, 200) << i;
  Raw limited = raw(e, "GET", "/organizations");
  EXPECT_EQ(limited.status, 429);
  json body = json::parse(limited.body);
  EXPECT_EQ(body["errors"][0]["code"], 971);
  EXPECT_EQ(body["errors"][0]["message"], "Please wait and consider throttling your request speed");
  ASSERT_TRUE(limited.headers.count("retry-after"));
  int retry_after = std::stoi(limited.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  // Another credential has its own window.
  std::vector<std::string> key_auth(std::begin(kKeyAuth), std::end(kKeyAuth));
  EXPECT_EQ(e.request("GET", "/organizations", "", key_auth).status, 200);
  EXPECT_EQ(e.stats()["rate_limited"], 1);
  std::this_thread::sleep_for(std::chrono::seconds(retry_after));
  EXPECT_EQ(e.request("GET", "/organizations").status, 200) << "Retry-After was too short";
}

TEST(EmulatorServer, PostCreateWindowRefusesRequestsNamingTheNewOrganization) {
  Emulator e({"--consistency-ms", "1500"});
  auto started = std::chrono::steady_clock::now();
  json root = create(e, "Root");
  std::string id = root["id"];
  std::string path = "/organizations/" + id;
  auto in_window = [&] { return std::chrono::steady_clock::now() - started < 1400ms; };
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
  ASSERT_TRUE(in_window()) << "the machine was too slow for this test's timing";
  // Lists are not affected, and show the new organization at once; other roots neither.
  HttpReply listed = e.request("GET", "/organizations");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["result"].size(), 1u);
  EXPECT_EQ(e.request("GET", "/organizations?parent.id=" + id).status, 200);
  EXPECT_EQ(e.request("POST", "/organizations", R"({"name":"Another root"})").status, 200);
  EXPECT_EQ(e.stats()["post_create_403"], calls.size());
  EXPECT_EQ(e.stats()["organizations"], 2) << "nothing was done by a refused request";

  std::this_thread::sleep_until(started + 1600ms);
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

TEST(EmulatorServer, StrictAuthTakesATokenOnlyOnTheList) {
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

TEST(EmulatorServer, AnyAuthTakesBothSchemesEverywhere) {
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

// The parsed Ratelimit header: r and t.
std::pair<int, int> ratelimit(const Raw& r) {
  std::smatch m;
  static const std::regex header(R"re("default";r=(\d+);t=(\d+))re");
  auto it = r.headers.find("ratelimit");
  if (it == r.headers.end() || !std::regex_match(it->second, m, header)) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

TEST(EmulatorServer, RateLimitHeadersOnEveryResponse) {
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

TEST(EmulatorServer, RateLimitHeaderStyles) {
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

TEST(EmulatorServer, A429BlocksTheCredential) {
  Emulator e({"--rate-limit", "2/1", "--block-seconds", "3"});
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(e.request("GET", "/organizations").status, 200);
  EXPECT_EQ(e.request("GET", "/organizations").status, 200);
  Raw limited = raw(e, "GET", "/organizations");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "3");
  // The window has freed, the block has not.
  std::this_thread::sleep_until(started + 1500ms);
  Raw blocked = raw(e, "GET", "/organizations");
  EXPECT_EQ(blocked.status, 429);
  int left = std::stoi(blocked.headers["retry-after"]);
  EXPECT_GE(left, 1);
  EXPECT_LE(left, 2);
  EXPECT_EQ(e.request("GET", "/organizations", "", key_auth()).status, 200)
      << "the block is per credential";
  json stats = e.stats();
  EXPECT_EQ(stats["rate_limited"], 2);
  EXPECT_EQ(stats["rate_limited_blocked"], 1);
  std::this_thread::sleep_until(started + 3100ms);
  EXPECT_EQ(e.request("GET", "/organizations").status, 200) << "the block is over";

  // --block-seconds 0: the older behaviour, a slot frees and the next request passes.
  Emulator unblocked({"--rate-limit", "2/1", "--block-seconds", "0"});
  EXPECT_EQ(unblocked.request("GET", "/organizations").status, 200);
  EXPECT_EQ(unblocked.request("GET", "/organizations").status, 200);
  Raw once = raw(unblocked, "GET", "/organizations");
  EXPECT_EQ(once.status, 429);
  EXPECT_EQ(once.headers["retry-after"], "1");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(unblocked.request("GET", "/organizations").status, 200);
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

TEST(EmulatorServer, HarnessReadsProfilesWhenTheListOmitsThem) {
  Emulator e({"--auth", "strict", "--consistency-ms", "300"});
  HttpReply with =
      e.request("POST", "/organizations",
                json({{"name", "with"}, {"profile", json::parse(profile_body("w"))}}).dump(),
                Emulator::global_key_headers());
  ASSERT_EQ(with.status, 200);
  ASSERT_EQ(
      e.request("POST", "/organizations", R"({"name":"without"})", Emulator::global_key_headers())
          .status,
      200);
  // Straight away: inside the post-create window, which the harness rides out.
  auto listed = e.organizations();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_FALSE(listed[0].contains("profile"));
  auto filled = e.organizations(cforg::testing::Profiles::kFetch);
  ASSERT_EQ(filled.size(), 2u);
  EXPECT_EQ(filled[0]["profile"], json::parse(profile_body("w")));
  ASSERT_TRUE(filled[1].contains("profile"));
  EXPECT_TRUE(filled[1]["profile"].is_null());
  EXPECT_EQ(e.profile_of(with.body["result"]["id"]), json::parse(profile_body("w")));
  EXPECT_EQ(e.profile_of(filled[1]["id"]), std::nullopt);
  EXPECT_THROW(e.profile_of(kUnknownId), std::runtime_error);
}

TEST(EmulatorServer, HarnessFollowsEitherPaginationAndReadsListedProfiles) {
  for (const char* pagination : {"cursor", "next_page_token"}) {
    Emulator e(
        no_window({"--pagination", pagination, "--max-page-size", "7", "--page-size-over-max",
                   "clamp", "--read-profile", "include", "--profile-missing", "null"}));
    for (int i = 0; i < 20; ++i) {
      std::string tag = "o" + std::to_string(i);
      ASSERT_EQ(e.request("POST", "/organizations",
                          R"({"name": ")" + tag + R"(", "profile": )" + profile_body(tag) + "}")
                    .status,
                200);
    }
    json before = e.stats();
    auto all = e.organizations(cforg::testing::Profiles::kFetch);
    EXPECT_EQ(all.size(), 20u) << pagination;
    for (const auto& o : all) EXPECT_TRUE(o["profile"].is_object());
    json after = e.stats();
    EXPECT_EQ(after["requests_by_method"]["GET"].get<int>() -
                  before["requests_by_method"].value("GET", 0),
              3)
        << "three pages, and no profile reads: the list carried them";
  }
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

TEST(EmulatorServer, SameSeedSameIds) {
  Emulator a({"--seed", "9"}), b({"--seed", "9"}), c({"--seed", "10"});
  json x = create(a, "x");
  EXPECT_TRUE(published_id(x["id"]));
  EXPECT_EQ(x["id"], create(b, "x")["id"]);
  EXPECT_NE(create(a, "y")["id"], create(c, "y")["id"]);
  Emulator hex({"--seed", "9", "--id-format", "hex"});
  EXPECT_TRUE(
      std::regex_match(create(hex, "x")["id"].get<std::string>(), std::regex("[0-9a-f]{32}")));
}

TEST(EmulatorServer, BannerNamesTheSettings) {
  Emulator e({"--auth", "strict", "--rate-limit", "1200/300", "--consistency-ms", "250"});
  e.process().kill(SIGTERM);
  EXPECT_EQ(e.process().wait(), 0);
  std::string banner = e.process().err();
  for (const char* part : {"strict", "1200/300 (block 300 s, headers modern)", "ids published",
                           "pagination next_page_token", "max-page-size 1000 (reject)",
                           "put-extra-fields ignore", "read-profile omit", "profile-missing 404",
                           "delete-response empty", "consistency-ms 250", "meta tenant_flags"}) {
    EXPECT_NE(banner.find(part), std::string::npos) << part << " not in: " << banner;
  }
}

TEST(EmulatorServer, RefusesUnknownChoices) {
  for (const char* flag : {"--id-format", "--pagination", "--page-size-over-max",
                           "--put-extra-fields", "--profile-missing", "--read-profile",
                           "--delete-response", "--auth", "--ratelimit-headers", "--meta-flags"}) {
    auto result = cforg::testing::run({CFORG_EMULATOR_BIN, "--port", "0", flag, "bogus"});
    EXPECT_NE(result.exit_code, 0) << flag;
  }
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

TEST(EmulatorServer, ExitsCleanlyOnSigtermEvenWithIdleKeepAlive) {
  Emulator e;
  // A client that keeps its connection open after a request, like libcurl's connection cache.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(e.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "GET /__emulator/stats HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  char buffer[512];
  ASSERT_GT(read(fd, buffer, sizeof buffer), 0);

  auto started = std::chrono::steady_clock::now();
  e.process().kill(SIGTERM);
  EXPECT_EQ(e.process().wait(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  close(fd);
}

}  // namespace
