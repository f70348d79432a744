#include "pg_transaction.h"

#include <stdexcept>
#include <string>

#include "journal_reader.h"
#include "pg_journal.h"

namespace cforg::state {
namespace {

class PgTransaction final : public Transaction {
 public:
  PgTransaction(std::shared_ptr<PgWorkspace> ws, const Snapshot& base)
      : ws_(std::move(ws)), base_lineage_(base.state.lineage), base_serial_(base.state.serial) {}

  Journal& journal() override {
    check_open();
    if (journal_) return *journal_;
    PgConnection& c = *ws_->conn;
    std::lock_guard lock(c.mu);
    PgResult r = c.exec("reading " + ws_->journal_where(),
                        "SELECT base_lineage, base_serial, count(*), max(seq) FROM cforg_journal "
                        "WHERE workspace = $1 GROUP BY base_lineage, base_serial",
                        {ws_->name});
    std::uint64_t last_row = 0;
    if (PQntuples(r.get()) > 1) {
      throw ws_->mixed_journal();
    }
    if (PQntuples(r.get()) == 1) {
      JournalHeader h{cell(r, 0, 0), std::stoull(cell(r, 0, 1))};
      State base;
      base.lineage = base_lineage_;
      base.serial = base_serial_;
      if (classify(h, base, ws_->journal_where(), ws_->where) == JournalFit::fold) {
        // Left by an interrupted run and folded into the base: keep appending after it.
        last_row = std::stoull(cell(r, 0, 3));
      } else {
        c.exec("removing a stale journal", "DELETE FROM cforg_journal WHERE workspace = $1",
               {ws_->name});
      }
    }
    journal_ = std::make_unique<PgJournal>(ws_, base_lineage_, base_serial_, last_row);
    return *journal_;
  }

  void commit(State& s) override {
    check_open();
    const std::uint64_t old_serial = s.serial;
    const std::string old_lineage = s.lineage;
    s.serial = next_serial(s, ws_->where);
    if (s.lineage.empty()) s.lineage = new_uuid();
    s.relink_parents();
    try {
      write(s, old_lineage, old_serial);
    } catch (...) {
      s.serial = old_serial;
      s.lineage = old_lineage;
      throw;
    }
  }

  void replace(const State& s) override {
    check_open();
    State copy = s;
    if (copy.lineage.empty()) copy.lineage = new_uuid();
    copy.relink_parents();
    write(copy, base_lineage_, base_serial_);
  }

 private:
  // Writes `s` over the row that held lineage `was_lineage` at serial `was_serial` (none, for
  // an empty lineage), removing the journal in the same transaction.
  void write(const State& s, const std::string& was_lineage, std::uint64_t was_serial) {
    std::string text;
    try {
      validate(s, ws_->where);  // never write what load() would refuse
      text = state_to_text(s);
    } catch (const StateError& e) {
      throw StateError("cannot save the state to " + ws_->where + ": " + e.what());
    }
    if (journal_) journal_->retire();
    done_ = true;
    PgConnection& c = *ws_->conn;
    std::lock_guard lock(c.mu);
    c.in_transaction("cannot save the state", "BEGIN", [&] {
      PgResult r;
      if (was_lineage.empty()) {
        r = c.exec("cannot save the state",
                   "INSERT INTO cforg_states (workspace, lineage, serial, state) "
                   "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace) DO NOTHING",
                   {ws_->name, s.lineage, std::to_string(s.serial), text});
      } else {
        r = c.exec("cannot save the state",
                   "UPDATE cforg_states SET lineage = $2, serial = $3, state = $4, saved_at = "
                   "now() WHERE workspace = $1 AND lineage = $5 AND serial = $6",
                   {ws_->name, s.lineage, std::to_string(s.serial), text, was_lineage,
                    std::to_string(was_serial)});
      }
      if (std::string(PQcmdTuples(r.get())) != "1") {
        PgResult now =
            c.exec("cannot save the state",
                   "SELECT lineage, serial FROM cforg_states WHERE workspace = $1", {ws_->name});
        std::string has = PQntuples(now.get())
                              ? "lineage " + cell(now, 0, 0) + " at serial " + cell(now, 0, 1)
                              : std::string("no state");
        throw StateError(
            "refusing to overwrite " + ws_->where + ": it changed since it was loaded (it has " +
            has + "; the state being saved was loaded from " +
            (was_lineage.empty() ? std::string("(none: no state)") : "lineage " + was_lineage) +
            " at serial " + std::to_string(was_serial) +
            "). Another run has written it; run again to start from its version.");
      }
      c.exec("cannot save the state", "DELETE FROM cforg_journal WHERE workspace = $1",
             {ws_->name});
    });
  }

  void check_open() const {
    if (done_) throw std::logic_error("a transaction on " + ws_->where + " was committed");
  }

  std::shared_ptr<PgWorkspace> ws_;
  const std::string base_lineage_;
  const std::uint64_t base_serial_;
  std::unique_ptr<PgJournal> journal_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Transaction> begin_pg_transaction(std::shared_ptr<PgWorkspace> ws,
                                                  const Snapshot& base) {
  return std::make_unique<PgTransaction>(std::move(ws), base);
}

}  // namespace cforg::state
