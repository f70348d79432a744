// Invalid configs: each problem reported at its file, line and column, with what to do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "cforg/config/config.h"
#include "test_helpers.h"

namespace cforg::config {
namespace {

using testing::DiagnosticAt;
using ::testing::ElementsAre;
using testing::errors_in;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// --- the file as a whole ---------------------------------------------------------------

TEST(FileErrors, SyntaxErrorCarriesTheParsersPosition) {
  EXPECT_THAT(errors_in("organizations:\n  - name: [A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 1, "invalid YAML: end of sequence flow")));
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n   key: b\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 4, "invalid YAML: end of sequence not found")));
}

TEST(FileErrors, EmptyFile) {
  for (std::string_view text : {"", "# only a comment\n", "---\n"}) {
    EXPECT_THAT(errors_in(text), ElementsAre(DiagnosticAt("c.yaml", 0, 0, "the file is empty")))
        << text;
  }
}

TEST(FileErrors, TopLevelMustBeAMappingWithOrganizations) {
  EXPECT_THAT(errors_in("- name: A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 1, 1,
                                       "expected a mapping with "
                                       "`organizations:` at the top level, got a "
                                       "list")));
  EXPECT_THAT(errors_in("{}\n"), ElementsAre(DiagnosticAt("c.yaml", 1, 1,
                                                          "missing "
                                                          "`organizations:`")));
  EXPECT_THAT(errors_in("organisations:\n  - name: A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 1, 1,
                                       "organisations: unknown key in the top "
                                       "level; did you mean 'organizations'?")));
  EXPECT_THAT(errors_in("organizations:\n"),
              ElementsAre(DiagnosticAt("c.yaml", 1, 1,
                                       "organizations: has no value; list the "
                                       "organizations (`organizations: []`")));
  EXPECT_THAT(errors_in("organizations: {name: A}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 1, 16,
                                       "organizations: expected a list, got a "
                                       "mapping")));
  EXPECT_THAT(errors_in("organizations:\n  - Acme\n  -\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 5,
                                       "an organization must be a mapping such "
                                       "as `- name: Acme`, got a string"),
                          DiagnosticAt("c.yaml", 3, 3, "got null")));
}

TEST(FileErrors, OneDocumentPerFile) {
  EXPECT_THAT(errors_in("organizations: []\n---\norganizations: []\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 1, "a second YAML document starts here")));
  EXPECT_THAT(errors_in("organizations: []\n---\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 1, "a second YAML document starts here")));
  EXPECT_THAT(errors_in("organizations: []\n...\n\norganizations: []\n"),
              ElementsAre(DiagnosticAt("c.yaml", 4, 1, "a second YAML document starts here")));
  EXPECT_THAT(errors_in("---\norganizations: []\n...\n"), IsEmpty());
}

TEST(FileErrors, BinaryAndNonUtf8TextAreRefusedWithThePlace) {
  using namespace std::string_literals;
  EXPECT_THAT(errors_in("organizations:\n  - name: A\0B\n"s),
              ElementsAre(DiagnosticAt("c.yaml", 2, 12, "control character 0x00 is not allowed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: caf\xE9\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 14, "invalid UTF-8")));
  EXPECT_THAT(errors_in("\xFF\xFEo\0r\0g\0"s),  // UTF-16
              ElementsAre(DiagnosticAt("c.yaml", 1, 1, "invalid UTF-8")));
  EXPECT_THAT(errors_in("organizations: [] \xED\xA0\x80\n"),  // a UTF-16 surrogate
              ElementsAre(DiagnosticAt("c.yaml", 1, 19, "invalid UTF-8")));
}

// --- keys ------------------------------------------------------------------------------

TEST(KeyErrors, UnknownKeysSuggestTheNearestAtEveryLevel) {
  EXPECT_THAT(errors_in(R"(organizations:
  - naem: A
    key: a
    parnet: b
    profile:
      busines_phone: "1"
      business_name: x
      business_email: x
      business_address: x
      external_metadata: x
    prevent_destroy: true
    colour: blue
  - name: B
    parent: {Id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 5,
                                       "naem: unknown key in an organization; did you mean "
                                       "'name'?"),
                          DiagnosticAt("c.yaml", 2, 5, "missing 'name'"),
                          DiagnosticAt("c.yaml", 4, 5,
                                       "parnet: unknown key in an organization; "
                                       "did you mean 'parent'?"),
                          DiagnosticAt("c.yaml", 5, 5, "profile: missing business_phone;"),
                          DiagnosticAt("c.yaml", 6, 7,
                                       "busines_phone: unknown key in profile; "
                                       "did you mean 'business_phone'?"),
                          DiagnosticAt("c.yaml", 12, 5,
                                       "colour: unknown key in an organization; valid keys are "
                                       "name, key, parent, profile, prevent_destroy, "
                                       "members, accounts"),
                          DiagnosticAt("c.yaml", 14, 13, "parent: missing 'id'"),
                          DiagnosticAt("c.yaml", 14, 14,
                                       "Id: unknown key in parent; did you "
                                       "mean 'id'?")));
}

TEST(KeyErrors, MergeKeysGetAnExplanation) {
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    <<: {key: a}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 5, "<<: merge keys are not supported")));
}

TEST(KeyErrors, DuplicateMappingKeysCiteBothLines) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: A
    prevent_destroy: true
    name: B
    profile: {business_name: a, business_name: b}
organizations: []
)"),
              ElementsAre(DiagnosticAt("c.yaml", 4, 5,
                                       "name: duplicate key, already set at "
                                       "line 2; remove one of them"),
                          DiagnosticAt("c.yaml", 5, 5,
                                       "profile: missing business_address, "
                                       "business_email, business_phone, "
                                       "external_metadata"),
                          DiagnosticAt("c.yaml", 5, 33,
                                       "business_name: duplicate key, already "
                                       "set at line 5, column 15"),
                          DiagnosticAt("c.yaml", 6, 1,
                                       "organizations: duplicate key, already "
                                       "set at line 1")));
}

TEST(KeyErrors, DuplicateOrganizationKeysCiteBothPlaces) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: A
    key: k
  - name: B
    key: k
  - name: k
)"),
              ElementsAre(DiagnosticAt("c.yaml", 5, 10,
                                       "key: 'k' is already the key of the "
                                       "organization at c.yaml:3:10; keys must "
                                       "be unique across all files"),
                          DiagnosticAt("c.yaml", 6, 11,
                                       "name: 'k' is already the key of the "
                                       "organization at c.yaml:3:10 (the key "
                                       "defaults to the name); give one of "
                                       "them a distinct 'key'")));
}

TEST(KeyErrors, NonScalarKeysAreRefused) {
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    [x]: 1\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 5,
                                       "an organization: a key must be a name, "
                                       "not a list")));
}

// --- values ----------------------------------------------------------------------------

struct TypeCase {
  std::string value;  // as written after `name: `
  int column;
  std::string reason;

  friend void PrintTo(const TypeCase& c, std::ostream* os) { *os << "name: " << c.value; }
};

class StringTypes : public ::testing::TestWithParam<TypeCase> {};

TEST_P(StringTypes, PlainScalarsResolveByTheCoreSchema) {
  const TypeCase& c = GetParam();
  EXPECT_THAT(errors_in("organizations:\n  - key: a\n    name: " + c.value + "\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, c.column, c.reason)));
}

INSTANTIATE_TEST_SUITE_P(
    Config, StringTypes,
    ::testing::Values(
        TypeCase{"15550100", 11, "name: expected a string, got an integer; quote it: \"15550100\""},
        TypeCase{"+15550100", 11,
                 "name: expected a string, got an integer; quote it: \"+15550100\""},
        TypeCase{"-7", 11, "got an integer; quote it: \"-7\""},
        TypeCase{"0x1F", 11, "got an integer; quote it: \"0x1F\""},
        TypeCase{"0o17", 11, "got an integer; quote it: \"0o17\""},
        TypeCase{"1.5", 11, "got a float; quote it: \"1.5\""},
        TypeCase{"-2.5e10", 11, "got a float; quote it: \"-2.5e10\""},
        TypeCase{".5", 11, "got a float"}, TypeCase{"1.", 11, "got a float"},
        TypeCase{".inf", 11, "got a float"}, TypeCase{"-.Inf", 11, "got a float"},
        TypeCase{".NaN", 11, "got a float"},
        TypeCase{"true", 11, "name: expected a string, got a boolean; quote it: \"true\""},
        TypeCase{"False", 11, "got a boolean; quote it: \"False\""},
        TypeCase{"tRUE", 11, "got a boolean"},
        TypeCase{"~", 11, "name: expected a string, got null; quote it: \"~\""},
        TypeCase{"null", 11, "got null; quote it: \"null\""},
        TypeCase{"NULL", 11, "got null; quote it: \"NULL\""},
        TypeCase{"", 5, "name: has no value; write a string"},
        TypeCase{"[A]", 11, "name: expected a string, got a list"},
        TypeCase{"{a: b}", 11, "name: expected a string, got a mapping"},
        TypeCase{"!!int 12", 11, "got an integer"},
        TypeCase{"!custom A", 11, "name: unsupported tag '!custom'; remove it"},
        TypeCase{"\"  \"", 11, "name: is empty; give the organization a name"}));

TEST(ValueErrors, TheBriefsExample) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: A
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: +15550100
      business_address: 1 Acme Way
      external_metadata: 42
)"),
              ElementsAre(DiagnosticAt("c.yaml", 6, 23,
                                       "business_phone: expected a string, got "
                                       "an integer; quote it: \"+15550100\""),
                          DiagnosticAt("c.yaml", 8, 26,
                                       "external_metadata: expected a string, "
                                       "got an integer; quote it: \"42\"")));
}

TEST(ValueErrors, StringsThatLookAlmostLikeNumbersAreStrings) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: +1-555-0100
  - name: 1.2.3
  - name: 0x1G
  - name: 0o8
  - name: 1e
  - name: yes
  - name: .
  - name: truex
  - name: nulls
)"),
              IsEmpty());
}

TEST(ValueErrors, PreventDestroyMustBeABoolean) {
  EXPECT_THAT(errors_in(R"(organizations:
  - {name: A, prevent_destroy: yes}
  - {name: B, prevent_destroy: "true"}
  - {name: C, prevent_destroy: 1}
  - name: D
    prevent_destroy:
  - {name: E, prevent_destroy: [true]}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 32,
                                       "prevent_destroy: expected true or "
                                       "false, got a string 'yes'"),
                          DiagnosticAt("c.yaml", 3, 32, "got a string; remove the quotes"),
                          DiagnosticAt("c.yaml", 4, 32, "got an integer"),
                          DiagnosticAt("c.yaml", 6, 5,
                                       "prevent_destroy: has no value; write "
                                       "true or false"),
                          DiagnosticAt("c.yaml", 7, 32, "got a list")));
}

TEST(ValueErrors, EmptyKeysAndNames) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: " "
    key: ""
  - name: ''
    key: b
  - name: C
    key: "	"
)"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "name: is empty"),
                          DiagnosticAt("c.yaml", 3, 10,
                                       "key: is empty; remove it to use the "
                                       "name as the key"),
                          DiagnosticAt("c.yaml", 4, 11, "name: is empty"),
                          DiagnosticAt("c.yaml", 7, 10, "key: is empty")));
}

TEST(ValueErrors, ProfileMustBeAMappingOfAllFiveStrings) {
  EXPECT_THAT(errors_in(R"(organizations:
  - name: A
    profile: Acme
  - name: B
    profile:
  - name: C
    profile:
      business_name: Acme
      business_email: a@b.example
      business_address: x
)"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 14,
                                       "profile: expected a mapping of the five "
                                       "business fields, got a string"),
                          DiagnosticAt("c.yaml", 5, 5, "profile: has no value"),
                          DiagnosticAt("c.yaml", 7, 5,
                                       "profile: missing business_phone, "
                                       "external_metadata; the API requires all "
                                       "five fields")));
}

// --- parents ---------------------------------------------------------------------------

// Ids are opaque: the published example is 32 characters and not hex. Only what can be checked
// is: not empty, visible ASCII (it goes into URLs), at most 128 characters.
TEST(ParentErrors, IdsAreOpaqueButMustBeUsableInAUrl) {
  EXPECT_THAT(
      errors_in(R"(organizations:
  - {name: A, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
  - {name: B, parent: {id: "a7b9 c3d2"}}
  - {name: C, parent: {id: ""}}
  - {name: D, parent: {id: )" +
                std::string(129, 'x') + R"(}}
  - {name: E, parent: {id: 01234567890123456789012345678901}}
  - {name: F, parent: {}}
  - {name: G, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8, name: x}}
  - {name: H, parent: {id: "tab\there"}}
  - {name: I, parent: {id: ORG-42_x.y~z}}
)"),
      ElementsAre(
          DiagnosticAt("c.yaml", 3, 28, "parent id: contains a space at character 5"),
          DiagnosticAt("c.yaml", 4, 28, "parent id: is empty"),
          DiagnosticAt("c.yaml", 5, 28, "parent id: is 129 characters long; ids have at most 128"),
          DiagnosticAt("c.yaml", 6, 28,
                       "id: expected a string, got an integer; "
                       "quote it"),
          DiagnosticAt("c.yaml", 7, 23, "parent: missing 'id'; write {id: <organization id>}"),
          DiagnosticAt("c.yaml", 8, 62,
                       "name: unknown key in parent; valid keys "
                       "are id"),
          DiagnosticAt("c.yaml", 9, 28, "parent id: contains a tab at character 4")));
}

TEST(ParentErrors, ParentMustBeAKeyOrAnId) {
  EXPECT_THAT(errors_in(R"(organizations:
  - {name: A, parent: [x]}
  - name: B
    parent:
  - {name: C, parent: ""}
  - {name: D, parent: 12}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 23,
                                       "parent: expected the key of an "
                                       "organization or {id: ...}, got a list"),
                          DiagnosticAt("c.yaml", 4, 5,
                                       "parent: has no value; remove it for a "
                                       "root organization"),
                          DiagnosticAt("c.yaml", 5, 23, "parent: is empty"),
                          DiagnosticAt("c.yaml", 6, 23,
                                       "parent: expected a string, got an "
                                       "integer; quote it: \"12\"")));
}

TEST(ParentErrors, UnknownParentSuggestsAKeyAndTheIdForm) {
  EXPECT_THAT(errors_in(R"(organizations:
  - {name: Acme Platform, key: platform}
  - {name: Web, parent: platfrom}
  - {name: Api, parent: Acme Platform}
  - {name: Db, parent: zzz}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 25,
                                       "parent: no organization has the key "
                                       "'platfrom'; did you mean 'platform'? "
                                       "(for an existing organization outside "
                                       "the config, write parent: {id: <its "
                                       "id>})"),
                          DiagnosticAt("c.yaml", 4, 25,
                                       "that is the name of the organization "
                                       "whose key is 'platform': parent takes "
                                       "the key"),
                          DiagnosticAt("c.yaml", 5, 24,
                                       "parent: no organization has the key "
                                       "'zzz' (for an existing organization")));
}

TEST(ParentErrors, UnknownParentsAreStillReportedBesideABrokenOrganization) {
  EXPECT_THAT(errors_in("organizations:\n  - {name: A, parent: b}\n  - name\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 23, "no organization has the key 'b'"),
                          DiagnosticAt("c.yaml", 3, 5, "an organization must be a mapping")));
}

TEST(ParentErrors, CyclesAreNamedOnceFromTheFirstDeclared) {
  EXPECT_THAT(errors_in(R"(organizations:
  - {name: X, parent: c}
  - {name: A, key: a, parent: b}
  - {name: B, key: b, parent: c}
  - {name: C, key: c, parent: a}
  - {name: Self, parent: Self}
  - {name: Y, parent: X}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 31,
                                       "parent cycle: a → b → c → a; make one "
                                       "of them a root"),
                          DiagnosticAt("c.yaml", 6, 26,
                                       "parent cycle: Self → Self; an "
                                       "organization cannot be its own parent")));
}

TEST(ParentErrors, LongCyclesAreShortened) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < 20; ++i) {
    yaml +=
        "  - {name: o" + std::to_string(i) + ", parent: o" + std::to_string((i + 1) % 20) + "}\n";
  }
  EXPECT_THAT(errors_in(yaml), ElementsAre(DiagnosticAt("c.yaml", 2, 24,
                                                        "parent cycle: o0 → o1 → o2 → o3 → o4 → "
                                                        "o5 → o6 → o7 → … (12 more) → o0;")));
}

TEST(ParentErrors, SameNameUnderTheSameParentIsRefused) {
  EXPECT_THAT(errors_in(R"(organizations:
  - {name: Shop, key: shop1}
  - {name: Shop, key: shop2}
  - {name: Web, key: web1, parent: shop1}
  - {name: Web, key: web2, parent: shop1}
  - {name: Web, key: web3, parent: shop2}
  - {name: Ext, key: ext1, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
  - {name: Ext, key: ext2, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
  - {name: Ext, key: ext3, parent: {id: b7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
  - {name: Ext, key: ext4, parent: shop1}
  - {name: Twin}
  - {name: Twin}
)"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 12,
                                       "name: another root organization is "
                                       "named 'Shop' (c.yaml:2:12); rename one: "
                                       "after a lost state cforg finds "
                                       "organizations again by name and parent"),
                          DiagnosticAt("c.yaml", 5, 12,
                                       "another organization under the same "
                                       "parent is named 'Web' (c.yaml:4:12)"),
                          DiagnosticAt("c.yaml", 8, 12,
                                       "another organization under the same "
                                       "parent is named 'Ext' (c.yaml:7:12)"),
                          DiagnosticAt("c.yaml", 12, 12,
                                       "another root organization is named "
                                       "'Twin' (c.yaml:11:12)")));
}

// --- everything at once, and hostile input ---------------------------------------------

TEST(Errors, EveryProblemIsReportedNotJustTheFirst) {
  const LoadResult r = load_text(R"(organizations:
  - naem: A
  - name: B
    parent: nowhere
    prevent_destroy: maybe
  - name: C
    profile: {business_name: x}
)",
                                 "c.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.errors, SizeIs(5));  // naem, missing name, parent, prevent_destroy, profile
  EXPECT_EQ(r.errors[2].str(),
            "c.yaml:4:13: parent: no organization has the key 'nowhere' (for an existing "
            "organization outside the config, write parent: {id: <its id>})");
}

TEST(Errors, DeepNestingIsAnErrorNotACrash) {
  const std::vector<Diagnostic> flow = errors_in("organizations: " + std::string(100000, '['));
  ASSERT_THAT(flow, SizeIs(1));
  EXPECT_EQ(flow[0].where.line, 1);
  EXPECT_THAT(flow[0].message, ::testing::HasSubstr("nested too deeply"));
  std::string deep = "organizations:\n";
  for (int i = 0; i < 2500; ++i) deep += std::string(2 * i + 2, ' ') + "- \n";
  EXPECT_FALSE(load_text(deep, "c.yaml").ok());
}

TEST(Errors, SelfReferentialAliasIsAnErrorNotAHang) {
  EXPECT_THAT(errors_in("organizations: &a [*a]\n"),
              ElementsAre(DiagnosticAt("c.yaml", 1, 16, "got a list")));
  EXPECT_FALSE(load_text("organizations:\n  - &o {name: A, parent: *o}\n", "c.yaml").ok());
}

TEST(Errors, RandomGarbageNeverThrows) {
  const std::string base(R"(organizations:
  - name: Acme Root
    profile: {business_name: a, business_email: b, business_phone: "c", business_address: d,
              external_metadata: e}
    prevent_destroy: true
  - {name: P, key: p, parent: Acme Root}
  - {name: Q, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
)");
  std::mt19937 rng(42);
  const std::string alphabet = "-:{}[],&*!|>'\"#%@` \n\t?~0aZ\x01\xC3\xA9\xFF";
  for (int round = 0; round < 3000; ++round) {
    std::string s = base;
    const int edits = 1 + int(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (s.size() + 1);
      switch (rng() % 3) {
        case 0:
          s.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 1:
          if (at < s.size()) s.erase(at, 1 + rng() % 4);
          break;
        default:
          if (at < s.size()) s[at] = char(rng());
      }
    }
    LoadResult r;
    ASSERT_NO_THROW(r = load_text(s, "c.yaml")) << s;
    for (const Diagnostic& d : r.errors) EXPECT_FALSE(d.message.empty()) << s;
  }
}

}  // namespace
}  // namespace cforg::config
