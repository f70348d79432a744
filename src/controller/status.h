// What /status and /readyz tell: the controller's role, its last cycle and what it waits for.
// Written by the loop, read by the listener's threads: every access takes the lock.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace cforg::controller {

// How a cycle can end. The first five are a cycle that ended well (it did what its mode asks):
// no_changes, drift (report mode: changed outside cforg), pending (report mode: the config asks
// for changes), planned, applied; then failed, config_error, source_error, stopped (SIGTERM).
inline constexpr const char* kResults[] = {"no_changes",   "drift",        "pending",
                                           "planned",      "applied",      "failed",
                                           "config_error", "source_error", "stopped"};
bool ended_well(const std::string& result);

struct CycleReport {
  std::string result;   // one of kResults
  std::string commit;   // what it ran on: a commit, or empty for a folder
  std::string started;  // RFC 3339, UTC
  double seconds = 0;
  std::string summary;  // the plan's summary line ("Plan: 1 to create, ...")
  std::size_t drift = 0, pending = 0;
  std::uint64_t requests = 0;
  std::string error;       // what went wrong, for people (config diagnostics included)
  std::string plan_files;  // plan mode: where the plan went
};

class Status {
 public:
  void set_role(bool leader);
  void set_waiting(std::string why);  // empty: not waiting
  void cycle_done(CycleReport report);
  // Whether the state backend answered the last look at the lease (a bid, or the leader's
  // check). Ready: it did, and a leader has completed a cycle.
  void set_backend_answered(bool answered);
  bool ready() const;
  nlohmann::json to_json() const;

 private:
  bool ready_locked() const;  // ready(), with mu_ held

  mutable std::mutex mu_;
  bool leader_ = false;
  bool cycled_ = false;
  bool backend_answered_ = false;
  std::string waiting_;
  std::size_t cycles_ = 0;
  CycleReport last_;
  CycleReport last_good_;  // the last cycle that ended well
};

}  // namespace cforg::controller
