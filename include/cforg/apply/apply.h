// An apply from start to end: the state goes in, the API is changed, the state comes out as
// the caller commits it, also when actions failed or the run was interrupted.
#pragma once

#include "cforg/api/client.h"
#include "cforg/apply/executor.h"
#include "cforg/plan/plan.h"
#include "cforg/state/journal.h"
#include "cforg/state/state.h"

namespace cforg::apply {

// `st` is the state `plan` was made against, as loaded; `journal` the run's (its
// transaction's). Journals what refreshing learned (forget, observed, protection) and runs the
// actions; on return `st` holds every result, which `journal` holds too. Committing `st` is
// the caller's: the report is what was done remotely, whether or not that save then succeeds.
// Throws StateError when the journal cannot be written before any action starts.
Report run(const plan::Plan& plan, state::State& st, state::Journal& journal, api::Client& client,
           const Options& opts);

}  // namespace cforg::apply
