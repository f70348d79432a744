// What the commands share: flags, logging, terminal questions, the options of the operations.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cforg/config/config.h"
#include "cforg/ops/options.h"

namespace cforg::cli {

// A failure to report to the user as "Error: <what>" with exit code 1: the operations layer's.
using Failure = ops::Error;

struct CommonOptions {
  std::vector<std::string> config_paths;
  std::string state_path = ops::BackendOptions::kDefaultStatePath;
  std::string backend = "local";      // local | pg
  std::string state_url;              // pg: else CFORG_PG_URL; holds a password, never shown
  std::string workspace = "default";  // pg: several configs share one database
  std::string log_level;
  std::string log_format = "text";  // text | json (one JSON object a line)
  std::string color = "auto";       // auto | always | never
  bool no_color = false;            // --no-color: the same as --color never
  double lock_timeout = 0;  // seconds to wait for a lock another process holds (0: fail at once)
};

// The operations' options, bound to flags; the environment (credentials, base URL, CA bundle)
// is read by network_options() when the command runs.
using NetworkOptions = ops::NetworkOptions;
using PlanFlags = ops::PlanFlags;
void add_plan_flags(CLI::App* cmd, PlanFlags& o);

void add_common_options(CLI::App* cmd, CommonOptions& o, bool with_config = true);
// A switch that is on by default: `--NAME` or `--NAME=true` keeps it, `--NAME=false` turns it
// off (CLI11 parses the value).
CLI::Option* add_default_on(CLI::App* cmd, const std::string& name, bool& value,
                            const std::string& help);
// --lock-timeout DURATION, for the commands that take the state's lock.
CLI::Option* add_lock_timeout_option(CLI::App* cmd, CommonOptions& o);
void add_network_options(CLI::App* cmd, NetworkOptions& o, bool with_refresh = true);
// --allow-mass-forget, for the commands that refresh (add_network_options adds it with
// with_refresh).
void add_mass_forget_flag(CLI::App* cmd, NetworkOptions& o);

// Asks `question` on the terminal; true only for "yes". Throws Failure, ending with
// `without_terminal` (what to do instead), when stdin is not a terminal.
bool confirmed(const char* question, const char* without_terminal);

// Logging to stderr at --log-level, else CFORG_LOG, else "warn". Called once, by main, with
// the options of the command given.
void setup_logging(const CommonOptions& o);
// Color on `stream`: --color always|never decides; auto (the default) means a terminal, unless
// NO_COLOR is set or TERM is "dumb". --no-color is --color never.
bool use_color(const CommonOptions& o, std::FILE* stream);
// Whether `stream` can redraw a line in place (a terminal that is not TERM=dumb).
bool can_redraw(std::FILE* stream);

// --chdir DIR, before the command: changes the working folder before anything is read.
// Returns an error message for a folder that cannot be entered, else "".
std::string chdir_from_args(int argc, char** argv);
// For an argument the parser did not understand: "did you mean --refresh?" (or a command's
// name), from the options and subcommands of the command that was being parsed; "" when
// nothing is close.
std::string suggestion_for(const CLI::App& app, const std::string& error);

// When parsing stopped at a word where a command was required (cforg plna, cforg state lst):
// "plna is not a command of cforg: did you mean plan? (cforg --help lists them)"; else "".
std::string unknown_command_error(const CLI::App& app);

// The config paths, or cforg.yaml (Failure when there is none).
std::vector<std::string> config_paths(const CommonOptions& o);

// Where the state lives, for the operations: --backend, --state, --state-url (else
// CFORG_PG_URL), --workspace, --lock-timeout; waiting for the lock is said on stderr, and for
// whom.
ops::BackendOptions backend_options(const CommonOptions& o);
// `o` with what the environment holds: the credentials (CLOUDFLARE_API_TOKEN, or
// CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY), CLOUDFLARE_BASE_URL, and the CA bundle
// (--ca-bundle, else CURL_CA_BUNDLE, else SSL_CERT_FILE).
ops::NetworkOptions network_options(const NetworkOptions& o);

// Prints "Error: <message>" on stderr.
void print_error(const std::string& message);

}  // namespace cforg::cli
