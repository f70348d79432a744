#include <gtest/gtest.h>

#include <stdexcept>

#include "cforg/api/client.h"

namespace cforg::api {
namespace {

using nlohmann::json;

json full() {
  return json::parse(R"({
    "id": "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8",
    "create_time": "2019-12-27T18:11:19.117Z",
    "meta": {"flags": {"account_creation": "x"}, "managed_by": "m", "hierarchy_tags": ["r", "s"]},
    "name": "name",
    "parent": {"id": "p7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8", "name": "parent name"},
    "profile": {"business_address": "a", "business_email": "e", "business_name": "n",
                "business_phone": "p", "external_metadata": "x"}
  })");
}

TEST(OrganizationJson, ReadsTheSeedExample) {
  Organization o = organization_from_json(full());
  EXPECT_EQ(o.id, "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8");  // not hex: ids are not validated here
  EXPECT_EQ(o.spec.name, "name");
  EXPECT_EQ(o.spec.parent.api_id(), "p7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8");
  EXPECT_EQ(o.parent_name, "parent name");
  EXPECT_EQ(o.create_time, "2019-12-27T18:11:19.117Z");
  ASSERT_TRUE(o.spec.profile);
  EXPECT_EQ(o.spec.profile->business_phone, "p");
  EXPECT_EQ(o.spec.profile->external_metadata, "x");
  EXPECT_EQ(o.meta, full()["meta"]);
}

TEST(OrganizationJson, AbsentOrNullParentAndProfile) {
  for (bool null : {false, true}) {
    json j = full();
    if (null) {
      j["parent"] = nullptr;
      j["profile"] = nullptr;
    } else {
      j.erase("parent");
      j.erase("profile");
      j.erase("meta");
    }
    Organization o = organization_from_json(j);
    EXPECT_EQ(o.spec.parent.api_id(), "");
    EXPECT_FALSE(o.spec.profile);
    // null: known to have none; absent: not told.
    EXPECT_EQ(o.profile_known, null);
  }
  EXPECT_TRUE(organization_from_json(full()).profile_known);
}

TEST(OrganizationJson, IdsAreOpaqueButMustBeUsableInAPath) {
  for (const char* id : {"a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8", "x", "ORG-1_2.3~", "0123abcd"}) {
    json j = full();
    j["id"] = id;
    j["parent"]["id"] = id;
    EXPECT_EQ(organization_from_json(j).id, id);
  }
  for (std::string bad :
       {std::string(""), std::string("a b"), std::string("a\nb"), std::string(129, 'a')}) {
    json j = full();
    j["id"] = bad;
    EXPECT_THROW(organization_from_json(j), std::invalid_argument) << bad;
    j = full();
    j["parent"]["id"] = bad;
    EXPECT_THROW(organization_from_json(j), std::invalid_argument) << bad;
  }
}

TEST(OrganizationJson, MetaIsKeptWhateverItsFlagsAreCalled) {
  json j = full();
  j["meta"] = json::parse(R"({"tenant_flags": {"enterprise_capability": "x",
      "member_management": "y"}, "flags": {"old": 1}, "managed_by": "m", "new_field": [1, 2]})");
  EXPECT_EQ(organization_from_json(j).meta, j["meta"]);
  json moved = j;
  EXPECT_EQ(organization_from_json(std::move(moved)).meta, j["meta"]);
}

TEST(OrganizationJson, RejectsWhatTheContractForbids) {
  auto without = [](const char* field) {
    json j = full();
    j.erase(field);
    return j;
  };
  EXPECT_THROW(organization_from_json(json::array()), std::invalid_argument);
  EXPECT_THROW(organization_from_json(without("id")), std::invalid_argument);
  EXPECT_THROW(organization_from_json(without("name")), std::invalid_argument);
  json j = full();
  j["profile"].erase("business_phone");  // a present profile has all five fields
  EXPECT_THROW(organization_from_json(j), std::invalid_argument);
  j = full();
  j["parent"] = "not an object";
  EXPECT_THROW(organization_from_json(j), std::invalid_argument);
  j = full();
  j["id"] = 7;
  EXPECT_THROW(organization_from_json(j), std::invalid_argument);
  // Each failure names the member by its path.
  auto error_of = [](const json& bad) -> std::string {
    try {
      (void)organization_from_json(bad);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(without("name")), "organization.name: missing");
  j = full();
  j["parent"]["id"] = "a b";
  EXPECT_EQ(error_of(j), "organization.parent.id: contains a space at character 2");
  j = full();
  j["profile"]["business_email"] = 3;
  EXPECT_EQ(error_of(j), "organization.profile.business_email: expected a string, found number");
  j = full();
  j["unknown_new_field"] = {1, 2};  // the API may add members
  EXPECT_EQ(error_of(j), "accepted");
}

TEST(OrganizationJson, SpecToJsonSendsOnlyWritableParts) {
  OrgSpec s{"n", ParentRef::root(), std::nullopt};
  s.prevent_destroy = true;  // cforg's own: never sent
  EXPECT_EQ(spec_to_json(s), json({{"name", "n"}}));
  s.prevent_destroy = false;
  s.parent = ParentRef::id("p");
  s.profile = Profile{"bn", "be", "bp", "ba", "em"};
  EXPECT_EQ(spec_to_json(s), json::parse(R"({"name": "n", "parent": {"id": "p"},
      "profile": {"business_address": "ba", "business_email": "be", "business_name": "bn",
                  "business_phone": "bp", "external_metadata": "em"}})"));
  // What we send, read back, is what we meant.
  json back = spec_to_json(s);
  back["id"] = "x";
  EXPECT_EQ(organization_from_json(back).spec, s);
}

TEST(OrganizationJson, SpecToJsonRefusesAParentThatIsStillAConfigKey) {
  OrgSpec s{"n", ParentRef::key("platform"), std::nullopt};
  try {
    (void)spec_to_json(s);
    FAIL() << "a key went out as a parent";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("\"platform\" is a config key"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cforg::api
