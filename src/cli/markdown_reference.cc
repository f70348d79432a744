// docs/CLI.md: each command's --help, one section per command, after a table of contents.
#include <cctype>
#include <sstream>

#include "cforg/model/ascii.h"
#include "cli_reference.h"

namespace cforg::cli {
namespace {

// Each command's own --help, as CLI11 prints it. App::help() would describe the command that
// was parsed instead (the one generating this), so the formatter is called directly.
void help_sections(CLI::App& app, const std::string& line, std::ostringstream& out) {
  out << "\n## " << line << "\n\n```text\n"
      << app.get_formatter()->make_help(&app, line, CLI::AppFormatMode::Normal) << "```\n";
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return visible(s); })) {
    help_sections(*sub, line + " " + sub->get_name(), out);
  }
}

std::string anchor(const std::string& title) {
  std::string out;
  for (char ch : title) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') {
      out += ascii_lower(ch);
    } else if (ch == ' ') {
      out += '-';
    }
  }
  return out;
}

}  // namespace

std::string markdown_reference(CLI::App& app) {
  std::ostringstream out;
  out << "# cforg command-line reference\n\n"
      << "Every command's `--help`, generated from the binary (`cforg reference --format "
         "markdown`, a hidden command). A test (`tests/e2e/cli_reference_test.cc`) fails when "
         "this page differs from what `cforg` prints; after changing a command or a flag, "
         "regenerate it with\n"
         "`CFORG_UPDATE_GOLDEN=1 ctest --test-dir build -R CliReference`. The user guide is "
         "[GUIDE.md](GUIDE.md).\n\n";
  CommandInfo root = describe(app);
  for (const CommandInfo* c : all_commands(root)) {
    std::string line = command_line(*c);
    out << std::string(2 * (c->path.empty() ? 0 : c->path.size() - 1), ' ') << "- [`" << line
        << "`](#" << anchor(line) << ")"
        << (c->path.empty() ? "" : ": " + c->description.substr(0, c->description.find('\n')))
        << "\n";
  }
  help_sections(app, "cforg", out);
  return out.str();
}

}  // namespace cforg::cli
