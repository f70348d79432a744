// The setup most commands share: config loaded, state locked and loaded, API client ready.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cforg/plan/plan.h"
#include "common.h"

namespace cforg::cli {

struct Session {
  config::Config config;
  std::unique_ptr<state::Backend> backend;
  std::unique_ptr<state::Lock> lock;
  std::unique_ptr<state::Transaction> tx;  // from the snapshot `state` was loaded as
  state::State state;
  bool journal_pending = false;             // state holds records of an interrupted run's journal
  std::unique_ptr<api::HttpClient> client;  // only when the command talks to the API
};

// Loads the config (nullopt when it is invalid: already reported), then locks and loads the
// state for `operation`. Throws Failure / StateError for the caller to report.
// `config_errors`, when given, receives the config's problems.
std::optional<Session> open_session(const std::vector<std::string>& config_paths,
                                    const CommonOptions& common, const char* operation,
                                    std::vector<config::Diagnostic>* config_errors = nullptr);

// Plans against the live state: reads the remote side first unless --refresh=false (making
// the client then, so a missing credential fails before any request).
// Throws Failure when --replace names a key the config does not declare, or --target one that
// neither the config nor the state has.
plan::Plan plan_live(Session& s, const NetworkOptions& net, const PlanFlags& flags);

}  // namespace cforg::cli
