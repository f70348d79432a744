// The state in PostgreSQL (libpq): one row per workspace, the journal as rows, the lock as a
// session-level advisory lock plus a row naming its holder. The parts: the URL and what of it
// may be shown (pg_url.h), a connection (pg_connection.h), the schema (pg_schema.h), the lock
// (pg_lock.h), the journal (pg_journal.h) and the transaction that saves (pg_transaction.h);
// here the backend that ties them together and loads.
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cforg/model/json_parse.h"
#include "cforg/state/backend.h"
#include "journal_reader.h"
#include "pg_lock.h"
#include "pg_schema.h"
#include "pg_transaction.h"
#include "pg_url.h"
#include "pg_workspace.h"

namespace cforg::state {
namespace {

class PgBackend final : public Backend {
 public:
  explicit PgBackend(std::shared_ptr<PgWorkspace> ws) : ws_(std::move(ws)) {}

  std::string describe() const override { return ws_->where; }

  std::unique_ptr<Lock> lock(std::string_view operation) override {
    return acquire_pg_lock(ws_, operation);
  }
  std::unique_ptr<Lease> try_lead() override { return try_pg_lease(*ws_); }

  Snapshot load() override {
    Snapshot snap;
    Rows rows;
    JournalHeader header = read(snap.state, rows);
    if (rows.empty()) return snap;
    std::string where = ws_->journal_where();
    if (classify(header, snap.state, where, ws_->where) == JournalFit::stale) return snap;
    for (const auto& [seq, line] : rows) {
      std::string at = where + " (seq " + seq + ")";
      JsonParse parsed = parse_json_checked(line);
      if (!parsed.ok()) throw StateError(at + ": invalid JSON: " + parsed.message());
      fold_at(snap.state, record_from_json(parsed.value, at), at);
    }
    snap.state.relink_parents();
    check_folded(snap.state, where);
    snap.journal_records = rows.size();
    spdlog::info("{}: folded in {} changes left by an interrupted run", ws_->where, rows.size());
    return snap;
  }

  std::unique_ptr<Transaction> begin(const Lock& /*held*/, const Snapshot& base) override {
    return begin_pg_transaction(ws_, base);
  }

  void force_unlock(std::string_view lock_id) override { force_unlock_pg(*ws_, lock_id); }

 private:
  using Rows = std::vector<std::pair<std::string, std::string>>;  // (seq, record)

  // Reads the state (into `st`, when there is one) and the journal's rows in one snapshot of
  // the database; returns the journal's header.
  JournalHeader read(State& st, Rows& rows) {
    PgConnection& c = *ws_->conn;
    std::lock_guard guard(c.mu);
    JournalHeader header;
    c.in_transaction("cannot load the state", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                     [&] {
                       read_state(c, st);
                       header = read_journal(c, rows);
                     });
    return header;
  }

  void read_state(PgConnection& c, State& st) {
    PgResult r = c.exec("cannot load the state",
                        "SELECT state FROM cforg_states WHERE workspace = $1", {ws_->name});
    if (PQntuples(r.get()) == 1) st = state_from_text(cell(r, 0, 0), ws_->where);
  }

  // The journal's rows in seq order, all of one run, and that run's header.
  JournalHeader read_journal(PgConnection& c, Rows& rows) {
    PgResult r = c.exec("cannot load the journal",
                        "SELECT seq, base_lineage, base_serial, record FROM cforg_journal "
                        "WHERE workspace = $1 ORDER BY seq",
                        {ws_->name});
    JournalHeader header;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      JournalHeader h{cell(r, i, 1), std::stoull(cell(r, i, 2))};
      if (i == 0) header = h;
      if (h.lineage != header.lineage || h.base_serial != header.base_serial) {
        throw ws_->mixed_journal();
      }
      rows.emplace_back(cell(r, i, 0), cell(r, i, 3));
    }
    return header;
  }

  std::shared_ptr<PgWorkspace> ws_;
};

}  // namespace

std::unique_ptr<Backend> open_pg_backend(const std::string& url, const std::string& workspace) {
  if (url.empty()) {
    throw StateError("no PostgreSQL URL: pass --state-url postgres://... or set CFORG_PG_URL");
  }
  if (workspace.empty()) throw StateError("the workspace name is empty");
  auto ws = std::make_shared<PgWorkspace>();
  ws->url = url;
  ws->secrets = pg_secrets(url);
  ws->name = workspace;
  ws->url_where = describe_pg_url(url, ws->secrets);
  ws->where = "workspace " + workspace + " in " + ws->url_where;
  ws->conn = ws->connect();
  ensure_pg_schema(*ws->conn);
  return std::make_unique<PgBackend>(std::move(ws));
}

}  // namespace cforg::state
