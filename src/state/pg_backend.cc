// The state in PostgreSQL (libpq): one row per workspace, the journal as rows, the lock as a
// session-level advisory lock plus a row naming its holder. See pg_backend.h for the schema.
#include "pg_backend.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "cforg/model/json_parse.h"
#include "cforg/state/backend.h"
#include "file_lock.h"
#include "group_commit.h"
#include "journal_reader.h"
#include "posix_file.h"

namespace cforg::state {

std::vector<std::string> pg_secrets(const std::string& url) {
  std::vector<std::string> secrets;
  auto add = [&](std::string s) {
    if (s.empty()) return;
    secrets.push_back(s);
    // As libpq may print it: percent-decoded.
    std::string decoded;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        decoded += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
        i += 2;
      } else {
        decoded += s[i];
      }
    }
    if (decoded != s) secrets.push_back(decoded);
  };
  // postgres://user:PASSWORD@host/...: the authority's password, even in a URL libpq rejects.
  if (std::size_t scheme = url.find("://"); scheme != std::string::npos) {
    std::size_t start = scheme + 3;
    std::size_t at = url.find('@', start);
    std::size_t slash = url.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      std::string userinfo = url.substr(start, at - start);
      if (std::size_t colon = userinfo.find(':'); colon != std::string::npos) {
        add(userinfo.substr(colon + 1));
      }
    }
  }
  // ?password=... in a URL, password=... in a key=value connection string.
  for (std::size_t pos = 0; (pos = url.find("password=", pos)) != std::string::npos;) {
    pos += 9;
    std::size_t end = pos;
    if (end < url.size() && url[end] == '\'') {
      end = url.find('\'', pos + 1);
      if (end == std::string::npos) end = url.size();
      add(url.substr(pos + 1, end - pos - 1));
    } else {
      while (end < url.size() && url[end] != '&' && url[end] != ' ') ++end;
      add(url.substr(pos, end - pos));
    }
  }
  secrets.push_back(url);  // the whole URL, should libpq ever echo it
  return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  // Longest first: the whole URL before the password inside it.
  std::vector<std::string> sorted = secrets;
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& s : sorted) {
    if (s.empty()) continue;
    for (std::size_t pos; (pos = text.find(s)) != std::string::npos;)
      text.replace(pos, s.size(), "****");
  }
  return text;
}

namespace {

constexpr int kSchemaVersion = 1;
// pg_advisory_xact_lock key that serializes schema creation among first users ("cforg" in hex).
constexpr long long kSchemaLockKey = 0x63666f7267;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's message on one line: it spans several ("FATAL:  terminating connection ...\nserver
// closed the connection unexpectedly\n\tThis probably means ..."), which would break the
// one-line-per-org report. Lines are joined with "; ", runs of blanks become one.
std::string trim(const std::string& s) {
  std::string out;
  bool blank = false, line_break = false;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      line_break = true;
    } else if (c == ' ' || c == '\t') {
      blank = true;
    } else {
      if (!out.empty() && line_break) {
        out += "; ";
      } else if (!out.empty() && blank) {
        out += ' ';
      }
      blank = line_break = false;
      out += c;
    }
  }
  while (!out.empty() && (out.back() == '.' || out.back() == ';')) out.pop_back();
  return out;
}

// One libpq connection. libpq connections are not thread-safe: every use holds mu.
class Conn {
 public:
  Conn(const std::string& url, const std::string& url_where, std::string where,
       std::vector<std::string> secrets)
      : where_(std::move(where)), secrets_(std::move(secrets)) {
    // connect_timeout first, so that the URL may override it; the URL is expanded from dbname.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "cforg", url.c_str(), nullptr};
    pg_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!pg_) throw StateError("cannot connect to PostgreSQL at " + where_ + ": out of memory");
    if (PQstatus(pg_) != CONNECTION_OK) {
      std::string why = trim(redact(PQerrorMessage(pg_), secrets_));
      PQfinish(pg_);
      pg_ = nullptr;
      throw StateError("cannot connect to PostgreSQL at " + url_where + ": " + why +
                       " (check the URL given by --state-url or CFORG_PG_URL: user, password, "
                       "host, port, database; and that the server is running)");
    }
    // Notices (CREATE TABLE IF NOT EXISTS ... skipping) are not for the user.
    PQsetNoticeProcessor(
        pg_, [](void*, const char*) {}, nullptr);
  }
  ~Conn() {
    if (pg_) PQfinish(pg_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` with text parameters; throws StateError "<what>: <server's message>" unless it
  // succeeds. Call with mu held.
  Result exec(const std::string& what, const char* sql,
              const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    // Without parameters through PQexec, which takes several statements at once.
    Result r(values.empty() ? PQexec(pg_, sql)
                            : PQexecParams(pg_, sql, static_cast<int>(values.size()), nullptr,
                                           values.data(), nullptr, nullptr, 0));
    return check(std::move(r), what);
  }

  // Prepares `sql` as `name` on this connection (for the statements of the hot path: parsed
  // and planned once).
  void prepare(const std::string& what, const char* name, const char* sql, int params) {
    check(Result(PQprepare(pg_, name, sql, params, nullptr)), what);
  }
  Result exec_prepared(const std::string& what, const char* name,
                       const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    return check(Result(PQexecPrepared(pg_, name, static_cast<int>(values.size()), values.data(),
                                       nullptr, nullptr, 0)),
                 what);
  }

 private:
  Result check(Result r, const std::string& what) {
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string why = trim(redact(PQerrorMessage(pg_), secrets_));
      if (PQstatus(pg_) != CONNECTION_OK) {
        // The advisory lock went with the session, so this run cannot go on safely; the
        // journal rows committed so far stay in the database.
        why +=
            " (the connection to the server was lost, and this run's lock with it: run again "
            "once the server is back; the next run folds in what this one journaled)";
      }
      throw StateError(what + " in " + where_ + ": " + why);
    }
    return r;
  }

 public:
  // A statement that may fail harmlessly (ROLLBACK after an error).
  void exec_quiet(const char* sql) { Result r(PQexec(pg_, sql)); }

  const std::string& where() const { return where_; }
  std::mutex mu;

 private:
  PGconn* pg_ = nullptr;
  std::string where_;
  std::vector<std::string> secrets_;
};

std::string value(const Result& r, int row, int col) {
  return PQgetisnull(r.get(), row, col) ? std::string()
                                        : std::string(PQgetvalue(r.get(), row, col));
}

// Everything a backend, its locks and its transactions share; they may outlive one another.
struct Shared {
  std::string url;
  std::vector<std::string> secrets;
  std::string workspace;
  std::string url_where;  // "postgres://user@host:port/db": no password
  std::string where;      // "workspace W in " + url_where
  std::shared_ptr<Conn> conn;
  // The lock this backend's connection holds, if any: advisory locks nest within a session,
  // so a second lock() here must be refused by us, not the server. Under conn->mu.
  std::optional<LockInfo> held;

  std::shared_ptr<Conn> connect() const {
    return std::make_shared<Conn>(url, url_where, where, secrets);
  }
};

// Creates the schema on first use, or checks that this cforg knows the one there.
void ensure_schema(Conn& c) {
  std::lock_guard lock(c.mu);
  try {
    c.exec("starting the schema check", "BEGIN");
    // First users racing to create the tables: one at a time (CREATE ... IF NOT EXISTS alone
    // can still fail on a concurrent create).
    c.exec("locking the schema", "SELECT pg_advisory_xact_lock($1)",
           {std::to_string(kSchemaLockKey)});
    c.exec("creating the schema",
           "CREATE TABLE IF NOT EXISTS cforg_schema (version integer NOT NULL)");
    Result r = c.exec("reading the schema version", "SELECT max(version) FROM cforg_schema");
    std::string v = value(r, 0, 0);
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

// The advisory lock key of a workspace: a 64-bit hash computed by the server.
constexpr const char* kLockKey = "hashtextextended('cforg/workspace/' || $1, 0)";

std::string holder_text(const LockInfo& h) {
  return h.who + " (pid " + std::to_string(h.pid) + ") running \"" + h.operation + "\" since " +
         h.created;
}

class PgLock final : public Lock {
 public:
  PgLock(std::shared_ptr<Shared> sh, LockInfo info) : sh_(std::move(sh)), info_(std::move(info)) {}
  ~PgLock() override {
    try {
      std::lock_guard lock(sh_->conn->mu);
      sh_->held.reset();
      // The row first, while the advisory lock still keeps others away.
      sh_->conn->exec("removing the lock row",
                      "DELETE FROM cforg_locks WHERE workspace = $1 AND id = $2",
                      {sh_->workspace, info_.id});
      sh_->conn->exec("releasing the lock",
                      (std::string("SELECT pg_advisory_unlock(") + kLockKey + ")").c_str(),
                      {sh_->workspace});
    } catch (const StateError& e) {
      // The server releases the advisory lock when the connection closes; a row left behind is
      // recognised as stale by the next holder.
      spdlog::debug("{}", e.what());
    }
  }
  const LockInfo& info() const override { return info_; }

 private:
  std::shared_ptr<Shared> sh_;
  LockInfo info_;
};

std::string journal_where(const Shared& sh);

// The journal as rows. append(): one INSERT committed without waiting for the WAL flush
// (synchronous_commit off), so that on return the records are in the server: they survive the
// death of this process, not yet a crash of the server. sync(): the leader commits a tiny
// transaction with synchronous_commit on, on a second connection; its WAL flush covers every
// commit before it, so concurrent callers share one flush, as they share one fsync on a file.
class PgJournal final : public Journal {
 public:
  PgJournal(std::shared_ptr<Shared> sh, std::string base_lineage, std::uint64_t base_serial,
            std::uint64_t last_row)
      : sh_(std::move(sh)),
        base_lineage_(std::move(base_lineage)),
        base_serial_(base_serial),
        first_row_(last_row) {}

  using Journal::append;
  // Group append, as sync() is a group commit: an append queues its rows and waits; a caller
  // that finds a connection free becomes a leader, takes every row queued meanwhile and
  // commits them in one multi-row INSERT, so that concurrent workers' intents share one round
  // trip and one server transaction instead of one each. Up to kAppendConnections leaders run
  // at once (one connection would serialize the workers again). Sequence numbers are taken in
  // order under append_mu_; an append returns once its own rows are committed, and sync(seq)
  // waits for every row up to seq (batches may commit out of order; load() reads rows by seq,
  // and a row whose append did not return was never acknowledged).
  std::uint64_t append(std::span<const JournalRecord> records) override {
    if (records.empty()) {
      std::lock_guard lock(append_mu_);
      return assigned_seq_;
    }
    auto mine = std::make_shared<Queued>();
    try {
      for (const JournalRecord& r : records) {
        std::string line = record_line(r, sh_->where);
        line.pop_back();  // the newline
        mine->lines.push_back(std::move(line));
      }
    } catch (const StateError& e) {
      throw StateError(std::string("cannot journal an invalid record: ") + e.what());
    }
    std::unique_lock lock(append_mu_);
    if (retired_) {
      throw StateError(sh_->where +
                       ": this journal was closed by a save of the state; open a new one");
    }
    if (!broken_.empty()) throw StateError(broken_);
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

  void sync(std::uint64_t seq) override {
    {
      // Every row up to seq committed first (appends of other threads may still be running).
      std::unique_lock lock(append_mu_);
      if (seq > assigned_seq_) {
        throw std::logic_error("Journal::sync(" + std::to_string(seq) + "): no such record yet");
      }
      appended_.wait(lock, [&] { return written_seq_ >= seq || !broken_.empty(); });
      if (written_seq_ < seq) throw StateError(broken_);
    }
    commit_.sync(
        seq, [this] { return written(); },
        [this]() -> std::string {
          try {
            if (!sync_conn_) sync_conn_ = sh_->connect();
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

  // Waits for appends in flight: their rows must be in before the commit deletes the journal.
  void retire() {
    std::uint64_t appends, inserts, syncs;
    {
      std::unique_lock lock(append_mu_);
      appended_.wait(lock, [&] { return in_flight_ == 0; });
      retired_ = true;
      appended_.notify_all();
      appends = appends_;
      inserts = inserts_;
    }
    // Not under append_mu_: a sync holds the group commit's lock, then append_mu_ (in written()).
    syncs = commit_.flushes();
    spdlog::debug("{}: {} appends in {} INSERTs, {} synchronous commits", journal_where(*sh_),
                  appends, inserts, syncs);
  }

 private:
  std::shared_ptr<Shared> sh_;
  const std::string base_lineage_;
  const std::uint64_t base_serial_;
  const std::uint64_t first_row_;  // rows of an interrupted run this journal continues

  std::uint64_t written() {
    std::lock_guard lock(append_mu_);
    return written_seq_;
  }

  std::shared_ptr<Conn> open_append_connection() {
    auto c = sh_->connect();
    std::lock_guard conn_lock(c->mu);
    c->exec("cannot open the journal", "SET synchronous_commit = off");
    c->prepare("cannot open the journal", "cforg_append1",
               "INSERT INTO cforg_journal (workspace, seq, base_lineage, base_serial, record) "
               "VALUES ($1, $2, $3, $4, $5)",
               5);
    return c;
  }

  // An append's rows, waiting for a leader.
  struct Queued {
    std::uint64_t first = 0;  // the seq of lines[0]
    std::vector<std::string> lines;
    bool done = false;  // committed, or failed (error)
    std::string error;
  };

  // Called with append_mu_ held (by `lock`), which it releases while the INSERT runs: takes
  // every queued append and commits their rows in one statement on a connection of its own.
  void lead(std::unique_lock<std::mutex>& lock) {
    std::vector<std::shared_ptr<Queued>> batch;
    batch.swap(queue_);
    ++leaders_;
    ++inserts_;
    appends_ += batch.size();
    std::shared_ptr<Conn> conn;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
    lock.unlock();
    std::string error;
    try {
      if (!conn) conn = open_append_connection();
      std::lock_guard conn_lock(conn->mu);
      if (batch.size() == 1 && batch[0]->lines.size() == 1) {  // one intent: prepared
        conn->exec_prepared("cannot append to the journal", "cforg_append1",
                            {sh_->workspace, std::to_string(first_row_ + batch[0]->first),
                             base_lineage_, std::to_string(base_serial_), batch[0]->lines[0]});
      } else {
        std::string sql =
            "INSERT INTO cforg_journal (workspace, seq, base_lineage, base_serial, record) "
            "VALUES ";
        std::vector<std::string> params = {sh_->workspace, base_lineage_,
                                           std::to_string(base_serial_)};
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
        conn->exec("cannot append to the journal", sql.c_str(), params);
      }
    } catch (const StateError& e) {
      error = e.what();
    }
    lock.lock();
    --leaders_;
    if (conn && error.empty()) idle_.push_back(std::move(conn));
    if (!error.empty() && broken_.empty()) {
      // Its seqs stay a hole that no sync can cover: nothing after it may be acknowledged.
      broken_ = error;
    }
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

  static constexpr int kAppendConnections = 2;
  std::mutex append_mu_;  // guards everything down to queue_
  std::condition_variable appended_;
  bool retired_ = false;
  std::string broken_;  // an append failed: its seqs are a hole
  std::uint64_t assigned_seq_ = 0;
  std::uint64_t written_seq_ = 0;                       // every seq up to this is committed
  std::map<std::uint64_t, std::uint64_t> done_ranges_;  // committed past a gap: first -> last
  int in_flight_ = 0;                                   // appends not returned yet
  int leaders_ = 0;                             // INSERTs running, each on its own connection
  std::uint64_t appends_ = 0, inserts_ = 0;     // for the debug log: how much batching saves
  std::vector<std::shared_ptr<Conn>> idle_;     // open, not in use
  std::vector<std::shared_ptr<Queued>> queue_;  // appends waiting for a leader

  GroupCommit commit_;
  std::shared_ptr<Conn> sync_conn_;  // used by one leader at a time
};

std::string journal_where(const Shared& sh) {
  return "the journal of " + sh.where;
}

class PgTransaction final : public Transaction {
 public:
  PgTransaction(std::shared_ptr<Shared> sh, const Snapshot& base)
      : sh_(std::move(sh)), base_lineage_(base.state.lineage), base_serial_(base.state.serial) {}

  Journal& journal() override {
    check_open();
    if (journal_) return *journal_;
    Conn& c = *sh_->conn;
    std::lock_guard lock(c.mu);
    Result r = c.exec("reading " + journal_where(*sh_),
                      "SELECT base_lineage, base_serial, count(*), max(seq) FROM cforg_journal "
                      "WHERE workspace = $1 GROUP BY base_lineage, base_serial",
                      {sh_->workspace});
    std::uint64_t last_row = 0;
    if (PQntuples(r.get()) > 1) {
      throw StateError(journal_where(*sh_) +
                       " holds records of several runs; it was written by "
                       "something other than cforg: repair it before running cforg again");
    }
    if (PQntuples(r.get()) == 1) {
      JournalHeader h{value(r, 0, 0), std::stoull(value(r, 0, 1))};
      State base;
      base.lineage = base_lineage_;
      base.serial = base_serial_;
      if (classify(h, base, journal_where(*sh_), sh_->where) == JournalFit::fold) {
        // Left by an interrupted run and folded into the base: keep appending after it.
        last_row = std::stoull(value(r, 0, 3));
      } else {
        c.exec("removing a stale journal", "DELETE FROM cforg_journal WHERE workspace = $1",
               {sh_->workspace});
      }
    }
    journal_ = std::make_unique<PgJournal>(sh_, base_lineage_, base_serial_, last_row);
    return *journal_;
  }

  void commit(State& s) override {
    check_open();
    const std::uint64_t old_serial = s.serial;
    const std::string old_lineage = s.lineage;
    s.serial = next_serial(s, sh_->where);
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
      validate(s, sh_->where);  // never write what load() would refuse
      text = state_to_text(s);
    } catch (const StateError& e) {
      throw StateError("cannot save the state to " + sh_->where + ": " + e.what());
    }
    if (journal_) journal_->retire();
    done_ = true;
    Conn& c = *sh_->conn;
    std::lock_guard lock(c.mu);
    try {
      c.exec("cannot save the state", "BEGIN");
      Result r;
      if (was_lineage.empty()) {
        r = c.exec("cannot save the state",
                   "INSERT INTO cforg_states (workspace, lineage, serial, state) "
                   "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace) DO NOTHING",
                   {sh_->workspace, s.lineage, std::to_string(s.serial), text});
      } else {
        r = c.exec("cannot save the state",
                   "UPDATE cforg_states SET lineage = $2, serial = $3, state = $4, saved_at = "
                   "now() WHERE workspace = $1 AND lineage = $5 AND serial = $6",
                   {sh_->workspace, s.lineage, std::to_string(s.serial), text, was_lineage,
                    std::to_string(was_serial)});
      }
      if (std::string(PQcmdTuples(r.get())) != "1") {
        Result now = c.exec("cannot save the state",
                            "SELECT lineage, serial FROM cforg_states WHERE workspace = $1",
                            {sh_->workspace});
        std::string has = PQntuples(now.get())
                              ? "lineage " + value(now, 0, 0) + " at serial " + value(now, 0, 1)
                              : std::string("no state");
        throw StateError(
            "refusing to overwrite " + sh_->where + ": it changed since it was loaded (it has " +
            has + "; the state being saved was loaded from " +
            (was_lineage.empty() ? std::string("(none: no state)") : "lineage " + was_lineage) +
            " at serial " + std::to_string(was_serial) +
            "). Another run has written it; run again to start from its version.");
      }
      c.exec("cannot save the state", "DELETE FROM cforg_journal WHERE workspace = $1",
             {sh_->workspace});
      c.exec("cannot save the state", "COMMIT");
    } catch (...) {
      c.exec_quiet("ROLLBACK");
      throw;
    }
  }

  void check_open() const {
    if (done_) throw std::logic_error("a transaction on " + sh_->where + " was committed");
  }

  std::shared_ptr<Shared> sh_;
  const std::string base_lineage_;
  const std::uint64_t base_serial_;
  std::unique_ptr<PgJournal> journal_;
  bool done_ = false;
};

class PgBackend final : public Backend {
 public:
  explicit PgBackend(std::shared_ptr<Shared> sh) : sh_(std::move(sh)) {}

  std::string describe() const override { return sh_->where; }

  std::unique_ptr<Lock> lock(std::string_view operation) override {
    Conn& c = *sh_->conn;
    std::lock_guard guard(c.mu);
    if (sh_->held) {
      throw LockedError(sh_->where + " is locked by " + holder_text(*sh_->held) + " (lock id " +
                            sh_->held->id + "), in this very process",
                        *sh_->held);
    }
    Result got = c.exec("cannot lock",
                        (std::string("SELECT pg_try_advisory_lock(") + kLockKey + ")").c_str(),
                        {sh_->workspace});
    if (value(got, 0, 0) != "t") {
      // The holder writes its row right after taking the lock (or replaces the row of a dead
      // holder): look a few times before giving up on naming it.
      Result r;
      for (int attempt = 0; attempt < 40; ++attempt) {
        r = c.exec("cannot read the lock holder",
                   "SELECT id, operation, who, pid, created FROM cforg_locks WHERE workspace = $1",
                   {sh_->workspace});
        if (PQntuples(r.get()) > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
      if (PQntuples(r.get()) == 0) {
        throw LockedError(sh_->where +
                              " is locked by another cforg, which has not written who "
                              "it is yet. Try again in a moment.",
                          LockInfo{});
      }
      LockInfo h{value(r, 0, 0), value(r, 0, 1), value(r, 0, 2), std::stoi(value(r, 0, 3)),
                 value(r, 0, 4)};
      throw LockedError(sh_->where + " is locked by " + holder_text(h) + " (lock id " + h.id +
                            "). Wait for it to finish: the lock is released when its "
                            "connection to the server ends, even if it is killed",
                        h);
    }
    LockInfo info{new_uuid(), std::string(operation), user_at_host(), static_cast<int>(::getpid()),
                  now_rfc3339()};
    try {
      // A row left by a holder that died is overwritten: its advisory lock is gone with it.
      c.exec("cannot write the lock holder",
             "INSERT INTO cforg_locks (workspace, id, operation, who, pid, created, backend_pid) "
             "VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid()) ON CONFLICT (workspace) DO UPDATE "
             "SET id = $2, operation = $3, who = $4, pid = $5, created = $6, backend_pid = "
             "pg_backend_pid()",
             {sh_->workspace, info.id, info.operation, info.who, std::to_string(info.pid),
              info.created});
    } catch (...) {
      try {
        unlock(c);
      } catch (const StateError&) {
        // The server releases it when the connection closes.
      }
      throw;
    }
    sh_->held = info;
    return std::make_unique<PgLock>(sh_, std::move(info));
  }

  Snapshot load() override {
    Conn& c = *sh_->conn;
    std::lock_guard guard(c.mu);
    Snapshot snap;
    std::vector<std::pair<std::string, std::string>> rows;  // (seq, record)
    JournalHeader header;
    try {
      // One snapshot of the database for the state and its journal.
      c.exec("cannot load the state", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      Result st = c.exec("cannot load the state",
                         "SELECT state FROM cforg_states WHERE workspace = $1", {sh_->workspace});
      if (PQntuples(st.get()) == 1) snap.state = state_from_text(value(st, 0, 0), sh_->where);
      Result j = c.exec("cannot load the journal",
                        "SELECT seq, base_lineage, base_serial, record FROM cforg_journal "
                        "WHERE workspace = $1 ORDER BY seq",
                        {sh_->workspace});
      for (int i = 0; i < PQntuples(j.get()); ++i) {
        JournalHeader h{value(j, i, 1), std::stoull(value(j, i, 2))};
        if (i == 0) header = h;
        if (h.lineage != header.lineage || h.base_serial != header.base_serial) {
          throw StateError(journal_where(*sh_) +
                           " holds records of several runs; it was "
                           "written by something other than cforg: repair it first");
        }
        rows.emplace_back(value(j, i, 0), value(j, i, 3));
      }
      c.exec("cannot load the state", "COMMIT");
    } catch (...) {
      c.exec_quiet("ROLLBACK");
      throw;
    }
    if (rows.empty()) return snap;
    std::string where = journal_where(*sh_);
    if (classify(header, snap.state, where, sh_->where) == JournalFit::stale) return snap;
    for (const auto& [seq, line] : rows) {
      std::string at = where + " (seq " + seq + ")";
      JsonParse parsed = parse_json_checked(line);
      if (!parsed.ok()) throw StateError(at + ": invalid JSON: " + parsed.message());
      fold(snap.state, record_from_json(parsed.value, at));
    }
    snap.state.relink_parents();
    check_folded(snap.state, where);
    snap.journal_records = rows.size();
    spdlog::info("{}: folded in {} changes left by an interrupted run", sh_->where, rows.size());
    return snap;
  }

  std::unique_ptr<Transaction> begin(const Lock& /*held*/, const Snapshot& base) override {
    return std::make_unique<PgTransaction>(sh_, base);
  }

  void unlock(Conn& c) {
    c.exec("cannot unlock", (std::string("SELECT pg_advisory_unlock(") + kLockKey + ")").c_str(),
           {sh_->workspace});
  }

  void force_unlock(std::string_view lock_id) override {
    Conn& c = *sh_->conn;
    std::lock_guard guard(c.mu);
    Result r = c.exec("cannot read the lock holder",
                      "SELECT id, operation, who, pid, created, backend_pid FROM cforg_locks "
                      "WHERE workspace = $1",
                      {sh_->workspace});
    if (PQntuples(r.get()) == 0) throw StateError(sh_->where + " is not locked");
    LockInfo h{value(r, 0, 0), value(r, 0, 1), value(r, 0, 2), std::stoi(value(r, 0, 3)),
               value(r, 0, 4)};
    if (h.id != lock_id) {
      throw StateError(sh_->where + ": the lock id is " + h.id + ", not " + std::string(lock_id) +
                       " (held by " + holder_text(h) + ")");
    }
    Result got = c.exec("cannot lock",
                        (std::string("SELECT pg_try_advisory_lock(") + kLockKey + ")").c_str(),
                        {sh_->workspace});
    if (value(got, 0, 0) != "t") {
      // Only the holder's session can release a session lock, and it does when it ends.
      throw StateError(sh_->where + " is locked by " + holder_text(h) +
                       ", whose connection is still open (server process " + value(r, 0, 5) +
                       "). It is released when that run ends; if it hangs, end its connection "
                       "with SELECT pg_terminate_backend(" +
                       value(r, 0, 5) + ") (what it journaled is kept)");
    }
    c.exec("cannot remove the lock row", "DELETE FROM cforg_locks WHERE workspace = $1",
           {sh_->workspace});
    unlock(c);
  }

 private:
  std::shared_ptr<Shared> sh_;
};

// "postgres://user@host:port/db": the connection's parameters without the password.
std::string describe_url(const std::string& url, const std::vector<std::string>& secrets) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    std::string why = err ? trim(redact(err, secrets)) : "out of memory";
    if (err) PQfreemem(err);
    throw StateError("the PostgreSQL URL (--state-url or CFORG_PG_URL) is not valid: " + why +
                     ". Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE");
  }
  std::string user, host, port, db;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    std::string k = o->keyword;
    if (k == "user") user = o->val;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") db = o->val;
  }
  PQconninfoFree(opts);
  std::string d = "postgres://" + (user.empty() ? "" : user + "@") +
                  (host.empty() ? "localhost" : host) + (port.empty() ? "" : ":" + port) + "/" + db;
  return redact(d, secrets);
}

}  // namespace

std::unique_ptr<Backend> open_pg_backend(const std::string& url, const std::string& workspace) {
  if (url.empty()) {
    throw StateError("no PostgreSQL URL: pass --state-url postgres://... or set CFORG_PG_URL");
  }
  if (workspace.empty()) throw StateError("the workspace name is empty");
  auto sh = std::make_shared<Shared>();
  sh->url = url;
  sh->secrets = pg_secrets(url);
  sh->workspace = workspace;
  sh->url_where = describe_url(url, sh->secrets);
  sh->where = "workspace " + workspace + " in " + sh->url_where;
  sh->conn = sh->connect();
  ensure_schema(*sh->conn);
  return std::make_unique<PgBackend>(std::move(sh));
}

}  // namespace cforg::state
