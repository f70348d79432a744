// One libpq connection, with the few calls the PostgreSQL backend makes: each failure a
// StateError naming what was being done, where, and the server's reason (secrets redacted).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cforg::state {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// The text of row `row`, column `col` of `r`; "" for NULL.
std::string cell(const PgResult& r, int row, int col);

// libpq connections are not thread-safe: every use holds mu.
class PgConnection {
 public:
  // Connects to `url`; throws StateError naming `url_where` (the URL without its password) and
  // what to check. `where` names the workspace in later messages; `secrets` are redacted from
  // every message of the server.
  PgConnection(const std::string& url, const std::string& url_where, std::string where,
               std::vector<std::string> secrets);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with text parameters; throws StateError "<what> in <where>: <server's message>"
  // unless it succeeds. Call with mu held.
  PgResult exec(const std::string& what, const char* sql,
                const std::vector<std::string>& params = {});

  // Prepares `sql` as `name` on this connection (for the statements of the hot path: parsed
  // and planned once), and runs it.
  void prepare(const std::string& what, const char* name, const char* sql, int params);
  PgResult exec_prepared(const std::string& what, const char* name,
                         const std::vector<std::string>& params);

  // A statement that may fail harmlessly (ROLLBACK after an error).
  void exec_quiet(const char* sql);

  // Runs `body` between BEGIN (`begin`, which may set an isolation level) and COMMIT, and rolls
  // back when it throws. Call with mu held.
  template <typename Body>
  void in_transaction(const std::string& what, const char* begin, Body&& body) {
    try {
      exec(what, begin);
      body();
      exec(what, "COMMIT");
    } catch (...) {
      exec_quiet("ROLLBACK");
      throw;
    }
  }

  const std::string& where() const { return where_; }
  std::mutex mu;

 private:
  PgResult check(PgResult r, const std::string& what);

  PGconn* pg_ = nullptr;
  std::string where_;
  std::vector<std::string> secrets_;
};

}  // namespace cforg::state
