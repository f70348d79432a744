#include "pg_schema.h"

#include <string>

#include "cforg/state/state.h"

namespace cforg::state {
namespace {

constexpr int kSchemaVersion = 1;
// pg_advisory_xact_lock key that serializes schema creation among first users ("cforg" in hex).
constexpr long long kSchemaLockKey = 0x63666f7267;

}  // namespace

void ensure_pg_schema(PgConnection& c) {
  std::lock_guard lock(c.mu);
  try {
    c.exec("starting the schema check", "BEGIN");
    // First users racing to create the tables: one at a time (CREATE ... IF NOT EXISTS alone
    // can still fail on a concurrent create).
    c.exec("locking the schema", "SELECT pg_advisory_xact_lock($1)",
           {std::to_string(kSchemaLockKey)});
    c.exec("creating the schema",
           "CREATE TABLE IF NOT EXISTS cforg_schema (version integer NOT NULL)");
    PgResult r = c.exec("reading the schema version", "SELECT max(version) FROM cforg_schema");
    std::string v = cell(r, 0, 0);
    int version = v.empty() ? 0 : std::stoi(v);
    if (version > kSchemaVersion) {
      throw StateError("the cforg schema in " + c.where() + " is version " +
                       std::to_string(version) + ", newer than this cforg knows (" +
                       std::to_string(kSchemaVersion) +
                       "): a newer cforg has used this database. Upgrade cforg");
    }
    if (version < 1) {
      c.exec("creating the schema", R"sql(
        CREATE TABLE cforg_states (
          workspace text PRIMARY KEY,
          lineage   text NOT NULL,
          serial    bigint NOT NULL,
          state     text NOT NULL,          -- the state file's JSON, byte for byte
          saved_at  timestamptz NOT NULL DEFAULT now());
        CREATE TABLE cforg_journal (
          workspace    text NOT NULL,
          seq          bigint NOT NULL,
          base_lineage text NOT NULL,       -- the state the run started from, as the file
          base_serial  bigint NOT NULL,     -- journal's header holds it
          record       text NOT NULL,       -- one journal line (JSON)
          PRIMARY KEY (workspace, seq));
        CREATE TABLE cforg_locks (
          workspace   text PRIMARY KEY,
          id          text NOT NULL,
          operation   text NOT NULL,
          who         text NOT NULL,
          pid         integer NOT NULL,
          created     text NOT NULL,
          backend_pid integer NOT NULL);    -- the holder's server session
        INSERT INTO cforg_schema (version) VALUES (1);)sql");
    }
    c.exec("creating the schema", "COMMIT");
  } catch (...) {
    c.exec_quiet("ROLLBACK");
    throw;
  }
}

}  // namespace cforg::state
