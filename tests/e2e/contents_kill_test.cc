// kill -9 during a run of member creates and account moves, under seeded ambiguous answers:
// no member is created twice, every account ends where the config puts it, and a re-run
// completes. Under both readings of members:batchCreate (absent: single creates; present:
// batches of up to 100, each member's intent journaled first).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "support/contents.h"

namespace cforg::testing {
namespace {

constexpr int kOrgs = 5, kMembersPerOrg = 100, kAccountsPerOrg = 40;  // 500 members, 200 moves

std::string orgs_yaml(const std::vector<std::string>& accounts, bool contents) {
  std::string yaml = "organizations:\n";
  for (int o = 0; o < kOrgs; ++o) {
    const std::string key = "unit" + std::to_string(o);
    yaml += "  - name: Unit " + std::to_string(o) + "\n    key: " + key + "\n";
    if (!contents) continue;
    yaml += "    members:\n";
    for (int m = 0; m < kMembersPerOrg; ++m) {
      yaml += "      - user" + std::to_string(m) + "@" + key + ".example\n";
    }
    yaml += "    accounts:\n";
    for (int a = 0; a < kAccountsPerOrg; ++a) {
      yaml += "      - " + accounts[o * kAccountsPerOrg + a] + "\n";
    }
  }
  return yaml;
}

class ContentsKill : public ::testing::TestWithParam<const char*> {};

TEST_P(ContentsKill, KillDashNineMidRunDuplicatesNoMemberAndARerunPlacesEverything) {
  Emulator emu({"--latency-ms", "10", "--jitter-ms", "5", "--ambiguous-rate", "0.03", "--seed",
                "20261207", "--accounts", std::to_string(kOrgs * kAccountsPerOrg),
                "--members-batch-create", GetParam()});
  Workspace ws(&emu);
  std::vector<std::string> accounts;
  const HttpReply seeded = emu.request("GET", "/__emulator/accounts");
  for (const auto& a : seeded.body["accounts"]) accounts.push_back(a["id"]);
  ASSERT_EQ(accounts.size(), std::size_t{kOrgs * kAccountsPerOrg});
  ws.config(orgs_yaml(accounts, false));
  ProcessResult setup = ws.cforg(with({"apply", "--auto-approve"}, kFast));
  ASSERT_EQ(setup.exit_code, 0) << dump(setup);
  ws.config(orgs_yaml(accounts, true));

  std::mt19937 rng(7);  // fixed: a failure can be replayed
  // A run that finishes before its kill may have failed on an ambiguous answer: re-run below.
  int kills =
      kill_at_random_moments(ws, with({"apply", "--auto-approve", "--parallelism", "4"}, kFast), 12,
                             rng, std::uniform_int_distribution<int>(100, 400));
  EXPECT_GE(kills, 3) << "the run was too fast to be interrupted";
  ProcessResult last;
  for (int i = 0; i < 4; ++i) {
    last = ws.cforg(with({"apply", "--auto-approve", "--parallelism", "8"}, kFast));
    if (last.exit_code == 0) break;
  }
  ASSERT_EQ(last.exit_code, 0) << dump(last);

  // The truth, read from the emulator: each email exactly once in its org, each account home.
  std::map<std::string, std::string> org_of_key;
  for (const auto& o : emu.organizations()) org_of_key[o["name"]] = o["id"];
  ASSERT_EQ(org_of_key.size(), std::size_t{kOrgs});
  std::map<std::string, std::string> home;
  const HttpReply placed = emu.request("GET", "/__emulator/accounts");
  for (const auto& a : placed.body["accounts"]) {
    home[a["id"]] = a["organization_id"].is_null() ? "" : std::string(a["organization_id"]);
  }
  for (int o = 0; o < kOrgs; ++o) {
    const std::string id = org_of_key.at("Unit " + std::to_string(o));
    std::map<std::string, int> counts = member_counts(emu, id);
    EXPECT_EQ(counts.size(), std::size_t{kMembersPerOrg}) << "Unit " << o;
    for (const auto& [email, n] : counts) EXPECT_EQ(n, 1) << email << " in Unit " << o;
    for (int a = 0; a < kAccountsPerOrg; ++a) {
      EXPECT_EQ(home[accounts[o * kAccountsPerOrg + a]], id) << "account of Unit " << o;
    }
  }
  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

INSTANTIATE_TEST_SUITE_P(BatchCreate, ContentsKill, ::testing::Values("absent", "present"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace cforg::testing
