#include "pg_connection.h"

#include "cforg/state/state.h"
#include "pg_url.h"

namespace cforg::state {
namespace {

std::vector<const char*> c_strings(const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& p : params) values.push_back(p.c_str());
  return values;
}

}  // namespace

std::string cell(const PgResult& r, int row, int col) {
  return PQgetisnull(r.get(), row, col) ? std::string()
                                        : std::string(PQgetvalue(r.get(), row, col));
}

PgConnection::PgConnection(const std::string& url, const std::string& url_where, std::string where,
                           std::vector<std::string> secrets)
    : where_(std::move(where)), secrets_(std::move(secrets)) {
  // connect_timeout first, so that the URL may override it; the URL is expanded from dbname.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "cforg", url.c_str(), nullptr};
  pg_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!pg_) throw StateError("cannot connect to PostgreSQL at " + where_ + ": out of memory");
  if (PQstatus(pg_) != CONNECTION_OK) {
    std::string why = pg_message(PQerrorMessage(pg_), secrets_);
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

PgConnection::~PgConnection() {
  if (pg_) PQfinish(pg_);
}

PgResult PgConnection::exec(const std::string& what, const char* sql,
                            const std::vector<std::string>& params) {
  std::vector<const char*> values = c_strings(params);
  // Without parameters through PQexec, which takes several statements at once.
  PgResult r(values.empty() ? PQexec(pg_, sql)
                            : PQexecParams(pg_, sql, static_cast<int>(values.size()), nullptr,
                                           values.data(), nullptr, nullptr, 0));
  return check(std::move(r), what);
}

void PgConnection::prepare(const std::string& what, const char* name, const char* sql, int params) {
  check(PgResult(PQprepare(pg_, name, sql, params, nullptr)), what);
}

PgResult PgConnection::exec_prepared(const std::string& what, const char* name,
                                     const std::vector<std::string>& params) {
  std::vector<const char*> values = c_strings(params);
  return check(PgResult(PQexecPrepared(pg_, name, static_cast<int>(values.size()), values.data(),
                                       nullptr, nullptr, 0)),
               what);
}

void PgConnection::exec_quiet(const char* sql) {
  PgResult r(PQexec(pg_, sql));
}

PgResult PgConnection::check(PgResult r, const std::string& what) {
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string why = pg_message(PQerrorMessage(pg_), secrets_);
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

}  // namespace cforg::state
