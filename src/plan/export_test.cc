#include "cforg/plan/export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "cforg/config/writer.h"
#include "cforg/model/ascii.h"
#include "export_test_support.h"
#include "support/ids.h"
#include "support/process.h"

namespace cforg::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_support::EstateClient;

std::vector<std::string> keys(const Export& e) {
  std::vector<std::string> out;
  for (const ExportedOrg& x : e.orgs) out.push_back(x.desired.key);
  return out;
}

Profile profile(const std::string& n) {
  return {"Biz " + n, n + "@example.com", "+1-555-0100", "1 Main St", "crm:" + n};
}

TEST(KeyFromName, LowerCasesAndTurnsEveryRunOfOtherCharactersIntoOneDash) {
  EXPECT_EQ(key_from_name("Acme Corp"), "acme-corp");
  EXPECT_EQ(key_from_name("  Acme -- Retail (EU) "), "acme-retail-eu");
  EXPECT_EQ(key_from_name("Café Zürich"), "caf-z-rich");
  EXPECT_EQ(key_from_name("R2D2"), "r2d2");
  EXPECT_EQ(key_from_name("***"), "org");
  EXPECT_EQ(key_from_name(""), "org");
}

TEST(Export, WritesParentsBeforeChildrenWithParentLinksAsKeys) {
  EstateClient c;
  std::string root = c.add("Acme Corp").id;
  std::string retail = c.add("Retail", root).id;
  c.add("Web", retail);
  c.add("Industrial", root);
  std::string other = c.add("Beta Inc").id;
  // Listed children first, as a server may return them.
  std::reverse(c.orgs.begin(), c.orgs.end());
  Export e = export_orgs(c, {});
  EXPECT_THAT(keys(e), ElementsAre("acme-corp", "industrial", "retail", "web", "beta-inc"));
  EXPECT_EQ(e.orgs[3].desired.spec.parent, ParentRef::key("retail"));
  EXPECT_EQ(e.orgs[0].desired.spec.parent, ParentRef::root());
  EXPECT_THAT(e.tree_starts, ElementsAre(0u, 4u));
  EXPECT_EQ(e.orgs[4].remote.id, other);
  // One list request for the whole estate.
  EXPECT_EQ(c.queries.size(), 1u);
}

TEST(Export, SameEstateInAnyListOrderGivesTheSameConfig) {
  EstateClient c;
  std::string root = c.add("Acme").id;
  // Names that differ only in punctuation: the same key, so suffixes decide.
  for (int i = 0; i < 30; ++i) {
    c.add("Team " + std::to_string(i % 10) + (i < 10 ? "!" : i < 20 ? "?" : "."), root);
  }
  c.add("ACME").id;  // "acme" again: a suffix from its id
  std::string first = export_yaml(export_orgs(c, {}), 0, c.orgs.size());
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(c.orgs.begin(), c.orgs.end(), rng);
    Export e = export_orgs(c, {});
    EXPECT_EQ(export_yaml(e, 0, e.orgs.size()), first);
  }
  // And the text reads back as a valid config with those keys.
  config::LoadResult r = config::load_text(first, "export.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().str();
  EXPECT_EQ(r.config.orgs.size(), c.orgs.size());
}

TEST(Export, CollidingKeysGetASuffixFromTheIdAndTheEarliestCreatedKeepsTheBareKey) {
  EstateClient c;
  std::string a = c.add("Acme").id;                          // earliest
  c.add("ACME", a).id = "zzkq7w1mabcdefghijklmnopqrstuvwx";  // same key, other parent
  c.add("acme!").id = "hx2b9c3d00000000000000000000000a";    // same key again
  c.add("Acme?").id = "hx2b9c3d00000000000000000000000b";    // same key, same first 8
  Export e = export_orgs(c, {});
  std::map<std::string, std::string> key_of;
  for (const ExportedOrg& x : e.orgs) key_of[x.remote.id] = x.desired.key;
  EXPECT_EQ(key_of[a], "acme");
  EXPECT_EQ(key_of["zzkq7w1mabcdefghijklmnopqrstuvwx"], "acme-zzkq7w1m");
  EXPECT_EQ(key_of["hx2b9c3d00000000000000000000000a"], "acme-hx2b9c3d");
  EXPECT_EQ(key_of["hx2b9c3d00000000000000000000000b"], "acme-hx2b9c3d0");
}

// create_time has milliseconds: a child made at once after its parent can carry the same one
// (tests/e2e/export_test.cc hit this); the parent is the older all the same.
TEST(Export, OfTwoCollidingKeysCreatedInOneMillisecondTheParentKeepsTheBareKey) {
  EstateClient c;
  c.add("Acme Retail").id = "zz000000000000000000000000000001";  // the larger id
  const std::string made = c.orgs[0].create_time;
  Organization& child = c.add("ACME retail", "zz000000000000000000000000000001");
  child.id = "aa000000000000000000000000000002";
  child.create_time = made;
  Export e = export_orgs(c, {});
  std::map<std::string, std::string> key_of;
  for (const ExportedOrg& x : e.orgs) key_of[x.remote.id] = x.desired.key;
  EXPECT_EQ(key_of["zz000000000000000000000000000001"], "acme-retail");
  EXPECT_EQ(key_of["aa000000000000000000000000000002"], "acme-retail-aa000000");
}

TEST(Export, ParentKeepsOnlyTheOrgsBelowIt) {
  EstateClient c;
  std::string root = c.add("Root").id;
  std::string unit = c.add("Unit", root).id;
  c.add("Team A", unit);
  std::string team_b = c.add("Team B", unit).id;
  c.add("Squad", team_b);
  c.add("Elsewhere", root);
  ExportOptions o;
  o.parent_id = unit;
  Export e = export_orgs(c, o);
  EXPECT_THAT(keys(e), ElementsAre("team-a", "team-b", "squad"));
  // The parent itself stays outside: its children name it by id.
  EXPECT_EQ(e.orgs[0].desired.spec.parent, ParentRef::id(unit));
  EXPECT_EQ(e.orgs[2].desired.spec.parent, ParentRef::key("team-b"));
  // The whole estate is listed once, not one listing per level.
  EXPECT_EQ(c.queries.size(), 1u);
}

TEST(Export, UnknownParentIsAnError) {
  EstateClient c;
  c.add("Root");
  ExportOptions o;
  o.parent_id = testing::org_id(999);
  try {
    export_orgs(c, o);
    FAIL() << "no error";
  } catch (const ExportError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no organization has this id among the 1"));
  }
}

TEST(Export, NamePrefixKeepsMatchingOrgsAndNamesOtherParentsById) {
  EstateClient c;
  std::string root = c.add("Acme").id;
  c.add("Acme Retail", root);
  c.add("Zeta acme", root);  // contains it, but does not start with it
  c.add("acme lower");       // case-sensitive
  ExportOptions o;
  o.name_prefix = "Acme ";
  Export e = export_orgs(c, o);
  EXPECT_THAT(keys(e), ElementsAre("acme-retail"));
  EXPECT_EQ(e.orgs[0].desired.spec.parent, ParentRef::id(root));
  // The server narrows the list (name.contains), the prefix is checked here.
  ASSERT_EQ(c.queries.size(), 1u);
  EXPECT_EQ(c.queries[0].name_contains, "Acme ");
}

TEST(Export, ReadsProfilesOnlyWhenAsked) {
  EstateClient c;
  c.add("With", "", profile("w"));
  c.add("Without");
  Export e = export_orgs(c, {});
  EXPECT_EQ(c.profile_reads, 2u);
  // Siblings by name: "With" before "Without".
  EXPECT_EQ(e.orgs[0].desired.spec.profile, profile("w"));
  EXPECT_EQ(e.orgs[1].desired.spec.profile, std::nullopt);
  ExportOptions o;
  o.profiles = false;
  Export lean = export_orgs(c, o);
  EXPECT_EQ(c.profile_reads, 2u);  // none more
  EXPECT_EQ(lean.orgs[0].desired.spec.profile, std::nullopt);
  EXPECT_FALSE(lean.orgs[0].remote.profile_known);
}

TEST(Export, RefusesSiblingsOfOneNameNamingTheirIds) {
  EstateClient c;
  std::string a = c.add("Twin").id;
  std::string b = c.add("Twin").id;
  try {
    export_orgs(c, {});
    FAIL() << "no error";
  } catch (const ExportError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"Twin\" (roots): " + std::min(a, b)));
    EXPECT_THAT(e.what(), HasSubstr("--name-prefix"));
  }
}

TEST(Export, RecordInStateRefusesTrackedKeysAndIdsAndChangesNothing) {
  EstateClient c;
  std::string root = c.add("Root").id;
  c.add("Child", root);
  Export e = export_orgs(c, {});
  state::State st;
  record_in_state(e, st);
  ASSERT_EQ(st.orgs.size(), 2u);
  EXPECT_EQ(st.orgs.at("child").parent_key, "root");
  EXPECT_EQ(st.orgs.at("child").parent_id(), root);
  state::State before = st;
  EXPECT_THROW(record_in_state(e, st), ExportError);
  EXPECT_EQ(st, before);
  // The same id under another key is refused too.
  state::State other;
  other.orgs["mine"] = st.orgs.at("root");
  try {
    record_in_state(e, other);
    FAIL() << "no error";
  } catch (const ExportError& err) {
    EXPECT_THAT(err.what(), HasSubstr(root + " (as \"mine\")"));
  }
  EXPECT_EQ(other.orgs.size(), 1u);
}

TEST(WriteExport, RefusesAnExistingFileWithoutForce) {
  EstateClient c;
  c.add("Root");
  Export e = export_orgs(c, {});
  testing::TempDir dir;
  std::string file = dir.write("orgs.yaml", "organizations: []\n");
  EXPECT_THROW(write_export(e, file, false), ExportError);
  EXPECT_EQ(testing::read_file(file), "organizations: []\n");
  write_export(e, file, true);
  EXPECT_THAT(testing::read_file(file), HasSubstr("- name: Root"));
}

TEST(WriteExport, AFolderGetsOneFilePerTopLevelTree) {
  EstateClient c;
  std::string a = c.add("Alpha").id;
  c.add("Alpha Child", a);
  c.add("Beta");
  Export e = export_orgs(c, {});
  testing::TempDir dir;
  std::vector<std::string> files = write_export(e, dir / "orgs/", false);
  EXPECT_THAT(files, ElementsAre(dir / "orgs/alpha.yaml", dir / "orgs/beta.yaml"));
  config::LoadResult r = config::load({dir / "orgs"});
  ASSERT_TRUE(r.ok()) << r.errors.front().str();
  EXPECT_EQ(r.config.orgs.size(), 3u);
  EXPECT_THAT(testing::read_file(dir / "orgs/alpha.yaml"), HasSubstr("parent: alpha"));
  // Again: the folder holds config files now.
  EXPECT_THROW(write_export(e, dir / "orgs", false), ExportError);
  // With --force, a config file of an earlier export that no tree writes now is removed.
  dir.write("orgs/gone.yaml", "organizations: [{name: Gone}]\n");
  dir.write("orgs/notes.txt", "kept\n");
  write_export(e, dir / "orgs", true);
  EXPECT_FALSE(testing::file_exists(dir / "orgs/gone.yaml"));
  EXPECT_TRUE(testing::file_exists(dir / "orgs/notes.txt"));
}

}  // namespace
}  // namespace cforg::plan
