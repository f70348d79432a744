// What read_remote reads inside organizations (refresh_contents.cc).
#pragma once

#include <optional>

#include "cforg/api/client.h"
#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

// Lists the members of every tracked org whose config has `members:` and the accounts of every
// one with `accounts:`, both for the tracked orgs the config no longer declares, and where each
// account of the config that none of those holds sits now (unless `account_sources` is off).
// Returns the first API error.
std::optional<api::ApiError> read_contents(const config::Config& cfg, const state::State& st,
                                           api::Client& client, int parallelism,
                                           bool account_sources, Remote& remote);

}  // namespace cforg::plan
