// The member calls (member_calls.cc): the requests they build, the pages they follow, the
// email filter, batchCreate and its fallback to single creates, and creates never resent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

const std::string kMembers = kBase + "/organizations/" + kId + "/members";

json member_json(const std::string& id, const std::string& email,
                 const std::string& status = "active") {
  return {{"id", id},
          {"create_time", "2026-12-01T10:00:00Z"},
          {"update_time", "2026-12-01T10:00:00Z"},
          {"meta", {{"anything", 1}}},
          {"status", status},
          {"user",
           {{"id", "u-" + id},
            {"email", email},
            {"name", "Someone"},
            {"two_factor_authentication_enabled", true}}}};
}

std::vector<MemberSpec> specs(std::size_t n) {
  std::vector<MemberSpec> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({"m" + std::to_string(i) + "@x.test"});
  return out;
}

// A batchCreate answer with a member for each of `asked`.
json batch_answer(const std::vector<MemberSpec>& asked) {
  json list = json::array();
  for (const auto& m : asked) list.push_back(member_json("id-" + m.email, m.email));
  return envelope(list);
}

TEST_F(ClientTest, ListMembersFollowsEveryPage) {
  queue(reply(200,
              envelope(json::array({member_json("m1", "a@x.test")}), {{"next_page_token", "p1"}})));
  queue(reply(200, envelope(json::array({member_json("m2", "b@x.test", "canceled")}),
                            {{"next_page_token", "p2"}})));
  queue(reply(200, envelope(json::array({member_json("m3", "c@x.test")}))));
  auto r = client().list_members(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0],
            (Member{"m1", "a@x.test", MemberStatus::active, "2026-12-01T10:00:00Z", false}));
  EXPECT_EQ(r.value()[1].status, MemberStatus::canceled);
  ASSERT_EQ(script->count(), 3u);
  EXPECT_EQ(script->request(0).method, "GET");
  EXPECT_EQ(script->request(0).url, kMembers + "?page_size=1000");
  EXPECT_EQ(script->request(1).url, kMembers + "?page_size=1000&page_token=p1");
  EXPECT_EQ(script->request(2).url, kMembers + "?page_size=1000&page_token=p2");
}

TEST_F(ClientTest, ListMembersByEmailKeepsOnlyTheExactMatchOfAnEndsWithFilter) {
  // The server's filter is "ends with": jimbob@ matches bob@. Case does not count.
  queue(reply(200, envelope(json::array({member_json("m1", "jimbob@x.test"),
                                         member_json("m2", "BOB@X.test"),
                                         member_json("m3", "bob@x.test.evil")}))));
  auto r = client().list_members(kId, "Bob@x.test");
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].id, "m2");
  EXPECT_EQ(script->request(0).url, kMembers + "?user.email=Bob%40x.test&page_size=1000");
}

TEST_F(ClientTest, ListMembersSettlesItsOwnPageSize) {
  json e = error_envelope(1005, "page_size must be at most 100");
  queue(reply(400, e));
  queue(reply(400, e));
  queue(reply(200, envelope(json::array())));
  ASSERT_TRUE(client().list_members(kId).ok());
  EXPECT_THAT(script->request(2).url, EndsWith("?page_size=100"));
  EXPECT_EQ(client().page_size(), 1000);  // the org list's is its own
}

TEST_F(ClientTest, MemberWithAnUnknownStatusOrNoEmailIsAProtocolError) {
  queue(reply(200, envelope(json::array({member_json("m1", "a@x.test", "suspended")}))));
  auto r = client().list_members(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), HasSubstr("member.status: \"suspended\""));
  json no_email = member_json("m1", "a@x.test");
  no_email["user"].erase("email");
  queue(reply(200, envelope(json::array({no_email}))));
  r = client().list_members(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().str(), HasSubstr("member.user.email: missing"));
}

TEST_F(ClientTest, CreateMemberPostsTheMemberAndReadsTheAnswer) {
  queue(reply(200, envelope(member_json("m1", "Ann@x.test", "canceled"))));
  auto r = client().create_member(kId, {"Ann@x.test", MemberStatus::canceled});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().id, "m1");
  EXPECT_EQ(r.value().status, MemberStatus::canceled);
  auto req = script->request(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kMembers);
  EXPECT_EQ(json::parse(req.body),
            json({{"member", {{"user", {{"email", "Ann@x.test"}}}, {"status", "canceled"}}}}));
}

TEST_F(ClientTest, CreateMemberSurfacesA409ForTheCallerToLookUp) {
  queue(reply(409, error_envelope(1409, "already a member")));
  auto r = client().create_member(kId, {"a@x.test"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 409);
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, CreateMemberIsNotResentWhenItsOutcomeIsUnknown) {
  std::vector<HttpResponse> unknown = {reply(502, error_envelope(1, "bad gateway")),
                                       failure(Failure::timeout), failure(Failure::broken)};
  for (const HttpResponse& res : unknown) {
    queue(res);
    auto before = script->count();
    auto r = client().create_member(kId, {"a@x.test"});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().outcome_unknown);
    EXPECT_EQ(script->count(), before + 1);
  }
  EXPECT_EQ(client().stats().retries, 0u);
}

TEST_F(ClientTest, CreateMemberAnswerForAnotherEmailIsAnUnknownOutcome) {
  queue(reply(200, envelope(member_json("m1", "someone@else.test"))));
  auto r = client().create_member(kId, {"a@x.test"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_THAT(r.error().str(), HasSubstr("someone@else.test"));
}

TEST_F(ClientTest, CreateMembersUsesBatchCreateAndMapsItsAnswerByEmail) {
  // Answered in another order and spelling: matched by canonical email.
  queue(reply(200, envelope(json::array({member_json("mb", "B@X.TEST", "canceled"),
                                         member_json("ma", "a@x.test")}))));
  auto r = client().create_members(kId, {{"a@x.test"}, {"b@x.test", MemberStatus::canceled}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].email, "a@x.test");
  ASSERT_TRUE(r[0].member.ok()) << r[0].member.error().str();
  EXPECT_EQ(r[0].member.value().id, "ma");
  ASSERT_TRUE(r[1].member.ok()) << r[1].member.error().str();
  EXPECT_EQ(r[1].member.value().id, "mb");
  ASSERT_EQ(script->count(), 1u);
  auto req = script->request(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kMembers + ":batchCreate");  // the ':' as it is
  EXPECT_EQ(json::parse(req.body),
            json({{"members",
                   {{{"user", {{"email", "a@x.test"}}}, {"status", "active"}},
                    {{"user", {{"email", "b@x.test"}}}, {"status", "canceled"}}}}}));
  // An answer that wraps the list in {"members": [...]} is read too.
  queue(reply(200, envelope({{"members", json::array({member_json("mc", "c@x.test")})}})));
  auto wrapped = client().create_members(kId, {{"c@x.test"}});
  ASSERT_TRUE(wrapped.at(0).member.ok()) << wrapped.at(0).member.error().str();
  EXPECT_EQ(wrapped.at(0).member.value().id, "mc");
}

TEST_F(ClientTest, CreateMembersBatchAnswerWithoutAnEmailIsAnUnknownOutcomeForThatOne) {
  queue(reply(200, envelope(json::array(
                       {member_json("ma", "a@x.test"), member_json("mz", "stranger@x.test")}))));
  auto r = client().create_members(kId, {{"a@x.test"}, {"b@x.test"}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].member.ok());
  ASSERT_FALSE(r[1].member.ok());
  EXPECT_EQ(r[1].member.error().kind, ApiError::Kind::protocol);
  EXPECT_TRUE(r[1].member.error().outcome_unknown);
  EXPECT_THAT(r[1].member.error().str(), HasSubstr("no member \"b@x.test\""));
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, CreateMembersWithoutBatchCreateFallsBackToSingleCreatesAndRemembers) {
  for (int status : {404, 405}) {
    client_.reset();
    script->requests.clear();
    queue(reply(status, error_envelope(7003, "no route")));
    queue(reply(200, envelope(member_json("ma", "a@x.test"))));
    queue(reply(200, envelope(member_json("mb", "b@x.test"))));
    auto r = client().create_members(kId, {{"a@x.test"}, {"b@x.test"}});
    ASSERT_EQ(r.size(), 2u);
    ASSERT_TRUE(r[0].member.ok()) << status << ": " << r[0].member.error().str();
    EXPECT_EQ(r[0].member.value().id, "ma");
    ASSERT_TRUE(r[1].member.ok()) << status;
    EXPECT_EQ(r[1].member.value().id, "mb");
    ASSERT_EQ(script->count(), 3u);
    EXPECT_THAT(script->request(0).url, EndsWith(":batchCreate"));
    EXPECT_EQ(script->request(1).url, kMembers);
    EXPECT_EQ(json::parse(script->request(1).body),
              json({{"member", {{"user", {{"email", "a@x.test"}}}, {"status", "active"}}}}));
    // Remembered: the next call sends no batch.
    queue(reply(200, envelope(member_json("mc", "c@x.test"))));
    auto again = client().create_members(kId, {{"c@x.test"}});
    ASSERT_TRUE(again.at(0).member.ok()) << status;
    ASSERT_EQ(script->count(), 4u);
    EXPECT_EQ(script->request(3).url, kMembers) << status;
  }
}

TEST_F(ClientTest, CreateMembersSends250AsThreeBatches) {
  const auto asked = specs(250);
  for (std::size_t from : {0, 100, 200}) {
    const std::size_t to = std::min<std::size_t>(from + 100, asked.size());
    queue(reply(200,
                batch_answer(std::vector<MemberSpec>(asked.begin() + from, asked.begin() + to))));
  }
  auto r = client().create_members(kId, asked);
  ASSERT_EQ(r.size(), 250u);
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSERT_TRUE(r[i].member.ok()) << i << ": " << r[i].member.error().str();
    EXPECT_EQ(r[i].member.value().id, "id-" + asked[i].email);
  }
  ASSERT_EQ(script->count(), 3u);
  EXPECT_EQ(json::parse(script->request(0).body)["members"].size(), 100u);
  EXPECT_EQ(json::parse(script->request(1).body)["members"].size(), 100u);
  EXPECT_EQ(json::parse(script->request(2).body)["members"].size(), 50u);
  EXPECT_EQ(json::parse(script->request(2).body)["members"][0]["user"]["email"], "m200@x.test");
}

TEST_F(ClientTest, CreateMembersUnknownOutcomeFillsItsChunkAndIsNotResent) {
  const auto asked = specs(150);
  queue(failure(Failure::timeout));
  queue(reply(200, batch_answer(std::vector<MemberSpec>(asked.begin() + 100, asked.end()))));
  auto r = client().create_members(kId, asked);
  ASSERT_EQ(r.size(), 150u);
  for (std::size_t i = 0; i < 100; ++i) {
    ASSERT_FALSE(r[i].member.ok()) << i;
    EXPECT_TRUE(r[i].member.error().outcome_unknown) << i;
  }
  for (std::size_t i = 100; i < 150; ++i) EXPECT_TRUE(r[i].member.ok()) << i;
  EXPECT_EQ(script->count(), 2u);  // the lost batch was not sent again
}

TEST_F(ClientTest, CreateMembersBatch409FallsBackToOneCreateEachForThatChunk) {
  queue(reply(409, error_envelope(1409, "some are members already")));
  queue(reply(409, error_envelope(1409, "already a member")));
  queue(reply(200, envelope(member_json("mb", "b@x.test"))));
  auto r = client().create_members(kId, {{"a@x.test"}, {"b@x.test"}});
  ASSERT_EQ(r.size(), 2u);
  ASSERT_FALSE(r[0].member.ok());
  EXPECT_EQ(r[0].member.error().status, 409);
  ASSERT_TRUE(r[1].member.ok());
  EXPECT_EQ(script->count(), 3u);
  // A 409 says nothing about the route: the next call batches again.
  queue(reply(200, batch_answer({{"c@x.test"}})));
  client().create_members(kId, {{"c@x.test"}});
  EXPECT_THAT(script->request(3).url, EndsWith(":batchCreate"));
}

TEST_F(ClientTest, RemoveMemberDeletesByIdAndTakesA404OnARetryAsDone) {
  queue(no_content(204));
  ASSERT_TRUE(client().remove_member(kId, "m/1").ok());
  EXPECT_EQ(script->request(0).method, "DELETE");
  EXPECT_EQ(script->request(0).url, kMembers + "/m%2F1");
  queue(reply(503, error_envelope(1, "unavailable")));
  queue(reply(404, error_envelope(1003, "member not found")));
  EXPECT_TRUE(client().remove_member(kId, "m1").ok());
  queue(reply(404, error_envelope(1003, "member not found")));
  auto r = client().remove_member(kId, "m1");  // gone before we asked: said so
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().not_found());
}

TEST_F(ClientTest, MemberCallsCheckIdsBeforeSending) {
  for (const std::string& bad : {std::string(), std::string("a b"), std::string(129, 'x')}) {
    EXPECT_FALSE(client().list_members(bad).ok());
    EXPECT_FALSE(client().create_member(bad, {"a@x.test"}).ok());
    EXPECT_FALSE(client().remove_member(bad, "m1").ok());
    EXPECT_FALSE(client().remove_member(kId, bad).ok());
    auto batch = client().create_members(bad, {{"a@x.test"}, {"b@x.test"}});
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_FALSE(batch[0].member.ok());
    EXPECT_FALSE(batch[1].member.ok());
  }
  EXPECT_FALSE(client().create_member(kId, {""}).ok());  // no email to send
  EXPECT_EQ(script->count(), 0u);
  EXPECT_THAT(client().remove_member(kId, "a b").error().str(),
              HasSubstr("the member id contains a space"));
}

}  // namespace
}  // namespace cforg::api::test
