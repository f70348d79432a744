// Config::digest(): stable under anything that is not a change of desired state.
#include <gtest/gtest.h>

#include "cforg/config/config.h"
#include "test_helpers.h"

namespace cforg::config {
namespace {

constexpr std::string_view kBase = R"(organizations:
  - name: Root
    profile:
      business_name: Acme
      business_email: a@b.example
      business_phone: "+1"
      business_address: 1 Way
      external_metadata: crm
    prevent_destroy: true
  - name: Child Org
    key: child
    parent: Root
  - name: Ext
    key: ext
    parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}
)";

std::string digest_of(std::string_view yaml) {
  const LoadResult r = load_text(yaml, "c.yaml");
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].str());
  return r.config.digest();
}

TEST(Digest, IsTheSha256OfTheDocumentedSerialization) {
  // Pinned, because state may record it: a change here must be deliberate (and bump the
  // "cforg-config-v1" tag). Computed independently with Python's hashlib over the
  // length-prefixed fields, orgs sorted by key.
  EXPECT_EQ(digest_of(kBase), "8c3d7d38f619f5e96374beb4bf946c46285864afab0ce21b45785eaadd5083fc");
}

TEST(Digest, IgnoresCommentsFormattingOrderAndSpelledOutDefaults) {
  const std::string base = digest_of(kBase);
  EXPECT_EQ(digest_of(R"(
# reordered, flow style, quoted, key spelled out, default flag spelled out
organizations:
- {name: Ext, key: "ext", parent: {id: "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8"}}   # outside
- name: "Child Org"
  parent: 'Root'
  key: child
  prevent_destroy: false
- key: Root
  prevent_destroy: True
  name: Root
  profile: {external_metadata: crm, business_address: 1 Way, business_phone: '+1',
            business_email: a@b.example, business_name: Acme}
)"),
            base);
}

TEST(Digest, IgnoresHowOrganizationsAreSplitIntoFiles) {
  testing::TempDir d;
  d.write("1.yaml",
          "organizations:\n  - {name: Ext, key: ext, parent: {id: "
          "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}\n");
  d.write("2.yaml",
          "organizations:\n  - {name: Child Org, key: child, parent: Root}\n  - name: Root\n"
          "    prevent_destroy: true\n    profile: {business_name: Acme, business_email: "
          "a@b.example, business_phone: '+1', business_address: 1 Way, external_metadata: crm}\n");
  const LoadResult r = load({d.path()});
  ASSERT_TRUE(r.ok()) << r.errors[0].str();
  EXPECT_EQ(r.config.digest(), digest_of(kBase));
}

TEST(Digest, ChangesWithEverySemanticChange) {
  const std::string base = digest_of(kBase);
  auto changed = [&](std::string_view from, std::string_view to) {
    std::string yaml(kBase);
    const std::size_t at = yaml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return digest_of(yaml.replace(at, from.size(), to));
  };
  EXPECT_NE(changed("name: Child Org", "name: Child Org2"), base);
  EXPECT_NE(changed("key: child", "key: child2"), base);
  EXPECT_NE(changed("key: ext", "key: ext2"), base);
  EXPECT_NE(changed("    parent: Root\n", ""), base);
  EXPECT_NE(changed("parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}",
                    "parent: {id: b7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}"),
            base);
  EXPECT_NE(changed("business_phone: \"+1\"", "business_phone: \"+2\""), base);
  EXPECT_NE(changed("external_metadata: crm", "external_metadata: crm2"), base);
  EXPECT_NE(changed("prevent_destroy: true", "prevent_destroy: false"), base);
  EXPECT_NE(changed("  - name: Ext\n", "  - name: New\n  - name: Ext\n"), base);
  // A profile of empty strings is still a profile, and differs from none.
  EXPECT_NE(digest_of("organizations:\n  - name: A\n"),
            digest_of("organizations:\n  - name: A\n    profile: {business_name: '', "
                      "business_email: '', business_phone: '', business_address: '', "
                      "external_metadata: ''}\n"));
  // A parent named by key and an id of the same text are different parents.
  EXPECT_NE(digest_of("organizations:\n  - {name: A, parent: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}\n"
                      "  - {name: B, key: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}\n"),
            digest_of("organizations:\n  - {name: A, parent: {id: "
                      "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}\n"
                      "  - {name: B, key: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}\n"));
}

TEST(Digest, ConfigsWithoutMembersOrAccountsKeepTheirDigest) {
  // The pinned digest above predates members and accounts; an org without the keys still
  // hashes the same, while an empty list (managed: none) is a change.
  const std::string base = digest_of(kBase);
  EXPECT_EQ(base, "8c3d7d38f619f5e96374beb4bf946c46285864afab0ce21b45785eaadd5083fc");
  std::string with_empty(kBase);
  with_empty += "    members: []\n";
  EXPECT_NE(digest_of(with_empty), base);
  std::string with_no_accounts(kBase);
  with_no_accounts += "    accounts: []\n";
  EXPECT_NE(digest_of(with_no_accounts), base);
  EXPECT_NE(digest_of(with_empty), digest_of(with_no_accounts));
}

TEST(Digest, ChangesWithAMemberOrAnAccountButNotWithTheirOrderCaseOrAccountNames) {
  const std::string one = digest_of(
      "organizations:\n  - name: A\n    members: [alice@example.com, {email: b@example.com, "
      "status: canceled}]\n    accounts: [{id: acc1, name: Prod}, acc2]\n");
  EXPECT_EQ(digest_of("organizations:\n  - name: A\n    accounts: [acc2, acc1]\n"
                      "    members: [{email: B@Example.com, status: canceled}, "
                      "{email: Alice@example.COM, status: active}]\n"),
            one);
  EXPECT_EQ(digest_of("organizations:\n  - name: A\n    members: [alice@example.com, {email: "
                      "b@example.com, status: canceled}]\n    accounts: [{id: acc1, name: "
                      "Production (renamed)}, {id: acc2, name: Staging}]\n"),
            one);
  EXPECT_NE(digest_of("organizations:\n  - name: A\n    members: [alice@example.com, "
                      "b@example.com]\n    accounts: [acc1, acc2]\n"),
            one);  // a status
  EXPECT_NE(digest_of("organizations:\n  - name: A\n    members: [alice@example.com, {email: "
                      "b@example.com, status: canceled}, c@example.com]\n    accounts: [acc1, "
                      "acc2]\n"),
            one);  // a member more
  EXPECT_NE(digest_of("organizations:\n  - name: A\n    members: [alice@example.com, {email: "
                      "b@example.com, status: canceled}]\n    accounts: [acc1, acc3]\n"),
            one);  // another account
  EXPECT_NE(digest_of("organizations:\n  - name: A\n    members: [alice@example.com, {email: "
                      "b@example.com, status: canceled}]\n"),
            one);  // accounts no longer managed
}

TEST(Digest, FieldsCannotRunIntoEachOther) {
  EXPECT_NE(digest_of("organizations:\n  - {name: ab, key: c}\n"),
            digest_of("organizations:\n  - {name: b, key: ca}\n"));
}

}  // namespace
}  // namespace cforg::config
