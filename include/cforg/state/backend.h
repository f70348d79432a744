// Where state lives: load, save, lock and journal, behind an interface so that a second
// backend (an object store, a database) fits without touching planner or executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cforg/state/journal.h"
#include "cforg/state/state.h"

namespace cforg::state {

// Who holds a lock: written into the lock so that a second user can be told.
struct LockInfo {
  std::string id;         // a UUID; what `cforg force-unlock` takes
  std::string operation;  // "plan", "apply", "import", ...
  std::string who;        // user@host
  int pid = 0;
  std::string created;  // RFC 3339

  // The holder for messages, the same in every backend and in the CLI's wait notice:
  // alice@ci-7 (pid 4242) running "apply" since 2026-11-29T18:11:19Z
  std::string holder_text() const;

  nlohmann::json to_json() const;
  // Throws StateError "lock info: pid: expected an integer, found string".
  static LockInfo from_json(const nlohmann::json& j);
};
// Its JSON, {"created": ..., "id": ..., "operation": ..., "pid": ..., "who": ...}: nlohmann's
// writer (ADL) and the checked reader (model/json_fields.h; members it does not know are
// ignored). The members above call these.
void to_json(nlohmann::json& j, const LockInfo& info);
void read_json(const JsonAt& at, LockInfo& info);

// Another process holds the lock. what() names the holder and says what to do.
class LockedError : public StateError {
 public:
  LockedError(const std::string& message, LockInfo holder)
      : StateError(message), holder(std::move(holder)) {}
  LockInfo holder;
};

// Held while alive; released on destruction (and by the OS if the process dies).
class Lock {
 public:
  virtual ~Lock() = default;
  virtual const LockInfo& info() const = 0;
};

// Leadership among the replicas of `cforg controller` that share one state: while one holds
// it the others wait as standbys. It goes with its holder: the OS drops a file's flock when the
// process dies, the server drops a session's advisory lock when the session ends (a killed
// process, a dropped connection). It is not what keeps two applies apart (the state's lock
// does that, in every backend): it keeps standbys from spending the API's budget on plans.
class Lease {
 public:
  virtual ~Lease() = default;
  // Still held. PostgreSQL: a round trip on the connection that holds it; once that fails the
  // lease is lost for good (another replica may lead by then).
  virtual bool held() = 0;
};

// The backend protocol, after Terraform's statemgr (transient, persistent, locker):
//   lock()   the locker: held while the returned Lock lives;
//   load()   a Snapshot: the persisted state with what an interrupted run's journal holds;
//   begin()  a Transaction from a snapshot, with the lock held: it owns the run's journal and
//            commit() persists the state and retires that journal in one step.
// A read-only command only loads; a command that changes the state locks, loads, begins,
// journals its mutations as they complete and commits once at the end.

// What load() read.
struct Snapshot {
  State state;
  // How many records of a journal left by an interrupted run are folded into `state`: they
  // are not in the persisted state until the next commit().
  std::size_t journal_records = 0;
  bool journal_pending() const { return journal_records > 0; }
};

// One run's changes to the state, from the snapshot it was opened from. Destroying it without
// commit() keeps what its journal holds for the next load() to fold in (as a crash would).
class Transaction {
 public:
  virtual ~Transaction() = default;

  // The journal for the run's mutations, opened on first use. When the snapshot folded in a
  // journal left by an interrupted run, new records are appended to it, so that nothing it
  // holds is lost before the commit. Throws StateError for a journal that belongs to neither
  // this state nor an older version of it.
  virtual Journal& journal() = 0;

  // Writes `s` atomically with serial bumped by one (s.serial is updated; a state without a
  // lineage gets a fresh one), keeps the previous version where the backend can, then
  // discards the journal (its records are now in the state): appending to it throws from
  // then on. Refuses a persisted state that changed since `s` was loaded. Once per
  // transaction.
  virtual void commit(State& s) = 0;

  // Writes `s` as it is, serial and lineage included (state push / pull: the caller checked
  // lineage and serial), with the same atomicity as commit(). Once per transaction.
  virtual void replace(const State& s) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // For messages: "state/cforg.state.json". Never holds a credential.
  virtual std::string describe() const = 0;

  // Takes the lock at once or throws LockedError naming the holder.
  virtual std::unique_ptr<Lock> lock(std::string_view operation) = 0;

  // The current state with any journal left by an interrupted run folded in (in memory;
  // nothing persisted is changed). A missing state is an empty one with an empty lineage (so
  // that a plan made against it stays valid until something is saved); a corrupt one, or one
  // with an unknown format_version, throws StateError and is never touched.
  virtual Snapshot load() = 0;

  // A transaction for a run that starts from `base` (as loaded), with `held` (this backend's
  // lock) held for as long as the transaction lives.
  virtual std::unique_ptr<Transaction> begin(const Lock& held, const Snapshot& base) = 0;

  // Removes the lock whose id is `lock_id`. Throws StateError when there is no lock or the id
  // is another one.
  virtual void force_unlock(std::string_view lock_id) = 0;
  // Takes the lease at once, or returns nullptr while another process holds it. Throws
  // StateError when the backend cannot be reached.
  virtual std::unique_ptr<Lease> try_lead() = 0;
};

// Takes `backend`'s lock, waiting up to `timeout` while another process holds it (--lock-timeout):
// with a zero timeout it fails at once, as Backend::lock does. While it waits it polls with a
// growing pause (50 ms doubling to 1 s, never past the deadline): a lock has no waiting list
// that works for both backends, and a poll a second is nothing next to a run that holds a lock
// for minutes. `on_wait` is called when it starts waiting and whenever the holder changes, so
// that the user is told for whom it waits. At the deadline it throws the backend's LockedError,
// naming the holder then, and how long it waited.
using LockWaitObserver =
    std::function<void(const LockedError& held_by, std::chrono::milliseconds timeout)>;
std::unique_ptr<Lock> lock_waiting(Backend& backend, std::string_view operation,
                                   std::chrono::milliseconds timeout,
                                   const LockWaitObserver& on_wait = {});
// Now in RFC 3339, UTC, to the second (2026-12-07T20:31:07Z): lock holders, the controller.
std::string now_rfc3339();

// "30s", "5m", "1h", "1500ms": a duration as --lock-timeout takes it.
std::string duration_text(std::chrono::milliseconds d);

// The local-file backend: the state at `path`, with `path.lock`, `path.backup` and
// `path.journal` beside it. A symlink at `path` is followed: the state is written to its
// target (renamed into the target's folder, which is synced), and the lock, backup and journal
// sit beside the target, so that runs through the link and through the target exclude each
// other. A missing folder is created only with `create_folder` (the default state/ folder);
// otherwise loading or locking it is a StateError naming the folder: a mistyped --state must
// not read as an empty estate.
std::unique_ptr<Backend> open_file_backend(const std::string& path, bool create_folder = true);

// The PostgreSQL backend: workspace `workspace` in the database at `url` (a postgres:// URL or
// a libpq connection string). Connects, and creates or checks the schema, before returning;
// throws StateError with the URL's password left out of every message.
std::unique_ptr<Backend> open_pg_backend(const std::string& url, const std::string& workspace);

}  // namespace cforg::state
