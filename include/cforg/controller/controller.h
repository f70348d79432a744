// cforg controller: continuous reconciliation. The repository (or a folder) is the truth; each
// cycle fetches it, plans with refresh and then, by mode, reports the drift, writes the plan
// for a person to approve, or applies it. Planning and applying are the operations of every
// other command (ops::make_live_plan, ops::apply of the saved plan): no second code path.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "cforg/ops/operations.h"

namespace cforg::controller {

enum class Mode {
  report,  // plan, and say what drifted and what is pending: change nothing
  plan,    // also write the plan (a saved plan cforg apply takes, and markdown) to plans_dir
  apply,   // apply the plan just made, exactly
};

struct Options {
  // The source: a folder, or a git repository cloned into `checkout` and fetched each cycle.
  std::string source_dir;
  std::string git_url, branch = "main", checkout;
  // The config files, relative to the source's root; empty: cforg.yaml there.
  std::vector<std::string> config_files;
  ops::BackendOptions backend;
  ops::NetworkOptions net;  // its rate_limit is the credential's whole budget
  Mode mode = Mode::report;
  std::chrono::milliseconds interval{std::chrono::minutes(5)};
  std::string plans_dir = "cforg-plans";  // plan mode
  // What a cycle's refresh may spend of the budget; the apply of apply mode spends the rest.
  double budget_share = 0.25;
  // A dead leader's lease passes to a standby within this; the leader checks its own this often
  // (a fifth of it) and a standby bids as often.
  std::chrono::milliseconds lease{std::chrono::seconds(15)};
  std::string listen;  // HOST:PORT for /metrics, /healthz, /readyz, /status; empty: none
  int max_cycles = 0;  // stop after this many cycles as leader (--once: 1); 0: until stopped

  // Set by signal handlers: `stop` (SIGTERM, SIGINT) finishes the requests in flight, commits
  // and returns; `wake` (SIGHUP) starts a cycle now, fetching and reloading the config.
  const std::atomic<bool>* stop = nullptr;
  std::atomic<bool>* wake = nullptr;
};

// Runs cycles until `stop` (or max_cycles). Throws ops::Error for options that cannot work
// (the listener's address, a budget share out of range) before the first cycle; afterwards a
// cycle's failure is reported and the next one tries again. Returns the process's exit code:
// 0 when stopped, or with max_cycles, 0 when the last cycle ended well and 1 otherwise.
int run(const Options& options);

// "30s", "5m", "1h", "500ms", "1h30m": a duration as --interval and --lease take it; throws
// std::invalid_argument saying the form.
std::chrono::milliseconds parse_duration(const std::string& text);

}  // namespace cforg::controller
