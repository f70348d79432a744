// The paged list reader (list_reader.cc): filters, page tokens, page sizes, and servers that go
// round in circles.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

json page_size_error(int max) {
  json e = error_envelope(1005, "page_size must be an integer from 1 to " + std::to_string(max));
  return e;
}

TEST_F(ClientTest, ListBuildsFiltersAndEscapesValues) {
  queue(reply(200, envelope(json::array())));
  ListQuery q;
  q.ids = {"a1", "b2"};
  q.parent_id = kParent;
  q.name = "Acme & Co";
  q.name_contains = "R&D dept=1/ü";
  ASSERT_TRUE(client().list(q).ok());
  EXPECT_EQ(script->request(0).url,
            kBase + "/organizations?id=a1&id=b2&parent.id=" + kParent +
                "&name=Acme%20%26%20Co&name.contains=R%26D%20dept%3D1%2F%C3%BC&page_size=1000");
}

TEST_F(ClientTest, ListRootsSendsParentIdNull) {
  queue(reply(200, envelope(json::array())));
  ListQuery q;
  q.parent_id = "";
  ASSERT_TRUE(client().list(q).ok());
  EXPECT_EQ(script->request(0).url, kBase + "/organizations?parent.id=null&page_size=1000");
}

TEST_F(ClientTest, ListFallsBackToCursorRepeatingFilters) {
  queue(
      reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "tok 1"}, {"count", 1}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}), {{"cursor", "tok2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"cursor", ""}})));
  ListQuery q;
  q.name_contains = "x";
  auto r = client().list(q);
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value()[0].id, "a");
  EXPECT_EQ(r.value()[2].id, "c");
  ASSERT_EQ(script->count(), 3u);
  EXPECT_EQ(script->request(0).url, kBase + "/organizations?name.contains=x&page_size=1000");
  EXPECT_EQ(script->request(1).url,
            kBase + "/organizations?name.contains=x&page_size=1000&page_token=tok%201");
  EXPECT_EQ(script->request(2).url,
            kBase + "/organizations?name.contains=x&page_size=1000&page_token=tok2");
}

TEST_F(ClientTest, ListFollowsNextPageToken) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"next_page_token", "n1"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}),
                            {{"cursor", nullptr}, {"next_page_token", "n2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"next_page_token", nullptr}})));
  auto r = client().list({});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 3u);
  EXPECT_THAT(script->request(1).url, ::testing::EndsWith("&page_token=n1"));
  EXPECT_THAT(script->request(2).url, ::testing::EndsWith("&page_token=n2"));
}

TEST_F(ClientTest, ListStopsWithoutResultInfo) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}))));
  auto r = client().list({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().size(), 1u);
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, ListFailsOnARepeatedTokenInsteadOfLooping) {
  script->fallback = reply(200, envelope(json::array({org_json("z", "Z")}), {{"cursor", "same"}}));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("\"same\" a second time"));
  EXPECT_EQ(script->count(), 2u);  // the first page, then the page that repeated it
}

TEST_F(ClientTest, ListFailsOnATokenCycle) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "t1"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}), {{"cursor", "t2"}})));
  queue(reply(200, envelope(json::array({org_json("c", "C")}), {{"cursor", "t1"}})));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, ListSurfacesAnErrorOnALaterPage) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"cursor", "t1"}})));
  queue(reply(400, error_envelope(1004, "bad page token")));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors.at(0).code, 1004);
  EXPECT_THAT(r.error().request, ::testing::HasSubstr("page_token=t1"));
}

TEST_F(ClientTest, ListAsksForTheLargestPageAndStepsDownOn400) {
  queue(reply(400, page_size_error(200)));
  queue(reply(400, page_size_error(200)));
  queue(reply(200, envelope(json::array({org_json("a", "A")}), {{"next_page_token", "t1"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}))));
  auto r = client().list({});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 2u);
  ASSERT_EQ(script->count(), 4u);
  EXPECT_THAT(script->request(0).url, ::testing::EndsWith("?page_size=1000"));
  EXPECT_THAT(script->request(1).url, ::testing::EndsWith("?page_size=500"));
  EXPECT_THAT(script->request(2).url, ::testing::EndsWith("?page_size=100"));
  EXPECT_THAT(script->request(3).url, ::testing::EndsWith("?page_size=100&page_token=t1"));
  EXPECT_EQ(client().page_size(), 100);
  // Remembered: the next list starts where the last one settled.
  queue(reply(200, envelope(json::array())));
  ASSERT_TRUE(client().list({}).ok());
  EXPECT_THAT(script->request(4).url, ::testing::EndsWith("?page_size=100"));
}

TEST_F(ClientTest, ListPageSizeErrorNamedByItsPointerAlsoStepsDown) {
  json e = error_envelope(1005, "value out of range");
  e["errors"][0]["source"] = {{"pointer", "/page_size"}};
  queue(reply(400, e));
  queue(reply(200, envelope(json::array())));
  ASSERT_TRUE(client().list({}).ok());
  EXPECT_EQ(client().page_size(), 500);
}

TEST_F(ClientTest, ListDoesNotStepDownOnOther400s) {
  queue(reply(400, error_envelope(1004, "invalid filter parent.id")));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(script->count(), 1u);
  EXPECT_EQ(client().page_size(), 1000);
}

TEST_F(ClientTest, ListFailsWhenEvenTheSmallestPageIsRefused) {
  script->fallback = reply(400, page_size_error(5));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 5u);  // 1000, 500, 100, 50, 10
  EXPECT_THAT(script->request(4).url, ::testing::EndsWith("?page_size=10"));
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("page_size must be"));
}

TEST_F(ClientTest, ListUsesWhateverPageLengthComesBack) {
  // Short pages are not the last page: only the absent token says so.
  queue(reply(200, envelope(json::array({org_json("a", "A")}),
                            {{"next_page_token", "t1"}, {"total_size", 3}})));
  queue(reply(200, envelope(json::array({org_json("b", "B"), org_json("c", "C")}),
                            {{"next_page_token", ""}, {"total_size", 3}})));
  auto r = client().list({});
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 3u);
}

TEST_F(ClientTest, ListPrefersNextPageTokenOverCursor) {
  queue(reply(200, envelope(json::array({org_json("a", "A")}),
                            {{"next_page_token", "npt"}, {"cursor", "cur"}})));
  queue(reply(200, envelope(json::array({org_json("b", "B")}), {{"cursor", "cur2"}})));
  queue(reply(200, envelope(json::array())));
  ASSERT_TRUE(client().list({}).ok());
  EXPECT_THAT(script->request(1).url, ::testing::EndsWith("&page_token=npt"));
  EXPECT_THAT(script->request(2).url, ::testing::EndsWith("&page_token=cur2"));
}

TEST_F(ClientTest, ListStopsWhenPagesExceedTotalSize) {
  // Fresh tokens forever, each page with orgs: total_size says when that is a lie.
  for (int i = 0; i < 20; ++i) {
    queue(reply(200, envelope(json::array({org_json("o" + std::to_string(i), "x")}),
                              {{"next_page_token", "t" + std::to_string(i)}, {"total_size", 2}})));
  }
  // The slack is a page: make the page small first (1000, 500, 100, 50 refused).
  for (int i = 0; i < 4; ++i) script->replies.push_front(reply(400, page_size_error(10)));
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(client().page_size(), 10);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("total_size says 2"));
  EXPECT_EQ(script->count(), 4u + 13u);  // 13 organizations read > 2 + one page of 10
}

TEST_F(ClientTest, ListStopsOnEmptyPagesThatKeepGoing) {
  for (int i = 0; i < 10; ++i) {
    queue(reply(200, envelope(json::array(), {{"next_page_token", "e" + std::to_string(i)}})));
  }
  auto r = client().list({});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("empty pages"));
  EXPECT_EQ(script->count(), 3u);
}

TEST_F(ClientTest, ListByNameSendsTheExactFilterAndChecksItHere) {
  // A server that ignores filters: everything comes back, only the match is kept.
  queue(reply(200,
              envelope(json::array({org_json("a", "Acme", kParent), org_json("b", "acme", kParent),
                                    org_json("c", "Acme"), org_json("d", "Acme Co", kParent),
                                    org_json("e", "Acme", "other")}))));
  ListQuery q;
  q.name = "Acme";
  q.parent_id = kParent;
  auto r = client().list(q);
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].id, "a");
  EXPECT_EQ(script->request(0).url,
            kBase + "/organizations?parent.id=" + kParent + "&name=Acme&page_size=1000");
  // Roots: parent.id=null, and a child that slipped through is left out.
  queue(reply(200, envelope(json::array({org_json("c", "Acme"), org_json("a", "Acme", kParent)}))));
  q.parent_id = "";
  r = client().list(q);
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].id, "c");
  // Ids too.
  queue(reply(200, envelope(json::array({org_json("c", "C"), org_json("z", "Z")}))));
  ListQuery by_id;
  by_id.ids = {"c"};
  r = client().list(by_id);
  ASSERT_EQ(r.value().size(), 1u);
}

}  // namespace
}  // namespace cforg::api::test
