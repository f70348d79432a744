// The PostgreSQL backend's transaction: one run's journal, and the one SQL transaction that
// writes the state and deletes the journal's rows.
#pragma once

#include <memory>

#include "cforg/state/backend.h"
#include "pg_workspace.h"

namespace cforg::state {

// A transaction of a run that starts from `base`, as loaded from `ws`.
std::unique_ptr<Transaction> begin_pg_transaction(std::shared_ptr<PgWorkspace> ws,
                                                  const Snapshot& base);

}  // namespace cforg::state
