// Where an account sits, under both readings of `containing.account` (the contract leaves open
// whether it lists the holder alone or the holder and its ancestors): the plan names the org
// that holds the account, never one of its ancestors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/contents.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AccountHome : public ::testing::TestWithParam<const char*> {};

TEST_P(AccountHome, AMoveOutOfANestedOrgNamesTheHolderNotItsAncestors) {
  Emulator emu({"--accounts", "1", "--consistency-ms", "0", "--containing-account", GetParam()});
  Workspace ws(&emu);
  const std::string account = account_ids(emu).at(0);
  // Root > Unit > Team, and Other; none manages accounts yet, so no plan lists Team's.
  auto tree = [&](std::optional<std::vector<std::string>> other_accounts) {
    return config_yaml({org("Root", "root"),
                        org("Unit", "unit", std::nullopt, std::nullopt, "root"),
                        org("Team", "team", std::nullopt, std::nullopt, "unit"),
                        org("Other", "other", std::nullopt, std::move(other_accounts))});
  };
  ws.config(tree(std::nullopt));
  ProcessResult made = ws.cforg(with({"apply", "--auto-approve"}, kFast));
  ASSERT_EQ(made.exit_code, 0) << dump(made);
  const std::string team = ws.state_ids().at("team"), other = ws.state_ids().at("other");
  HttpReply moved = emu.as_dashboard("POST", "/accounts/" + account + "/move",
                                     nlohmann::json{{"destination_organization_id", team}}.dump());
  ASSERT_EQ(moved.status, 200) << moved.body.dump();

  ws.config(tree(std::vector<std::string>{account}));
  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 2) << dump(plan);
  EXPECT_THAT(plan.out,
              HasSubstr("→ account " + account + " moves in from \"team\" (" + team + ")\n"));
  EXPECT_THAT(plan.out, Not(HasSubstr("moves in from \"root\"")));
  ProcessResult apply = ws.cforg(with({"apply", "--auto-approve"}, kFast));
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(account_homes(emu).at(account), other);
}

INSTANTIATE_TEST_SUITE_P(ContainingAccount, AccountHome, ::testing::Values("holder", "hierarchy"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace cforg::testing
