// The PostgreSQL backend's private parts, for its tests. The schema (version 1), created on
// first use in the database's default schema:
//   cforg_schema  (version)                    the schema version; a newer one is refused
//   cforg_states  (workspace PK, lineage, serial, state, saved_at)   state = the file's JSON
//   cforg_journal (workspace, seq, base_lineage, base_serial, record)  the journal as rows
//   cforg_locks   (workspace PK, id, operation, who, pid, created, backend_pid)  the holder
// The lock itself is a session-level advisory lock on a hash of the workspace name: the
// server drops it when the holder's connection ends, however the holder died.
#pragma once

#include <string>
#include <vector>

namespace cforg::state {

// What of `url` must never be shown: its password (as written and percent-decoded), and the
// whole URL.
std::vector<std::string> pg_secrets(const std::string& url);

// `text` with every secret replaced by "****".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace cforg::state
