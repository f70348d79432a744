// Every example config in examples/ is valid, and examples/invalid fails with the diagnostics
// docs/CONFIGURATION.md shows for it (read from that page, so the two cannot drift apart).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/binaries.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

namespace fs = std::filesystem;
const std::string kExamples = std::string(CFORG_SOURCE_DIR) + "/examples";

TEST(Examples, EveryExampleConfigValidates) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    std::string name = entry.path().filename();
    // ci and controller hold CI workflows and deploy manifests, not configs: their own checks
    // are tests/examples/check_workflows.py and check_controller_examples.py.
    if (!entry.is_directory() || name == "invalid" || name == "ci" || name == "controller")
      continue;
    ProcessResult r = run({cforg_bin(), "validate", "-c", entry.path()});
    EXPECT_EQ(r.exit_code, 0) << "examples/" << name << ": " << r.err;
    EXPECT_NE(r.out.find("The config is valid"), std::string::npos) << name;
    ++checked;
  }
  EXPECT_GE(checked, 4) << "acme, basic, hierarchy, multi-file";
}

TEST(Examples, MultiFileLayoutIsOneConfigAcrossItsFiles) {
  ProcessResult r = run({cforg_bin(), "validate", "-c", kExamples + "/multi-file"});
  EXPECT_EQ(r.out, "The config is valid: 6 organizations in 3 files.\n") << r.err;
}

TEST(Examples, InvalidExampleFailsWithTheDiagnosticsTheConfigurationPageShows) {
  std::string readme = read_file(std::string(CFORG_SOURCE_DIR) + "/docs/CONFIGURATION.md");
  const std::string command = "$ cforg validate -c examples/invalid\n";
  auto begin = readme.find(command);
  ASSERT_NE(begin, std::string::npos) << "docs/CONFIGURATION.md no longer shows " << command;
  begin += command.size();
  std::string shown = readme.substr(begin, readme.find("```", begin) - begin);

  RunOptions in_source;
  in_source.cwd = CFORG_SOURCE_DIR;  // the page shows paths relative to it
  ProcessResult r = run({cforg_bin(), "validate", "-c", "examples/invalid"}, in_source);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  int lines = 0;
  for (std::size_t at = 0; at < shown.size();) {
    auto nl = shown.find('\n', at);
    std::string line = shown.substr(at, nl - at);
    at = nl == std::string::npos ? shown.size() : nl + 1;
    auto text = line.find_first_not_of(' ');  // indented in a list item
    if (text == std::string::npos) continue;
    // The page shortens long messages with "(...)": compare what it shows.
    line = line.substr(text);
    line = line.substr(0, line.find(" (...)"));
    EXPECT_NE(r.err.find(line), std::string::npos) << "cforg no longer prints: " << line;
    ++lines;
  }
  EXPECT_GE(lines, 8);
}

}  // namespace
}  // namespace cforg::testing
