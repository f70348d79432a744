// An apply from start to end: the state goes in, the API is changed, the state comes out
// saved, also when actions failed or the run was interrupted.
#pragma once

#include "cforg/api/client.h"
#include "cforg/apply/executor.h"
#include "cforg/plan/plan.h"
#include "cforg/state/backend.h"

namespace cforg::apply {

// `st` is the state `plan` was made against, as loaded; `tx` the transaction opened from that
// snapshot. Journals what refreshing learned (forget, observed, protection), runs the actions
// and commits; on return `st` is what was saved. Throws StateError when the commit fails (the
// journal then still holds every result: the next command folds it in).
Report run(const plan::Plan& plan, state::State& st, state::Transaction& tx, api::Client& client,
           const Options& opts);

}  // namespace cforg::apply
