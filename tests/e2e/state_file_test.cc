// Where the state file lives: through a symlink, and in a folder that must exist.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StateFile, AStateSymlinkStaysALinkAndItsTargetGetsTheNewSerial) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(flat_config("Linked", 2));
  std::filesystem::create_directories(ws.dir() / "shared");
  std::filesystem::create_symlink("shared/team.state.json", ws.dir() / "s.json");
  ProcessResult first = ws.cforg({"apply", "--auto-approve", "--state", "s.json"});
  ASSERT_EQ(first.exit_code, 0) << dump(first);
  ws.config(flat_config("Linked", 3));
  ProcessResult second = ws.cforg({"apply", "--auto-approve", "--state", "s.json"});
  ASSERT_EQ(second.exit_code, 0) << dump(second);
  EXPECT_THAT(second.out, HasSubstr("State saved to s.json (serial 2)"));

  EXPECT_TRUE(std::filesystem::is_symlink(ws.dir() / "s.json")) << "replaced by a plain file";
  nlohmann::json target = nlohmann::json::parse(read_file(ws.dir() / "shared/team.state.json"));
  EXPECT_EQ(target["serial"], 2);
  EXPECT_EQ(target["organizations"].size(), 3u);
  // The backup is the target's, beside it; nothing was left beside the link.
  EXPECT_TRUE(file_exists(ws.dir() / "shared/team.state.json.backup"));
  EXPECT_FALSE(file_exists(ws.dir() / "s.json.backup"));
  // A run through the target sees the same state: nothing to do.
  ProcessResult plan =
      ws.cforg({"plan", "--detailed-exitcode", "--state", "shared/team.state.json"});
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

TEST(StateFile, AStatePathInAMissingFolderIsAnErrorNotAnEmptyEstate) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(flat_config("Typo", 2));
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  const std::string state = read_file(ws.state_path());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"plan", "--refresh=false"},
                                               {"plan"},
                                               {"apply", "--auto-approve"},
                                               {"state", "list"}}) {
    std::vector<std::string> argv = args;
    argv.insert(argv.end(), {"--state", "/nonexistent-dir/s.json"});
    ProcessResult r = ws.cforg(argv);
    SCOPED_TRACE(args.front());
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.err, HasSubstr("the folder /nonexistent-dir of the state file "
                                 "/nonexistent-dir/s.json does not exist"));
    EXPECT_THAT(r.err, HasSubstr("mkdir -p /nonexistent-dir"));
    EXPECT_THAT(r.out, Not(HasSubstr("will be created")));
  }
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-dir"));
  EXPECT_EQ(read_file(ws.state_path()), state);
  EXPECT_EQ(requests(emu, "POST"), 2) << "nothing created after the first apply";
  // A relative one too; the default folder state/ is still created when missing.
  ProcessResult relative = ws.cforg({"plan", "--refresh=false", "--state", "typo/s.json"});
  EXPECT_EQ(relative.exit_code, 1) << dump(relative);
  EXPECT_FALSE(file_exists(ws.dir() / "typo"));
}

}  // namespace
}  // namespace cforg::testing
