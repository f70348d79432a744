// cforg completion bash|zsh|fish, and the hidden cforg reference --format markdown|man that
// the build (man page) and docs/CLI.md are generated with. Both render the app tree itself.
#include <cstdio>
#include <memory>
#include <string>

#include "cli_reference.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {

void add_completion_command(CLI::App& app, Runner& run) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "completion",
      "Print a shell completion script: source <(cforg completion bash); see docs/GUIDE.md");
  cmd->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->callback([shell, &app, &run] {
    run.set([shell, &app] {
      std::fputs(completion_script(app, *shell).c_str(), stdout);
      return kExitOk;
    });
  });
}

void add_reference_command(CLI::App& app, Runner& run) {
  auto format = std::make_shared<std::string>("markdown");
  CLI::App* cmd = app.add_subcommand(
      "reference", "Print the CLI reference (docs/CLI.md) or the man page, from this binary");
  cmd->group("");  // hidden: for the build and the docs, not for users
  cmd->add_option("--format", *format, "markdown or man")
      ->capture_default_str()
      ->check(CLI::IsMember({"markdown", "man"}));
  cmd->callback([format, &app, &run] {
    run.set([format, &app] {
      std::string text = *format == "man" ? man_page(app, CFORG_VERSION) : markdown_reference(app);
      std::fputs(text.c_str(), stdout);
      return kExitOk;
    });
  });
}

}  // namespace cforg::cli
