// Bringing an existing estate in: cforg export (and --import) against the emulator, the
// config schema, and the pictures (cforg graph, checked by Graphviz).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// An estate made by hand (here: by another cforg workspace), with profiles, names that need
// quoting, a key collision and an org under a parent the export does not see as its own.
class ExportE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    made_by_hand.config(
        "organizations:\n"
        "  - name: Acme Corp\n"
        "    profile: {business_name: Acme, business_email: a@acme.example,\n"
        "              business_phone: \"+1-555-0100\", business_address: \"1 Way: North\",\n"
        "              external_metadata: \"yes\"}\n"
        "  - {name: Acme Retail, parent: Acme Corp}\n"
        "  - {name: \"Retail #1: Web\", parent: Acme Retail}\n"
        "  - {name: ACME retail, parent: Acme Retail}\n"
        "  - {name: Beta, key: beta}\n"
        "  - {name: Beta Team, parent: beta}\n");
    ProcessResult r = made_by_hand.cforg(with({"apply", "--auto-approve"}, kFast));
    ASSERT_EQ(r.exit_code, 0) << dump(r);
  }
  Emulator emu{{"--consistency-ms", "0"}};
  Workspace made_by_hand{&emu};
  Workspace ws{&emu};
};

TEST_F(ExportE2E, ExportThenImportLeavesNothingToChange) {
  ProcessResult ex = ws.cforg(with(
      {"export", "-o", "orgs.yaml", "--import", "--members=false", "--accounts=false"}, kFast));
  ASSERT_EQ(ex.exit_code, 0) << dump(ex);
  EXPECT_THAT(ex.out, HasSubstr("Exported 6 of the 6 organizations listed (2 top-level trees)"));
  EXPECT_THAT(ex.out, HasSubstr("Recorded them in state"));
  ProcessResult validate = ws.cforg({"validate", "-c", "orgs.yaml"});
  EXPECT_EQ(validate.exit_code, 0) << dump(validate);
  ProcessResult plan = ws.cforg(with({"plan", "-c", "orgs.yaml", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan) << read_file(ws.dir() / "orgs.yaml");
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  // The same ids as the workspace that made them, under keys derived from the names.
  std::map<std::string, std::string> mine = ws.state_ids(), theirs = made_by_hand.state_ids();
  EXPECT_EQ(mine.at("acme-corp"), theirs.at("Acme Corp"));
  EXPECT_EQ(mine.at("retail-1-web"), theirs.at("Retail #1: Web"));
  EXPECT_EQ(mine.at("beta"), theirs.at("beta"));
  // "ACME retail" was made after "Acme Retail" (its parent): it gets a suffix from its id.
  EXPECT_EQ(mine.at("acme-retail"), theirs.at("Acme Retail"));
  EXPECT_EQ(mine.at("acme-retail-" + theirs.at("ACME retail").substr(0, 8)),
            theirs.at("ACME retail"));
  std::string yaml = read_file(ws.dir() / "orgs.yaml");
  EXPECT_THAT(yaml, HasSubstr("external_metadata: \"yes\""));
  EXPECT_THAT(yaml, HasSubstr("parent: acme-corp"));
  // Profiles made it into the state too, so that a profile change is an update.
  EXPECT_EQ(ws.state()["organizations"]["acme-corp"]["profile"]["business_phone"], "+1-555-0100");
}

TEST_F(ExportE2E, SameEstateSameBytesAndStdoutByDefault) {
  ProcessResult a = ws.cforg(with({"export"}, kFast));
  ProcessResult b = ws.cforg(with({"export"}, kFast));
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(a.out, b.out);
  EXPECT_THAT(a.out, HasSubstr("organizations:\n  - name: Acme Corp\n    key: acme-corp\n"));
  EXPECT_THAT(a.err, HasSubstr("to standard output"));
  EXPECT_FALSE(file_exists(ws.state_path())) << "export without --import writes no state";
}

TEST_F(ExportE2E, ParentAndNamePrefixFilter) {
  std::string beta = made_by_hand.state_ids().at("beta");
  ProcessResult under = ws.cforg(with({"export", "--parent", beta}, kFast));
  ASSERT_EQ(under.exit_code, 0) << dump(under);
  EXPECT_EQ(under.out.substr(under.out.find("organizations:")),
            "organizations:\n  - name: Beta Team\n    key: beta-team\n    parent: {id: " + beta +
                "}\n    members: []\n    accounts: []\n");
  ProcessResult prefixed = ws.cforg(with({"export", "--name-prefix", "Acme R"}, kFast));
  ASSERT_EQ(prefixed.exit_code, 0) << dump(prefixed);
  EXPECT_THAT(prefixed.out, HasSubstr("- name: Acme Retail\n"));
  EXPECT_THAT(prefixed.out, Not(HasSubstr("ACME retail")));  // the prefix is case-sensitive
  EXPECT_THAT(prefixed.out, Not(HasSubstr("Retail #1")));
  ProcessResult unknown =
      ws.cforg(with({"export", "--parent", "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8"}, kFast));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("--parent a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8: no organization"));
}

TEST_F(ExportE2E, RefusesToOverwriteWithoutForceAndToImportTrackedOrgs) {
  std::string existing = ws.dir().write("orgs.yaml", "organizations: []\n");
  int gets = requests(emu, "GET");
  ProcessResult refused = ws.cforg(with({"export", "-o", "orgs.yaml"}, kFast));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("orgs.yaml exists already; to replace it, add --force"));
  EXPECT_EQ(read_file(existing), "organizations: []\n");
  EXPECT_EQ(requests(emu, "GET"), gets) << "refused before reading anything";
  ProcessResult forced =
      ws.cforg(with({"export", "-o", "orgs.yaml", "--force", "--import"}, kFast));
  ASSERT_EQ(forced.exit_code, 0) << dump(forced);
  std::string state_before = read_file(ws.state_path());
  // Importing the same orgs again: refused before any file is written.
  ProcessResult again = ws.cforg(with({"export", "-o", "again.yaml", "--import"}, kFast));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("--import: the state tracks the key \"acme-corp\""));
  EXPECT_FALSE(file_exists(ws.dir() / "again.yaml"));
  EXPECT_EQ(read_file(ws.state_path()), state_before);
  // --import without a file to hold the config would leave the state tracking orgs no config
  // declares.
  ProcessResult nowhere = ws.cforg(with({"export", "--import"}, kFast));
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_THAT(nowhere.err, HasSubstr("--import needs -o FILE or -o DIR"));
}

TEST_F(ExportE2E, AFolderHoldsOneFilePerTopLevelTree) {
  ProcessResult ex = ws.cforg(with({"export", "-o", "orgs/", "--import"}, kFast));
  ASSERT_EQ(ex.exit_code, 0) << dump(ex);
  EXPECT_TRUE(file_exists(ws.dir() / "orgs/acme-corp.yaml"));
  EXPECT_TRUE(file_exists(ws.dir() / "orgs/beta.yaml"));
  EXPECT_THAT(read_file(ws.dir() / "orgs/beta.yaml"), HasSubstr("- name: Beta Team"));
  ProcessResult plan = ws.cforg(with({"plan", "-c", "orgs", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

// Thousands of orgs: one paged listing (1000 a page), not a request per org, and the next plan
// finds nothing to do. Members and accounts are left out: each costs a listing per org.
TEST(ExportScale, ThousandsOfOrgsInABoundedNumberOfListRequests) {
  // The list carries profiles here (the emulator includes the key only for an org that has
  // one, so every org gets one), so the export needs no profile reads either.
  Emulator emu({"--consistency-ms", "0", "--read-profile", "include"});
  Workspace made(&emu), ws(&emu);
  constexpr int kRoots = 50, kChildren = 59;  // 3000 orgs
  std::string yaml = "organizations:\n";
  for (int r = 0; r < kRoots; ++r) {
    const std::string profile =
        ", profile: {business_name: B" + std::to_string(r) +
        ", business_email: b@example.com, business_phone: \"+1\", business_address: A, "
        "external_metadata: M}";
    yaml += "  - {name: Unit " + std::to_string(r) + profile + "}\n";
    for (int c = 0; c < kChildren; ++c) {
      yaml += "  - {name: Team " + std::to_string(r) + "." + std::to_string(c) + ", parent: Unit " +
              std::to_string(r) + profile + "}\n";
    }
  }
  made.config(yaml);
  RunOptions slow;
  slow.timeout = std::chrono::seconds(300);
  ProcessResult apply =
      made.cforg(with({"apply", "--auto-approve", "--parallelism", "16"}, kFast), slow);
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  int gets_before = requests(emu, "GET");
  ProcessResult ex = ws.cforg(with(
      {"export", "-o", "orgs.yaml", "--import", "--members=false", "--accounts=false"}, kFast));
  ASSERT_EQ(ex.exit_code, 0) << dump(ex);
  int gets = requests(emu, "GET") - gets_before;
  EXPECT_EQ(gets, 3) << "3000 orgs at 1000 a page";
  EXPECT_THAT(ex.out, HasSubstr("Exported 3000 of the 3000 organizations listed (50 top-level "
                                "trees) to orgs.yaml, with 3 requests."));
  ProcessResult again = ws.cforg(with({"export", "--members=false", "--accounts=false"}, kFast));
  EXPECT_EQ(again.out, read_file(ws.dir() / "orgs.yaml"));
  ProcessResult plan = ws.cforg(with({"plan", "-c", "orgs.yaml", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("No changes. 3000 organizations"));
}

// Without profiles in the list (the published default), --profiles=false sends only the list;
// with profiles, one read per org, and a progress line on stderr; members and accounts (the
// default) add one listing each per org.
TEST(ExportScale, ProfilesCostOneReadEachUnlessLeftOut) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace made(&emu), ws(&emu);
  made.config(flat_config("Org", 120));
  ASSERT_EQ(made.cforg(with({"apply", "--auto-approve"}, kFast)).exit_code, 0);
  int before = requests(emu, "GET");
  const std::vector<std::string> no_contents = {"--members=false", "--accounts=false"};
  std::vector<std::string> lean_args = {"export", "--profiles=false"};
  lean_args.insert(lean_args.end(), no_contents.begin(), no_contents.end());
  ProcessResult lean = ws.cforg(with(lean_args, kFast));
  ASSERT_EQ(lean.exit_code, 0) << dump(lean);
  EXPECT_EQ(requests(emu, "GET") - before, 1);
  before = requests(emu, "GET");
  std::vector<std::string> profile_args = {"export"};
  profile_args.insert(profile_args.end(), no_contents.begin(), no_contents.end());
  ProcessResult profiles = ws.cforg(with(profile_args, kFast));
  ASSERT_EQ(profiles.exit_code, 0) << dump(profiles);
  EXPECT_EQ(requests(emu, "GET") - before, 121);
  EXPECT_THAT(profiles.err, HasSubstr("Reading profiles [120/120]"));
  before = requests(emu, "GET");
  ProcessResult full = ws.cforg(with({"export"}, kFast));
  ASSERT_EQ(full.exit_code, 0) << dump(full);
  EXPECT_EQ(requests(emu, "GET") - before, 361);
  EXPECT_THAT(full.err, HasSubstr("Reading profiles, members and accounts [360/360]"));
}

TEST(ConfigSchema, TheCommandPrintsThePublishedFile) {
  ProcessResult r = run_cforg({"schema"}, nullptr);
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(r.out, read_file(std::string(CFORG_SOURCE_DIR) + "/docs/config.schema.json"));
}

std::string python_check(const std::vector<std::string>& files, int* exit_code) {
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   std::string(CFORG_SOURCE_DIR) + "/tests/schema/check_config.py",
                                   std::string(CFORG_SOURCE_DIR) + "/docs/config.schema.json"};
  argv.insert(argv.end(), files.begin(), files.end());
  ProcessResult r = run(argv);
  *exit_code = r.exit_code;
  return r.out + r.err;
}

TEST(ConfigSchema, EveryExampleAndTheDocsConfigsAreValidAndTheInvalidExampleIsNot) {
  namespace fs = std::filesystem;
  std::vector<std::string> valid = {std::string(CFORG_SOURCE_DIR) + "/README.md",
                                    std::string(CFORG_SOURCE_DIR) + "/docs/CONFIGURATION.md"};
  for (const auto& f :
       fs::recursive_directory_iterator(std::string(CFORG_SOURCE_DIR) + "/examples")) {
    std::string ext = f.path().extension().string();
    if ((ext == ".yaml" || ext == ".yml") &&
        f.path().string().find("/examples/invalid/") == std::string::npos &&
        fs::is_regular_file(f.path())) {
      // CI workflows live beside the configs: only configs are checked here.
      if (read_file(f.path().string()).find("\norganizations:") == std::string::npos &&
          read_file(f.path().string()).rfind("organizations:", 0) != 0) {
        continue;
      }
      valid.push_back(f.path().string());
    }
  }
  ASSERT_GE(valid.size(), 2u);
  int code = -1;
  std::string out = python_check(valid, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("valid " + std::string(CFORG_SOURCE_DIR) + "/README.md (yaml block"));
  EXPECT_THAT(out, HasSubstr("valid " + std::string(CFORG_SOURCE_DIR) +
                             "/docs/CONFIGURATION.md (yaml block"));
  EXPECT_THAT(out, Not(HasSubstr("invalid")));

  // The invalid example: each problem the schema can express is found, at its place.
  out =
      python_check({std::string(CFORG_SOURCE_DIR) + "/examples/invalid/organizations.yaml"}, &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("/organizations/0/prevent_destroy: 'yes' is not of type 'boolean'"));
  EXPECT_THAT(out, HasSubstr("('naem' was unexpected)"));
  EXPECT_THAT(out, HasSubstr("/organizations/2/profile/business_phone: 15550130 is not of type"));
  EXPECT_THAT(out, HasSubstr("/organizations/2/profile: 'external_metadata' is a required"));
  EXPECT_THAT(out, HasSubstr("/organizations/4/parent:"));
}

TEST(ConfigSchema, AnExportedConfigIsValid) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace made(&emu), ws(&emu);
  made.config(
      "organizations:\n  - {name: \"yes\", key: a}\n  - {name: \"123\", parent: a}\n"
      "  - {name: \"- dash\", parent: a, profile: {business_name: n, business_email: e,\n"
      "     business_phone: \"+15550100\", business_address: \"a: b\", external_metadata: "
      "\"\"}}\n");
  ASSERT_EQ(made.cforg(with({"apply", "--auto-approve"}, kFast)).exit_code, 0);
  ProcessResult ex = ws.cforg(with({"export", "-o", "orgs.yaml"}, kFast));
  ASSERT_EQ(ex.exit_code, 0) << dump(ex);
  int code = -1;
  std::string out = python_check({ws.dir() / "orgs.yaml"}, &code);
  EXPECT_EQ(code, 0) << out << read_file(ws.dir() / "orgs.yaml");
}

TEST(Graph, DotOutputIsAcceptedByGraphvizAndMermaidHasTheTree) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(
      "organizations:\n  - {name: Acme, key: acme}\n  - {name: \"Retail \\\"EU\\\"\", key: retail, "
      "parent: acme}\n  - {name: Gone, key: gone}\n");
  ASSERT_EQ(ws.cforg(with({"apply", "--auto-approve"}, kFast)).exit_code, 0);
  ws.config(
      "organizations:\n  - {name: Acme, key: acme}\n  - {name: \"Retail \\\"EU\\\"\", key: retail, "
      "parent: acme}\n  - {name: New, parent: retail}\n  - {name: Partner, parent: {id: "
      "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}\n");
  ProcessResult d = ws.cforg({"graph", "--format", "dot"});
  ASSERT_EQ(d.exit_code, 0) << dump(d);
  std::string file = ws.dir().write("g.dot", d.out);
  ProcessResult svg = run({"/usr/bin/dot", "-Tsvg", file});
  EXPECT_EQ(svg.exit_code, 0) << dump(svg) << d.out;
  EXPECT_THAT(svg.out, HasSubstr("<svg"));
  EXPECT_THAT(svg.out, HasSubstr("+ New"));
  EXPECT_THAT(svg.out, HasSubstr("&#45; Gone"));  // Graphviz writes "-" as an entity
  // Graphviz refuses what is broken: the check can fail.
  std::string broken = ws.dir().write("broken.dot", d.out.substr(0, d.out.size() - 3));
  EXPECT_NE(run({"/usr/bin/dot", "-Tsvg", broken}).exit_code, 0);

  ProcessResult m = ws.cforg({"graph"});
  ASSERT_EQ(m.exit_code, 0) << dump(m);
  EXPECT_EQ(m.out.rfind("flowchart TD\n", 0), 0u);
  EXPECT_THAT(m.out, HasSubstr("[\"Retail #quot;EU#quot;<br/>retail\"]:::managed"));
  EXPECT_THAT(m.out, HasSubstr("[\"+ New\"]:::create"));
  EXPECT_THAT(m.out, HasSubstr("[\"- Gone<br/>gone\"]:::delete"));
  EXPECT_THAT(m.out,
              HasSubstr("([\"a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8<br/>(outside the config)\"])"));

  // The markdown plan draws the orgs that change (without Partner, whose made-up parent id
  // names no organization: an error of the plan).
  ws.config(
      "organizations:\n  - {name: Acme, key: acme}\n  - {name: \"Retail \\\"EU\\\"\", key: retail, "
      "parent: acme}\n  - {name: New, parent: retail}\n");
  ProcessResult md = ws.cforg(with({"plan", "--format", "markdown"}, kFast));
  ASSERT_EQ(md.exit_code, 0) << dump(md);
  EXPECT_THAT(md.out, HasSubstr("```mermaid\nflowchart TD\n"));
  EXPECT_THAT(md.out, HasSubstr("[\"+ New\"]:::create"));
  EXPECT_THAT(md.out, HasSubstr("[\"- Gone<br/>gone\"]:::delete"));
}

}  // namespace
}  // namespace cforg::testing
