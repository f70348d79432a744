// The account calls (account_calls.cc), the containing.account filter of the org list, and what
// member and account requests share with every other: the rate budget, the young-org gate, the
// 403 advice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

using ::testing::HasSubstr;

const std::string kAccount = "acc0123456789abcdef0123456789abcd";

json account_json(const std::string& id, const std::string& name) {
  return {{"id", id},
          {"name", name},
          {"type", "enterprise"},
          {"created_on", "2026-01-01T00:00:00Z"},
          {"settings", {{"enforce_twofactor", false}}}};
}

json move_json(const json& source, const std::string& account = kAccount,
               const std::string& destination = kId) {
  json j = {{"account_id", account}, {"destination_organization_id", destination}};
  if (!source.is_discarded()) j["source_organization_id"] = source;
  return j;
}

json member_json(const std::string& id, const std::string& email) {
  return {{"id", id}, {"status", "active"}, {"user", {{"email", email}}}};
}

TEST_F(ClientTest, ListAccountsFollowsEveryPage) {
  queue(reply(200, envelope(json::array({account_json("a1", "One"), account_json("a2", "Two")}),
                            {{"next_page_token", "t1"}, {"total_size", 3}})));
  queue(reply(200, envelope(json::array({account_json("a3", "Three")}), {{"total_size", 3}})));
  auto r = client().list_accounts(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0], (Account{"a1", "One", "enterprise"}));
  EXPECT_EQ(r.value()[2].id, "a3");
  ASSERT_EQ(script->count(), 2u);
  const std::string url = kBase + "/organizations/" + kId + "/accounts?page_size=1000";
  EXPECT_EQ(script->request(0).url, url);
  EXPECT_EQ(script->request(1).url, url + "&page_token=t1");
}

TEST_F(ClientTest, AccountWithoutANameIsAProtocolError) {
  json a = account_json("a1", "One");
  a.erase("name");
  queue(reply(200, envelope(json::array({a}))));
  auto r = client().list_accounts(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), HasSubstr("account.name: missing"));
}

TEST_F(ClientTest, MoveAccountPostsTheDestinationAndReadsTheAnswer) {
  queue(reply(200, envelope(move_json(kParent))));
  auto r = client().move_account(kAccount, kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value(), (AccountMove{kAccount, kParent, kId}));
  auto req = script->request(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kBase + "/accounts/" + kAccount + "/move");
  EXPECT_EQ(json::parse(req.body), json({{"destination_organization_id", kId}}));
}

TEST_F(ClientTest, MoveAccountFromNoOrgReadsANullOrAbsentSourceAsEmpty) {
  for (const json& source : {json(nullptr), json(json::value_t::discarded), json("")}) {
    queue(reply(200, envelope(move_json(source))));
    auto r = client().move_account(kAccount, kId);
    ASSERT_TRUE(r.ok()) << source.dump() << ": " << r.error().str();
    EXPECT_EQ(r.value().source_organization_id, "");
  }
}

TEST_F(ClientTest, MoveAccountAnswerForAnotherAccountOrDestinationIsAnUnknownOutcome) {
  for (const json& wrong :
       {move_json(kParent, "other-account"), move_json(kParent, kAccount, kParent),
        json({{"account_id", kAccount}})}) {
    queue(reply(200, envelope(wrong)));
    auto r = client().move_account(kAccount, kId);
    ASSERT_FALSE(r.ok()) << wrong.dump();
    EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
    EXPECT_TRUE(r.error().outcome_unknown) << wrong.dump();
  }
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, MoveAccountIsNotResentWhenItsOutcomeIsUnknown) {
  for (const HttpResponse& res : {reply(500, error_envelope(1, "oops")), failure(Failure::broken),
                                  failure(Failure::timeout)}) {
    queue(res);
    auto before = script->count();
    auto r = client().move_account(kAccount, kId);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().outcome_unknown);
    EXPECT_EQ(script->count(), before + 1);
  }
}

TEST_F(ClientTest, AccountCallsCheckIdsBeforeSending) {
  for (const std::string& bad : {std::string(), std::string("a/b c"), std::string("caf\xc3\xa9")}) {
    EXPECT_FALSE(client().list_accounts(bad).ok());
    EXPECT_FALSE(client().move_account(bad, kId).ok());
    EXPECT_FALSE(client().move_account(kAccount, bad).ok());
    ListQuery q;
    q.containing_account = bad;
    EXPECT_FALSE(client().list(q).ok());
  }
  EXPECT_EQ(script->count(), 0u);
  EXPECT_THAT(client().move_account("a b", kId).error().str(),
              HasSubstr("the account id contains a space"));
}

TEST_F(ClientTest, ListContainingAccountSendsTheFilter) {
  queue(reply(200, envelope(json::array({org_json(kId, "Holder")}))));
  ListQuery q;
  q.containing_account = "acc/1";
  auto r = client().list(q);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 1u);
  EXPECT_EQ(script->request(0).url,
            kBase + "/organizations?containing.account=acc%2F1&page_size=1000");
}

// Whether containing.account lists the holder alone or with its ancestors is not published:
// account_home finds the holder either way, and "" when no org holds the account.
TEST_F(ClientTest, AccountHomeIsTheHolderUnderEitherReadingOfContainingAccount) {
  queue(reply(200, envelope(json::array({org_json("team", "Team", "unit")}))));
  queue(reply(200, envelope(json::array({org_json("root", "Root"), org_json("unit", "Unit", "root"),
                                         org_json("team", "Team", "unit")}))));
  queue(reply(200, envelope(json::array({org_json("team", "Team", "unit"), org_json("root", "Root"),
                                         org_json("unit", "Unit", "root")}))));
  queue(reply(200, envelope(json::array())));
  for (const char* reading : {"holder alone", "root first", "any order"}) {
    auto home = account_home(client(), kAccount);
    ASSERT_TRUE(home.ok()) << home.error().str();
    EXPECT_EQ(home.value(), "team") << reading;
  }
  auto none = account_home(client(), kAccount);
  ASSERT_TRUE(none.ok()) << none.error().str();
  EXPECT_EQ(none.value(), "");
  EXPECT_EQ(script->count(), 4u);
}

TEST_F(ClientTest, MemberAndAccountRequestsGoThroughTheRateBudget) {
  opts.rate_limit = RateLimit::parse("2/0.2");
  queue(reply(200, envelope(json::array())));
  queue(reply(200, envelope(member_json("m1", "a@x.test"))));
  queue(reply(200, envelope(json::array({member_json("m2", "b@x.test")}))));
  queue(no_content(204));
  queue(reply(200, envelope(json::array())));
  queue(reply(200, envelope(move_json(nullptr))));
  auto start = clock->now();
  ASSERT_TRUE(client().list_members(kId).ok());
  ASSERT_TRUE(client().create_member(kId, {"a@x.test"}).ok());
  ASSERT_TRUE(client().create_members(kId, {{"b@x.test"}}).at(0).member.ok());
  ASSERT_TRUE(client().remove_member(kId, "m1").ok());
  ASSERT_TRUE(client().list_accounts(kId).ok());
  ASSERT_TRUE(client().move_account(kAccount, kId).ok());
  // Two at once, then two when those slots free 200 ms after their replies, then two more.
  EXPECT_EQ(clock->waits(), (std::vector<Clock::duration>{200ms, 200ms}));
  EXPECT_EQ(clock->now() - start, 400ms);
  EXPECT_EQ(client().stats().requests, 6u);
}

TEST_F(ClientTest, MemberCreateAndMoveNamingAJustCreatedOrgAreRetriedOn403) {
  json forbidden = error_envelope(10000, "Authentication error");
  queue(reply(200, envelope(org_json(kId, "New"))));
  queue(reply(403, forbidden));
  queue(reply(200, envelope(member_json("m1", "a@x.test"))));
  queue(reply(403, forbidden));
  queue(reply(200, envelope(move_json(nullptr))));
  ASSERT_TRUE(client().create(OrgSpec{"New", ParentRef::root(), std::nullopt}).ok());
  auto m = client().create_member(kId, {"a@x.test"});
  ASSERT_TRUE(m.ok()) << m.error().str();
  auto moved = client().move_account(kAccount, kId);
  ASSERT_TRUE(moved.ok()) << moved.error().str();
  EXPECT_EQ(client().stats().young_retries, 2u);
  EXPECT_EQ(script->count(), 5u);
  EXPECT_EQ(script->request(2).body, script->request(1).body);  // the same create, refused
}

TEST_F(ClientTest, A403OnATokenMemberOrAccountChangeSaysToUseTheGlobalKey) {
  scheme = AuthScheme::token;
  queue(reply(403, error_envelope(10000, "Authentication error")));
  queue(reply(403, error_envelope(10000, "Authentication error")));
  auto m = client().create_member(kId, {"a@x.test"});
  auto moved = client().move_account(kAccount, kId);
  ASSERT_FALSE(m.ok());
  ASSERT_FALSE(moved.ok());
  EXPECT_THAT(m.error().advice, HasSubstr("changes take the global API key"));
  EXPECT_THAT(moved.error().advice, HasSubstr("changes take the global API key"));
  EXPECT_EQ(script->count(), 2u);
}

}  // namespace
}  // namespace cforg::api::test
