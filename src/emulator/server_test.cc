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
#include <vector>

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

size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

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
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
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

TEST(EmulatorServer, CrudRoundTrip) {
  Emulator e;
  json root = create(e, "Root");
  ASSERT_TRUE(std::regex_match(root["id"].get<std::string>(), std::regex("[0-9a-f]{32}")));
  EXPECT_TRUE(std::regex_match(root["create_time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  json child = create(e, "Child", root["id"]);
  EXPECT_EQ(child["parent"], json({{"id", root["id"]}, {"name", "Root"}}));
  EXPECT_EQ(child["meta"]["hierarchy_tags"], json::array({root["id"], child["id"]}));

  std::string path = "/organizations/" + child["id"].get<std::string>();
  HttpReply got = e.request("GET", path);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body["success"], true);
  EXPECT_EQ(got.body["errors"], json::array());
  EXPECT_EQ(got.body["messages"], json::array());
  EXPECT_EQ(got.body["result"], child);

  json put = {{"name", "Renamed"}, {"profile", json::parse(profile_body("acme"))}};
  HttpReply replaced = e.request("PUT", path, put.dump());
  EXPECT_EQ(replaced.status, 200);
  EXPECT_EQ(replaced.body["result"]["name"], "Renamed");
  EXPECT_FALSE(replaced.body["result"].contains("parent"));  // a full replace: now a root
  EXPECT_EQ(replaced.body["result"]["profile"]["business_name"], "acme");
  EXPECT_EQ(replaced.body["result"]["create_time"], child["create_time"]);

  HttpReply profile = e.request("GET", path + "/profile");
  EXPECT_EQ(profile.status, 200);
  EXPECT_EQ(profile.body["result"], json::parse(profile_body("acme")));
  HttpReply new_profile = e.request("PUT", path + "/profile", profile_body("beta"));
  EXPECT_EQ(new_profile.status, 200);
  EXPECT_EQ(e.request("GET", path).body["result"]["profile"]["business_name"], "beta");

  HttpReply deleted = e.request("DELETE", path);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body["result"], json({{"id", child["id"]}}));
  expect_error(e.request("GET", path), 404, 1020);
  expect_error(e.request("DELETE", path), 404, 1020);
  expect_error(e.request("GET", path + "/profile"), 404, 1020);
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
  Emulator e;
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
                         R"({"name": "x", "parent": {"id": "ffffffffffffffffffffffffffffffff"}})"),
               400, 1008, "/parent/id");
  expect_error(e.request("POST", "/organizations", R"({"name": "x", "profile": 1})"), 400, 1010,
               "/profile");
  expect_error(
      e.request("POST", "/organizations", R"({"name": "x", "profile": {"business_name": "n"}})"),
      400, 1011, "/profile/business_address");
  std::string root_path = "/organizations/" + root["id"].get<std::string>();
  json cycle = {{"name", "Root"}, {"parent", {{"id", root["id"]}}}};
  expect_error(e.request("PUT", root_path, cycle.dump()), 400, 1009, "/parent/id");
  expect_error(e.request("PUT", root_path + "/profile", R"({"business_name": "n"})"), 400, 1011);
  expect_error(raw_reply(e, "POST", "/organizations", {"Content-Length: 0"}), 400, 1001);
  EXPECT_EQ(e.stats()["organizations"], 1);
}

TEST(EmulatorServer, UnknownRoutesAndWrongMethods) {
  Emulator e;
  expect_error(e.request("GET", "/organisations"), 404, 7003);
  expect_error(e.request("GET", "/organizations/"), 404, 7003);
  expect_error(e.request("GET", "/organizations/abc/members"), 404, 7003);
  expect_error(e.request("GET", "/organizations/ffffffffffffffffffffffffffffffff"), 404, 1020);

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
  Emulator e;
  json root = create(e, "Root");
  json child = create(e, "Child", root["id"]);
  std::string root_path = "/organizations/" + root["id"].get<std::string>();
  HttpReply refused = e.request("DELETE", root_path);
  expect_error(refused, 400, 1012);
  EXPECT_NE(refused.body["errors"][0]["message"].get<std::string>().find("not empty"),
            std::string::npos);
  EXPECT_EQ(e.request("DELETE", "/organizations/" + child["id"].get<std::string>()).status, 200);
  EXPECT_EQ(e.request("DELETE", root_path).status, 200);
  EXPECT_EQ(e.stats()["organizations"], 0);
}

TEST(EmulatorServer, PaginatesWithCursor) {
  Emulator e;
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
                            {"cursor", infos[0]["cursor"]}}));
  EXPECT_EQ(infos[1]["page"], 2);
  EXPECT_EQ(infos[1]["total_count"], 26);
  EXPECT_EQ(infos[2]["count"], 6);
  EXPECT_EQ(infos[2]["cursor"], "");
  EXPECT_EQ(e.request("GET", "/organizations").body["result"].size(), 10u);  // default size

  expect_error(e.request("GET", "/organizations?page_size=0"), 400, 1013);
  expect_error(e.request("GET", "/organizations?page_size=1001"), 400, 1013);
  EXPECT_EQ(e.request("GET", "/organizations?page_size=1000").status, 200);
  expect_error(e.request("GET", "/organizations?page_size=ten"), 400, 1013);
  expect_error(e.request("GET", "/organizations?page_token=not-a-token"), 400, 1014);
  std::string first_cursor = infos[0]["cursor"];
  expect_error(e.request("GET", "/organizations?name.contains=org&page_token=" + first_cursor), 400,
               1015);
  EXPECT_EQ(e.organizations().size(), 26u);
}

TEST(EmulatorServer, MaxPageSizeIsConfigurable) {
  Emulator e({"--max-page-size", "50"});
  EXPECT_EQ(e.request("GET", "/organizations?page_size=50").status, 200);
  expect_error(e.request("GET", "/organizations?page_size=51"), 400, 1013);
}

TEST(EmulatorServer, PaginatesWithNextPageTokenWhenAsked) {
  Emulator e({"--pagination", "next_page_token"});
  for (int i = 0; i < 5; ++i) create(e, "o" + std::to_string(i));
  HttpReply first = e.request("GET", "/organizations?page_size=3");
  json info = first.body["result_info"];
  EXPECT_FALSE(info.contains("cursor"));
  ASSERT_TRUE(info["next_page_token"].is_string());
  HttpReply second = e.request(
      "GET", "/organizations?page_size=3&page_token=" + info["next_page_token"].get<std::string>());
  EXPECT_EQ(second.body["result"].size(), 2u);
  EXPECT_EQ(second.body["result_info"]["page"], 2);
  EXPECT_FALSE(second.body["result_info"].contains("next_page_token"));  // last page
  EXPECT_FALSE(second.body["result_info"].contains("cursor"));
  EXPECT_EQ(e.organizations().size(), 5u);
}

TEST(EmulatorServer, ListFilters) {
  Emulator e;
  json acme = create(e, "Acme Corp");
  json eng = create(e, "Acme Engineering", acme["id"]);
  json platform = create(e, "Platform Team", eng["id"]);
  json other = create(e, "Other");
  auto ids = [&e](const std::string& query) {
    HttpReply r = e.request("GET", "/organizations?" + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.body.dump();
    std::vector<std::string> out;
    for (const auto& o : r.body["result"]) out.push_back(o["id"]);
    EXPECT_EQ(r.body["result_info"]["total_count"], out.size());
    return out;
  };
  using V = std::vector<std::string>;
  std::string a = acme["id"], en = eng["id"], p = platform["id"], o = other["id"];
  EXPECT_EQ(ids("name.contains=ACME"), (V{a, en}));
  EXPECT_EQ(ids("name.contains=platform%20team"), (V{p}));
  EXPECT_EQ(ids("name.startsWith=acme%20e"), (V{en}));
  EXPECT_EQ(ids("name.endsWith=CORP"), (V{a}));
  EXPECT_EQ(ids("parent.id=null"), (V{a, o}));
  EXPECT_EQ(ids("parent.id=" + a), (V{en}));
  EXPECT_EQ(ids("id=" + o + "&id=" + a + "&id=ffffffffffffffffffffffffffffffff"), (V{a, o}));
  EXPECT_EQ(ids("containing.organization=" + p), (V{a, en}));
  EXPECT_EQ(ids("containing.account=0123"), V{});
  EXPECT_EQ(ids("containing.user=0123"), V{});
  EXPECT_EQ(ids("parent.id=null&name.contains=other"), (V{o}));
  EXPECT_EQ(ids("id=" + p + "&id=" + en + "&parent.id=" + en), (V{p}));
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

TEST(EmulatorServer, StatsCountApiRequestsOnly) {
  Emulator e;
  json before = e.stats();
  EXPECT_EQ(before["requests_total"], 0);
  for (int i = 0; i < 3; ++i) create(e, "s" + std::to_string(i));
  e.request("GET", "/organizations");
  e.request("GET", "/organizations/ffffffffffffffffffffffffffffffff");
  e.request("DELETE", "/organizations/ffffffffffffffffffffffffffffffff", "", {});
  e.stats();
  json s = e.stats();
  EXPECT_EQ(s["requests_total"], 6);
  EXPECT_EQ(s["requests_by_method"], json({{"POST", 3}, {"GET", 2}, {"DELETE", 1}}));
  EXPECT_EQ(s["responses_by_status"], json({{"200", 4}, {"404", 1}, {"403", 1}}));
  EXPECT_EQ(s["organizations"], 3);
  EXPECT_EQ(s["rate_limited"], 0);
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
  EXPECT_EQ(create(a, "x")["id"], create(b, "x")["id"]);
  EXPECT_NE(create(a, "y")["id"], create(c, "y")["id"]);
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
