// Reading the remote side for a plan: every tracked org, and any untracked org that an org
// about to be created would duplicate.
#pragma once

#include <set>
#include <string>

#include "cforg/api/client.h"
#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

struct ReadOptions {
  // ids per `GET /organizations?id=...` request; 100 ids keep the URL under 4 KB.
  std::size_t ids_per_request = 100;
  int parallelism = 10;  // requests in flight at once
  // Keys the plan will replace (--replace): their children are listed, since a replacement
  // deletes the old org and the API deletes only empty ones.
  std::set<std::string> replace;
  // Look up where each account of the config that no org read holds sits now (one
  // `GET /organizations?containing.account=` each, on its first placement), so that the plan
  // names where its move comes from. Off: the plan leaves the source out, the moves send the
  // same requests, and 2,500 first placements cost 2,500 requests rather than 3,000.
  bool account_sources = true;
};

// Reads with paged list calls, never one GET per org: tracked orgs by id in batches, and
// candidates for creation by parent (all children of a parent with many candidates, else by
// name), level by level so that the children of an org found by name are looked for too.
// When the list leaves profiles out, the profile of every org whose config manages one is read
// with GET .../profile, in parallel; when the list carries them, nothing more is sent.
// Returns the first API error, if any.
api::Result<Remote> read_remote(const config::Config& cfg, const state::State& st,
                                api::Client& client, const ReadOptions& opts = {});

}  // namespace cforg::plan
