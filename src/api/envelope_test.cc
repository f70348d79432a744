// What an answer says (envelope.cc): envelopes, the errors in them, and messages a person can act
// on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

json forbidden() {
  return error_envelope(10000, "Authentication error");
}

TEST_F(ClientTest, NonJsonSuccessIsAProtocolError) {
  HttpResponse r;
  r.status = 200;
  r.body = "<html>hello</html>";
  queue(r);
  auto got = client().get(kId);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ApiError::Kind::protocol);
}

TEST_F(ClientTest, UnreadableSuccessOfAPostMayHaveCreated) {
  HttpResponse garbled;
  garbled.status = 201;
  garbled.body = R"({"success":true,"result":{"na)";
  queue(garbled);
  queue(reply(201, envelope({{"name", "no id"}})));
  for (int i = 0; i < 2; ++i) {
    auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
    EXPECT_TRUE(r.error().outcome_unknown) << "a 201 did create something";
  }
  EXPECT_EQ(script->count(), 2u);
}

TEST_F(ClientTest, SuccessFalseInA200IsAnError) {
  json body = error_envelope(1234, "odd");
  queue(reply(200, body));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::http);
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].code, 1234);
}

TEST_F(ClientTest, ErrorsCarryStatusAndCloudflareCodes) {
  queue(reply(400, error_envelope(1001, "parent not found")));
  auto r = client().create(OrgSpec{"X", ParentRef::id(kParent), std::nullopt});
  ASSERT_FALSE(r.ok());
  const ApiError& e = r.error();
  EXPECT_EQ(e.kind, ApiError::Kind::http);
  EXPECT_EQ(e.status, 400);
  ASSERT_EQ(e.errors.size(), 1u);
  EXPECT_EQ(e.errors[0].code, 1001);
  EXPECT_FALSE(e.outcome_unknown);
  EXPECT_EQ(e.str(), "POST /organizations: HTTP 400, Cloudflare error 1001: parent not found");
  EXPECT_EQ(script->count(), 1u);  // a 400 is an answer, not a glitch
}

TEST_F(ClientTest, NestedErrorChainsAreFlattened) {
  json body = error_envelope(1000, "outer");
  body["errors"][0]["error_chain"] = {{{"code", 1002}, {"message", "inner"}}};
  queue(reply(400, body));
  auto r = client().get(kId);
  ASSERT_EQ(r.error().errors.size(), 2u);
  EXPECT_EQ(r.error().errors[1].code, 1002);
  EXPECT_EQ(r.error().errors[1].message, "inner");
}

TEST_F(ClientTest, NonEnvelopeErrorBodyShowsInTheMessage) {
  HttpResponse r;
  r.status = 403;
  r.body = "<html>\n<b>Forbidden by proxy</b></html>";
  queue(r);
  auto got = client().get(kId);
  EXPECT_EQ(got.error().status, 403);
  EXPECT_THAT(got.error().str(), ::testing::HasSubstr("<b>Forbidden by proxy</b>"));
}

TEST_F(ClientTest, SuccessMustBeTheBooleanTrue) {
  for (json success : {json(), json("true"), json(1)}) {
    json body = envelope(org_json(kId, "x"));
    if (success.is_null()) {
      body.erase("success");
    } else {
      body["success"] = success;
    }
    queue(reply(200, body));
    auto r = client().get(kId);
    ASSERT_FALSE(r.ok()) << body.dump();
    EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
    EXPECT_THAT(r.error().str(), ::testing::HasSubstr("success is not a boolean"));
  }
}

TEST_F(ClientTest, AnswerWithADuplicateKeyIsNotBelieved) {
  // Last-wins would record the second id; first-wins the first: neither is trusted.
  HttpResponse r = reply(200, json::object());
  r.body = R"({"success": true, "errors": [], "result": {"id": ")" + std::string(kId) +
           R"(", "name": "Acme EU", "parent": {"id": ")" + std::string(kParent) +
           R"("}, "create_time": "2026-01-01T00:00:00Z"}, "result": {"id": "other"}})";
  queue(r);
  auto created = client().create(OrgSpec{"Acme EU", ParentRef::id(kParent), std::nullopt});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ApiError::Kind::protocol);
  EXPECT_TRUE(created.error().outcome_unknown);
  EXPECT_THAT(created.error().str(), ::testing::HasSubstr("the key \"result\" twice"));
}

TEST_F(ClientTest, ServerErrorTextIsCappedAndFreeOfControlCharacters) {
  json errors = json::array();
  errors.push_back({{"code", 1000}, {"message", "\x1b]0;owned\x07" + std::string(100000, 'm')}});
  for (int i = 0; i < 199999; ++i) errors.push_back({{"code", 1001}, {"message", "again"}});
  queue(reply(400, {{"success", false}, {"errors", errors}, {"result", nullptr}}));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  std::string text = r.error().str();
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_LT(text.size(), 2000u) << "200,000 errors printed 13 MB";
  EXPECT_THAT(text, ::testing::HasSubstr("and 199990 more errors"));
  EXPECT_THAT(text, ::testing::HasSubstr("Cloudflare error 1000:  ]0;owned mmm"));
}

TEST_F(ClientTest, AnHtmlErrorPageIsShownAsAShortPrintableLine) {
  HttpResponse r;
  r.status = 502;
  r.body = "<html>\x1b[2J<body>" + std::string(50000, 'x') + "</body></html>";
  opts.retry.max_retries = 0;
  queue(r);
  auto got = client().get(kId);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().str().find('\x1b'), std::string::npos);
  EXPECT_LT(got.error().str().size(), 400u);
  EXPECT_THAT(got.error().str(), ::testing::HasSubstr("<html> [2J<body>xxx"));
}

TEST_F(ClientTest, TransportErrorMessageNamesTheFailure) {
  queue(failure(Failure::timeout));
  auto r = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
  EXPECT_EQ(r.error().str(),
            "POST /organizations: no response (timeout (simulated)); the server may have carried "
            "it out");
}

TEST_F(ClientTest, Forbidden403OnAnOldOrgIsAnErrorAtOnceWithAdvice) {
  queue(reply(403, forbidden()));
  auto r = client().create(OrgSpec{"Child", ParentRef::id(kParent), std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(script->count(), 1u);
  EXPECT_EQ(r.error().status, 403);
  EXPECT_FALSE(r.error().outcome_unknown);
  const std::string msg = r.error().str();
  EXPECT_THAT(msg, ::testing::HasSubstr("HTTP 403, Cloudflare error 10000"));
  EXPECT_THAT(msg, ::testing::HasSubstr("the right one"));
  EXPECT_THAT(msg, ::testing::HasSubstr("scheme"));
  EXPECT_THAT(msg, ::testing::HasSubstr("Enterprise"));
  EXPECT_THAT(msg, ::testing::HasSubstr("Super Admin"));
  EXPECT_THAT(msg, ::testing::Not(::testing::HasSubstr("CLOUDFLARE_API_KEY")));  // key in use
}

TEST_F(ClientTest, Forbidden403WithATokenSaysTheseEndpointsTakeTheGlobalKey) {
  scheme = AuthScheme::token;
  script->fallback = reply(403, forbidden());
  auto created = client().create(OrgSpec{"X", ParentRef::root(), std::nullopt});
  auto renamed = client().rename(kId, "X");
  auto removed = client().remove(kId);
  auto profile = client().put_profile(kId, Profile{});
  for (const ApiError* e :
       {&created.error(), &renamed.error(), &removed.error(), &profile.error()}) {
    EXPECT_THAT(e->str(), ::testing::HasSubstr("CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY"));
  }
  // The list takes a token: there the advice is only the general one.
  auto listed = client().list({});
  EXPECT_THAT(listed.error().str(), ::testing::Not(::testing::HasSubstr("CLOUDFLARE_API_KEY")));
  EXPECT_THAT(listed.error().str(), ::testing::HasSubstr("Enterprise"));
  EXPECT_EQ(script->count(), 5u);
}

}  // namespace
}  // namespace cforg::api::test
