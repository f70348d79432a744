// Accounts over HTTP: the seeded estate, an organization's list, the move and its answer, the
// not-implemented batch move, containing.account on the org list, and the DELETE of an
// organization that still holds something.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

json seeded_accounts(const Emulator& e) {
  return reply_of(raw(e.base_url() + "/../../__emulator/accounts", "GET", "", {})).body["accounts"];
}

std::string id_of(const json& item) {
  return item["id"].get<std::string>();
}

HttpReply move(const Emulator& e, const std::string& account, const std::string& destination,
               const std::vector<std::string>& headers = {Emulator::bearer()}) {
  return e.request("POST", "/accounts/" + account + "/move",
                   json({{"destination_organization_id", destination}}).dump(), headers);
}

std::vector<std::string> names_of(const json& items) {
  std::vector<std::string> out;
  for (const auto& a : items) out.push_back(a["name"]);
  return out;
}

TEST(EmulatorAccounts, SeededAccountsSitInNoOrganization) {
  Emulator e({"--accounts", "3", "--seed", "4"});
  json accounts = seeded_accounts(e);
  ASSERT_EQ(accounts.size(), 3u) << accounts.dump();
  EXPECT_EQ(names_of(accounts), (std::vector<std::string>{"Account 1", "Account 2", "Account 3"}));
  for (const auto& a : accounts) {
    EXPECT_TRUE(published_id(a["id"])) << a["id"];
    EXPECT_EQ(a["type"], "standard");
    EXPECT_TRUE(a["organization_id"].is_null());
  }
  Emulator again({"--accounts", "3", "--seed", "4"}), other({"--accounts", "3", "--seed", "5"});
  for (size_t i = 0; i < accounts.size(); ++i) {
    EXPECT_EQ(seeded_accounts(again)[i]["id"], accounts[i]["id"]) << "the same seed, the same ids";
  }
  EXPECT_NE(seeded_accounts(other)[0]["id"], accounts[0]["id"]);
  EXPECT_EQ(seeded_accounts(Emulator()).size(), 0u) << "no accounts by default";
}

TEST(EmulatorAccounts, MovedAccountsAreListedInTheirOrganization) {
  Emulator e(no_window({"--accounts", "3"}));
  json accounts = seeded_accounts(e);
  json org = create(e, "Acme");
  std::string list = "/organizations/" + id_of(org) + "/accounts";
  EXPECT_EQ(e.request("GET", list).body["result"], json::array());
  ASSERT_EQ(move(e, id_of(accounts[2]), id_of(org)).status, 200);
  ASSERT_EQ(move(e, id_of(accounts[0]), id_of(org)).status, 200);
  HttpReply listed = e.request("GET", list);
  ASSERT_EQ(listed.status, 200) << listed.body.dump();
  json first = listed.body["result"][0];
  EXPECT_EQ(first, json({{"id", accounts[0]["id"]},
                         {"name", "Account 1"},
                         {"type", "standard"},
                         {"created_on", accounts[0]["created_on"]},
                         {"settings", json::object()}}));
  EXPECT_TRUE(std::regex_match(first["created_on"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(names_of(listed.body["result"]), (std::vector<std::string>{"Account 1", "Account 3"}))
      << "in seeding order, not moving order";
  EXPECT_EQ(listed.body["result_info"], json({{"total_size", 2}}));
  expect_error(e.request("GET", "/organizations/" + kUnknownId + "/accounts"), 404, 1020);
}

TEST(EmulatorAccounts, MoveAnswersWhereTheAccountCameFrom) {
  Emulator e(no_window({"--accounts", "1"}));
  std::string account = id_of(seeded_accounts(e)[0]);
  json acme = create(e, "Acme");
  json other = create(e, "Other");
  HttpReply first = move(e, account, id_of(acme));
  EXPECT_EQ(first.body["result"], json({{"account_id", account},
                                        {"source_organization_id", nullptr},
                                        {"destination_organization_id", acme["id"]}}));
  HttpReply second = move(e, account, id_of(other));
  EXPECT_EQ(second.body["result"]["source_organization_id"], acme["id"]);
  // Our reading: a move to where it already sits succeeds, source == destination.
  HttpReply same = move(e, account, id_of(other));
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body["result"]["source_organization_id"], other["id"]);
  EXPECT_EQ(same.body["result"]["destination_organization_id"], other["id"]);
  EXPECT_EQ(seeded_accounts(e)[0]["organization_id"], other["id"]);
  EXPECT_EQ(e.request("GET", "/organizations/" + id_of(acme) + "/accounts").body["result"],
            json::array());
}

TEST(EmulatorAccounts, MoveOfUnknownAccountOrDestinationIs404) {
  Emulator e(no_window({"--accounts", "1"}));
  std::string account = id_of(seeded_accounts(e)[0]);
  json org = create(e, "Acme");
  expect_error(move(e, kUnknownId, id_of(org)), 404, 1046);
  expect_error(move(e, account, kUnknownId), 404, 1020, "/destination_organization_id");
  std::string path = "/accounts/" + account + "/move";
  expect_error(e.request("POST", path, "{}"), 400, 1047, "/destination_organization_id");
  expect_error(e.request("POST", path, R"({"destination_organization_id": 5})"), 400, 1047,
               "/destination_organization_id");
  EXPECT_TRUE(seeded_accounts(e)[0]["organization_id"].is_null()) << "nothing moved";
}

TEST(EmulatorAccounts, BatchMoveIsNotImplemented) {
  Emulator e({"--accounts", "1"});
  expect_error(e.request("POST", "/accounts/move", R"({"accounts": []})"), 501, 1049);
  expect_error(e.request("POST", "/accounts/move", "not json"), 501, 1049);
}

TEST(EmulatorAccounts, ListFiltersAndPages) {
  Emulator e(no_window({"--accounts", "12"}));
  json org = create(e, "Acme");
  for (const auto& a : seeded_accounts(e)) ASSERT_EQ(move(e, id_of(a), id_of(org)).status, 200);
  std::string list = "/organizations/" + id_of(org) + "/accounts";
  auto names = [&](const std::string& query) {
    HttpReply r = e.request("GET", list + "?" + query);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return names_of(r.body["result"]);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("name=Account%207"), V{"Account 7"});
  EXPECT_EQ(names("name=account%207"), V{}) << "name= is exact and case-sensitive";
  EXPECT_EQ(names("name.endsWith=T%201"), V{"Account 1"});
  EXPECT_EQ(names("name.contains=NT%201"),
            (V{"Account 1", "Account 10", "Account 11", "Account 12"}));
  EXPECT_EQ(names("name.startsWith=acc&name.endsWith=2"), (V{"Account 2", "Account 12"}));
  EXPECT_EQ(names("account_pubname.contains=zzz").size(), 10u) << "accepted and ignored";

  const std::string filters = "name.startsWith=account";
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    std::string query = list + "?" + filters + "&page_size=5";
    if (!token.empty()) query += "&page_token=" + token;
    HttpReply r = e.request("GET", query);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["result_info"]["total_size"], 12);
    for (const auto& n : names_of(r.body["result"])) seen.push_back(n);
    if (!r.body["result_info"].contains("next_page_token")) break;
    token = r.body["result_info"]["next_page_token"];
    expect_error(e.request("GET", list + "?page_token=" + token), 400, 1015);
  }
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(seen.back(), "Account 12");
}

TEST(EmulatorAccounts, ContainingAccountFindsWhereTheAccountSits) {
  Emulator e(no_window({"--accounts", "2"}));
  json accounts = seeded_accounts(e);
  json root = create(e, "Root");
  json child = create(e, "Child", id_of(root));
  ASSERT_EQ(move(e, id_of(accounts[0]), id_of(child)).status, 200);
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    HttpReply r = e.request("GET", "/organizations?" + query);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    for (const auto& o : r.body["result"]) {
      out.push_back(o["id"]);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("containing.account=" + id_of(accounts[0])), V{id_of(child)});
  EXPECT_EQ(ids("containing.account=" + id_of(accounts[1])), V{}) << "in no organization";
  EXPECT_EQ(ids("containing.account=" + kUnknownId), V{});
  EXPECT_EQ(ids("containing.account=" + id_of(accounts[0]) + "&parent.id=null"), V{});
  expect_error(e.request("GET", "/organizations?containing.account="), 400, 1016);
}

TEST(EmulatorAccounts, ContainingAccountUnderHierarchyListsTheHolderAndItsAncestors) {
  Emulator e(no_window({"--accounts", "2", "--containing-account", "hierarchy"}));
  json accounts = seeded_accounts(e);
  json root = create(e, "Root");
  json unit = create(e, "Unit", id_of(root));
  json team = create(e, "Team", id_of(unit));
  ASSERT_EQ(move(e, id_of(accounts[0]), id_of(team)).status, 200);
  std::vector<std::string> listed;
  HttpReply r = e.request("GET", "/organizations?containing.account=" + id_of(accounts[0]));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  for (const auto& o : r.body["result"]) listed.push_back(o["id"]);
  EXPECT_EQ(listed, (std::vector<std::string>{id_of(root), id_of(unit), id_of(team)}));
  r = e.request("GET", "/organizations?containing.account=" + id_of(accounts[1]));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_TRUE(r.body["result"].empty()) << "in no organization";
}

TEST(EmulatorAccounts, DeleteIsRefusedWhileTheOrganizationHoldsAnything) {
  Emulator e(no_window({"--accounts", "1"}));
  std::string account = id_of(seeded_accounts(e)[0]);
  json org = create(e, "Acme");
  json elsewhere = create(e, "Elsewhere");
  json child = create(e, "Child", id_of(org));
  ASSERT_EQ(move(e, account, id_of(org)).status, 200);
  HttpReply member = e.request("POST", "/organizations/" + id_of(org) + "/members",
                               R"({"member": {"user": {"email": "ada@example.com"}}})");
  ASSERT_EQ(member.status, 200);
  std::string path = "/organizations/" + id_of(org);
  auto refusal = [&] {
    HttpReply r = e.request("DELETE", path);
    expect_error(r, 400, 1012);
    return r.body["errors"][0]["message"].get<std::string>();
  };
  std::string all = refusal();
  for (const char* held : {"1 sub-organization", "1 account", "1 member"}) {
    EXPECT_NE(all.find(held), std::string::npos) << all;
  }
  ASSERT_EQ(e.request("DELETE", "/organizations/" + id_of(child)).status, 204);
  EXPECT_EQ(refusal().find("1 sub-organization"), std::string::npos);
  ASSERT_EQ(e.request("DELETE", path + "/members/" + id_of(member.body["result"])).status, 204);
  EXPECT_NE(refusal().find("1 account"), std::string::npos);
  ASSERT_EQ(move(e, account, id_of(elsewhere)).status, 200);
  EXPECT_EQ(e.request("DELETE", path).status, 204) << "empty at last";
}

TEST(EmulatorAccounts, StrictAuthWantsTheGlobalKeyForMovesAndLists) {
  Emulator e(no_window({"--auth", "strict", "--accounts", "1"}));
  std::string account = id_of(seeded_accounts(e)[0]);
  HttpReply made = e.request("POST", "/organizations", R"({"name":"Acme"})", key_auth());
  std::string org = id_of(made.body["result"]);
  expect_error(move(e, account, org), 403, 10000);
  expect_error(e.request("GET", "/organizations/" + org + "/accounts"), 403, 10000);
  EXPECT_TRUE(seeded_accounts(e)[0]["organization_id"].is_null());
  EXPECT_EQ(move(e, account, org, key_auth()).status, 200);
  EXPECT_EQ(e.request("GET", "/organizations/" + org + "/accounts", "", key_auth()).status, 200);
  EXPECT_EQ(e.stats()["token_refused"], 2);
}

TEST(EmulatorAccounts, MoveNamesItsDestinationForThePostCreateWindow) {
  Emulator e({"--accounts", "1"});
  std::string account = id_of(seeded_accounts(e)[0]);
  json org = create(e, "Acme");
  expect_error(move(e, account, id_of(org)), 403, 10000);
  EXPECT_EQ(e.stats()["post_create_403"], 1);
}

}  // namespace
}  // namespace cforg::emulator::http_test
