// What lives inside an organization: `members:` and `accounts:`, their forms, and every problem
// with them reported at its place.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/config/config.h"
#include "test_helpers.h"

namespace cforg::config {
namespace {

using testing::DiagnosticAt;
using ::testing::ElementsAre;
using testing::errors_in;
using ::testing::IsEmpty;

constexpr std::string_view kRetail = R"(organizations:
  - name: Retail
    members:
      - alice@example.com
      - email: bob@example.com
        status: canceled
      - {email: carol@example.com, status: active}
    accounts:
      - id: 4f1c0e3b8a9d4c2e9b7a6d5c4b3a2f10
        name: Retail production
      - 0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b
)";

TEST(Contents, PlainAndMappingFormsReadWithTheirPlaces) {
  const LoadResult r = load_text(kRetail, "c.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  const DesiredOrg& org = r.config.orgs.at(0);
  ASSERT_TRUE(org.members.has_value());
  EXPECT_THAT(*org.members, ElementsAre(MemberSpec{"alice@example.com", MemberStatus::active},
                                        MemberSpec{"bob@example.com", MemberStatus::canceled},
                                        MemberSpec{"carol@example.com", MemberStatus::active}));
  ASSERT_EQ(org.member_where.size(), 3u);
  EXPECT_EQ(org.member_where[0].str(), "c.yaml:4:9");
  EXPECT_EQ(org.member_where[1].str(), "c.yaml:5:9");
  EXPECT_EQ(org.member_where[2].str(), "c.yaml:7:9");
  ASSERT_TRUE(org.accounts.has_value());
  EXPECT_THAT(*org.accounts,
              ElementsAre(AccountSpec{"4f1c0e3b8a9d4c2e9b7a6d5c4b3a2f10", "Retail production"},
                          AccountSpec{"0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b", ""}));
  ASSERT_EQ(org.account_where.size(), 2u);
  EXPECT_EQ(org.account_where[0].str(), "c.yaml:9:9");
  EXPECT_EQ(org.account_where[1].str(), "c.yaml:11:9");
}

TEST(Contents, AnAbsentKeyIsNotManagedAndAnEmptyListMeansNone) {
  const LoadResult r = load_text(
      "organizations:\n  - name: A\n  - name: B\n    members: []\n    accounts: []\n", "c.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_FALSE(r.config.orgs[0].members.has_value());
  EXPECT_FALSE(r.config.orgs[0].accounts.has_value());
  ASSERT_TRUE(r.config.orgs[1].members.has_value());
  EXPECT_THAT(*r.config.orgs[1].members, IsEmpty());
  ASSERT_TRUE(r.config.orgs[1].accounts.has_value());
  EXPECT_THAT(*r.config.orgs[1].accounts, IsEmpty());
}

TEST(Contents, TheReferencesExampleLoads) {
  // docs/CONFIGURATION.md opens with every key; the schema test checks it against the schema,
  // this one against the loader.
  const std::string doc =
      cforg::testing::read_file(std::string(CFORG_SOURCE_DIR) + "/docs/CONFIGURATION.md");
  const std::size_t from = doc.find("```yaml\n") + 8;
  const LoadResult r = load_text(doc.substr(from, doc.find("```", from) - from), "doc.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  const DesiredOrg* platform = r.config.find("platform");
  ASSERT_NE(platform, nullptr);
  ASSERT_TRUE(platform->members && platform->accounts);
  EXPECT_EQ(platform->members->size(), 2u);
  EXPECT_EQ(platform->accounts->size(), 2u);
  ASSERT_NE(r.config.find("Acme Partner"), nullptr);
  EXPECT_THAT(r.config.find("Acme Partner")->members, ::testing::Optional(IsEmpty()));
  EXPECT_FALSE(r.config.find("Acme Partner")->accounts.has_value());
}

TEST(ContentsErrors, AListOfTheWrongShapeSaysWhatToWrite) {
  EXPECT_THAT(
      errors_in("organizations:\n  - name: A\n    members:\n"),
      ElementsAre(DiagnosticAt("c.yaml", 3, 5,
                               "members: has no value; list the members' emails (`members: []` "
                               "for none), or remove the key to leave them unmanaged")));
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    accounts: abc\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 15,
                                       "accounts: expected a list of account ids, got a string")));
  EXPECT_THAT(
      errors_in("organizations:\n  - name: A\n    members:\n      -\n      - [a@b]\n"
                "      - 42\n"),
      ElementsAre(DiagnosticAt("c.yaml", 4, 7, "members: an empty item"),
                  DiagnosticAt("c.yaml", 5, 9, "members: expected an email, or {email"),
                  DiagnosticAt("c.yaml", 6, 9, "members: expected a string, got an integer")));
}

TEST(ContentsErrors, AnEmailMustLookLikeOne) {
  EXPECT_THAT(
      errors_in("organizations:\n  - name: A\n    members:\n"
                "      - alice.example.com\n"
                "      - a@b@c\n"
                "      - \"@example.com\"\n"
                "      - {email: 'alice@'}\n"
                "      - \"al ice@example.com\"\n"
                "      - \"a\\tb@example.com\"\n"
                "      - {email: ''}\n"
                "      - " +
                std::string(250, 'a') + "@b.cd\n"),
      ElementsAre(
          DiagnosticAt("c.yaml", 4, 9, "member email: 'alice.example.com' has no '@'"),
          DiagnosticAt("c.yaml", 5, 9, "member email: 'a@b@c' has more than one '@'"),
          DiagnosticAt("c.yaml", 6, 9, "member email: '@example.com' has nothing before the '@'"),
          DiagnosticAt("c.yaml", 7, 17, "member email: 'alice@' has nothing after the '@'"),
          DiagnosticAt("c.yaml", 8, 9, "contains a space at character 3"),
          DiagnosticAt("c.yaml", 9, 9, "contains the control character U+0009"),
          DiagnosticAt("c.yaml", 10, 17, "member email: is empty"),
          DiagnosticAt("c.yaml", 11, 9,
                       "is 255 characters long; an email address has at most 254")));
}

TEST(ContentsErrors, AnUnknownStatusSuggestsTheValidOnes) {
  EXPECT_THAT(
      errors_in("organizations:\n  - name: A\n    members:\n"
                "      - {email: a@example.com, status: cancelled}\n"
                "      - {email: b@example.com, status: Active}\n"
                "      - {email: c@example.com, status: suspended}\n"
                "      - {email: d@example.com, status: true}\n"),
      ElementsAre(
          DiagnosticAt("c.yaml", 4, 40,
                       "status: 'cancelled' is not a member status; did you mean 'canceled'?"),
          DiagnosticAt("c.yaml", 5, 40,
                       "status: 'Active' is not a member status; did you mean "
                       "'active'?"),
          DiagnosticAt("c.yaml", 6, 40,
                       "status: 'suspended' is not a member status; valid statuses are active "
                       "(the default) and canceled"),
          DiagnosticAt("c.yaml", 7, 40, "status: expected a string, got a boolean")));
}

TEST(ContentsErrors, UnknownKeysInAnItemSuggestTheValidOnes) {
  EXPECT_THAT(
      errors_in("organizations:\n  - name: A\n    membres: []\n    members:\n"
                "      - {emial: a@example.com}\n"
                "      - {email: b@example.com, role: admin}\n"
                "    accounts:\n"
                "      - {id: abc, nmae: Prod}\n"),
      ElementsAre(
          DiagnosticAt("c.yaml", 3, 5,
                       "membres: unknown key in an organization; did you mean 'members'?"),
          DiagnosticAt("c.yaml", 5, 9, "missing 'email'; every member needs one"),
          DiagnosticAt("c.yaml", 5, 10, "emial: unknown key in a member; did you mean 'email'?"),
          DiagnosticAt("c.yaml", 6, 32,
                       "role: unknown key in a member; valid keys are email, status"),
          DiagnosticAt("c.yaml", 8, 19, "nmae: unknown key in an account; did you mean 'name'?")));
}

TEST(ContentsErrors, AMalformedAccountIdIsRefusedAtItsPlace) {
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    accounts:\n"
                        "      - \"ab cd\"\n"
                        "      - {id: ''}\n"
                        "      - {name: Prod}\n"
                        "      - 12345\n"),
              ElementsAre(DiagnosticAt("c.yaml", 4, 9,
                                       "account id: 'ab cd' contains a space at character 3"),
                          DiagnosticAt("c.yaml", 5, 14, "account id: is empty"),
                          DiagnosticAt("c.yaml", 6, 9, "missing 'id'; every account needs its id"),
                          DiagnosticAt("c.yaml", 7, 9,
                                       "accounts: expected a string, got an integer; quote it: "
                                       "\"12345\"")));
}

TEST(ContentsErrors, AnEmailListedTwiceInOneOrganizationNamesBothPlaces) {
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    members:\n"
                        "      - alice@example.com\n"
                        "      - {email: Alice@Example.com, status: canceled}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 5, 9,
                                       "member email: 'Alice@Example.com' (the same as "
                                       "'alice@example.com') is listed twice in this "
                                       "organization (also at c.yaml:4:9); remove one")));
}

TEST(ContentsErrors, AnEmailInTwoOrganizationsNamesBothPlaces) {
  testing::TempDir d;
  d.write("a.yaml", "organizations:\n  - name: A\n    members: [bob@example.com]\n");
  d.write("b.yaml",
          "organizations:\n  - name: B\n    key: b\n    members:\n      - bob@example.com\n");
  const LoadResult r = load({d.path()});
  EXPECT_THAT(r.errors,
              ElementsAre(DiagnosticAt(
                  d.path() + "/b.yaml", 5, 9,
                  "member email: 'bob@example.com' is already a member of the organization A (" +
                      d.path() + "/a.yaml:3:15); an email is listed once in the whole config")));
}

TEST(ContentsErrors, AnAccountInTwoOrganizationsNamesBothPlaces) {
  EXPECT_THAT(errors_in("organizations:\n"
                        "  - name: A\n    accounts: [acc1]\n"
                        "  - name: B\n    accounts:\n      - acc2\n      - {id: acc1, name: x}\n"
                        "      - acc2\n"),
              ElementsAre(DiagnosticAt("c.yaml", 7, 9,
                                       "account id: 'acc1' is already in the organization A "
                                       "(c.yaml:3:16); an account sits in exactly one "
                                       "organization: remove one"),
                          DiagnosticAt("c.yaml", 8, 9,
                                       "account id: 'acc2' is listed twice in this organization "
                                       "(also at c.yaml:6:9); remove one")));
}

TEST(ContentsErrors, HostileItemsAreReportedNotCrashedOn) {
  for (std::string_view yaml :
       {"organizations:\n  - name: A\n    members: [{}, [], ~, !!binary YQ==, *x]\n",
        "organizations:\n  - name: A\n    members: [&m {email: a@b, status: *m}]\n",
        "organizations:\n  - name: A\n    accounts: [{id: [a]}, {id: {x: y}}, {name: [n]}]\n",
        "organizations:\n  - name: A\n    members: {email: a@b}\n    accounts: 3\n",
        "organizations:\n  - {members: [a@b, a@b], accounts: [x, x]}\n"}) {
    const LoadResult r = load_text(yaml, "c.yaml");
    EXPECT_FALSE(r.ok()) << yaml;
    for (const Diagnostic& e : r.errors) EXPECT_GT(e.where.line, 0) << e.str();
  }
}

}  // namespace
}  // namespace cforg::config
