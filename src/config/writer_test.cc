#include "cforg/config/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cforg::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// What to_yaml writes must come back from load_text as exactly the same orgs, whatever the
// strings hold: names come from the API, not from a person who knows YAML.
TEST(Writer, EveryStringReadsBackAsItself) {
  const std::vector<std::string> tricky = {"Acme Corp",
                                           "yes",
                                           "No",
                                           "on",
                                           "null",
                                           "~",
                                           "true",
                                           "123",
                                           "0x1F",
                                           "1e3",
                                           "+1-555-0100",
                                           "-leading dash",
                                           "a: b",
                                           "x #comment",
                                           "#hash",
                                           "'single'",
                                           "\"double\"",
                                           "back\\slash",
                                           "Zürich — ünïcode ✓",
                                           "[list]",
                                           "{map}",
                                           "*alias",
                                           "&anchor",
                                           "!tag",
                                           "%directive",
                                           "@at",
                                           "`tick`",
                                           "a,b",
                                           "O'Brien",
                                           "...",
                                           "---",
                                           "?",
                                           ":",
                                           "-",
                                           ".5"};
  std::vector<DesiredOrg> orgs;
  for (std::size_t i = 0; i < tricky.size(); ++i) {
    DesiredOrg o;
    o.spec.name = tricky[i];
    o.key = "k" + std::to_string(i) + " " + tricky[i];
    if (i > 0) o.spec.parent = ParentRef::key(orgs[0].key);
    if (i % 3 == 0) {
      o.spec.profile =
          Profile{tricky[i], tricky[(i + 1) % tricky.size()], "+15550100", "1 Way", "x: y"};
    }
    orgs.push_back(o);
  }
  std::string yaml = to_yaml(orgs, "a header\n\nsecond line");
  LoadResult r = load_text(yaml, "out.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().str() << "\n" << yaml;
  ASSERT_EQ(r.config.orgs.size(), orgs.size());
  for (std::size_t i = 0; i < orgs.size(); ++i) {
    EXPECT_EQ(r.config.orgs[i].spec.name, orgs[i].spec.name) << i;
    EXPECT_EQ(r.config.orgs[i].key, orgs[i].key) << i;
    EXPECT_EQ(r.config.orgs[i].spec.parent, orgs[i].spec.parent) << i;
    EXPECT_EQ(r.config.orgs[i].spec.profile, orgs[i].spec.profile) << i;
  }
  EXPECT_THAT(yaml, HasSubstr("# a header\n#\n# second line\norganizations:\n"));
}

// Names the config refuses (white space at an end, control characters): what to_yaml writes
// for them reads back as an error naming the place, never as another name.
TEST(Writer, ANameTheConfigRefusesReadsBackAsAnErrorNotAsAnotherName) {
  for (const std::string bad : {"trailing space ", " leading space", "tab\there", "new\nline",
                                "ctrl\x01x", "del\x7f", "c1\xc2\x85next"}) {
    DesiredOrg o;
    o.spec.name = bad;
    o.key = "k";
    LoadResult r = load_text(to_yaml({o}, ""), "out.yaml");
    ASSERT_FALSE(r.ok()) << "accepted " << bad;
    EXPECT_THAT(r.errors.front().str(), HasSubstr("out.yaml:")) << bad;
  }
}

TEST(Writer, PlainWhenSafeQuotedOtherwise) {
  EXPECT_EQ(yaml_string("Acme Retail (EU)"), "Acme Retail (EU)");
  EXPECT_EQ(yaml_string("yes"), "\"yes\"");
  EXPECT_EQ(yaml_string("+1-555"), "\"+1-555\"");
  EXPECT_EQ(yaml_string("cost-center:1000"), "\"cost-center:1000\"");
  EXPECT_EQ(yaml_string("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

TEST(Writer, ExternalParentsProfilesAndFlags) {
  DesiredOrg o;
  o.spec.name = "Team";
  o.key = "team";
  o.spec.parent = ParentRef::id("a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8");
  o.spec.prevent_destroy = true;
  EXPECT_EQ(to_yaml({o}),
            "organizations:\n"
            "  - name: Team\n"
            "    key: team\n"
            "    parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}\n"
            "    prevent_destroy: true\n");
  EXPECT_EQ(to_yaml({}), "organizations: []\n");
}

TEST(Writer, MembersAndAccountsRoundTripThroughLoad) {
  DesiredOrg a;
  a.spec.name = "Retail";
  a.key = "retail";
  a.members = std::vector<MemberSpec>{{"alice@example.com", MemberStatus::active},
                                      {"bob@example.com", MemberStatus::canceled},
                                      {"1st+tag@example.com", MemberStatus::active}};
  a.accounts = std::vector<AccountSpec>{{"4f1c0e3b8a9d4c2e9b7a6d5c4b3a2f10", "Retail: prod"},
                                        {"acct-2", ""}};
  DesiredOrg none;
  none.spec.name = "Empty";
  none.key = "empty";
  none.members = std::vector<MemberSpec>{};
  none.accounts = std::vector<AccountSpec>{};
  DesiredOrg unmanaged;
  unmanaged.spec.name = "Unmanaged";
  unmanaged.key = "unmanaged";
  const std::string yaml = to_yaml({a, none, unmanaged});
  EXPECT_THAT(yaml, HasSubstr("    key: retail\n"
                              "    members:\n"
                              "      - alice@example.com\n"
                              "      - email: bob@example.com\n"
                              "        status: canceled\n"
                              "      - \"1st+tag@example.com\"\n"
                              "    accounts:\n"
                              "      - id: \"4f1c0e3b8a9d4c2e9b7a6d5c4b3a2f10\"\n"
                              "        name: \"Retail: prod\"\n"
                              "      - acct-2\n"));
  EXPECT_THAT(yaml, HasSubstr("    key: empty\n    members: []\n    accounts: []\n"));
  EXPECT_THAT(yaml, HasSubstr("    key: unmanaged\n"));
  EXPECT_THAT(yaml, Not(HasSubstr("key: unmanaged\n    members")));

  const LoadResult r = load_text(yaml, "out.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().str() << "\n" << yaml;
  ASSERT_EQ(r.config.orgs.size(), 3u);
  EXPECT_EQ(r.config.orgs[0].members, a.members);
  EXPECT_EQ(r.config.orgs[0].accounts, a.accounts);
  EXPECT_EQ(r.config.orgs[1].members, none.members);
  EXPECT_EQ(r.config.orgs[1].accounts, none.accounts);
  EXPECT_FALSE(r.config.orgs[2].members.has_value());
  EXPECT_FALSE(r.config.orgs[2].accounts.has_value());
  EXPECT_EQ(to_yaml(r.config.orgs), yaml);  // same bytes again
}

}  // namespace
}  // namespace cforg::config
