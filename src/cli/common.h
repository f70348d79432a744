// What the commands share: flags, logging, loading config and state, making the API client.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/config/config.h"
#include "cforg/plan/refresh.h"
#include "cforg/state/backend.h"

namespace cforg::cli {

// A failure to report to the user as "Error: <what>" with exit code 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommonOptions {
  std::vector<std::string> config_paths;
  std::string state_path = "state/cforg.state.json";
  std::string backend = "local";      // local | pg
  std::string state_url;              // pg: else CFORG_PG_URL; holds a password, never shown
  std::string workspace = "default";  // pg: several configs share one database
  std::string log_level;
  std::string color = "auto";  // auto | always | never
  bool no_color = false;       // --no-color: the same as --color never
  double lock_timeout = 0;  // seconds to wait for a lock another process holds (0: fail at once)
};

struct NetworkOptions {
  bool refresh = true;
  int parallelism = 10;
  std::string rate_limit = "1200/300";
  int max_retries = 10;
  double request_timeout = 30;
  double retry_base_delay = 1;
  double retry_max_delay = 30;
  double consistency_timeout = 60;   // seconds a just-created org's 403s are waited out
  double max_wait = 360;             // seconds: the longest Retry-After or budget wait obeyed
  bool allow_mass_forget = false;    // accept a refresh that finds most tracked orgs gone
  std::string ca_bundle;             // --ca-bundle, else CURL_CA_BUNDLE, else SSL_CERT_FILE
  bool allow_insecure_http = false;  // http:// to a host that is not loopback
};

// What shapes a plan, for plan and apply.
struct PlanFlags {
  bool adopt = false;
  std::vector<std::string> replace;  // --replace KEY, repeatable
  std::vector<std::string> targets;  // --target KEY, repeatable
};
void add_plan_flags(CLI::App* cmd, PlanFlags& o);

void add_common_options(CLI::App* cmd, CommonOptions& o, bool with_config = true);
// --lock-timeout DURATION, for the commands that take the state's lock.
void add_lock_timeout_option(CLI::App* cmd, CommonOptions& o);
void add_network_options(CLI::App* cmd, NetworkOptions& o, bool with_refresh = true);
// --allow-mass-forget, for the commands that refresh (add_network_options adds it with
// with_refresh).
void add_mass_forget_flag(CLI::App* cmd, NetworkOptions& o);

// Asks `question` on the terminal; true only for "yes". Throws Failure, ending with
// `without_terminal` (what to do instead), when stdin is not a terminal.
bool confirmed(const char* question, const char* without_terminal);

// Logging to stderr at --log-level, else CFORG_LOG, else "warn".
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

// The config, or every problem in it printed to stderr and nullopt (the problems also in
// `errors`, when given: plan --format markdown renders them).
std::optional<config::Config> load_config(const std::vector<std::string>& paths,
                                          std::vector<config::Diagnostic>* errors = nullptr);
std::vector<std::string> config_paths(const CommonOptions& o);  // the default when none given

// The state backend for --backend: the file at --state, or the PostgreSQL workspace.
std::unique_ptr<state::Backend> open_state(const CommonOptions& o);
// Takes the backend's lock for `operation`, waiting up to --lock-timeout (saying so on stderr,
// and for whom) while another process holds it.
std::unique_ptr<state::Lock> lock_state(state::Backend& backend, const CommonOptions& o,
                                        const char* operation);

// A client from CLOUDFLARE_* variables. Throws Failure when there are no credentials, before
// any request is made.
std::unique_ptr<api::HttpClient> make_client(const NetworkOptions& o);
plan::ReadOptions read_options(const NetworkOptions& o, const plan::Options& plan);
// --max-retries, --retry-base-delay and --retry-max-delay as a policy.
api::RetryPolicy retry_policy(const NetworkOptions& o);

// Prints "Error: <message>" on stderr.
void print_error(const std::string& message);

}  // namespace cforg::cli
