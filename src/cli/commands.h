// The commands of `cforg`. Each add_* registers one subcommand on the app; when it is the one
// given, its runner is stored in `run`, and main sets up logging from its options and calls it
// after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace cforg::cli {

struct CommonOptions;

struct Runner {
  std::function<int()> run;
  const CommonOptions* common = nullptr;  // the command's --log-level and --color, if it has them

  void set(std::function<int()> f, const CommonOptions* c = nullptr) {
    run = std::move(f);
    common = c;
  }
};

void add_validate_command(CLI::App& app, Runner& run);
void add_plan_command(CLI::App& app, Runner& run);
void add_apply_command(CLI::App& app, Runner& run);
void add_refresh_command(CLI::App& app, Runner& run);
void add_import_command(CLI::App& app, Runner& run);
void add_state_command(CLI::App& app, Runner& run);
void add_force_unlock_command(CLI::App& app, Runner& run);
void add_version_command(CLI::App& app, Runner& run);
void add_export_command(CLI::App& app, Runner& run);
void add_schema_command(CLI::App& app, Runner& run);
void add_graph_command(CLI::App& app, Runner& run);
void add_show_command(CLI::App& app, Runner& run);
void add_controller_command(CLI::App& app, Runner& run);
// Generated from the app tree, so added last in main (any order works: they run after parsing).
void add_completion_command(CLI::App& app, Runner& run);
void add_reference_command(CLI::App& app, Runner& run);  // hidden

// Exit codes: a contract with scripts and CI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitChanges = 2;  // plan --detailed-exitcode only

}  // namespace cforg::cli
