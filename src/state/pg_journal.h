// The PostgreSQL backend's journal: the run's records as rows of cforg_journal.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "cforg/state/journal.h"
#include "group_commit.h"
#include "journal_append.h"
#include "pg_workspace.h"

namespace cforg::state {

// append(): one INSERT committed without waiting for the WAL flush (synchronous_commit off), so
// that on return the records are in the server: they survive the death of this process, not
// yet a crash of the server. sync(): the leader commits a tiny transaction with
// synchronous_commit on, on a second connection; its WAL flush covers every commit before it,
// so concurrent callers share one flush, as they share one fsync on a file.
class PgJournal final : public Journal {
 public:
  // The journal of a run from the state at (base_lineage, base_serial); `last_row` is the
  // highest seq of an interrupted run's rows that this one continues (0: none).
  PgJournal(std::shared_ptr<PgWorkspace> ws, std::string base_lineage, std::uint64_t base_serial,
            std::uint64_t last_row);

  using Journal::append;
  // Group append, as sync() is a group commit: an append queues its rows and waits; a caller
  // that finds a connection free becomes a leader, takes every row queued meanwhile and
  // commits them in one multi-row INSERT, so that concurrent workers' intents share one round
  // trip and one server transaction instead of one each. Up to kAppendConnections leaders run
  // at once (one connection would serialize the workers again). Sequence numbers are taken in
  // order under append_mu_; an append returns once its own rows are committed, and sync(seq)
  // waits for every row up to seq (batches may commit out of order; load() reads rows by seq,
  // and a row whose append did not return was never acknowledged).
  std::uint64_t append(std::span<const JournalRecord> records) override;
  void sync(std::uint64_t seq) override;

  // Waits for appends in flight (their rows must be in before the commit deletes the journal),
  // then refuses every later append.
  void retire();

 private:
  // An append's rows, waiting for a leader.
  struct Queued {
    std::uint64_t first = 0;  // the seq of lines[0]
    std::vector<std::string> lines;
    bool done = false;  // committed, or failed (error)
    std::string error;
  };

  std::uint64_t written();
  std::shared_ptr<PgConnection> open_append_connection();
  void lead(std::unique_lock<std::mutex>& lock);
  void insert(PgConnection& conn, std::vector<std::shared_ptr<Queued>>& batch);

  std::shared_ptr<PgWorkspace> ws_;
  const std::string base_lineage_;
  const std::uint64_t base_serial_;
  const std::uint64_t first_row_;  // rows of an interrupted run this journal continues

  static constexpr int kAppendConnections = 2;
  std::mutex append_mu_;  // guards everything down to queue_
  std::condition_variable appended_;
  AppendGate gate_;  // broken: an append failed, and its seqs are a hole
  std::uint64_t assigned_seq_ = 0;
  std::uint64_t written_seq_ = 0;                       // every seq up to this is committed
  std::map<std::uint64_t, std::uint64_t> done_ranges_;  // committed past a gap: first -> last
  int in_flight_ = 0;                                   // appends not returned yet
  int leaders_ = 0;                                  // INSERTs running, each on its own connection
  std::uint64_t appends_ = 0, inserts_ = 0;          // for the debug log: how much batching saves
  std::vector<std::shared_ptr<PgConnection>> idle_;  // open, not in use
  std::vector<std::shared_ptr<Queued>> queue_;       // appends waiting for a leader

  GroupCommit commit_;
  std::shared_ptr<PgConnection> sync_conn_;  // used by one leader at a time
};

}  // namespace cforg::state
