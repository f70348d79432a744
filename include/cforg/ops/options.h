// What every operation takes: where the state lives, how to reach the API, what shapes a plan;
// and the one error type of the operations layer.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cforg/api/rate_budget.h"
#include "cforg/api/transport.h"
#include "cforg/config/config.h"
#include "cforg/state/backend.h"

namespace cforg::ops {

// An operation cannot go on: what() says what is wrong and what to do. The CLI prints it as
// "Error: <what>" with exit code 1. The one error type of the operations: what the stages
// throw for people (state::StateError, plan::PlanFileError, plan::ExportError) leaves an
// operation as an Error with the same message.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The config has problems: nothing was locked, read or sent. `report` is config::error_report,
// for people; `errors` each problem, for renderers (plan --format markdown).
class ConfigError : public Error {
 public:
  ConfigError(std::string report, std::vector<config::Diagnostic> errors)
      : Error(report), report(std::move(report)), errors(std::move(errors)) {}
  std::string report;
  std::vector<config::Diagnostic> errors;
};

// Called when an operation starts waiting for the state's lock, and whenever its holder
// changes: `where` is the backend (Backend::describe), `limit` the wait --lock-timeout allows.
using LockWaitReport = std::function<void(const std::string& where, const state::LockInfo& holder,
                                          std::chrono::milliseconds limit)>;

struct BackendOptions {
  std::string backend = "local";               // local | pg
  std::string state_path = kDefaultStatePath;  // local
  std::string state_url;                       // pg: holds a password, never shown
  std::string workspace = "default";           // pg: several configs share one database
  std::chrono::milliseconds lock_timeout{0};   // 0: fail at once, naming the holder
  LockWaitReport on_lock_wait;                 // optional

  // Only the default folder is created when missing: an explicit --state in a missing folder
  // is a typo more often than a new estate.
  static constexpr const char* kDefaultStatePath = "state/cforg.state.json";
};

struct NetworkOptions {
  // Read by the caller (the CLI: CLOUDFLARE_API_TOKEN, CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY);
  // never part of any message. Empty: an operation that needs the API fails before any request.
  api::Credentials credentials;
  std::string base_url;  // empty: api::kDefaultBaseUrl; trailing slashes are dropped
  bool refresh = true;
  bool account_sources = true;  // plan::ReadOptions::account_sources
  int parallelism = 10;
  std::string rate_limit = "1200/300";
  int max_retries = 10;
  double request_timeout = 30;
  double retry_base_delay = 1;
  double retry_max_delay = 30;
  double consistency_timeout = 60;   // seconds a just-created org's 403s are waited out
  bool learn_403_window = true;      // api::ClientOptions::learn_young_window
  double max_wait = 360;             // seconds: the longest Retry-After or budget wait obeyed
  bool allow_mass_forget = false;    // accept a refresh that finds most tracked orgs gone
  std::string ca_bundle;             // PEM file of the CAs; empty: the system's
  bool allow_insecure_http = false;  // http:// to a host that is not loopback
  // The controller's, for a process that makes one client after another: a budget they share
  // (nullptr: each its own, from rate_limit), and a wrapper around each client's transport that
  // sees every exchange (its metrics). Both optional.
  std::shared_ptr<api::RateBudget> budget;
  // api::ClientOptions::stop (apply sets it to ApplyRequest::stop).
  const std::atomic<bool>* stop = nullptr;
  std::function<std::unique_ptr<api::Transport>(std::unique_ptr<api::Transport>)> wrap_transport;
};

// What shapes a plan, for plan and apply.
struct PlanFlags {
  bool adopt = false;
  std::vector<std::string> replace;  // --replace KEY
  std::vector<std::string> targets;  // --target KEY
};

// The config files to read: `given`, else cforg.yaml in the working folder. Throws Error when
// none is given and there is no cforg.yaml.
std::vector<std::string> config_paths(const std::vector<std::string>& given);

// The config at `paths`, or ConfigError.
config::Config load_config(const std::vector<std::string>& paths);

}  // namespace cforg::ops
