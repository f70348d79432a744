// Where state lives: load, save, lock and journal, behind an interface so that a second
// backend (an object store, a database) fits without touching planner or executor.
#pragma once

#include <cstdint>
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

  nlohmann::json to_json() const;
  static LockInfo from_json(const nlohmann::json& j);
};

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

class Backend {
 public:
  virtual ~Backend() = default;

  // For messages: "state/cforg.state.json".
  virtual std::string describe() const = 0;

  // Takes the lock at once or throws LockedError naming the holder.
  virtual std::unique_ptr<Lock> lock(std::string_view operation) = 0;

  // The current state with any journal left by an interrupted run folded in (in memory; the
  // files are not changed). A missing state is an empty one with an empty lineage (so that a
  // plan made against it stays valid until something is saved); a corrupt one, or one with an
  // unknown format_version, throws StateError and is never touched.
  virtual State load() = 0;

  // Whether the last load() folded in changes an interrupted run left in the journal: they
  // are in the state load() returned but not in the state file until the next save().
  virtual bool journal_pending() const = 0;

  // Writes `s` atomically with serial bumped by one (s.serial is updated; a state without a
  // lineage gets a fresh one), keeps the previous version as a backup, then discards the
  // journal (its records are now in the state). Call with the lock held.
  virtual void save(State& s) = 0;

  // A journal for the mutations of a run that starts from `base` (as loaded). When a journal
  // left by an interrupted run is what `base` already folded in, new records are appended to
  // it, so nothing it holds is lost before the next save. Call with the lock held; at most one
  // open journal at a time.
  virtual std::unique_ptr<Journal> open_journal(const State& base) = 0;

  // Removes the lock whose id is `lock_id`. Throws StateError when there is no lock or the id
  // is another one.
  virtual void force_unlock(std::string_view lock_id) = 0;
};

// The local-file backend: the state at `path`, with `path.lock`, `path.backup` and
// `path.journal` beside it. The folder is created when missing.
std::unique_ptr<Backend> open_file_backend(const std::string& path);

}  // namespace cforg::state
