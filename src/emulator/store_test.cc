// The store without HTTP: the data, the ids, the readings of PUT and of profiles, delete.
#include "store.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "store_test_support.h"

namespace cforg::emulator::store_test {
namespace {

StoreOptions with_put(PutExtraFields mode) {
  StoreOptions o;
  o.put_extra_fields = mode;
  return o;
}

StoreOptions including_profiles() {
  StoreOptions o;
  o.read_profile = ReadProfile::kInclude;
  return o;
}

// The published shape: 32 of [0-9a-z], with a letter beyond 'f' (never valid hex).
bool published_id(const std::string& id) {
  return std::regex_match(id, std::regex("[0-9a-z]{32}")) &&
         std::regex_search(id, std::regex("[g-z]"));
}

TEST(EmulatorStore, CreatesRootWithComputedFields) {
  Store store = make_store();
  auto created = store.create({{"name", "Acme"}});
  ASSERT_TRUE(created.ok());
  const Json& org = created.value();
  EXPECT_TRUE(published_id(org["id"])) << org["id"];
  EXPECT_EQ(org["create_time"], "2026-11-29T18:11:19.117Z");
  EXPECT_EQ(org["name"], "Acme");
  EXPECT_FALSE(org.contains("parent"));
  // No profile sent: no profile key (the SDKs type it optional, not nullable).
  EXPECT_FALSE(org.contains("profile"));
  EXPECT_FALSE(store.get(org["id"].get<std::string>()).value().contains("profile"));
  EXPECT_EQ(org["meta"]["hierarchy_tags"], Json::array({org["id"]}));
  EXPECT_EQ(org["meta"]["managed_by"], "user");
  EXPECT_FALSE(org["meta"].contains("flags"));
  for (const char* flag :
       {"account_creation", "account_deletion", "account_migration", "account_mobility",
        "sub_org_creation", "enterprise_capability", "member_management"}) {
    EXPECT_TRUE(org["meta"]["tenant_flags"][flag].is_string()) << flag;
  }
}

TEST(EmulatorStore, MetaFlagsUnderTheOlderName) {
  StoreOptions o;
  o.meta_flags = MetaFlags::kFlags;
  Store store = make_store(1, o);
  Json org = store.create({{"name", "Acme"}}).value();
  EXPECT_FALSE(org["meta"].contains("tenant_flags"));
  EXPECT_EQ(org["meta"]["flags"], default_meta_flags(MetaFlags::kFlags));
  EXPECT_FALSE(org["meta"]["flags"].contains("member_management"));
}

TEST(EmulatorStore, PublishedIdsAreNeverHex) {
  // Every id, over many hashes: 32 of [0-9a-z] with at least one letter beyond 'f', so that a
  // client validating hex fails on the very first one. (Pure chance would leave about 1 in
  // 4,000 ids hex-only: 100,000 hashes exercise the forced letter.)
  std::set<std::string> seen;
  for (uint64_t h = 0; h < 100000; ++h) {
    std::string id = make_id(h * 0x9e3779b97f4a7c15ULL, IdFormat::kPublished);
    ASSERT_EQ(id.size(), 32u);
    for (char c : id) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) << id;
    ASSERT_TRUE(std::regex_search(id, std::regex("[g-z]"))) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100000u);
  EXPECT_EQ(make_id(7, IdFormat::kPublished), make_id(7, IdFormat::kPublished));
  EXPECT_TRUE(std::regex_match(make_id(7, IdFormat::kHex), std::regex("[0-9a-f]{32}")));

  StoreOptions hex;
  hex.ids = IdFormat::kHex;
  Store older = make_store(1, hex);
  EXPECT_TRUE(std::regex_match(create(older, "a"), std::regex("[0-9a-f]{32}")));
  Store published = make_store(1);
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(published_id(create(published, std::to_string(i))));
}

TEST(EmulatorStore, ChildCarriesParentAndHierarchy) {
  Store store = make_store();
  std::string root = create(store, "Root");
  std::string mid = create(store, "Mid", root);
  auto leaf =
      store.create({{"name", "Leaf"}, {"parent", {{"id", mid}}}, {"profile", profile_json()}});
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf.value()["parent"], Json({{"id", mid}, {"name", "Mid"}}));
  EXPECT_EQ(leaf.value()["meta"]["hierarchy_tags"], Json::array({root, mid, leaf.value()["id"]}));
  EXPECT_EQ(leaf.value()["profile"], profile_json());
  // The parent's name is computed on read: a rename shows through.
  ASSERT_TRUE(store.update(mid, {{"name", "Middle"}}).ok());
  EXPECT_EQ(store.get(leaf.value()["id"].get<std::string>()).value()["parent"]["name"], "Middle");
}

TEST(EmulatorStore, FormatsTimesWithMilliseconds) {
  using std::chrono::system_clock;
  EXPECT_EQ(format_rfc3339_millis(system_clock::time_point(0ms)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_millis(system_clock::time_point(1577470279117ms)),
            "2019-12-27T18:11:19.117Z");
}

TEST(EmulatorStore, IdsDependOnSeedAndNameNotOnOrder) {
  Store a = make_store(42), b = make_store(42), c = make_store(43);
  std::string a1 = create(a, "one"), a2 = create(a, "two");
  std::string b2 = create(b, "two"), b1 = create(b, "one");
  EXPECT_EQ(a1, b1);
  EXPECT_EQ(a2, b2);
  EXPECT_NE(a1, a2);
  EXPECT_NE(create(c, "one"), a1);
  // Duplicate names are allowed and get distinct ids.
  std::string again = create(a, "one");
  EXPECT_NE(again, a1);
  EXPECT_EQ(a.size(), 3u);
}

TEST(EmulatorStore, PutIgnoresAllButNameByDefault) {
  // The published reading: "Only accepts updates to name currently"; the rest is ignored, 200.
  Store store = make_store();
  std::string root = create(store, "Root");
  std::string other = create(store, "Other");
  std::string child = create(store, "Child", root);
  auto updated = store.update(
      child, {{"name", "Renamed"}, {"parent", {{"id", other}}}, {"profile", profile_json()}});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated.value()["name"], "Renamed");
  EXPECT_EQ(updated.value()["parent"]["id"], root) << "a parent change is silently ignored";
  EXPECT_FALSE(updated.value().contains("profile"));
  EXPECT_TRUE(store.get_profile(child).value().is_null()) << "a profile change is ignored";
  // Extra members are not even validated; the name still is.
  EXPECT_TRUE(store.update(child, {{"name", "x"}, {"parent", "garbage"}}).ok());
  EXPECT_EQ(store.update(child, {{"parent", {{"id", other}}}}).error().code, code::kNameMissing);
  EXPECT_EQ(store.update(child, {{"name", ""}}).error().code, code::kNameEmpty);
  EXPECT_EQ(store.update(child, {{"name", 1}}).error().code, code::kNameNotString);
  auto missing = store.update("0123456789abcdef0123456789abcdeg", {{"name", "x"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().status, 404);
  EXPECT_EQ(missing.error().code, code::kOrganizationNotFound);
}

TEST(EmulatorStore, PutRejectsOtherFieldsWhenAsked) {
  Store store = make_store(1, with_put(PutExtraFields::kReject));
  std::string root = create(store, "Root");
  std::string child = create(store, "Child", root);
  for (const char* member : {"parent", "profile", "id", "meta"}) {
    Json body = {{"name", "Renamed"}, {member, nullptr}};
    auto refused = store.update(child, body);
    ASSERT_FALSE(refused.ok()) << member;
    EXPECT_EQ(refused.error().status, 400);
    EXPECT_EQ(refused.error().code, code::kFieldNotUpdatable);
    EXPECT_EQ(refused.error().pointer, std::string("/") + member);
    EXPECT_NE(refused.error().message.find(member), std::string::npos);
  }
  EXPECT_EQ(store.get(child).value()["name"], "Child") << "a refused PUT changes nothing";
  ASSERT_TRUE(store.update(child, {{"name", "Renamed"}}).ok());
  EXPECT_EQ(store.get(child).value()["name"], "Renamed");
}

TEST(EmulatorStore, PutApplyIsTheOlderFullReplaceAndRefusesCycles) {
  Store store = make_store(1, [] {
    StoreOptions o = with_put(PutExtraFields::kApply);
    o.read_profile = ReadProfile::kInclude;
    return o;
  }());
  std::string root = create(store, "Root");
  std::string child = create(store, "Child", root);
  std::string grandchild = create(store, "Grandchild", child);
  ASSERT_TRUE(
      store
          .update(child,
                  {{"name", "Child"}, {"parent", {{"id", root}}}, {"profile", profile_json()}})
          .ok());
  EXPECT_EQ(store.get(child).value()["profile"], profile_json());

  // No profile in the body clears it; no parent makes it a root.
  auto replaced = store.update(child, {{"name", "Renamed"}});
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced.value()["profile"].is_null());
  EXPECT_FALSE(replaced.value().contains("parent"));
  EXPECT_EQ(replaced.value()["name"], "Renamed");
  EXPECT_EQ(store.get(grandchild).value()["meta"]["hierarchy_tags"],
            Json::array({child, grandchild}));

  auto self = store.update(child, {{"name", "x"}, {"parent", {{"id", child}}}});
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, code::kParentCycle);
  auto under_own_child = store.update(child, {{"name", "x"}, {"parent", {{"id", grandchild}}}});
  ASSERT_FALSE(under_own_child.ok());
  EXPECT_EQ(under_own_child.error().code, code::kParentCycle);
  EXPECT_EQ(under_own_child.error().pointer, "/parent/id");
  EXPECT_EQ(store.update(child, {{"name", 1}}).error().code, code::kNameNotString);
}

TEST(EmulatorStore, ReadProfileOmitOrInclude) {
  Store omit = make_store();
  Store include = make_store(1, including_profiles());
  for (Store* s : {&omit, &include}) {
    ASSERT_TRUE(s->create({{"name", "with"}, {"profile", profile_json()}}).ok());
    ASSERT_TRUE(s->create({{"name", "without"}}).ok());
  }
  ListPage omitted = list(omit, {});
  for (const auto& org : omitted.items) EXPECT_FALSE(org.contains("profile")) << org.dump();
  EXPECT_FALSE(omit.get(omitted.items[0]["id"].get<std::string>()).value().contains("profile"));
  ListPage included = list(include, {});
  EXPECT_EQ(included.items[0]["profile"], profile_json());
  EXPECT_FALSE(included.items[1].contains("profile")) << "never null: the key is left out";
  EXPECT_EQ(include.get(included.items[0]["id"].get<std::string>()).value()["profile"],
            profile_json());
}

TEST(EmulatorStore, DeleteRefusesNonEmptyAndForgets) {
  Store store = make_store();
  std::string root = create(store, "Root");
  std::string child = create(store, "Child", root);
  auto refused = store.remove(root);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_EQ(refused.error().code, code::kNotEmpty);
  EXPECT_NE(refused.error().message.find("not empty"), std::string::npos);

  auto removed = store.remove(child);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed.value(), Json({{"id", child}}));
  EXPECT_EQ(store.get(child).error().status, 404);
  EXPECT_EQ(store.remove(child).error().code, code::kOrganizationNotFound);
  EXPECT_TRUE(store.remove(root).ok());
  EXPECT_EQ(store.size(), 0u);
}

TEST(EmulatorStore, ProfileEndpoints) {
  Store store = make_store(1, including_profiles());
  std::string id = create(store, "Org");
  EXPECT_TRUE(store.get_profile(id).value().is_null());
  auto put = store.put_profile(id, profile_json("q"));
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put.value(), profile_json("q"));
  EXPECT_EQ(store.get_profile(id).value(), profile_json("q"));
  EXPECT_EQ(store.get(id).value()["profile"], profile_json("q"));
  auto bad = store.put_profile(id, {{"business_name", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, code::kProfileFieldInvalid);
  EXPECT_EQ(bad.error().pointer, "/business_address");
  EXPECT_EQ(store.get_profile("nope").error().status, 404);
}

}  // namespace
}  // namespace cforg::emulator::store_test
