// The endpoint calls (http_client.cc): the request each builds, and the checks that an answer is
// the org that was asked for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "client_test_fixture.h"

namespace cforg::api::test {
namespace {

TEST_F(ClientTest, CreatePostsNameParentAndProfile) {
  OrgSpec spec{"Acme EU", ParentRef::id(kParent),
               Profile{"Acme", "ops@acme.test", "+1 555", "1 Road", "{}"}};
  queue(reply(201, envelope(org_json(kId, "Acme EU", kParent))));
  auto r = client().create(spec);
  ASSERT_TRUE(r.ok()) << r.error().str();
  auto req = script->request(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, kBase + "/organizations");
  EXPECT_EQ(json::parse(req.body), json({{"name", "Acme EU"},
                                         {"parent", {{"id", kParent}}},
                                         {"profile",
                                          {{"business_name", "Acme"},
                                           {"business_email", "ops@acme.test"},
                                           {"business_phone", "+1 555"},
                                           {"business_address", "1 Road"},
                                           {"external_metadata", "{}"}}}}));
  EXPECT_EQ(r.value().id, kId);
  EXPECT_EQ(r.value().spec.parent.api_id(), kParent);
  EXPECT_EQ(r.value().parent_name, "the parent");
}

TEST_F(ClientTest, CreateOmitsEmptyParentAndProfile) {
  client().create(OrgSpec{"Root", ParentRef::root(), std::nullopt});
  EXPECT_EQ(json::parse(script->request(0).body), json({{"name", "Root"}}));
}

TEST_F(ClientTest, CreateRefusesAParentThatIsStillAConfigKeyAndSendsNothing) {
  // Keys are the config's; the plan resolves them. One reaching the client is a bug in cforg,
  // said as such, and no request goes out.
  auto r = client().create(OrgSpec{"Acme EU", ParentRef::key("platform"), std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_NE(r.error().str().find("config key \"platform\""), std::string::npos) << r.error().str();
  EXPECT_NE(r.error().str().find("bug in cforg"), std::string::npos) << r.error().str();
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(script->count(), 0u);
}

TEST_F(ClientTest, GetRenameRemoveUseTheIdPath) {
  client().get(kId);
  client().rename(kId, "New");
  queue(reply(200, envelope({{"id", kId}})));
  EXPECT_TRUE(client().remove(kId).ok());
  EXPECT_EQ(script->request(0).method, "GET");
  EXPECT_EQ(script->request(0).url, kBase + "/organizations/" + kId);
  EXPECT_EQ(script->request(0).body, "");
  EXPECT_EQ(script->request(1).method, "PUT");
  EXPECT_EQ(script->request(1).url, kBase + "/organizations/" + kId);
  EXPECT_EQ(json::parse(script->request(1).body), json({{"name", "New"}}));  // only the name
  EXPECT_EQ(script->request(2).method, "DELETE");
  EXPECT_EQ(script->request(2).url, kBase + "/organizations/" + kId);
}

TEST_F(ClientTest, EscapesIdsInPaths) {
  script->fallback = reply(200, envelope(org_json("../a?b#c%d", "x")));
  ASSERT_TRUE(client().get("../a?b#c%d").ok());
  EXPECT_EQ(script->request(0).url, kBase + "/organizations/..%2Fa%3Fb%23c%25d");
  client().put_profile("a/b", Profile{});
  EXPECT_EQ(script->request(1).url, kBase + "/organizations/a%2Fb/profile");
}

TEST_F(ClientTest, UnusableIdsAreRefusedWithoutSending) {
  const std::string bad[] = {
      "", "a b", "a\tb", std::string("a\x01b"), std::string(129, 'x'), "caf\xc3\xa9"};
  for (const std::string& id : bad) {
    // Never GET /organizations/ (that is the list), nor a path that means something else.
    EXPECT_FALSE(client().get(id).ok()) << id;
    EXPECT_FALSE(client().rename(id, "n").ok());
    EXPECT_FALSE(client().remove(id).ok());
    EXPECT_FALSE(client().get_profile(id).ok());
    EXPECT_FALSE(client().put_profile(id, Profile{}).ok());
    EXPECT_FALSE(client().create(OrgSpec{"n", ParentRef::id(id), std::nullopt}).ok() &&
                 !id.empty());
    ListQuery q;
    q.ids = {id};
    EXPECT_FALSE(client().list(q).ok());
  }
  // Only the creates with no parent (the empty id) went out.
  EXPECT_EQ(script->count(), 1u);
  EXPECT_THAT(client().get("a b").error().str(), ::testing::HasSubstr("contains a space"));
  // 128 visible characters are an id, hex or not.
  std::string longest(128, 'z');
  script->fallback = reply(200, envelope(org_json(longest, "x")));
  EXPECT_TRUE(client().get(longest).ok());
}

TEST_F(ClientTest, ParsesNullParentAndProfileAndKeepsMeta) {
  json o = org_json(kId, "Root");
  o["parent"] = nullptr;
  o["profile"] = nullptr;
  queue(reply(200, envelope(o)));
  auto r = client().get(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().spec.parent.api_id(), "");
  EXPECT_FALSE(r.value().spec.profile);
  EXPECT_EQ(r.value().create_time, "2019-12-27T18:11:19.117Z");
  EXPECT_EQ(r.value().meta, o["meta"]);
}

TEST_F(ClientTest, MalformedOrganizationIsAProtocolError) {
  queue(reply(200, envelope({{"name", "no id"}})));
  auto r = client().get(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("organization.id: missing"));
}

TEST_F(ClientTest, RemoveOfAMissingOrgReturnsTheNotFound) {
  queue(reply(404, error_envelope(1003, "organization not found")));
  auto r = client().remove(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().not_found());
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(script->count(), 1u);
}

TEST_F(ClientTest, RenameSendsOnlyTheName) {
  queue(reply(200, envelope(org_json(kId, "New name", kParent))));
  auto r = client().rename(kId, "New name");
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->request(0).method, "PUT");
  EXPECT_EQ(json::parse(script->request(0).body), json({{"name", "New name"}}));
  EXPECT_EQ(r.value().spec.parent.api_id(), kParent);
}

TEST_F(ClientTest, AnswerForAnotherOrgIsAProtocolError) {
  queue(reply(200, envelope(org_json("someone-else", "New"))));
  auto renamed = client().rename(kId, "New");
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().kind, ApiError::Kind::protocol);
  EXPECT_TRUE(renamed.error().outcome_unknown);  // a 2xx PUT did something
  queue(reply(200, envelope(org_json("someone-else", "X"))));
  auto got = client().get(kId);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(got.error().str(), ::testing::HasSubstr("someone-else"));
}

TEST_F(ClientTest, CreateAnswerMustBeTheOrgAskedFor) {
  const OrgSpec spec{"Acme EU", ParentRef::id(kParent), std::nullopt};
  std::vector<json> wrong = {org_json(kId, "Acme", kParent),     // another name
                             org_json(kId, "Acme EU"),           // no parent
                             org_json(kId, "Acme EU", "other"),  // another parent
                             org_json("", "Acme EU", kParent),   // no usable id
                             org_json("has space", "Acme EU", kParent),
                             org_json(std::string(200, 'i'), "Acme EU", kParent)};
  for (const json& o : wrong) {
    queue(reply(200, envelope(o)));
    auto r = client().create(spec);
    ASSERT_FALSE(r.ok()) << o.dump();
    EXPECT_EQ(r.error().kind, ApiError::Kind::protocol) << o.dump();
    EXPECT_TRUE(r.error().outcome_unknown) << "a 2xx POST created something: look it up";
  }
  queue(reply(200, envelope(org_json(kId, "Acme EU", kParent))));
  EXPECT_TRUE(client().create(spec).ok());
  EXPECT_EQ(script->count(), wrong.size() + 1);  // none was sent twice
}

TEST_F(ClientTest, RenameAnswerMustCarryTheNewName) {
  queue(reply(200, envelope(org_json(kId, "Something else", kParent))));
  auto r = client().rename(kId, "New name");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("\"Something else\", not \"New name\""));
}

TEST_F(ClientTest, ProfileKnownOnlyWhenTheKeyIsThere) {
  json absent = org_json(kId, "x");
  json null = org_json(kId, "x");
  null["profile"] = nullptr;
  json full = org_json(kId, "x");
  full["profile"] = profile_json();
  queue(reply(200, envelope(absent)));
  queue(reply(200, envelope(null)));
  queue(reply(200, envelope(full)));
  auto a = client().get(kId), n = client().get(kId), f = client().get(kId);
  ASSERT_TRUE(a.ok() && n.ok() && f.ok());
  EXPECT_FALSE(a.value().profile_known);  // not told, not "none"
  EXPECT_TRUE(n.value().profile_known);
  EXPECT_FALSE(n.value().spec.profile);
  EXPECT_TRUE(f.value().profile_known);
  ASSERT_TRUE(f.value().spec.profile);
  EXPECT_EQ(f.value().spec.profile->business_name, "Acme");
}

TEST_F(ClientTest, MetaFlagsAndTenantFlagsAreKeptAsGiven) {
  for (const char* key : {"flags", "tenant_flags"}) {
    json o = org_json(kId, "x");
    o["meta"] = {{key, {{"enterprise_capability", "on"}, {"member_management", true}}},
                 {"managed_by", "cf"},
                 {"hierarchy_tags", {"root", kId}},
                 {"something_new", {{"nested", 1}}}};
    queue(reply(200, envelope(o)));
    auto r = client().get(kId);
    ASSERT_TRUE(r.ok()) << r.error().str();
    EXPECT_EQ(r.value().meta, o["meta"]);
  }
}

TEST_F(ClientTest, GetProfileReadsTheFiveFields) {
  queue(reply(200, envelope(profile_json())));
  auto r = client().get_profile(kId);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(script->request(0).method, "GET");
  EXPECT_EQ(script->request(0).url, kBase + "/organizations/" + kId + "/profile");
  ASSERT_TRUE(r.value());
  EXPECT_EQ(*r.value(), (Profile{"Acme", "ops@acme.test", "+1 555", "1 Road", "{}"}));
}

TEST_F(ClientTest, GetProfileNoneIs404OrNull) {
  queue(reply(404, error_envelope(1003, "no profile")));
  queue(reply(200, envelope(nullptr)));
  auto missing = client().get_profile(kId), null = client().get_profile(kId);
  ASSERT_TRUE(missing.ok()) << missing.error().str();
  ASSERT_TRUE(null.ok()) << null.error().str();
  EXPECT_FALSE(missing.value());
  EXPECT_FALSE(null.value());
}

TEST_F(ClientTest, GetProfileThatIsIncompleteIsAProtocolError) {
  json p = profile_json();
  p.erase("business_phone");
  queue(reply(200, envelope(p)));
  auto r = client().get_profile(kId);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  EXPECT_THAT(r.error().str(), ::testing::HasSubstr("business_phone"));
}

TEST_F(ClientTest, PutProfileSendsTheFiveFieldsAndTakes204OrAnEnvelope) {
  const Profile p{"Acme", "ops@acme.test", "+1 555", "1 Road", "{}"};
  queue(no_content(204));
  queue(reply(200, envelope(profile_json())));
  queue(reply(200, error_envelope(1000, "nope")));
  ASSERT_TRUE(client().put_profile(kId, p).ok());
  ASSERT_TRUE(client().put_profile(kId, p).ok());
  auto failed = client().put_profile(kId, p);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().errors.at(0).code, 1000);
  auto req = script->request(0);
  EXPECT_EQ(req.method, "PUT");
  EXPECT_EQ(req.url, kBase + "/organizations/" + kId + "/profile");
  EXPECT_TRUE(req.accept_any);
  EXPECT_EQ(json::parse(req.body), profile_json());
  // Everything else asks for JSON.
  client().get(kId);
  EXPECT_FALSE(script->request(3).accept_any);
}

TEST_F(ClientTest, RemoveTakesAnEmpty2xxOrAnEnvelope) {
  queue(no_content(204));
  queue(no_content(200));
  queue(reply(200, envelope({{"id", kId}})));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(client().remove(kId).ok()) << i;
  HttpResponse html;
  html.status = 200;
  html.body = "<html>ok</html>";
  queue(html);
  auto r = client().remove(kId);
  ASSERT_FALSE(r.ok());  // a body that is neither empty nor an envelope
  EXPECT_EQ(r.error().kind, ApiError::Kind::protocol);
  // A GET's empty 200 is not an answer.
  queue(no_content(200));
  EXPECT_FALSE(client().get(kId).ok());
}

}  // namespace
}  // namespace cforg::api::test
