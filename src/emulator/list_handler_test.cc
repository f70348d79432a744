// The organizations' list over HTTP: both pagination shapes, the page size's limits, the
// filters, and the harness following either shape.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

TEST(EmulatorList, PaginatesWithCursorWhenAsked) {
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

TEST(EmulatorList, PageSizeOverTheMaximum) {
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

TEST(EmulatorList, PaginatesWithNextPageTokenByDefault) {
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

TEST(EmulatorList, ListFilters) {
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

TEST(EmulatorList, HarnessFollowsEitherPaginationAndReadsListedProfiles) {
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

}  // namespace
}  // namespace cforg::emulator::http_test
