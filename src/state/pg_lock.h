// The PostgreSQL backend's lock: a session-level advisory lock on a hash of the workspace name,
// which the server drops when the holder's connection ends however it died, plus a row of
// cforg_locks naming the holder for others.
#pragma once

#include <memory>
#include <string_view>

#include "cforg/state/backend.h"
#include "pg_workspace.h"

namespace cforg::state {

// Takes the workspace's lock on its connection at once, or throws LockedError naming the
// holder (also when this very backend holds it: advisory locks nest within a session).
std::unique_ptr<Lock> acquire_pg_lock(const std::shared_ptr<PgWorkspace>& ws,
                                      std::string_view operation);

// The controller's lease: a session-level advisory lock on another hash of the workspace name,
// on a connection of its own (so that it is lost exactly when that session ends), or nullptr
// while another session holds it.
std::unique_ptr<Lease> try_pg_lease(const PgWorkspace& ws);

// Removes the lock row whose id is `lock_id`, once its holder's connection is gone; throws
// StateError when there is none, the id is another one, or the holder is still connected
// (naming the server process to end).
void force_unlock_pg(PgWorkspace& ws, std::string_view lock_id);

}  // namespace cforg::state
