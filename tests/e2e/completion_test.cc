// `cforg completion bash|zsh|fish`: the scripts load in their shells and complete what the
// binary has. The bash script is exercised the way bash calls it (COMP_WORDS, COMP_CWORD);
// fish has `complete -C`; zsh's completion system needs a terminal, so its script is
// syntax-checked and loaded into compinit. A shell that is not installed is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "support/binaries.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

// The path of `program` on PATH, or "" (run() takes a path).
std::string which(const std::string& program) {
  ProcessResult r = run({"/bin/sh", "-c", "command -v \"$0\"", program});
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

std::string script(const std::string& shell) {
  ProcessResult r = run({cforg_bin(), "completion", shell});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// What bash's completion offers for `words` (the last one is being completed).
std::string bash_completes(const std::string& file, const std::string& words) {
  ProcessResult r = run({"/bin/bash", "-c",
                         "source \"$0\" && COMP_WORDS=(" + words +
                             ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _cforg && "
                             "printf '%s\\n' \"${COMPREPLY[@]}\"",
                         file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Completion, BashCompletesSubcommandsFlagsAndTheirChoices) {
  TempDir dir;
  std::string file = dir.write("cforg.bash", script("bash"));
  ProcessResult registered = run({"/bin/bash", "-c", "source \"$0\" && complete -p cforg", file});
  EXPECT_EQ(registered.out, "complete -F _cforg cforg\n") << registered.err;

  EXPECT_EQ(bash_completes(file, "cforg pl"), "plan\n");
  EXPECT_EQ(bash_completes(file, "cforg state l"), "list\n");
  EXPECT_EQ(bash_completes(file, "cforg plan --detailed"), "--detailed-exitcode\n");
  EXPECT_EQ(bash_completes(file, "cforg plan --format m"), "markdown\n");
  EXPECT_EQ(bash_completes(file, "cforg plan --format = j"), "json\n");  // bash splits at '='
  EXPECT_EQ(bash_completes(file, "cforg --help-all plan --log-level=e"), "error\n");
  EXPECT_EQ(bash_completes(file, "cforg completion f"), "fish\n");
  // A flag's value is not taken for a subcommand: after --state FILE, still plan's flags.
  EXPECT_EQ(bash_completes(file, "cforg plan --state state apply --ado"), "--adopt\n");
  // Paths complete from the file system.
  dir.write("orgs/cforg.yaml", "organizations: []\n");
  EXPECT_EQ(bash_completes(file, "cforg validate -c " + dir.path() + "/or"),
            dir.path() + "/orgs\n");
}

// Every command and flag that --help-all shows is in the bash script: nothing is left out when
// someone adds one.
TEST(Completion, BashKnowsEveryCommandAndFlagOfHelpAll) {
  std::string bash = script("bash");
  std::replace(bash.begin(), bash.end(), '\'', ' ');  // -h and --replace end quoted words
  ProcessResult help = run({cforg_bin(), "--help-all"});
  ASSERT_EQ(help.exit_code, 0);
  // The option column only ("  -c,--config PATH ..."): a description may quote other tools'
  // flags (Terraform's -target).
  static const std::regex option_line("^ +(-[A-Za-z],)?(--[a-z][a-z0-9-]*)", std::regex::multiline);
  std::set<std::string> flags;
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), option_line);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[1].matched) flags.insert((*it)[1].str().substr(0, 2));
    flags.insert((*it)[2]);
  }
  ASSERT_GT(flags.size(), 20u);
  for (const auto& f : flags) {
    EXPECT_NE(bash.find(" " + f + " "), std::string::npos) << f << " is not in the bash script";
  }
  static const std::regex command("^(  )?([a-z][a-z-]*)\n  +[A-Z]", std::regex::multiline);
  for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), command);
       it != std::sregex_iterator(); ++it) {
    EXPECT_NE(bash.find((*it)[2].str() + " "), std::string::npos) << (*it)[2];
  }
}

TEST(Completion, FishCompletesSubcommandsFlagsAndChoices) {
  std::string fish = which("fish");
  if (fish.empty()) GTEST_SKIP() << "fish is not installed";
  TempDir dir;
  std::string file = dir.write("cforg.fish", script("fish"));
  ProcessResult syntax = run({fish, "--no-execute", file});
  ASSERT_EQ(syntax.exit_code, 0) << syntax.err;
  auto completes = [&](const std::string& line) {
    ProcessResult r = run(
        {fish, "--no-config", "-c",
         "source $argv[1]; complete -C $argv[2] | string replace -r '\\t.*' ''; true", file, line});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(completes("cforg pl"), "plan\n");
  EXPECT_EQ(completes("cforg state l"), "list\n");
  EXPECT_EQ(completes("cforg plan --format "), "json\nmarkdown\ntext\n");
  EXPECT_NE(completes("cforg apply --").find("--auto-approve\n"), std::string::npos);
  EXPECT_EQ(completes("cforg state list --auto"), "");  // apply's flag, not state list's
}

TEST(Completion, ZshScriptParsesAndRegistersWithCompinit) {
  std::string zsh_bin = which("zsh");
  if (zsh_bin.empty()) GTEST_SKIP() << "zsh is not installed";
  TempDir dir;
  std::string file = dir.write("_cforg", script("zsh"));
  ProcessResult syntax = run({zsh_bin, "-n", file});
  ASSERT_EQ(syntax.exit_code, 0) << syntax.err;
  ProcessResult loaded =
      run({zsh_bin, "-fc",
           "autoload -U compinit && compinit -u -d \"$1.zcompdump\" && source \"$1\" && "
           "print -r -- $_comps[cforg] && whence -w _cforg_state_list _cforg_plan",
           "zsh", file});
  EXPECT_EQ(loaded.out, "_cforg\n_cforg_state_list: function\n_cforg_plan: function\n")
      << loaded.err;
  // A flag with choices offers them; a path flag completes files.
  std::string zsh = read_file(file);
  EXPECT_NE(zsh.find("'--format=[Output: text, json (versioned schema) or markdown]:TEXT:(text "
                     "json markdown)'"),
            std::string::npos);
  EXPECT_NE(zsh.find("'*-c+[Config file or folder (every *.yaml/*.yml in it)]:PATH:_files'"),
            std::string::npos);  // repeatable, so not exclusive
  EXPECT_NE(zsh.find("'(-h --help)--help[Print this help message and exit]'"), std::string::npos);
}

TEST(Completion, UnknownShellIsRefusedWithTheChoices) {
  ProcessResult r = run({cforg_bin(), "completion", "tcsh"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tcsh not in {bash,zsh,fish}"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cforg::testing
