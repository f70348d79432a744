// The apply paths that matter most, end to end, once per state backend: the local file and
// PostgreSQL (--backend pg; skipped, saying why, when no server can be started, and failed
// instead under CFORG_REQUIRE_PG=1). One body per behaviour; the parameter picks the backend.
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

const char* kAcme = R"(
organizations:
  - name: Acme Root
    key: root
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: "+1-555-0100"
      business_address: 1 Acme Way
      external_metadata: "crm:42"
  - {name: Acme Platform, key: platform, parent: root}
  - {name: Acme Data, key: data, parent: platform}
  - {name: Acme Sales, key: sales, parent: root}
)";

std::string acme_with(const std::string& from, const std::string& to) {
  std::string yaml = kAcme;
  yaml.replace(yaml.find(from), from.size(), to);
  return yaml;
}

class Backends : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (pg()) {
      CFORG_PG_URL_OR_SKIP(url);
      url_ = url;
      workspace_ = unique_workspace("backends");
    }
  }
  bool pg() const { return GetParam() == "pg"; }

  // `args` with the flags that select this backend. The URL as a flag, not CFORG_PG_URL, so
  // that background runs (Workspace::start) get it too.
  std::vector<std::string> on_backend(std::vector<std::string> args) const {
    if (!pg()) return args;
    return with(std::move(args),
                {"--backend", "pg", "--workspace", workspace_, "--state-url", url_});
  }
  ProcessResult cforg(const std::vector<std::string>& args) const {
    return ws.cforg(on_backend(args));
  }
  std::unique_ptr<Child> start(const std::vector<std::string>& args, const std::string& log) const {
    return ws.start(on_backend(args), log);
  }
  // The state as a state file holds it: the file itself, or the workspace pulled into one.
  nlohmann::json state() const {
    if (!pg()) return ws.state();
    std::string file = ws.dir() / ("pulled-" + std::to_string(pulls_++) + ".json");
    ProcessResult r = cforg({"state", "pull", file, "--force"});
    EXPECT_EQ(r.exit_code, 0) << dump(r);
    return nlohmann::json::parse(read_file(file));
  }
  std::map<std::string, std::string> state_ids() const {
    std::map<std::string, std::string> out;
    nlohmann::json st = state();
    for (const auto& [key, org] : st["organizations"].items()) out[key] = org["id"];
    return out;
  }
  void expect_converged(int expected) const {
    cforg::testing::expect_converged(emu, state(), expected,
                                     cforg({"plan", "--detailed-exitcode", "--rate-limit", "0"}));
  }
  void apply_acme() {
    ws.config(kAcme);
    ProcessResult r = cforg(with({"apply", "--auto-approve"}, kFast));
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    ids = state_ids();
    ASSERT_EQ(ids.size(), 4u);
  }

  Emulator emu{{"--latency-ms", "5"}};
  Workspace ws{&emu};
  std::map<std::string, std::string> ids;  // after apply_acme
  std::string url_, workspace_;
  mutable int pulls_ = 0;
};

INSTANTIATE_TEST_SUITE_P(LocalAndPg, Backends, ::testing::Values("local", "pg"),
                         [](const auto& info) { return info.param; });

TEST_P(Backends, CreatesEveryOrgOnceWithParentsAndRecordsThem) {
  apply_acme();
  auto remote = remote_by_name(emu);
  EXPECT_EQ(remote.find("Acme Data")->second["parent"]["id"], ids["platform"]);
  EXPECT_EQ(remote.find("Acme Root")->second["profile"]["business_phone"], "+1-555-0100");
  nlohmann::json st = state();
  EXPECT_EQ(st["serial"], 1);
  EXPECT_EQ(st["organizations"]["data"]["parent"]["key"], "platform");
  EXPECT_EQ(requests(emu, "POST"), 4);
  expect_converged(4);
  // The file backend wrote its file; pg none.
  EXPECT_EQ(file_exists(ws.state_path()), !pg());
}

TEST_P(Backends, UpdatesRenameAndSetTheProfileInPlace) {
  apply_acme();
  std::string yaml = acme_with("+1-555-0100", "+1-555-0199");
  yaml.replace(yaml.find("Acme Platform,"), 13, "Acme Platform Team");
  ws.config(yaml);
  int puts = requests(emu, "PUT");
  ProcessResult r = cforg(with({"apply", "--auto-approve"}, kFast));
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("0 created, 2 updated"));
  EXPECT_EQ(requests(emu, "PUT") - puts, 2);
  EXPECT_EQ(requests(emu, "POST"), 4);
  nlohmann::json st = state();
  EXPECT_EQ(st["serial"], 2);
  EXPECT_EQ(st["organizations"]["platform"]["name"], "Acme Platform Team");
  EXPECT_EQ(st["organizations"]["platform"]["id"], ids["platform"]);
  EXPECT_EQ(st["organizations"]["root"]["profile"]["business_phone"], "+1-555-0199");
  expect_converged(4);
}

TEST_P(Backends, DeletesChildrenBeforeTheirParents) {
  apply_acme();
  std::string acme = kAcme;
  ws.config(acme.substr(0, acme.find("  - {name: Acme Platform")) +
            "  - {name: Acme Sales, key: sales, parent: root}\n");
  ProcessResult r = cforg(with({"apply", "--auto-approve", "--parallelism", "8"}, kFast));
  // The emulator refuses to delete an org that still has children: success proves the order.
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(requests(emu, "DELETE"), 2);
  auto now = state_ids();
  EXPECT_EQ(now,
            (std::map<std::string, std::string>{{"root", ids["root"]}, {"sales", ids["sales"]}}));
  expect_converged(2);
}

TEST_P(Backends, AReplacementGivesTheKeyANewIdUnderItsNewParent) {
  apply_acme();
  ws.config(acme_with("{name: Acme Data, key: data, parent: platform}",
                      "{name: Acme Data, key: data, parent: root}"));
  ProcessResult r = cforg(with({"apply", "--auto-approve", "--replace", "data"}, kFast));
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(requests(emu, "DELETE"), 1);
  EXPECT_EQ(requests(emu, "POST"), 5);
  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.count("Acme Data"), 1u);
  EXPECT_EQ(remote.find("Acme Data")->second["parent"]["id"], ids["root"]);
  auto now = state_ids();
  EXPECT_NE(now["data"], ids["data"]);
  EXPECT_EQ(now["data"], remote.find("Acme Data")->second["id"]);
  expect_converged(4);
}

TEST_P(Backends, RefreshRecordsWhatChangedRemotelyAndSendsNothing) {
  apply_acme();
  ASSERT_EQ(
      emu.as_dashboard("PUT", "/organizations/" + ids["platform"], R"({"name": "Renamed"})").status,
      200);
  int before = mutations(emu);
  ProcessResult r = cforg({"refresh", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("1 changed outside cforg"));
  nlohmann::json st = state();
  EXPECT_EQ(st["organizations"]["platform"]["name"], "Renamed");
  EXPECT_EQ(st["serial"], 2);
  EXPECT_EQ(mutations(emu), before);
}

TEST_P(Backends, KillDashNineMidApplyLosesNothingAndARerunMakesNoDuplicate) {
  Emulator slow({"--latency-ms", "20", "--jitter-ms", "10"});
  Workspace there(&slow);
  there.config(flat_config("Killed", 120));
  std::vector<std::string> args =
      on_backend(with({"apply", "--auto-approve", "--parallelism", "4"}, kFast));
  auto apply = there.start(args, "killed");
  for (int i = 0; i < 600 && requests(slow, "POST") < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(apply->running()) << "the apply finished before the kill" << apply->err();
  apply->kill(SIGKILL);
  ASSERT_EQ(apply->wait(), 128 + SIGKILL);
  int created = requests(slow, "POST");
  ASSERT_LT(created, 120);

  ProcessResult r = there.cforg(on_backend(with({"apply", "--auto-approve"}, kFast)));
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  // Every org once remotely, each id in the state: the killed run's creates were recovered
  // (journaled, or found by their intent), not sent again.
  auto remote = remote_by_name(slow);
  EXPECT_EQ(remote.size(), 120u);
  std::set<std::string> names;
  for (const auto& [name, org] : remote) names.insert(name);
  EXPECT_EQ(names.size(), 120u) << "duplicates remotely";
  ProcessResult plan =
      there.cforg(on_backend({"plan", "--detailed-exitcode", "--rate-limit", "0"}));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  ProcessResult list = there.cforg(on_backend({"state", "list"}));
  ASSERT_EQ(list.exit_code, 0) << dump(list);
  for (const auto& [name, org] : remote) {
    EXPECT_THAT(list.out, HasSubstr(org["id"].get<std::string>())) << name << " not in state";
  }
  EXPECT_THAT(list.out, Not(HasSubstr("(create pending)")));
}

// Two applies started together on one state: the lock lets one through; without
// --lock-timeout the other fails at once naming the holder, with it the other waits and then
// finds nothing left to do. Zero duplicates either way.
TEST_P(Backends, TwoAppliesAtOnceOneProceedsTheOtherFailsAtOnceNamingTheHolder) {
  Emulator slow({"--latency-ms", "40"});
  Workspace there(&slow);
  there.config(flat_config("Twice", 20));
  std::vector<std::string> args =
      on_backend(with({"apply", "--auto-approve", "--parallelism", "2"}, kFast));
  auto a = there.start(args, "a");
  auto b = there.start(args, "b");
  // The loser stops while the winner still works: it did not wait for it.
  for (int i = 0; i < 3000 && a->running() && b->running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool a_first = !a->running();
  Child& loser = a_first ? *a : *b;
  Child& winner = a_first ? *b : *a;
  EXPECT_EQ(loser.wait(), 1) << loser.out() << loser.err();
  EXPECT_TRUE(winner.running()) << "the loser waited for the winner to finish";
  EXPECT_EQ(winner.wait(), 0) << winner.out() << winner.err();
  EXPECT_THAT(loser.err(), HasSubstr("is locked by"));
  EXPECT_THAT(loser.err(),
              HasSubstr("(pid " + std::to_string(winner.pid()) + ") running \"apply\" since 20"));
  EXPECT_THAT(loser.err(), HasSubstr("--lock-timeout"));
  EXPECT_EQ(requests(slow, "POST"), 20);  // zero duplicates
  ProcessResult plan =
      there.cforg(on_backend({"plan", "--detailed-exitcode", "--rate-limit", "0"}));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  if (pg()) {
    EXPECT_THAT(loser.err() + winner.err(), Not(HasSubstr(url_)));
  }
}

TEST_P(Backends, TwoAppliesAtOnceWithALockTimeoutBothComplete) {
  Emulator slow({"--latency-ms", "40"});
  Workspace there(&slow);
  there.config(flat_config("Waited", 20));
  std::vector<std::string> args = on_backend(
      with({"apply", "--auto-approve", "--parallelism", "2", "--lock-timeout", "2m"}, kFast));
  auto a = there.start(args, "a");
  auto b = there.start(args, "b");
  int ca = a->wait(), cb = b->wait();
  EXPECT_EQ(ca, 0) << a->out() << a->err();
  EXPECT_EQ(cb, 0) << b->out() << b->err();
  // One waited, said so on stderr and for whom, then found everything done.
  bool a_waited = a->err().find("Waiting up to 2m for the lock") != std::string::npos;
  bool b_waited = b->err().find("Waiting up to 2m for the lock") != std::string::npos;
  ASSERT_NE(a_waited, b_waited) << a->err() << "\n---\n" << b->err();
  Child& waiter = a_waited ? *a : *b;
  Child& holder = a_waited ? *b : *a;
  EXPECT_THAT(waiter.err(), HasSubstr("held by "));
  EXPECT_THAT(waiter.err(),
              HasSubstr("(pid " + std::to_string(holder.pid()) + ") running \"apply\""));
  EXPECT_THAT(waiter.out(), HasSubstr("No changes. 20 organizations up to date."));
  EXPECT_THAT(holder.out(), HasSubstr("Apply complete: 20 created"));
  EXPECT_EQ(requests(slow, "POST"), 20);  // zero duplicates
  ProcessResult plan =
      there.cforg(on_backend({"plan", "--detailed-exitcode", "--rate-limit", "0"}));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

}  // namespace
}  // namespace cforg::testing
