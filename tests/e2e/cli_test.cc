// The command-line contract: exit codes, errors for people, bad input never touches state,
// one writer at a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "support/binaries.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(Cli, VersionAndHelpOnEveryCommand) {
  ProcessResult v = run_cforg({"version"}, nullptr);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, MatchesRegex("cforg [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  for (std::vector<std::string> cmd : {std::vector<std::string>{"--help"},
                                       {"validate", "--help"},
                                       {"plan", "--help"},
                                       {"apply", "--help"},
                                       {"refresh", "--help"},
                                       {"import", "--help"},
                                       {"state", "--help"},
                                       {"state", "list", "--help"},
                                       {"state", "mv", "--help"},
                                       {"force-unlock", "--help"}}) {
    ProcessResult r = run_cforg(cmd, nullptr);
    EXPECT_EQ(r.exit_code, 0) << cmd.front();
    EXPECT_THAT(r.out, HasSubstr("Usage:")) << cmd.front();
  }
  ProcessResult bad = run_cforg({"plan", "--no-such-flag"}, nullptr);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--no-such-flag"));
}

TEST(Cli, ValidateReportsEveryErrorWithItsLocation) {
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Good}\n", "a.yaml");
  ws.config(R"(organizations:
  - name: Root
    naem: typo
  - name: Child
    parent: nowhere
)",
            "b.yaml");
  ProcessResult r = ws.cforg({"validate", "-c", "a.yaml", "-c", "b.yaml"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("b.yaml:3:5:"));
  EXPECT_THAT(r.err, HasSubstr("'name'"));
  EXPECT_THAT(r.err, HasSubstr("b.yaml:5:13:"));
  EXPECT_THAT(r.err, HasSubstr("nowhere"));
  ws.config("organizations:\n  - {name: Second}\n  - {name: Other, parent: Good}\n", "b.yaml");
  ProcessResult ok = ws.cforg({"validate", "-c", ws.dir().path()});
  EXPECT_EQ(ok.exit_code, 0) << dump(ok);
  EXPECT_THAT(ok.out, HasSubstr("3 organizations in 2 files"));
}

TEST(Cli, ConfigFlagTakesOnePathAndLeavesThePositionalArguments) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config("organizations:\n  - {name: Root}\n", "orgs/a.yaml");
  ws.config("organizations:\n  - {name: Other}\n", "more/b.yaml");
  ProcessResult plan = ws.cforg({"plan", "-c", "orgs", "-c", "more", "--out", "saved.json"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("2 to create"));  // -c repeats
  // The plan file after -c is the plan to apply, not a second config path.
  ProcessResult apply = ws.cforg({"apply", "-c", "orgs", "-c", "more", "saved.json"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(emu.organizations().size(), 2u);
}

TEST(Cli, PlanOutWritesThroughSymlinksToStdoutAndNeverOverDevicesOrTheConfig) {
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n");
  const std::vector<std::string> plan = {"plan", "--refresh=false"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = plan;
    args.insert(args.end(), extra.begin(), extra.end());
    return ws.cforg(args);
  };
  // "-": the plan file on stdout, what people read on stderr.
  ProcessResult dash = with({"--out", "-"});
  ASSERT_EQ(dash.exit_code, 0) << dump(dash);
  EXPECT_EQ(nlohmann::json::parse(dash.out)["format_version"], 3);
  EXPECT_THAT(dash.err, HasSubstr("will be created"));
  EXPECT_FALSE(file_exists(ws.dir() / "-"));
  // Not over the config itself, nor over a device.
  const std::string config = read_file(ws.dir() / "cforg.yaml");
  ProcessResult over_config = with({"--out", "cforg.yaml"});
  EXPECT_EQ(over_config.exit_code, 1);
  EXPECT_THAT(over_config.err, HasSubstr("is the config file"));
  EXPECT_EQ(read_file(ws.dir() / "cforg.yaml"), config);
  ProcessResult device = with({"--out", "/dev/null"});
  EXPECT_EQ(device.exit_code, 1);
  EXPECT_THAT(device.err, HasSubstr("not a regular file"));
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  // Through a symlink, to its target: the link stays a link.
  std::filesystem::create_directories(ws.dir() / "plans");
  std::filesystem::create_symlink("plans/real.json", ws.dir() / "link.json");
  ProcessResult linked = with({"--out", "link.json"});
  ASSERT_EQ(linked.exit_code, 0) << dump(linked);
  EXPECT_TRUE(std::filesystem::is_symlink(ws.dir() / "link.json"));
  EXPECT_EQ(nlohmann::json::parse(read_file(ws.dir() / "plans/real.json"))["format_version"], 3);
  // A missing folder is named.
  ProcessResult nowhere = with({"--out", "no/such/folder/p.json"});
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_THAT(nowhere.err, HasSubstr("does not exist"));
}

TEST(Cli, AWriteErrorOnStandardOutputIsAnError) {
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n");
  RunOptions opts;
  opts.cwd = ws.dir().path();
  ProcessResult full = run(
      {"/bin/sh", "-c",
       std::string("exec '") + cforg_bin() + "' plan --refresh=false --format json > /dev/full"},
      opts);
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_THAT(full.err, HasSubstr("cannot write to standard output: No space left on device"));
}

TEST(Cli, BadInputNeverTouchesTheState) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config("organizations:\n  - {name: Root}\n");
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  std::string before = read_file(ws.state_path());

  ws.config("organizations:\n  - {name: Root, parent: [oops}\n");  // YAML syntax error
  ProcessResult r = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cforg.yaml:2:"));
  EXPECT_EQ(read_file(ws.state_path()), before);

  ws.config("organizations:\n  - {name: Root, profile: {business_phone: +15550100}}\n");
  r = ws.cforg({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("quote it"));
  EXPECT_EQ(read_file(ws.state_path()), before);
  EXPECT_EQ(mutations(emu), 1);
}

TEST(Cli, CorruptStateIsAClearErrorAndIsNeverOverwritten) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config("organizations:\n  - {name: Root}\n");
  std::string corrupt = "{\n  \"format_version\": 1,\n  \"organizations\": {\n";
  ws.dir().write("state/cforg.state.json", corrupt);
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"plan"}, {"apply", "--auto-approve"}}) {
    ProcessResult r = ws.cforg(cmd);
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.err, HasSubstr("state/cforg.state.json"));
    EXPECT_EQ(read_file(ws.state_path()), corrupt);
  }
  ws.dir().write("state/cforg.state.json",
                 R"({"format_version": 7, "lineage": "x", "serial": 1, "organizations": {}})");
  ProcessResult r = ws.cforg({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("format_version"));
  EXPECT_EQ(mutations(emu), 0);
}

TEST(Cli, ASecondWriterFailsAtOnceNamingTheHolder) {
  Emulator emu({"--latency-ms", "400"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 20));
  std::unique_ptr<Child> first =
      ws.start({"apply", "--auto-approve", "--parallelism", "1"}, "first");
  // Wait until it holds the lock and has started creating.
  for (int i = 0; i < 100 && requests(emu, "POST") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(requests(emu, "POST"), 0) << first->err();

  auto start = std::chrono::steady_clock::now();
  ProcessResult second = ws.cforg({"plan"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(second.exit_code, 1) << dump(second);
  EXPECT_THAT(second.err, HasSubstr("locked"));
  EXPECT_THAT(second.err, HasSubstr("apply"));
  EXPECT_THAT(second.err, HasSubstr(std::to_string(first->pid())));
  EXPECT_THAT(second.err, HasSubstr("force-unlock"));
  EXPECT_LT(took, std::chrono::seconds(3)) << "fails at once, does not wait";

  // force-unlock wants the holder's id: another one changes nothing and names the right one.
  ProcessResult wrong = ws.cforg({"force-unlock", "not-the-lock-id"});
  EXPECT_EQ(wrong.exit_code, 1) << dump(wrong);
  EXPECT_THAT(wrong.err, HasSubstr("the lock id is "));
  EXPECT_THAT(wrong.err, HasSubstr(", not not-the-lock-id (held by "));
  EXPECT_EQ(ws.cforg({"plan"}).exit_code, 1) << "still locked";

  // A holder killed with SIGKILL leaves no stale lock behind.
  first->kill(SIGKILL);
  first->wait();
  ProcessResult after = ws.cforg({"plan", "--refresh=false"});
  EXPECT_EQ(after.exit_code, 0) << dump(after);
}

TEST(Cli, ForceUnlockWantsTheRightId) {
  Workspace ws(nullptr);
  ProcessResult r = ws.cforg({"force-unlock", "not-a-lock-id"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("Error:"));
  EXPECT_THAT(r.err, HasSubstr("is not locked")) << "nothing holds this state";
}

}  // namespace
}  // namespace cforg::testing

namespace cforg::testing {
namespace {

// Runs cforg on a pseudo-terminal (util-linux `script`), with `input` typed into it.
ProcessResult on_terminal(const Workspace& ws, const Emulator& emu, const std::string& args,
                          const std::string& input) {
  RunOptions opts;
  opts.stdin_text = input;
  opts.cwd = ws.dir().path();
  opts.env = emu.env();
  return run({"/usr/bin/script", "-qec", std::string(cforg_bin()) + " " + args, "/dev/null"}, opts);
}

TEST(Terminal, AsksForYesAndShowsALiveProgressLine) {
  Emulator emu({"--latency-ms", "20"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 40));

  ProcessResult no = on_terminal(ws, emu, "apply --no-color", "no\n");
  EXPECT_EQ(no.exit_code, 1) << dump(no);
  EXPECT_THAT(no.out, HasSubstr("Only 'yes' will be accepted"));
  EXPECT_THAT(no.out, HasSubstr("Apply cancelled"));
  EXPECT_EQ(mutations(emu), 0);

  ProcessResult yes = on_terminal(ws, emu, "apply --no-color --parallelism 4", "yes\n");
  EXPECT_EQ(yes.exit_code, 0) << dump(yes);
  EXPECT_THAT(yes.out, HasSubstr("[40/40]"));
  EXPECT_THAT(yes.out, HasSubstr("in flight"));
  // Each org's line scrolls above the live one, as the README's tour shows an interactive apply.
  EXPECT_THAT(yes.out, HasSubstr("org \"Org 0\": created"));
  EXPECT_THAT(yes.out, HasSubstr("org \"Org 39\": created"));
  EXPECT_EQ(requests(emu, "POST"), 40);
}

}  // namespace
}  // namespace cforg::testing
