#include "pg_journal.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "cforg/state/state.h"

namespace cforg::state {

PgJournal::PgJournal(std::shared_ptr<PgWorkspace> ws, std::string base_lineage,
                     std::uint64_t base_serial, std::uint64_t last_row)
    : ws_(std::move(ws)),
      base_lineage_(std::move(base_lineage)),
      base_serial_(base_serial),
      first_row_(last_row) {}

std::uint64_t PgJournal::append(std::span<const JournalRecord> records) {
  if (records.empty()) {
    std::lock_guard lock(append_mu_);
    return assigned_seq_;
  }
  auto mine = std::make_shared<Queued>();
  for (const JournalRecord& r : records) mine->lines.push_back(journal_line(r, ws_->where));
  std::unique_lock lock(append_mu_);
  gate_.check(ws_->where);
  mine->first = assigned_seq_ + 1;
  assigned_seq_ += records.size();
  const std::uint64_t last = assigned_seq_;
  ++in_flight_;
  queue_.push_back(mine);
  for (;;) {
    if (mine->done) break;
    if (leaders_ < kAppendConnections && !queue_.empty()) {
      lead(lock);  // may or may not have carried ours: look again
      continue;
    }
    appended_.wait(lock);
  }
  --in_flight_;
  appended_.notify_all();
  if (!mine->error.empty()) throw StateError(mine->error);
  return last;
}

void PgJournal::sync(std::uint64_t seq) {
  {
    // Every row up to seq committed first (appends of other threads may still be running).
    std::unique_lock lock(append_mu_);
    check_sync_target(seq, assigned_seq_);
    appended_.wait(lock, [&] { return written_seq_ >= seq || !gate_.broken().empty(); });
    if (written_seq_ < seq) throw StateError(gate_.broken());
  }
  commit_.sync(
      seq, [this] { return written(); },
      [this]() -> std::string {
        try {
          if (!sync_conn_) sync_conn_ = ws_->connect();
          std::lock_guard conn_lock(sync_conn_->mu);
          // A transaction with an id writes a commit record, and a synchronous commit flushes
          // the WAL up to it: every append committed before is durable with it.
          sync_conn_->exec("cannot make the journal durable",
                           "BEGIN; SELECT pg_current_xact_id(); COMMIT");
          return "";
        } catch (const StateError& e) {
          return std::string(e.what()) + "; the outcome of recent changes may not be durable";
        }
      });
}

void PgJournal::retire() {
  std::uint64_t appends, inserts, syncs;
  {
    std::unique_lock lock(append_mu_);
    appended_.wait(lock, [&] { return in_flight_ == 0; });
    gate_.retire();
    appended_.notify_all();
    appends = appends_;
    inserts = inserts_;
  }
  // Not under append_mu_: a sync holds the group commit's lock, then append_mu_ (in written()).
  syncs = commit_.flushes();
  spdlog::debug("{}: {} appends in {} INSERTs, {} synchronous commits", ws_->journal_where(),
                appends, inserts, syncs);
}

std::uint64_t PgJournal::written() {
  std::lock_guard lock(append_mu_);
  return written_seq_;
}

std::shared_ptr<PgConnection> PgJournal::open_append_connection() {
  auto c = ws_->connect();
  std::lock_guard conn_lock(c->mu);
  c->exec("cannot open the journal", "SET synchronous_commit = off");
  c->prepare("cannot open the journal", "cforg_append1",
             "INSERT INTO cforg_journal (workspace, seq, base_lineage, base_serial, record) "
             "VALUES ($1, $2, $3, $4, $5)",
             5);
  return c;
}

// Called with append_mu_ held (by `lock`), which it releases while the INSERT runs: takes
// every queued append and commits their rows in one statement on a connection of its own.
void PgJournal::lead(std::unique_lock<std::mutex>& lock) {
  std::vector<std::shared_ptr<Queued>> batch;
  batch.swap(queue_);
  ++leaders_;
  ++inserts_;
  appends_ += batch.size();
  std::shared_ptr<PgConnection> conn;
  if (!idle_.empty()) {
    conn = std::move(idle_.back());
    idle_.pop_back();
  }
  lock.unlock();
  std::string error;
  try {
    if (!conn) conn = open_append_connection();
    insert(*conn, batch);
  } catch (const StateError& e) {
    error = e.what();
  }
  lock.lock();
  --leaders_;
  if (conn && error.empty()) idle_.push_back(std::move(conn));
  // Its seqs stay a hole that no sync can cover: nothing after it may be acknowledged.
  if (!error.empty()) gate_.break_with(error);
  for (const auto& q : batch) {
    q->done = true;
    q->error = error;
    if (error.empty()) done_ranges_[q->first] = q->first + q->lines.size() - 1;
  }
  while (!done_ranges_.empty() && done_ranges_.begin()->first == written_seq_ + 1) {
    written_seq_ = done_ranges_.begin()->second;
    done_ranges_.erase(done_ranges_.begin());
  }
  appended_.notify_all();
}

// The rows of `batch` in one statement: the prepared one for a lone intent, the hot path.
void PgJournal::insert(PgConnection& conn, std::vector<std::shared_ptr<Queued>>& batch) {
  std::lock_guard conn_lock(conn.mu);
  if (batch.size() == 1 && batch[0]->lines.size() == 1) {
    conn.exec_prepared("cannot append to the journal", "cforg_append1",
                       {ws_->name, std::to_string(first_row_ + batch[0]->first), base_lineage_,
                        std::to_string(base_serial_), batch[0]->lines[0]});
    return;
  }
  std::string sql =
      "INSERT INTO cforg_journal (workspace, seq, base_lineage, base_serial, record) VALUES ";
  std::vector<std::string> params = {ws_->name, base_lineage_, std::to_string(base_serial_)};
  bool first_row = true;
  for (const auto& q : batch) {
    for (std::size_t i = 0; i < q->lines.size(); ++i) {
      if (!first_row) sql += ", ";
      first_row = false;
      sql += "($1, $" + std::to_string(params.size() + 1) + ", $2, $3, $" +
             std::to_string(params.size() + 2) + ")";
      params.push_back(std::to_string(first_row_ + q->first + i));
      params.push_back(std::move(q->lines[i]));
    }
  }
  conn.exec("cannot append to the journal", sql.c_str(), params);
}

}  // namespace cforg::state
