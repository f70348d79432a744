#include "pg_lock.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <thread>

#include "lock_info.h"

namespace cforg::state {
namespace {

// The advisory lock key of a workspace: a 64-bit hash computed by the server.
constexpr const char* kLockKey = "hashtextextended('cforg/workspace/' || $1, 0)";

// Takes the workspace's advisory lock for this session unless another session holds it.
bool try_advisory_lock(PgConnection& c, const std::string& workspace) {
  PgResult got =
      c.exec("cannot lock", (std::string("SELECT pg_try_advisory_lock(") + kLockKey + ")").c_str(),
             {workspace});
  return cell(got, 0, 0) == "t";
}

// Releases the advisory lock this session holds on the workspace.
void unlock(PgConnection& c, const std::string& workspace, const char* what = "cannot unlock") {
  c.exec(what, (std::string("SELECT pg_advisory_unlock(") + kLockKey + ")").c_str(), {workspace});
}

// The holder in the first row of `r`, whose columns start with id, operation, who, pid, created.
LockInfo holder_in(const PgResult& r) {
  return {cell(r, 0, 0), cell(r, 0, 1), cell(r, 0, 2), std::stoi(cell(r, 0, 3)), cell(r, 0, 4)};
}

class PgLock final : public Lock {
 public:
  PgLock(std::shared_ptr<PgWorkspace> ws, LockInfo info)
      : ws_(std::move(ws)), info_(std::move(info)) {}
  ~PgLock() override {
    try {
      std::lock_guard lock(ws_->conn->mu);
      ws_->held.reset();
      // The row first, while the advisory lock still keeps others away.
      ws_->conn->exec("removing the lock row",
                      "DELETE FROM cforg_locks WHERE workspace = $1 AND id = $2",
                      {ws_->name, info_.id});
      unlock(*ws_->conn, ws_->name, "releasing the lock");
    } catch (const StateError& e) {
      // The server releases the advisory lock when the connection closes; a row left behind is
      // recognised as stale by the next holder.
      spdlog::debug("{}", e.what());
    }
  }
  const LockInfo& info() const override { return info_; }

 private:
  std::shared_ptr<PgWorkspace> ws_;
  LockInfo info_;
};

}  // namespace

std::unique_ptr<Lock> acquire_pg_lock(const std::shared_ptr<PgWorkspace>& ws,
                                      std::string_view operation) {
  PgConnection& c = *ws->conn;
  std::lock_guard guard(c.mu);
  if (ws->held) {
    throw LockedError(ws->where + " is locked by " + ws->held->holder_text() + " (lock id " +
                          ws->held->id + "), in this very process",
                      *ws->held);
  }
  if (!try_advisory_lock(c, ws->name)) {
    // The holder writes its row right after taking the lock (or replaces the row of a dead
    // holder): look a few times before giving up on naming it.
    PgResult r;
    for (int attempt = 0; attempt < 40; ++attempt) {
      r = c.exec("cannot read the lock holder",
                 "SELECT id, operation, who, pid, created FROM cforg_locks WHERE workspace = $1",
                 {ws->name});
      if (PQntuples(r.get()) > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    if (PQntuples(r.get()) == 0) {
      throw LockedError(ws->where +
                            " is locked by another cforg, which has not written who "
                            "it is yet. Try again in a moment.",
                        LockInfo{});
    }
    LockInfo h = holder_in(r);
    throw LockedError(ws->where + " is locked by " + h.holder_text() + " (lock id " + h.id +
                          "). Wait for it to finish: the lock is released when its "
                          "connection to the server ends, even if it is killed",
                      h);
  }
  LockInfo info = this_process_lock_info(operation);
  try {
    // A row left by a holder that died is overwritten: its advisory lock is gone with it.
    c.exec("cannot write the lock holder",
           "INSERT INTO cforg_locks (workspace, id, operation, who, pid, created, backend_pid) "
           "VALUES ($1, $2, $3, $4, $5, $6, pg_backend_pid()) ON CONFLICT (workspace) DO UPDATE "
           "SET id = $2, operation = $3, who = $4, pid = $5, created = $6, backend_pid = "
           "pg_backend_pid()",
           {ws->name, info.id, info.operation, info.who, std::to_string(info.pid), info.created});
  } catch (...) {
    try {
      unlock(c, ws->name);
    } catch (const StateError&) {
      // The server releases it when the connection closes.
    }
    throw;
  }
  ws->held = info;
  return std::make_unique<PgLock>(ws, std::move(info));
}

void force_unlock_pg(PgWorkspace& ws, std::string_view lock_id) {
  PgConnection& c = *ws.conn;
  std::lock_guard guard(c.mu);
  PgResult r = c.exec("cannot read the lock holder",
                      "SELECT id, operation, who, pid, created, backend_pid FROM cforg_locks "
                      "WHERE workspace = $1",
                      {ws.name});
  if (PQntuples(r.get()) == 0) throw StateError(ws.where + " is not locked");
  LockInfo h = holder_in(r);
  if (h.id != lock_id) {
    throw StateError(ws.where + ": the lock id is " + h.id + ", not " + std::string(lock_id) +
                     " (held by " + h.holder_text() + ")");
  }
  if (!try_advisory_lock(c, ws.name)) {
    // Only the holder's session can release a session lock, and it does when it ends.
    throw StateError(ws.where + " is locked by " + h.holder_text() +
                     ", whose connection is still open (server process " + cell(r, 0, 5) +
                     "). It is released when that run ends; if it hangs, end its connection "
                     "with SELECT pg_terminate_backend(" +
                     cell(r, 0, 5) + ") (what it journaled is kept)");
  }
  c.exec("cannot remove the lock row", "DELETE FROM cforg_locks WHERE workspace = $1", {ws.name});
  unlock(c, ws.name);
}

namespace {

class PgLease final : public Lease {
 public:
  explicit PgLease(std::shared_ptr<PgConnection> conn) : conn_(std::move(conn)) {}
  bool held() override {
    if (lost_) return false;
    try {
      std::lock_guard lock(conn_->mu);
      conn_->exec("checking the controller's lease", "SELECT 1");
    } catch (const StateError& e) {
      spdlog::warn("{}: the lease is lost", e.what());
      lost_ = true;
    }
    return !lost_;
  }

 private:
  std::shared_ptr<PgConnection> conn_;
  bool lost_ = false;
};

}  // namespace

std::unique_ptr<Lease> try_pg_lease(const PgWorkspace& ws) {
  std::shared_ptr<PgConnection> conn = ws.connect();
  std::lock_guard lock(conn->mu);
  PgResult got = conn->exec(
      "cannot take the controller's lease",
      "SELECT pg_try_advisory_lock(hashtextextended('cforg/leader/' || $1, 0))", {ws.name});
  if (cell(got, 0, 0) != "t") return nullptr;
  return std::make_unique<PgLease>(std::move(conn));
}

}  // namespace cforg::state
