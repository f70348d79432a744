// docs/CLI.md is the binary's own help (cforg reference --format markdown): it fails here
// when a command or flag changes without it. CFORG_UPDATE_GOLDEN=1 rewrites it; review the diff.
// The man page, generated the same way, must be valid roff without a warning.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "support/binaries.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

const std::string kReference = std::string(CFORG_SOURCE_DIR) + "/docs/CLI.md";

TEST(CliReference, DocsCliMdIsWhatTheBinaryPrints) {
  ProcessResult r = run({cforg_bin(), "reference", "--format", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (std::getenv("CFORG_UPDATE_GOLDEN")) {
    std::ofstream(kReference, std::ios::binary) << r.out;
  }
  ASSERT_TRUE(file_exists(kReference)) << "no " << kReference << " (CFORG_UPDATE_GOLDEN=1)";
  EXPECT_EQ(read_file(kReference), r.out)
      << "docs/CLI.md differs from cforg's help; if the change is intended, run "
         "CFORG_UPDATE_GOLDEN=1 ctest --test-dir build -R CliReference and review the diff";
}

TEST(CliReference, HasASectionWithTheHelpOfEveryCommand) {
  ProcessResult md = run({cforg_bin(), "reference"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  for (std::vector<std::string> command :
       std::vector<std::vector<std::string>>{{"plan"}, {"state", "list"}, {"completion"}}) {
    std::string line = "cforg";
    std::vector<std::string> argv = {cforg_bin()};
    for (const auto& word : command) {
      line += " " + word;
      argv.push_back(word);
    }
    argv.push_back("--help");
    ProcessResult help = run(argv);
    ASSERT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(md.out.find("\n## " + line + "\n\n```text\n" + help.out + "```\n"), std::string::npos)
        << line;
  }
  EXPECT_EQ(md.out.find("## cforg reference"), std::string::npos) << "the hidden command shows";
}

TEST(ManPage, IsValidRoffAndDescribesEveryCommand) {
  ProcessResult man = run({cforg_bin(), "reference", "--format", "man"});
  ASSERT_EQ(man.exit_code, 0) << man.err;
  EXPECT_EQ(man.out.rfind(".\\\" Generated", 0), 0u);
  for (const char* heading : {".SS \"cforg plan\"", ".SS \"cforg state list\"",
                              ".SS \"cforg apply PLANFILE\"", ".SH EXIT STATUS"}) {
    EXPECT_NE(man.out.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(man.out.find("\\fB\\-\\-format\\fR text|json|markdown"), std::string::npos);
  ProcessResult groff = run({"/bin/sh", "-c", "command -v groff"});
  if (groff.exit_code != 0) GTEST_SKIP() << "groff is not installed";
  TempDir dir;
  std::string page = dir.write("cforg.1", man.out);
  ProcessResult checked = run({"/bin/sh", "-c", "groff -man -ww -z \"$0\"", page});
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_EQ(checked.err, "") << "groff warns about the man page";
}

}  // namespace
}  // namespace cforg::testing
