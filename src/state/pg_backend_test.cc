// The PostgreSQL backend beyond the protocol every backend keeps (backend_contract_test.cc):
// workspaces, the schema's version, connection errors. Skipped, saying so, when no PostgreSQL
// server can be started.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "backend_test_support.h"
#include "cforg/state/backend.h"
#include "state_test_support.h"
#include "support/pg.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;
using testing::make_org;
using ::testing::Not;
using testing::org_id;

class PgBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    CFORG_PG_URL_OR_SKIP(url);
    url_ = url;
  }
  // Runs `sql` in the database of `url`; fails the test on an error.
  static void sql(const std::string& url, const std::string& statement) {
    PGconn* c = PQconnectdb(url.c_str());
    ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    PGresult* r = PQexec(c, statement.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
  // `url_` with its database replaced by `db`.
  std::string with_database(const std::string& db) const {
    return url_.substr(0, url_.rfind('/') + 1) + db;
  }
  std::string password() const {
    std::size_t start = url_.find("://") + 3;
    std::string userinfo = url_.substr(start, url_.find('@') - start);
    return userinfo.substr(userinfo.find(':') + 1);
  }
  std::string url_;
};

TEST_F(PgBackend, WorkspacesAreSeparateStates) {
  std::string a = cforg::testing::unique_workspace("ws-a");
  std::string b = cforg::testing::unique_workspace("ws-b");
  auto first = open_pg_backend(url_, a);
  State s;
  s.orgs["root"] = make_org(org_id(1), "Root");
  testing::save(*first, s);
  EXPECT_EQ(testing::load(*open_pg_backend(url_, b)), State{});
  auto lock_a = first->lock("apply");
  EXPECT_NO_THROW(open_pg_backend(url_, b)->lock("apply"));  // another workspace's lock
  EXPECT_EQ(testing::load(*open_pg_backend(url_, a)), s);
}

TEST_F(PgBackend, AJournalOfSeveralRunsIsRefusedSayingWhatToLookAt) {
  std::string ws = cforg::testing::unique_workspace("mixed");
  auto backend = open_pg_backend(url_, ws);
  State s;
  s.orgs["root"] = make_org(org_id(1), "Root");
  testing::save(*backend, s);
  Snapshot loaded = backend->load();
  // Rows of two runs, as no cforg writes them (each run's rows share one base).
  sql(url_,
      "INSERT INTO cforg_journal (workspace, seq, base_lineage, base_serial, record) "
      "VALUES ('" +
          ws + "', 1, '" + s.lineage + "', 1, '{}'), ('" + ws + "', 2, 'other', 1, '{}')");
  const std::string expected = "holds records of several runs, which cforg never writes";
  try {
    backend->load();
    ADD_FAILURE() << "folded a journal of several runs";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected));
    EXPECT_THAT(e.what(), HasSubstr("workspace = '" + ws + "'"));
  }
  // A run that loaded before they appeared refuses to append to them.
  std::unique_ptr<Transaction> tx = backend->begin(testing::NoLock(), loaded);
  try {
    tx->journal();
    ADD_FAILURE() << "appended to a journal of several runs";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
}

TEST_F(PgBackend, ANewerSchemaIsRefusedClearly) {
  std::string db = "cforg_schema_" + std::to_string(::getpid());
  sql(url_, "DROP DATABASE IF EXISTS " + db);
  sql(url_, "CREATE DATABASE " + db);
  std::string url = with_database(db);
  open_pg_backend(url, "default");  // creates schema version 1
  sql(url, "UPDATE cforg_schema SET version = 2");
  try {
    open_pg_backend(url, "default");
    ADD_FAILURE() << "a newer schema was accepted";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("version 2, newer than this cforg knows (1)"));
    EXPECT_THAT(e.what(), HasSubstr("Upgrade cforg"));
  }
  sql(url_, "DROP DATABASE " + db + " WITH (FORCE)");
}

TEST_F(PgBackend, ConnectionErrorsAreClearAndNeverShowThePassword) {
  std::string pw = password();
  ASSERT_GE(pw.size(), 8u);
  std::string wrong = url_;
  wrong.replace(wrong.find(pw), pw.size(), pw + "x");
  struct Case {
    std::string url, expected;
  };
  std::string host_port = url_.substr(url_.find('@') + 1);
  host_port = host_port.substr(0, host_port.find('/'));
  std::vector<Case> cases = {
      {wrong, "password authentication failed"},
      {with_database("no_such_database"), "database \"no_such_database\" does not exist"},
      {"postgres://cforg:" + pw + "@127.0.0.1:1/cforg_test", "Connection refused"},
      {"postgres://cforg:" + pw + "@127.0.0.1:notaport/db", "invalid integer value"},
      {"host=127.0.0.1 password=" + pw + " port=1", "Connection refused"},
  };
  for (const Case& c : cases) {
    try {
      open_pg_backend(c.url, "default");
      ADD_FAILURE() << "connected with a bad URL";
    } catch (const StateError& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.expected));
      EXPECT_THAT(e.what(), HasSubstr("cannot connect to PostgreSQL at postgres://"));
      EXPECT_THAT(e.what(), Not(HasSubstr(pw)));
    }
  }
}

// The controller's lease: one session's at a time, and lost with that session (a killed
// replica, a dropped connection: here the server ends it), which frees it for a standby.
TEST_F(PgBackend, ControllerLeaseIsOneSessionsAndGoesWithItsConnection) {
  std::string ws = cforg::testing::unique_workspace("lease");
  std::unique_ptr<Lease> leader = open_pg_backend(url_, ws)->try_lead();
  ASSERT_NE(leader, nullptr);
  EXPECT_TRUE(leader->held());
  EXPECT_EQ(open_pg_backend(url_, ws)->try_lead(), nullptr) << "two leaders of one workspace";
  EXPECT_NE(open_pg_backend(url_, cforg::testing::unique_workspace("other"))->try_lead(), nullptr)
      << "another workspace has a lease of its own";
  // The state's own lock is apart: the leader's runs take it as any run does.
  EXPECT_NE(open_pg_backend(url_, ws)->lock("apply"), nullptr);

  sql(url_,
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
      "((classid::bigint << 32) | objid::bigint) = hashtextextended('cforg/leader/" +
          ws + "', 0)");
  EXPECT_FALSE(leader->held());
  EXPECT_FALSE(leader->held()) << "a lost lease stays lost";
  std::unique_ptr<Lease> next;
  for (int i = 0; i < 50 && !next; ++i) {
    next = open_pg_backend(url_, ws)->try_lead();
    if (!next) usleep(20000);
  }
  EXPECT_NE(next, nullptr) << "the lease was not freed when its session ended";
}

}  // namespace
}  // namespace cforg::state
