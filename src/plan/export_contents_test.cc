// cforg export and the contents of organizations: members and accounts read, written and
// recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "cforg/config/config.h"
#include "cforg/plan/export.h"
#include "export_test_support.h"
#include "support/ids.h"

namespace cforg::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_support::EstateClient;

Member member(const std::string& email, MemberStatus status = MemberStatus::active) {
  return {
      .id = "m-" + email, .email = email, .status = status, .create_time = "2026-01-02T00:00:00Z"};
}

TEST(ExportContents, MembersAndAccountsAreListedOncePerOrgAndWrittenInAStableOrder) {
  EstateClient c;
  std::string root = c.add("Root").id;
  std::string child = c.add("Child", root).id;
  c.members[root] = {member("b@example.com"), member("A@example.com", MemberStatus::canceled)};
  c.accounts[child] = {{testing::org_id(902), "Zeta", "standard"},
                       {testing::org_id(901), "Alpha", "standard"}};
  Export e = export_orgs(c, {});
  EXPECT_EQ(c.member_reads, 2u);
  EXPECT_EQ(c.account_reads, 2u);
  ASSERT_EQ(e.orgs[0].desired.key, "root");
  EXPECT_THAT(*e.orgs[0].desired.members,
              ElementsAre(MemberSpec{"A@example.com", MemberStatus::canceled},
                          MemberSpec{"b@example.com", MemberStatus::active}));
  EXPECT_EQ(e.orgs[0].desired.accounts, std::vector<AccountSpec>{});  // managed: none
  EXPECT_EQ(e.orgs[1].desired.members, std::vector<MemberSpec>{});
  EXPECT_THAT(*e.orgs[1].desired.accounts, ElementsAre(AccountSpec{testing::org_id(901), "Alpha"},
                                                       AccountSpec{testing::org_id(902), "Zeta"}));
  EXPECT_TRUE(e.warnings.empty());
  std::string yaml = export_yaml(e, 0, e.orgs.size());
  EXPECT_THAT(yaml, HasSubstr("    members:\n      - email: A@example.com\n        status: "
                              "canceled\n      - b@example.com\n    accounts: []\n"));
  EXPECT_THAT(yaml, HasSubstr("    accounts:\n      - id: " + testing::org_id(901) +
                              "\n        name: Alpha\n"));
  // The same estate listed in another order: the same text.
  std::reverse(c.members[root].begin(), c.members[root].end());
  std::reverse(c.accounts[child].begin(), c.accounts[child].end());
  Export again = export_orgs(c, {});
  EXPECT_EQ(export_yaml(again, 0, again.orgs.size()), yaml);
  config::LoadResult r = config::load_text(yaml, "export.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().str();
}

TEST(ExportContents, LeftOutOnRequestTheyAreNeitherReadNorManaged) {
  EstateClient c;
  std::string root = c.add("Root").id;
  c.members[root] = {member("a@example.com")};
  ExportOptions o;
  o.members = false;
  o.accounts = false;
  o.profiles = false;
  std::size_t reads = 0;
  o.on_read = [&](std::size_t, std::size_t) { ++reads; };
  Export e = export_orgs(c, o);
  EXPECT_EQ(c.member_reads + c.account_reads + c.profile_reads + reads, 0u);
  EXPECT_EQ(e.orgs[0].desired.members, std::nullopt);
  EXPECT_EQ(e.orgs[0].desired.accounts, std::nullopt);
  state::State st;
  record_in_state(e, st);
  EXPECT_EQ(st.orgs.at("root").members, std::nullopt);
  EXPECT_EQ(st.orgs.at("root").accounts, std::nullopt);
  // Every read of one org counts in the progress: a profile, members, accounts.
  o = {};
  o.on_read = [&](std::size_t done, std::size_t total) { reads = done + 100 * total; };
  export_orgs(c, o);
  EXPECT_EQ(reads, 303u);
}

TEST(ExportContents, OrgsSharingAnEmailLeaveTheirMembersOutWithAWarning) {
  EstateClient c;
  std::string a = c.add("A").id, b = c.add("B").id, other = c.add("C").id;
  c.members[a] = {member("Shared@example.com"), member("only-a@example.com")};
  c.members[b] = {member("shared@example.com")};
  c.members[other] = {member("c@example.com")};
  Export e = export_orgs(c, {});
  EXPECT_EQ(e.orgs[0].desired.members, std::nullopt);
  EXPECT_EQ(e.orgs[1].desired.members, std::nullopt);
  EXPECT_EQ(e.orgs[2].desired.members->size(), 1u);
  ASSERT_EQ(e.warnings.size(), 1u);
  EXPECT_THAT(e.warnings[0], HasSubstr("the members of 2 organizations (\"a\", \"b\") are left "
                                       "out, not managed"));
  EXPECT_THAT(e.warnings[0], HasSubstr("shared@example.com is a member of several"));
  // Nor recorded: the state manages what the config does.
  state::State st;
  record_in_state(e, st);
  EXPECT_EQ(st.orgs.at("a").members, std::nullopt);
  EXPECT_EQ(st.orgs.at("c").members->size(), 1u);
}

TEST(ExportContents, AFailedListingNamesTheOrgAndTheFlagThatLeavesItOut) {
  EstateClient c;
  c.add("Root");
  c.failing = c.add("Broken").id;
  try {
    export_orgs(c, {});
    FAIL() << "no error";
  } catch (const ExportError& err) {
    EXPECT_THAT(err.what(), HasSubstr("listing the members of \"broken\" (" + c.failing + ")"));
    EXPECT_THAT(err.what(), HasSubstr("use --members=false"));
  }
}

TEST(ExportContents, RecordInStateKeysMembersByCanonicalEmailAndMovesAnAccountsRecord) {
  EstateClient c;
  std::string root = c.add("Root").id;
  c.members[root] = {member("Alice@Example.com", MemberStatus::canceled)};
  c.accounts[root] = {{testing::org_id(901), "Alpha", "standard"}};
  Export e = export_orgs(c, {});
  state::State st;
  // An older record puts the account in an org the export leaves alone.
  state::OrgState elsewhere;
  elsewhere.id = testing::org_id(500);
  elsewhere.spec.name = "Elsewhere";
  elsewhere.accounts.emplace();
  (*elsewhere.accounts)[testing::org_id(901)] = {testing::org_id(901), "Alpha", "standard"};
  st.orgs["elsewhere"] = elsewhere;
  record_in_state(e, st);
  const state::OrgState& o = st.orgs.at("root");
  ASSERT_TRUE(o.members.has_value());
  EXPECT_EQ(o.members->at("alice@example.com"), c.members[root][0]);
  EXPECT_EQ(o.accounts->at(testing::org_id(901)).name, "Alpha");
  EXPECT_TRUE(st.orgs.at("elsewhere").accounts->empty());
  state::validate(st, "test");
}

}  // namespace
}  // namespace cforg::plan
