// Reading the remote side for a plan: every tracked org, and any untracked org that an org
// about to be created would duplicate.
#pragma once

#include "cforg/api/client.h"
#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

struct ReadOptions {
  // ids per `GET /organizations?id=...` request; 100 ids keep the URL under 4 KB.
  std::size_t ids_per_request = 100;
  int parallelism = 10;  // list requests in flight at once
};

// Reads with paged list calls, never one GET per org: tracked orgs by id in batches, and
// candidates for creation by parent (all children of a parent with many candidates, else by
// name), level by level so that the children of an org found by name are looked for too.
// Returns the first API error, if any.
api::Result<Remote> read_remote(const config::Config& cfg, const state::State& st,
                                api::Client& client, const ReadOptions& opts = {});

}  // namespace cforg::plan
