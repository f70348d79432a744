// A workspace in a PostgreSQL database, as the backend, its lock, its transactions and its
// journal share it: they may outlive one another, so they hold it by shared_ptr.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cforg/state/backend.h"
#include "pg_connection.h"

namespace cforg::state {

struct PgWorkspace {
  std::string url;
  std::vector<std::string> secrets;  // pg_secrets(url)
  std::string name;
  std::string url_where;  // "postgres://user@host:port/db": no password
  std::string where;      // "workspace W in " + url_where
  std::shared_ptr<PgConnection> conn;
  // The lock this backend's connection holds, if any: advisory locks nest within a session,
  // so a second lock() here must be refused by us, not the server. Under conn->mu.
  std::optional<LockInfo> held;

  // A new connection to the same database (the journal's appends and syncs use their own).
  std::shared_ptr<PgConnection> connect() const {
    return std::make_shared<PgConnection>(url, url_where, where, secrets);
  }
  std::string journal_where() const { return "the journal of " + where; }
  // The journal's rows belong to more than one run (base lineage and serial), which no cforg
  // writes: nothing can be folded safely.
  StateError mixed_journal() const {
    return StateError(journal_where() +
                      " holds records of several runs, which cforg never writes: look at them "
                      "(SELECT seq, base_lineage, base_serial FROM cforg_journal WHERE "
                      "workspace = '" +
                      name + "') and remove what does not belong before running cforg again");
  }
};

}  // namespace cforg::state
