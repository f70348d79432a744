// Checks across organizations, and across files: unique keys, parents that exist, no parent
// cycles, no two organizations of the same name under the same parent.
#pragma once

#include <vector>

#include "cforg/config/config.h"
#include "diagnostics.h"
#include "document.h"

namespace cforg::config::detail {

// Moves `orgs` into `config` (dropping repeated keys, so its keys stay unique), fills its
// index and reports every cross-organization problem. `complete` is false when some
// organizations could not be read at all: unknown parents are then not reported, as the
// missing organization may well be the parent.
void validate(std::vector<ParsedOrg> orgs, bool complete, Config& config, Diagnostics& out);

}  // namespace cforg::config::detail
