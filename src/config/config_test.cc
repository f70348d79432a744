// Loading valid configs: every form of the format, directories, several paths.
#include "cforg/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_helpers.h"

namespace cforg::config {
namespace {

namespace fs = std::filesystem;
using testing::DiagnosticAt;
using ::testing::ElementsAre;
using testing::errors_in;
using ::testing::IsEmpty;
using testing::TempDir;

constexpr std::string_view kFull = R"(# every form of the format
organizations:
  - name: Acme Root
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: "+1-555-0100"
      business_address: 1 Acme Way, Springfield
      external_metadata: "crm:42"
    prevent_destroy: true
  - name: Acme Platform
    key: platform
    parent: Acme Root
  - name: Acme Partner
    parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}
  - name: Acme Edge
    parent: platform
    prevent_destroy: False
)";

TEST(Load, ReadsEveryFormOfTheFormat) {
  const LoadResult r = load_text(kFull, "orgs.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  const Config& c = r.config;
  ASSERT_EQ(c.orgs.size(), 4u);
  EXPECT_THAT(c.files, ElementsAre("orgs.yaml"));

  const DesiredOrg& root = c.orgs[0];
  EXPECT_EQ(root.key, "Acme Root");  // defaults to the name
  EXPECT_EQ(root.spec.name, "Acme Root");
  EXPECT_EQ(root.spec.parent, ParentRef::root());
  ASSERT_TRUE(root.spec.profile.has_value());
  EXPECT_EQ(*root.spec.profile, (Profile{"Acme Corp", "ops@acme.example", "+1-555-0100",
                                         "1 Acme Way, Springfield", "crm:42"}));
  EXPECT_TRUE(root.spec.prevent_destroy);
  EXPECT_EQ(root.where.str(), "orgs.yaml:3:5");

  const DesiredOrg& platform = c.orgs[1];
  EXPECT_EQ(platform.key, "platform");
  EXPECT_EQ(platform.spec.name, "Acme Platform");
  EXPECT_EQ(platform.spec.parent, ParentRef::key("Acme Root"));
  EXPECT_EQ(platform.parent_where.str(), "orgs.yaml:13:13");
  EXPECT_FALSE(platform.spec.profile.has_value());
  EXPECT_FALSE(platform.spec.prevent_destroy);

  const DesiredOrg& partner = c.orgs[2];
  EXPECT_EQ(partner.spec.parent, ParentRef::id("a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8"));
  EXPECT_EQ(partner.parent_where.str(), "orgs.yaml:15:18");

  EXPECT_EQ(c.orgs[3].spec.parent, ParentRef::key("platform"));
  EXPECT_FALSE(c.orgs[3].spec.prevent_destroy);

  EXPECT_EQ(c.find("platform"), &c.orgs[1]);
  EXPECT_EQ(c.find("Acme Root"), &c.orgs[0]);
  EXPECT_EQ(c.find("Acme Platform"), nullptr);  // found by key, not by name
  EXPECT_EQ(c.index.size(), 4u);
}

TEST(Load, EmptyListManagesNothing) {
  const LoadResult r = load_text("organizations: []\n", "c.yaml");
  EXPECT_TRUE(r.ok());
  EXPECT_THAT(r.config.orgs, IsEmpty());
}

TEST(Load, StringsMayBeQuotedTaggedOrBlockAndKeysQuoted) {
  const LoadResult r = load_text(R"(organizations:
  - "name": 'true'
    key: !!str 12
    profile:
      business_name: |-
        Acme
      business_email: "a@b.example"
      business_phone: +1-555-0100
      business_address: '1 Way'
      external_metadata: ""
    prevent_destroy: TRUE
  - {name: "0x1F", parent: "12"}
)",
                                 "c.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.orgs[0].spec.name, "true");
  EXPECT_EQ(r.config.orgs[0].key, "12");
  EXPECT_EQ(r.config.orgs[0].spec.profile->business_name, "Acme");
  EXPECT_EQ(r.config.orgs[0].spec.profile->business_phone, "+1-555-0100");
  EXPECT_EQ(r.config.orgs[0].spec.profile->external_metadata, "");
  EXPECT_TRUE(r.config.orgs[0].spec.prevent_destroy);
  EXPECT_EQ(r.config.orgs[1].spec.name, "0x1F");
  EXPECT_EQ(r.config.orgs[1].spec.parent, ParentRef::key("12"));
}

TEST(Load, AnchorsAndAliasesWork) {
  const LoadResult r = load_text(R"(organizations:
  - name: A
    profile: &acme
      business_name: Acme
      business_email: a@acme.example
      business_phone: "1"
      business_address: x
      external_metadata: y
  - name: B
    profile: *acme
)",
                                 "c.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.orgs[1].spec.profile, r.config.orgs[0].spec.profile);
}

TEST(Load, ByteOrderMarkAndCrlfAreAccepted) {
  const LoadResult r = load_text("\xEF\xBB\xBForganizations:\r\n  - name: A\r\n", "c.yaml");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.config.orgs[0].spec.name, "A");
  EXPECT_EQ(r.config.orgs[0].where.str(), "c.yaml:2:5");
}

TEST(Load, ColumnsCountCharactersNotBytes) {
  // `naem` is the 20th character of its line but starts at its 21st byte.
  EXPECT_THAT(errors_in("organizations:\n  - {name: Zürich, naem: x}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 20, "naem: unknown key")));
}

TEST(Location, PrintsAsEditorsDo) {
  EXPECT_EQ((Location{"a.yaml", 3, 7}).str(), "a.yaml:3:7");
  EXPECT_EQ((Location{"a.yaml", 0, 0}).str(), "a.yaml");
  EXPECT_EQ((Diagnostic{{"a.yaml", 3, 7}, "bad"}).str(), "a.yaml:3:7: bad");
  EXPECT_EQ((Diagnostic{{"dir", 0, 0}, "bad"}).str(), "dir: bad");
}

std::vector<std::string> keys(const Config& c) {
  std::vector<std::string> k;
  for (const DesiredOrg& o : c.orgs) k.push_back(o.key);
  return k;
}

TEST(LoadDirectory, ReadsYamlFilesSortedNotRecursivelySkippingOthers) {
  TempDir d;
  d.write("b.yml", "organizations:\n  - {name: B1, parent: A1}\n  - name: B2\n");
  d.write("a.yaml", "organizations:\n  - name: A1\n");
  d.write("c.yaml", "# nothing yet\norganizations: []\n");
  d.write("notes.txt", "not: [yaml");
  d.write(".#a.yaml", "garbage: [");  // an editor's lock file
  d.write("sub/z.yaml", "garbage: [");
  d.write("dir.yaml/x.yaml", "garbage: [");  // a directory, even if named like a file

  const LoadResult r = load({d.path()});
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(keys(r.config), ElementsAre("A1", "B1", "B2"));
  EXPECT_THAT(r.config.files, ElementsAre(d / "a.yaml", d / "b.yml", d / "c.yaml"));
  EXPECT_EQ(r.config.orgs[1].where.str(), d / "b.yml" + ":2:5");
}

TEST(LoadDirectory, MergesSeveralPathsInOrderAndReadsAFileOnce) {
  TempDir d;
  d.write("one/x.yaml", "organizations:\n  - name: X\n");
  d.write("two.yaml", "organizations:\n  - {name: T, parent: X}\n");
  const LoadResult r = load({d / "two.yaml", d / "one", d / "one/x.yaml"});
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(keys(r.config), ElementsAre("T", "X"));
  EXPECT_THAT(r.config.files, ElementsAre(d / "two.yaml", d / "one/x.yaml"));
}

TEST(LoadDirectory, ReportsMissingPathsEmptyDirectoriesAndErrorsInFileOrder) {
  TempDir d;
  d.write("empty/readme.md", "");
  d.write("a/1.yaml", "organizations:\n  - name: A\n    naem: x\n");
  d.write("a/2.yaml",
          "organizations:\n  - name: A\n    parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}\n");
  const LoadResult r = load({d / "a", d / "missing", d / "empty"});
  EXPECT_THAT(r.errors, ElementsAre(DiagnosticAt(d / "a/1.yaml", 3, 5, "did you mean 'name'?"),
                                    DiagnosticAt(d / "a/2.yaml", 2, 11, "is already the key of"),
                                    DiagnosticAt(d / "missing", 0, 0, "no such file or directory"),
                                    DiagnosticAt(d / "empty", 0, 0, "no *.yaml or *.yml files")));
  EXPECT_EQ(r.errors[1].str(), d / "a/2.yaml" + ":2:11: name: 'A' is already the key of " +
                                   "the organization at " + d / "a/1.yaml" +
                                   ":2:11 (the key defaults to the name); give one of them a "
                                   "distinct 'key'");
}

TEST(LoadDirectory, UnknownParentsAreNotReportedWhenAFileCouldNotBeRead) {
  // The parent may well be in the broken file: the syntax error is the one thing to fix.
  TempDir d;
  d.write("a.yaml", "organizations:\n  - {name: A, parent: b}\n");
  d.write("b.yaml", "organizations:\n  - {name: b\n");
  EXPECT_THAT(load({d.path()}).errors,
              ElementsAre(DiagnosticAt(d / "b.yaml", 3, 1, "invalid YAML")));
}

TEST(LoadDirectory, NoPathsIsAnError) {
  EXPECT_THAT(load({}).errors, ElementsAre(DiagnosticAt("", 0, 0, "no config file")));
}

TEST(LoadDirectory, UnreadableFileIsReported) {
  TempDir d;
  if (::geteuid() != 0) {
    const fs::path f = d.write("secret.yaml", "organizations: []\n");
    fs::permissions(f, fs::perms::none);
    EXPECT_THAT(load({f.string()}).errors,
                ElementsAre(DiagnosticAt(f.string(), 0, 0, "cannot read: Permission denied")));
  }
  // Root reads every file (CI runs as root), but nobody reads through a dangling symlink: in a
  // folder's listing, it must be an error too, not skipped.
  d.write("dir/ok.yaml", "organizations: []\n");
  fs::create_symlink(d / "gone.yaml", d / "dir/link.yaml");
  auto errors = load({d / "dir"}).errors;
  ASSERT_EQ(errors.size(), 1u) << "an unreadable file in the folder is skipped silently";
  EXPECT_THAT(errors[0].str(), ::testing::HasSubstr("link.yaml"));
  EXPECT_THAT(errors[0].str(), ::testing::HasSubstr("cannot read"));
}

}  // namespace
}  // namespace cforg::config
