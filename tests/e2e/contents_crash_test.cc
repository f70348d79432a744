// kill -9 of apply in the middle of 500 member creates and 200 account moves, against an
// emulator with latency and lost answers: the runs after it never duplicate a member, and every
// account ends where the config puts it. Under both readings of members:batchCreate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <random>
#include <thread>

#include "support/contents.h"

namespace cforg::testing {
namespace {

constexpr int kOrgs = 5;
constexpr int kMembersPerOrg = 100;  // 500 member creates
constexpr int kAccounts = 200;       // 200 account moves: 50 into each of the first 4 orgs
constexpr int kAccountOrgs = 4;

std::string key_of(int org) {
  return "unit-" + std::to_string(org);
}

struct Desired {
  std::string yaml;
  std::map<std::string, std::map<std::string, int>> members;  // key -> email -> 1
  std::map<std::string, std::string> home_key;                // account id -> key
};

// kOrgs orgs to create, each with kMembersPerOrg members; the seeded accounts spread over the
// first kAccountOrgs of them, the last one holding none (`accounts: []`).
Desired desired(const std::vector<std::string>& accounts) {
  Desired d;
  std::vector<OrgYaml> orgs;
  for (int o = 0; o < kOrgs; ++o) {
    std::vector<std::string> members = emails("user" + std::to_string(o) + "-", kMembersPerOrg);
    for (const std::string& e : members) d.members[key_of(o)][e] = 1;
    orgs.push_back(
        org("Unit " + std::to_string(o), key_of(o), members, std::vector<std::string>{}));
  }
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const int o = static_cast<int>(i) % kAccountOrgs;
    orgs[o].accounts->push_back(accounts[i]);
    d.home_key[accounts[i]] = key_of(o);
  }
  d.yaml = config_yaml(orgs);
  return d;
}

// Applies the config again and again, each run killed with SIGKILL once the emulator has seen
// a random number (1..max_step) of POSTs more, until a run finishes by itself; then applies
// until one succeeds. Returns how many runs were killed.
int kill_until_done(Emulator& emu, Workspace& ws, int max_step, std::uint32_t seed) {
  std::mt19937 rng(seed);  // fixed: a failure can be replayed
  std::uniform_int_distribution<int> step(1, max_step);
  int kills = 0;
  for (int round = 0; round < 40; ++round) {
    const int target = requests(emu, "POST") + step(rng);
    auto apply =
        ws.start(with({"apply", "--auto-approve"}, kFast), "round" + std::to_string(round));
    while (apply->running() && requests(emu, "POST") < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!apply->running()) {
      // It finished before the kill: a run that ends by itself must end well.
      EXPECT_EQ(apply->wait(), 0) << apply->out() << apply->err();
      break;
    }
    apply->kill(SIGKILL);
    apply->wait();
    ++kills;
  }
  return kills;
}

void expect_converged(Emulator& emu, Workspace& ws, const Desired& want) {
  ProcessResult last;
  for (int i = 0; i < 3; ++i) {
    last = ws.cforg(with({"apply", "--auto-approve"}, kFast));
    if (last.exit_code == 0) break;
  }
  ASSERT_EQ(last.exit_code, 0) << dump(last);

  // Every org once, and the state tracks exactly those.
  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.size(), static_cast<std::size_t>(kOrgs));
  std::map<std::string, std::string> ids = ws.state_ids();
  for (int o = 0; o < kOrgs; ++o) {
    const std::string name = "Unit " + std::to_string(o);
    ASSERT_EQ(remote.count(name), 1u) << name << " is not there exactly once";
    EXPECT_EQ(remote.find(name)->second["id"], ids.at(key_of(o)));
  }
  // Each email exactly once in its org (a duplicate counts 2), none missing, none extra. (Under
  // both of its readings the emulator itself never makes a second member of one email: a
  // second create is a 409 or the existing member. What catches a client that loses track is
  // the state's check below: each member recorded with the id the API has for it.)
  for (const auto& [key, members] : want.members) {
    EXPECT_EQ(member_counts(emu, ids.at(key)), members) << "the members of " << key;
  }
  // Every account in the org the config puts it in.
  std::map<std::string, std::string> homes = account_homes(emu);
  int misplaced = 0;
  for (const auto& [account, key] : want.home_key) {
    if (homes.at(account) != ids.at(key)) ++misplaced;
  }
  EXPECT_EQ(misplaced, 0);
  // The state agrees: each member recorded with the id the API has for it, none pending.
  nlohmann::json st = ws.state();
  for (const auto& [key, org] : st["organizations"].items()) {
    EXPECT_FALSE(org.value("pending_create", false)) << key;
    std::map<std::string, std::string> remote_ids, recorded_ids;
    for (const auto& m : members_of(emu, org["id"]))
      remote_ids[lowercase(m["user"]["email"])] = m["id"];
    for (const auto& m : org["members"]) {
      EXPECT_FALSE(m.value("pending", false)) << m.dump();
      recorded_ids[lowercase(m["email"])] = m["id"];
    }
    EXPECT_EQ(recorded_ids, remote_ids) << "the state's members of " << key;
    EXPECT_EQ(org["accounts"].size(),
              key == key_of(kOrgs - 1) ? 0u : static_cast<std::size_t>(kAccounts / kAccountOrgs))
        << key;
  }
  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

// Latency (so that a kill lands with requests in flight), failures and lost answers: some
// POSTs are carried out and answered 502, cut off halfway or reset before a byte.
std::vector<std::string> emulator_flags(const std::string& batch_create) {
  std::vector<std::string> flags = {"--accounts", std::to_string(kAccounts)};
  flags = with(flags, {"--latency-ms", "4", "--jitter-ms", "3"});
  flags = with(flags, {"--fail-rate", "0.02", "--ambiguous-rate", "0.03", "--seed", "20"});
  return with(flags, {"--consistency-ms", "0", "--members-batch-create", batch_create});
}

TEST(ContentsCrash, KillDashNineWithBatchCreateLeavesNoDuplicateMemberAndEveryAccountHome) {
  Emulator emu(emulator_flags("present"));
  Workspace ws(&emu);
  Desired want = desired(account_ids(emu));
  ws.config(want.yaml);
  // About 220 POSTs in all (5 org creates, a few probes, 5-10 batches, 200 moves): a kill
  // every 1..40 of them lands several times.
  const int kills = kill_until_done(emu, ws, 40, 20261207);
  EXPECT_GE(kills, 3) << "the run was too fast to be interrupted";
  expect_converged(emu, ws, want);
}

TEST(ContentsCrash, KillDashNineWithoutBatchCreateLeavesNoDuplicateMemberAndEveryAccountHome) {
  Emulator emu(emulator_flags("absent"));
  Workspace ws(&emu);
  Desired want = desired(account_ids(emu));
  ws.config(want.yaml);
  // About 710 POSTs in all (5 org creates, a probe, 500 single member creates, 200 moves).
  const int kills = kill_until_done(emu, ws, 120, 20261208);
  EXPECT_GE(kills, 3) << "the run was too fast to be interrupted";
  expect_converged(emu, ws, want);
}

}  // namespace
}  // namespace cforg::testing
