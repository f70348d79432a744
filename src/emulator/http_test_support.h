// What the emulator's HTTP tests share: requests with any headers (the harness's request() sends
// fixed ones and hides transport errors), an organization's creation, the check of an error
// envelope. The tests run the real cforg-emulator binary over loopback, through the harness
// other tests use (tests/support/emulator.h): real requests, real responses.
#pragma once

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cctype>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "support/curl_collect.h"
#include "support/emulator.h"

namespace cforg::emulator::http_test {

using cforg::testing::Emulator;
using cforg::testing::HttpReply;
using nlohmann::json;

inline const std::string kKeyAuth[] = {std::string("X-Auth-Email: ") + cforg::testing::kTestEmail,
                                       std::string("X-Auth-Key: ") + cforg::testing::kTestKey};

inline std::vector<std::string> key_auth() {
  return {std::begin(kKeyAuth), std::end(kKeyAuth)};
}

// An id of the published shape that names no organization.
inline const std::string kUnknownId = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";

// What the harness's request() does not expose: transport errors.
struct Raw {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// The headers of the last response `curl` received, names lowercased (libcurl keeps them).
inline std::map<std::string, std::string> headers_of(CURL* curl) {
  std::map<std::string, std::string> headers;
  for (curl_header* h = nullptr; (h = curl_easy_nextheader(curl, CURLH_HEADER, -1, h));) {
    std::string name = h->name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = h->value;
  }
  return headers;
}

inline Raw raw(const std::string& url, const std::string& method, const std::string& body,
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
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  r.rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  r.headers = headers_of(curl);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

inline Raw raw(const Emulator& e, const std::string& method, const std::string& path,
               const std::string& body = "",
               std::vector<std::string> headers = {Emulator::bearer()}) {
  if (!body.empty()) headers.push_back("Content-Type: application/json");
  return raw(e.base_url() + path, method, body, headers);
}

// `r` read as the harness reads a reply: the body as JSON, null when it is not JSON.
inline HttpReply reply_of(const Raw& r) {
  HttpReply reply;
  reply.status = static_cast<int>(r.status);
  reply.headers = r.headers;
  reply.body = json::parse(r.body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

// A request with extra raw headers (the bearer included), read as the harness would.
inline HttpReply raw_reply(const Emulator& e, const std::string& method, const std::string& path,
                           std::vector<std::string> headers) {
  headers.push_back(Emulator::bearer());
  return reply_of(raw(e.base_url() + path, method, "", headers));
}

// POST /organizations through `api`'s request() (the harness's Emulator, or any with its
// signature); the created organization.
template <typename Api>
json create(const Api& api, const std::string& name, const std::string& parent = "") {
  json body = {{"name", name}};
  if (!parent.empty()) body["parent"] = {{"id", parent}};
  HttpReply r = api.request("POST", "/organizations", body.dump());
  EXPECT_EQ(r.status, 200) << r.body.dump();
  return r.body["result"];
}

// With a limit of two requests (--rate-limit 2/SECONDS): two requests of the bearer token pass,
// the third is refused; its answer.
template <typename Api>
HttpReply refused_after_two(const Api& api) {
  EXPECT_EQ(api.request("GET", "/organizations").status, 200);
  EXPECT_EQ(api.request("GET", "/organizations").status, 200);
  HttpReply refused = api.request("GET", "/organizations");
  EXPECT_EQ(refused.status, 429);
  return refused;
}

// Extra arguments with the post-create 403 window off, for tests about something else that
// create children right after their parents.
inline std::vector<std::string> no_window(std::vector<std::string> extra = {}) {
  extra.insert(extra.end(), {"--consistency-ms", "0"});
  return extra;
}

// 32 of [0-9a-z] with a letter beyond 'f': never valid hex.
inline bool published_id(const std::string& id) {
  return std::regex_match(id, std::regex("[0-9a-z]{32}")) &&
         std::regex_search(id, std::regex("[g-z]"));
}

inline void expect_error(const HttpReply& r, int status, int code,
                         const std::string& pointer = "") {
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

inline std::string profile_body(const std::string& tag) {
  return json({{"business_address", tag + " road"},
               {"business_email", tag + "@example.com"},
               {"business_name", tag},
               {"business_phone", "+44 20 0000 0000"},
               {"external_metadata", "ref-" + tag}})
      .dump();
}

// The parsed Ratelimit header: r and t.
inline std::pair<int, int> ratelimit(const std::map<std::string, std::string>& headers) {
  std::smatch m;
  static const std::regex header(R"re("default";r=(\d+);t=(\d+))re");
  auto it = headers.find("ratelimit");
  if (it == headers.end() || !std::regex_match(it->second, m, header)) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}
inline std::pair<int, int> ratelimit(const Raw& r) {
  return ratelimit(r.headers);
}

}  // namespace cforg::emulator::http_test
