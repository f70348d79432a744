// cforg: Cloudflare organizations as code. Parses the command line and runs one command.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "commands.h"
#include "common.h"

int main(int argc, char** argv) {
  using namespace cforg::cli;
  CLI::App app{
      "cforg: Cloudflare organizations as code.\n"
      "Describe organizations in YAML, see a plan of what would change, apply it.",
      "cforg"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  app.set_version_flag("--version", std::string("cforg ") + CFORG_VERSION, "Print the version");
  // Registered for --help and completion; acted on by chdir_from_args before parsing.
  std::string chdir_dir;
  app.add_option("-C,--chdir", chdir_dir,
                 "Run in DIR: every path (config, state, plan file) is then relative to it. "
                 "Before the command: cforg --chdir DIR plan")
      ->type_name("DIR");
  // Options from a file (TOML: `name = value`, a command's under its [section], as
  // [controller] mode = "apply"), before the command: cforg --settings FILE controller.
  app.set_config("--settings", "", "Read options from FILE (TOML; [controller] for that command's)")
      ->type_name("FILE");
  app.allow_config_extras(false);  // a misspelt key in the file is an error, as on the command line
  Runner run;
  add_validate_command(app, run);
  add_plan_command(app, run);
  add_apply_command(app, run);
  add_refresh_command(app, run);
  add_import_command(app, run);
  add_state_command(app, run);
  add_force_unlock_command(app, run);
  add_version_command(app, run);
  add_export_command(app, run);
  add_schema_command(app, run);
  add_graph_command(app, run);
  add_show_command(app, run);
  add_controller_command(app, run);
  add_completion_command(app, run);
  add_reference_command(app, run);
  if (std::string why = chdir_from_args(argc, argv); !why.empty()) {
    print_error(why);
    return kExitError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A word where a command belongs: CLI11 would say "A subcommand is required", which is
    // not what went wrong. Say that the word is no command, and which one is near.
    if (std::string why = unknown_command_error(app); !why.empty()) {
      print_error(why);
      return kExitError;
    }
    int code = app.exit(e);  // prints help, or the error with a hint
    if (code != 0) {
      if (std::string hint = suggestion_for(app, e.what()); !hint.empty()) {
        std::fprintf(stderr, "%s\n", hint.c_str());
      }
    }
    return code == 0 ? kExitOk : kExitError;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // Once, with the options of the command given (--log-level, --color). The commands without
  // them (version, schema, completion) log nothing.
  if (run.common) setup_logging(*run.common);
  try {
    int code = run.run ? run.run() : kExitError;
    // A plan piped into a full disk, or a closed pipe, must not look like success.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      print_error(std::string("cannot write to standard output: ") + std::strerror(errno));
      return kExitError;
    }
    return code;
  } catch (const cforg::ops::ConfigError& e) {
    std::fputs(e.report.c_str(), stderr);  // every problem with its place, as validate prints
  } catch (const Failure& e) {             // ops::Error: every operation's, and the commands' own
    print_error(e.what());
  } catch (const std::exception& e) {
    print_error(std::string("unexpected: ") + e.what() +
                ". This is a bug in cforg; please report it with the command you ran.");
  }
  return kExitError;
}
