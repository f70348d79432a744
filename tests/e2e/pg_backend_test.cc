// The state in PostgreSQL (--backend pg), end to end: the built cforg against the emulator and
// a PostgreSQL server (tests/support/pg.h: skipped, saying why, when none can be started).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "support/pg.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string password_of(const std::string& url) {
  std::size_t start = url.find("://") + 3;
  std::string userinfo = url.substr(start, url.find('@') - start);
  return userinfo.substr(userinfo.find(':') + 1);
}

class PgE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    CFORG_PG_URL_OR_SKIP(url);
    url_ = url;
    workspace_ = unique_workspace("e2e");
  }
  // The pg flags: the URL through CFORG_PG_URL (as a CI runner would pass it).
  std::vector<std::string> pg(std::vector<std::string> args) const {
    return with(std::move(args), {"--backend", "pg", "--workspace", workspace_});
  }
  RunOptions env() const {
    RunOptions o;
    o.env["CFORG_PG_URL"] = url_;
    return o;
  }
  // For background runs (Workspace::start takes no environment): the URL as a flag.
  std::vector<std::string> pg_url_flag(std::vector<std::string> args) const {
    return with(pg(std::move(args)), {"--state-url", url_});
  }
  // The workspace's state, pulled into a file.
  nlohmann::json pulled(const Workspace& ws) const {
    std::string file = ws.dir() / ("pulled-" + std::to_string(pulls_++) + ".json");
    ProcessResult r = ws.cforg(pg({"state", "pull", file, "--force"}), env());
    EXPECT_EQ(r.exit_code, 0) << dump(r);
    return nlohmann::json::parse(read_file(file));
  }
  void expect_converged(const Emulator& emu, const Workspace& ws, int expected) const {
    cforg::testing::expect_converged(
        emu, pulled(ws), expected,
        ws.cforg(pg({"plan", "--detailed-exitcode", "--rate-limit", "0"}), env()));
  }

  std::string url_, workspace_;
  mutable int pulls_ = 0;
};

TEST_F(PgE2E, ApplyKeepsTheStateInTheWorkspaceNotInAFile) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(flat_config("Pg", 5));
  RunOptions o = env();
  ProcessResult r =
      ws.cforg(with(pg({"apply", "--auto-approve", "--log-level", "debug"}), kFast), o);
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_FALSE(std::filesystem::exists(ws.state_path()));
  expect_converged(emu, ws, 5);
  ProcessResult list = ws.cforg(pg({"state", "list"}), env());
  EXPECT_EQ(list.exit_code, 0) << dump(list);
  EXPECT_THAT(list.out, HasSubstr("Pg 4"));
  // The password reaches neither the output nor the state.
  std::string pw = password_of(url_);
  EXPECT_THAT(r.out + r.err + list.out + list.err, Not(HasSubstr(pw)));
  EXPECT_THAT(pulled(ws).dump(), Not(HasSubstr(pw)));
}

TEST_F(PgE2E, KillDashNineMidApplyLosesNothingAndARerunCompletes) {
  Emulator emu({"--latency-ms", "20", "--jitter-ms", "10"});
  Workspace ws(&emu);
  ws.config(flat_config("Killed", 120));
  auto apply =
      ws.start(with(pg_url_flag({"apply", "--auto-approve", "--parallelism", "4"}), kFast), "run");
  // Kill it once some creates are done and many are not.
  for (int i = 0; i < 600 && requests(emu, "POST") < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(apply->running()) << "the apply finished before the kill" << apply->err();
  apply->kill(SIGKILL);
  ASSERT_EQ(apply->wait(), 128 + SIGKILL);
  int created_before = requests(emu, "POST");
  ASSERT_LT(created_before, 120);

  // What the killed run journaled is in the workspace's journal, not yet in its state: a push
  // over it would drop those ids, so it is refused.
  std::string copy = ws.dir() / "copy.json";
  ProcessResult pull = ws.cforg(pg({"state", "pull", copy}), env());
  ASSERT_EQ(pull.exit_code, 0) << dump(pull);
  EXPECT_THAT(pull.out, HasSubstr("with the changes an interrupted run had journaled"));
  ProcessResult push = ws.cforg(pg({"state", "push", copy}), env());
  EXPECT_EQ(push.exit_code, 1) << dump(push);
  EXPECT_THAT(push.err, HasSubstr("changes an interrupted run journaled"));

  // The workspace lock died with the process: the re-run proceeds, adopts nothing twice.
  ProcessResult r =
      ws.cforg(with(pg({"apply", "--auto-approve", "--parallelism", "8"}), kFast), env());
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  expect_converged(emu, ws, 120);
}

// The database restarted under a running apply: every connection is cut, the advisory lock
// with them, so the run must stop (going on without its lock would be unsafe). It says which
// org and which journal write it was at, exits 1, and what it had journaled stays for the
// re-run, which completes without a duplicate.
TEST(PgRestart, TheDatabaseRestartedMidApplyStopsItClearlyAndARerunCompletes) {
  OwnPgServer server;
  if (server.url().empty()) {
    const char* required = std::getenv("CFORG_REQUIRE_PG");
    if (required && std::string(required) == "1") {
      FAIL() << "no PostgreSQL server (CFORG_REQUIRE_PG=1): " << server.why();
    }
    GTEST_SKIP() << "no PostgreSQL server could be started: " << server.why();
  }
  Emulator emu({"--latency-ms", "20", "--jitter-ms", "10"});
  Workspace ws(&emu);
  ws.config(flat_config("Restarted", 150));
  const std::vector<std::string> pg = {"--backend", "pg", "--state-url", server.url()};
  auto apply =
      ws.start(with(with({"apply", "--auto-approve", "--parallelism", "4"}, pg), kFast), "run");
  for (int i = 0; i < 1000 && requests(emu, "POST") < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(apply->running()) << "the apply finished before the restart" << apply->err();
  ASSERT_TRUE(server.restart()) << server.why();
  EXPECT_EQ(apply->wait(), 1) << apply->out() << apply->err();
  int posts = requests(emu, "POST");
  ASSERT_LT(posts, 150);
  std::string said = apply->out() + apply->err();
  // Which org, that it was the journal write that failed, and the server's reason, on one line
  // (libpq's own message spans three).
  EXPECT_THAT(apply->out(), ::testing::ContainsRegex(
                                "org \"Restarted [0-9]+\": failed: cannot append to the journal "
                                "in workspace [^\n]*terminating connection[^\n]*the connection "
                                "to the server was lost"));
  // What was done is summed up even though the state could not be saved; then why not.
  EXPECT_THAT(apply->out(), HasSubstr("Apply incomplete: "));
  EXPECT_THAT(apply->err(), HasSubstr("Error: cannot save the state in workspace default"));
  EXPECT_THAT(apply->err(), HasSubstr("the next run folds in what this one journaled"));
  EXPECT_THAT(said, Not(HasSubstr(password_of(server.url()))));

  ProcessResult r =
      ws.cforg(with(with({"apply", "--auto-approve", "--parallelism", "8"}, pg), kFast));
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  auto remote = remote_by_name(emu);
  EXPECT_EQ(remote.size(), 150u);
  std::set<std::string> names;
  for (const auto& [name, org] : remote) names.insert(name);
  EXPECT_EQ(names.size(), 150u) << "duplicates remotely";
  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode", "--rate-limit", "0"}, pg));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  ProcessResult list = ws.cforg(with({"state", "list"}, pg));
  for (const auto& [name, org] : remote) {
    EXPECT_THAT(list.out, HasSubstr(org["id"].get<std::string>())) << name << " not in state";
  }
}

TEST_F(PgE2E, BadURLsGiveClearErrorsWithoutThePassword) {
  Workspace ws(nullptr);
  std::string pw = password_of(url_);
  std::string wrong = url_;
  wrong.replace(wrong.find(pw), pw.size(), "not-" + pw);
  std::string base = url_.substr(0, url_.rfind('/') + 1);
  std::string host_port = url_.substr(url_.find('@') + 1, url_.rfind('/') - url_.find('@') - 1);
  std::string port = host_port.substr(host_port.find(':') + 1);
  struct Case {
    std::string url, expected;
  };
  std::vector<Case> cases = {
      {wrong, "password authentication failed"},
      {base + "no_such_db", "database \"no_such_db\" does not exist"},
      {"postgres://cforg:" + pw + "@127.0.0.1:1/cforg_test", "Connection refused"},
      {"postgres://cforg:" + pw + "@127.0.0.1:port/x", "invalid"},
      // The password in the query, and in a key=value connection string: kept out as well.
      {"postgres://cforg@" + host_port + "/cforg_test?password=not-" + pw,
       "password authentication failed"},
      {"host=127.0.0.1 port=" + port + " user=cforg dbname=cforg_test password='not-" + pw + "'",
       "password authentication failed"},
  };
  for (const Case& c : cases) {
    RunOptions o;
    o.env["CFORG_PG_URL"] = c.url;
    ProcessResult r = ws.cforg(pg({"state", "list", "--log-level", "trace"}), o);
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.err, HasSubstr("Error: cannot connect to PostgreSQL at postgres://cforg@"));
    EXPECT_THAT(r.err, HasSubstr(c.expected));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(pw)));
  }
  RunOptions no_url;
  no_url.unset_env = {"CFORG_PG_URL"};
  ProcessResult none = ws.cforg({"state", "list", "--backend", "pg"}, no_url);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("--state-url"));
}

TEST_F(PgE2E, PushAndPullCheckLineageAndSerial) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(flat_config("Moved", 3));
  ProcessResult r = ws.cforg(with({"apply", "--auto-approve"}, kFast));  // the local file
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  std::string file = ws.state_path();
  nlohmann::json local = ws.state();

  r = ws.cforg(pg({"state", "push", file}), env());
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(pulled(ws)["serial"], local["serial"]);
  EXPECT_EQ(pulled(ws)["lineage"], local["lineage"]);
  // Work goes on in the workspace: its serial moves past the file's.
  ws.config(flat_config("Moved", 4));
  r = ws.cforg(with(pg({"apply", "--auto-approve"}), kFast), env());
  ASSERT_EQ(r.exit_code, 0) << dump(r);

  r = ws.cforg(pg({"state", "push", file}), env());  // the older file
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("is newer"));
  EXPECT_THAT(r.err, HasSubstr("--force"));

  // Pull brings the file up to date; then another lineage is refused without --force.
  r = ws.cforg(pg({"state", "pull", file}), env());
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(ws.state()["organizations"].size(), 4u);
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode", "--rate-limit", "0"});
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);

  Workspace other(&emu);
  other.config(flat_config("Other", 1));
  ASSERT_EQ(other.cforg(with({"apply", "--auto-approve"}, kFast)).exit_code, 0);
  r = ws.cforg(pg({"state", "push", other.state_path()}), env());
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("another state"));
  r = ws.cforg(pg({"state", "push", other.state_path(), "--force"}), env());
  EXPECT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(pulled(ws)["lineage"], other.state()["lineage"]);
}

}  // namespace
}  // namespace cforg::testing
