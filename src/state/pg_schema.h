// The PostgreSQL backend's schema (version 1), created on first use in the database's default
// schema:
//   cforg_schema  (version)                    the schema version; a newer one is refused
//   cforg_states  (workspace PK, lineage, serial, state, saved_at)   state = the file's JSON
//   cforg_journal (workspace, seq, base_lineage, base_serial, record)  the journal as rows
//   cforg_locks   (workspace PK, id, operation, who, pid, created, backend_pid)  the holder
// The lock itself is a session-level advisory lock on a hash of the workspace name (pg_lock.h).
#pragma once

#include "pg_connection.h"

namespace cforg::state {

// Creates the schema on first use, or checks that this cforg knows the one there (StateError
// "... newer than this cforg knows ...: Upgrade cforg" otherwise). First users racing to
// create it take turns.
void ensure_pg_schema(PgConnection& c);

}  // namespace cforg::state
