// Malformed YAML that yaml-cpp accepts, the limits on a config, and the cap on its errors: each
// refused with its own error at its place, none echoing a huge value whole.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "cforg/config/config.h"
#include "test_helpers.h"
#include "text.h"

namespace cforg::config {
namespace {

using ::testing::AllOf;
using testing::DiagnosticAt;
using ::testing::ElementsAre;
using testing::errors_in;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// `n` root organizations, one a line: O0 on line 2, O1 on line 3, ...
std::string flat(int n) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < n; ++i) yaml += "  - {name: O" + std::to_string(i) + "}\n";
  return yaml;
}

// --- quotes yaml-cpp closes for us ------------------------------------------------------

TEST(UnterminatedQuote, IsRefusedWhereTheQuoteOpened) {
  // yaml-cpp 0.7 reads this as one org named "A parent: [ ".
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\n    parent: [\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "double quote is never closed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: 'A\n    parent: [\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "single quote is never closed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "never closed")));
  // As a key, and after a tag or an anchor (the node's mark is where those start).
  EXPECT_THAT(errors_in("organizations:\n  - \"name: A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 5, "never closed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: !!str \"A\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 17, "never closed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: &n 'A\n\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 14, "never closed")));
}

TEST(UnterminatedQuote, EscapedQuotesDoNotCloseButClosedOnesAreFine) {
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\\\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "never closed")));
  EXPECT_THAT(errors_in("organizations:\n  - name: 'it''s\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "never closed")));
  const LoadResult ok = load_text(
      "organizations:\n  - name: \"A \\\"B\\\\\"\n  - name: 'it''s'\n  - name: >-\n      \"C\n",
      "c.yaml");
  ASSERT_TRUE(ok.ok()) << error_report(ok);
  EXPECT_EQ(ok.config.orgs[0].spec.name, "A \"B\\");
  EXPECT_EQ(ok.config.orgs[1].spec.name, "it's");
  EXPECT_EQ(ok.config.orgs[2].spec.name, "\"C");
}

// --- what a name, a key, a profile field may hold ---------------------------------------

TEST(Names, ControlCharactersFromEscapesAreRefused) {
  // The file itself may not hold them (check_text); YAML's escapes still make them.
  EXPECT_THAT(errors_in("organizations:\n  - name: \"Acme\\e[31m\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11,
                                       "name: 'Acme\\u{001B}[31m' contains the control "
                                       "character U+001B at character 5")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\\nB\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "control character U+000A")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\\u0085B\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "control character U+0085")));
  EXPECT_THAT(errors_in("organizations:\n  - {name: A, key: \"a\\tb\"}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 20, "key: 'a\\tb' contains the control")));
  EXPECT_THAT(errors_in("organizations:\n  - {name: A, parent: \"a\\x01\"}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 23, "parent: contains the control")));
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    profile: {business_name: \"x\\by\", "
                        "business_email: b, business_phone: c, business_address: d, "
                        "external_metadata: e}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 30, "business_name: contains the control")));
}

TEST(Names, InvisibleCharactersAndEdgeSpacesAreRefused) {
  // A right-to-left override makes "Acme\u202Eevil" read differently in a plan under review.
  EXPECT_THAT(errors_in("organizations:\n  - name: \"Acme\\u202Eevil\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "bidirectional control character")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\\u200BB\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "zero-width space")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \" Acme\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "starts with white space")));
  EXPECT_THAT(errors_in("organizations:\n  - name: \"Acme \"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "ends with white space")));
  // Joiners are letters' business (Persian, emoji); other scripts are fine.
  EXPECT_THAT(
      errors_in("organizations:\n  - name: \"می\\u200Cخواهم\"\n  - name: Ünïcödé 株式会社\n"),
      IsEmpty());
}

TEST(Names, SurrogateEscapesAreRefused) {
  // yaml-cpp refuses a surrogate escape itself; text_problem checks UTF-8 all the same, since
  // JSON could not carry such a name to the API or the state.
  EXPECT_THAT(errors_in("organizations:\n  - name: \"A\\uD800\"\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 19, "invalid YAML: invalid unicode")));
  EXPECT_EQ(detail::text_problem("A\xED\xA0\x80", 256, "name", true),
            "is not valid UTF-8 at character 2 (a \\u escape of a surrogate?); the API takes text");
}

TEST(Names, LongNamesAndKeysAreRefusedAndShownShortened) {
  const std::string huge(1 << 20, 'A');
  const std::vector<Diagnostic> errors = errors_in("organizations:\n  - name: " + huge + "\n");
  ASSERT_THAT(errors, ElementsAre(DiagnosticAt("c.yaml", 2, 11,
                                               "is 1048576 characters long; cforg's limit for a "
                                               "name is 256 characters")));
  EXPECT_LT(errors[0].str().size(), 300u) << "the name must not be echoed whole";
  EXPECT_THAT(errors[0].message, HasSubstr("'AAAA"));
  EXPECT_THAT(errors[0].message, HasSubstr("…' (1048576 characters)"));

  EXPECT_THAT(errors_in("organizations:\n  - name: " + std::string(256, 'x') + "\n"), IsEmpty());
  EXPECT_THAT(errors_in("organizations:\n  - name: " + std::string(257, 'x') + "\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 11, "is 257 characters long")));
  // Characters, not bytes: 256 three-byte characters are a valid name...
  std::string wide;
  for (int i = 0; i < 256; ++i) wide += "株";
  EXPECT_THAT(errors_in("organizations:\n  - {name: " + wide + ", key: k}\n"), IsEmpty());
  // ... but 768 bytes are fine as a key, and 1025 are not.
  EXPECT_THAT(errors_in("organizations:\n  - {name: A, key: " + std::string(1025, 'k') + "}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 2, 20,
                                       "is 1025 bytes long; cforg's limit for a key is 1024")));
  std::string wide_key;
  for (int i = 0; i < 342; ++i) wide_key += "株";  // 342 characters, 1026 bytes
  EXPECT_THAT(errors_in("organizations:\n  - name: N\n    key: " + wide_key + "\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 10, "is 1026 bytes long")));
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    profile: {business_name: " +
                        std::string(1025, 'p') +
                        ", business_email: b, business_phone: c, business_address: d, "
                        "external_metadata: e}\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 30, "business_name: is 1025 characters long")));
}

TEST(Names, EchoedValuesAreShortenedEverywhere) {
  const std::string huge(100000, 'z');
  for (const std::string& yaml : {
           "organizations:\n  - {name: A, prevent_destroy: " + huge + "}\n",
           "organizations:\n  - {name: A, parent: " + huge + "}\n",
           "organizations:\n  - {name: " + std::string(100000, '1') + "}\n",
           "organizations:\n  - {name: !" + huge + " A}\n",
       }) {
    const std::vector<Diagnostic> errors = errors_in(yaml);
    ASSERT_THAT(errors, Not(IsEmpty()));
    for (const Diagnostic& d : errors) {
      EXPECT_LT(d.str().size(), 400u) << d.str().substr(0, 400);
    }
  }
}

// --- limits -----------------------------------------------------------------------------

TEST(Limits, TextLargerThanTheLimitIsNotParsed) {
  Limits small;
  small.max_bytes = 1000;
  const LoadResult r = load_text("organizations: []\n" + std::string(2000, '#'), "c.yaml", small);
  EXPECT_THAT(r.errors,
              ElementsAre(DiagnosticAt("c.yaml", 0, 0, "more than cforg's limit for a config")));
}

TEST(Limits, FilesLargerThanTheLimitAreNotReadInAllOrOneAtATime) {
  testing::TempDir dir;
  Limits small;
  small.max_bytes = 1000;
  dir.write("big/a.yaml", "organizations: [{name: A}]\n" + std::string(600, '#') + "\n");
  dir.write("big/b.yaml", "organizations: [{name: B}]\n" + std::string(600, '#') + "\n");
  dir.write("huge.yaml", "organizations: [{name: C}]\n" + std::string(1200, '#') + "\n");
  EXPECT_THAT(load({dir / "huge.yaml"}, small).errors,
              ElementsAre(DiagnosticAt(dir / "huge.yaml", 0, 0,
                                       "more than cforg's limit for a config, 0.0 MiB in all "
                                       "files together")));
  // Together: the second file crosses the limit, and says so.
  EXPECT_THAT(load({dir / "big"}, small).errors,
              ElementsAre(DiagnosticAt(dir / "big/b.yaml", 0, 0,
                                       "and the files before it take 0.0 MiB: more than")));
  EXPECT_TRUE(load({dir / "big/a.yaml"}, small).ok());
}

TEST(Limits, ADeviceIsReadOnlyUpToTheLimit) {
  Limits small;
  small.max_bytes = 1 << 20;
  // /dev/zero has no end and no size: reading must stop at the limit, not run out of memory.
  EXPECT_THAT(load({"/dev/zero"}, small).errors,
              ElementsAre(DiagnosticAt("/dev/zero", 0, 0,
                                       "is at least 1.0 MiB (reading stopped there): more than "
                                       "cforg's limit for a config, 1.0 MiB")));
}

TEST(Limits, AFolderOfTooManyFilesIsRefusedWhole) {
  testing::TempDir dir;
  Limits small;
  small.max_files_per_folder = 3;
  for (int i = 0; i < 5; ++i) {
    dir.write("orgs/" + std::to_string(i) + ".yaml",
              "organizations: [{name: O" + std::to_string(i) + "}]\n");
  }
  dir.write("orgs/notes.txt", "not counted");
  EXPECT_THAT(load({dir / "orgs"}, small).errors,
              ElementsAre(DiagnosticAt(dir / "orgs", 0, 0,
                                       "the folder holds 5 YAML files, more than cforg's limit "
                                       "of 3 per folder")));
  small.max_files_per_folder = 5;
  EXPECT_TRUE(load({dir / "orgs"}, small).ok());
}

TEST(Limits, NestingDeeperThanTheLimitIsRefusedWhereItPasses) {
  // On its line (yaml-cpp's columns inside nested flow lists lag behind).
  const std::vector<Diagnostic> deep =
      errors_in("organizations:\n  - name: A\n    x: " + std::string(40, '[') + "\n");
  ASSERT_THAT(deep, SizeIs(1));
  EXPECT_EQ(deep[0].where.line, 3);
  EXPECT_THAT(deep[0].message,
              HasSubstr("nested too deeply: more than 32 levels of lists and mappings, cforg's "
                        "limit"));
  // 32 levels is allowed (and then the unknown key is what is wrong).
  EXPECT_THAT(errors_in("organizations:\n  - name: A\n    x: " + std::string(29, '[') +
                        std::string(29, ']') + "\n"),
              ElementsAre(DiagnosticAt("c.yaml", 3, 5, "x: unknown key")));
}

TEST(Limits, ValuesPerFileAreCountedBeforeAnythingIsBuiltFromThem) {
  Limits small;
  small.max_values_per_file = 100;
  std::string list = "organizations: [";
  for (int i = 0; i < 200; ++i) list += "a,";
  list += "a]\n";
  EXPECT_THAT(load_text(list, "c.yaml", small).errors,
              ElementsAre(DiagnosticAt("c.yaml", 1, 211,
                                       "more than 100 YAML values (scalars, lists and "
                                       "mappings), cforg's limit for one file")));
}

TEST(Limits, OrganizationsPastTheLimitAreRefusedAtTheFirstOneOver) {
  Limits small;
  small.max_orgs = 3;
  const LoadResult r = load_text(flat(5), "c.yaml", small);
  EXPECT_THAT(r.errors, ElementsAre(DiagnosticAt("c.yaml", 5, 5,
                                                 "more than 3 organizations, cforg's limit for a "
                                                 "config; this one and the 1 after it")));
  EXPECT_TRUE(load_text(flat(3), "c.yaml", small).ok());
}

// `n` accounts (or members) in one organization, one a line from line 4.
std::string one_org_listing(std::string_view key, int n, std::string_view item) {
  std::string yaml = "organizations:\n  - name: A\n    " + std::string(key) + ":\n";
  for (int i = 0; i < n; ++i) {
    yaml += "      - " + std::string(item) + std::to_string(i) + "\n";
  }
  return yaml;
}

TEST(Limits, MoreThan500AccountsInOneOrganizationAreRefusedNamingTheApisLimit) {
  EXPECT_THAT(errors_in(one_org_listing("accounts", 500, "acc")), IsEmpty());
  EXPECT_THAT(errors_in(one_org_listing("accounts", 502, "acc")),
              ElementsAre(DiagnosticAt("c.yaml", 504, 9,
                                       "accounts: more than 500 accounts in one organization, "
                                       "the API's limit; this one and the 1 after it are not "
                                       "read")));
}

TEST(Limits, MembersPastTheLimitAreRefusedAtTheFirstOneOver) {
  Limits limits;
  limits.max_members_per_org = 3;
  const LoadResult r = load_text(one_org_listing("members", 4, "m@x"), "c.yaml", limits);
  EXPECT_THAT(r.errors, ElementsAre(DiagnosticAt("c.yaml", 7, 9,
                                                 "members: more than 3 members in one "
                                                 "organization, cforg's limit")));
  EXPECT_EQ(Limits{}.max_members_per_org, 10'000u);
}

TEST(Limits, AnAliasBombIsStoppedByTheTextBudget) {
  // Each alias is a few bytes; each organization copies the 4 KiB profile it names.
  std::string yaml = "p: &p {business_name: " + std::string(4096, 'b') +
                     ", business_email: e, business_phone: p, business_address: a, "
                     "external_metadata: m}\norganizations:\n";
  for (int i = 0; i < 2000; ++i) yaml += "  - {name: O" + std::to_string(i) + ", profile: *p}\n";
  Limits small;
  small.max_bytes = 1 << 20;  // 2000 copies of 4 KiB are 8 MiB
  small.max_profile_field_chars = 5000;
  const LoadResult r = load_text(yaml, "c.yaml", small);
  // The unknown top-level key `p`, then the budget, reported once.
  ASSERT_THAT(r.errors, SizeIs(2));
  EXPECT_THAT(r.errors[1].message, HasSubstr("aliases expanded, pass 1 MiB"));
  EXPECT_THAT(r.errors[1].message, HasSubstr("alias bomb"));
}

TEST(Limits, TheClassicBillionLaughsIsCheap) {
  // Nothing reads values it does not need, and the tree shares what aliases name: no blow-up.
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    const std::string prev(1, char(c - 1));
    yaml += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  }
  yaml += "organizations: *j\n";
  const LoadResult r = load_text(yaml, "c.yaml");
  EXPECT_FALSE(r.ok());
  EXPECT_LE(r.error_count(), 20u);
}

// --- errors, capped ---------------------------------------------------------------------

TEST(ErrorCap, RepeatedProblemsAreCountedNotAllKept) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < 5000; ++i) yaml += "  - 1\n";
  Limits small;
  small.max_errors_kept = 100;
  const LoadResult r = load_text(yaml, "c.yaml", small);
  EXPECT_THAT(r.errors, SizeIs(100));
  EXPECT_EQ(r.more_errors, 4900u);
  EXPECT_EQ(r.error_count(), 5000u);
  EXPECT_FALSE(r.ok());
}

TEST(ErrorCap, TheReportShowsTheFirstAndCountsTheRest) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < 100000; ++i) yaml += "  - 1\n";
  const LoadResult r = load_text(yaml, "c.yaml");
  const std::string report = error_report(r);
  EXPECT_LT(report.size(), 5000u);
  EXPECT_THAT(report, HasSubstr("c.yaml:2:5: an organization must be a mapping"));
  EXPECT_THAT(report, HasSubstr("c.yaml:21:5: "));
  EXPECT_THAT(report, Not(HasSubstr("c.yaml:22:5: ")));
  EXPECT_THAT(report, HasSubstr("… and 99980 more errors"));
  EXPECT_THAT(report, HasSubstr("Error: the config has 100000 errors; nothing was done."));
  // A few errors are all shown, without the "more" line.
  const std::string few = error_report(load_text("organizations:\n  - 1\n", "c.yaml"));
  EXPECT_THAT(few, AllOf(HasSubstr("c.yaml:2:5:"), Not(HasSubstr("more error")),
                         HasSubstr("the config has 1 error;")));
}

TEST(ErrorCap, ManyErrorsOnOneLongLineTakeLinearTime) {
  // 600 KB on one line, an error for every item: finding each one's column from the start of
  // the line would take minutes.
  std::string yaml = "organizations: [";
  for (int i = 0; i < 300'000; ++i) yaml += "1,";
  yaml += "1]\n";
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = load_text(yaml, "c.yaml");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error_count(), 300'001u);
  EXPECT_THAT(r.errors[1], DiagnosticAt("c.yaml", 1, 19, "must be a mapping"));
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST(ErrorCap, ManyEmptyItemsTakeLinearTime) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < 300'000; ++i) yaml += "  -\n";
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = load_text(yaml, "c.yaml");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error_count(), 300'000u);
  EXPECT_THAT(r.errors[2], DiagnosticAt("c.yaml", 4, 3, "got null"));
  EXPECT_LT(took, std::chrono::seconds(20));
}

// --- the quoting of values in messages --------------------------------------------------

TEST(Excerpt, QuotesShortensAndEscapes) {
  using detail::excerpt;
  EXPECT_EQ(excerpt("Acme"), "'Acme'");
  EXPECT_EQ(excerpt("a\nb\tc\x1b"), "'a\\nb\\tc\\u{001B}'");
  EXPECT_EQ(excerpt("\xFF"), "'\\xFF'");
  EXPECT_EQ(excerpt(std::string(100, 'x'), 4), "'xxxx…' (100 characters)");
  EXPECT_EQ(excerpt("株式会社です", 4), "'株式会社…' (6 characters)");  // never cuts a character
}

}  // namespace
}  // namespace cforg::config
