// `parent: {id: …}` checked at plan against the real emulator: an id that names no
// organization is an error at its place, before anything is sent; a real one plans and
// applies; without refresh, an id the state does not know is a warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;

TEST(ParentId, AnIdThatNamesNoOrganizationIsAnErrorAtPlanNotAtApply) {
  Emulator emulator;
  HttpReply outside = emulator.as_dashboard("POST", "/organizations", R"({"name": "Outside"})");
  ASSERT_EQ(outside.status, 200);
  const std::string real = outside.body["result"]["id"];
  const std::string wrong = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
  Workspace ws(&emulator);
  ws.config("organizations:\n  - name: Partner\n    parent: {id: " + wrong + "}\n");
  const int before = mutations(emulator);

  ProcessResult plan = ws.cforg({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << dump(plan);
  EXPECT_THAT(plan.out + plan.err, HasSubstr("cforg.yaml:3:18: org \"Partner\": its parent id " +
                                             wrong + " names no organization"))
      << dump(plan);
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << dump(apply);
  EXPECT_EQ(mutations(emulator), before) << "nothing may be sent";
  EXPECT_FALSE(file_exists(ws.state_path())) << dump(apply);

  // Offline, the id cannot be checked: a warning says so, and the plan stands.
  ProcessResult offline = ws.cforg({"plan", "--refresh=false"});
  EXPECT_EQ(offline.exit_code, 0) << dump(offline);
  EXPECT_THAT(offline.out + offline.err, HasSubstr("(cforg.yaml:3:18) is not checked"));

  // The right id: nothing read shows it, the look-up by id finds it, and apply creates under it.
  ws.config("organizations:\n  - name: Partner\n    parent: {id: " + real + "}\n");
  ProcessResult good = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(good.exit_code, 0) << dump(good);
  auto remote = remote_by_name(emulator);
  ASSERT_EQ(remote.count("Partner"), 1u);
  EXPECT_EQ(remote.find("Partner")->second["parent"]["id"], real);
}

}  // namespace
}  // namespace cforg::testing
