// Shell completions, the man page and the CLI reference, all generated from the CLI11 app tree
// at run time: every command and flag added anywhere is in them, so they cannot drift from the
// binary (a hand-written script would fall behind the first time someone adds a flag).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace cforg::cli {

// One option of a command, as the completions and the man page need it.
struct OptionInfo {
  std::vector<std::string> names;    // "-c", "--config"
  std::string value_name;            // "PATH"; empty for a flag (or an optional value: --refresh)
  std::vector<std::string> choices;  // from a CLI::IsMember check: {"text", "json", "markdown"}
  std::string default_value;         // as --help shows it; may be empty
  std::string description;
  bool takes_value = false;
  bool path = false;  // a file or folder: complete with the file system
  bool dir = false;   // a folder only
};

// A command and its subcommands; hidden commands (CLI11 group "") are left out.
struct CommandInfo {
  std::vector<std::string> path;  // {} for cforg itself, {"state", "list"}
  std::string description;
  std::vector<OptionInfo> options;
  std::vector<std::string> positionals;         // their names: PLANFILE, KEY, ...
  bool positional_paths = false;                // some positional is a file: complete files
  std::vector<std::string> positional_choices;  // a positional's CLI::IsMember words
  std::vector<CommandInfo> subcommands;
};

CommandInfo describe(CLI::App& app, const std::vector<std::string>& path = {});

// What the renderers share about the tree.
// Every command, `root` first, each followed by its subcommands (depth first).
std::vector<const CommandInfo*> all_commands(const CommandInfo& root);
// "cforg", "cforg state list".
std::string command_line(const CommandInfo& c);
// The last word of each subcommand's path: {"list", "mv", ...}.
std::vector<std::string> subcommand_names(const CommandInfo& c);
// Whether a subcommand is shown: hidden ones (the reference command) have the group "".
bool visible(const CLI::App* sub);
// `words` with `sep` between them.
std::string join(const std::vector<std::string>& words, const std::string& sep);

// `shell` is bash, zsh or fish; anything else throws std::invalid_argument.
std::string completion_script(CLI::App& app, const std::string& shell);

// docs/CLI.md: each command's --help, as CLI11 prints it, one section per command.
std::string markdown_reference(CLI::App& app);

// man/man1/cforg.1 (roff, man(7) macros).
std::string man_page(CLI::App& app, const std::string& version);

}  // namespace cforg::cli
