// An answer without `profile` says nothing about the profile. The emulator's GET, list and
// PUT leave the key out (--read-profile omit, the published contract's reading): the state
// must keep the profile it knew (state::from_remote) through a refresh and through a rename,
// and the next plan must then find nothing to do, nor send anything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kRootProfile = R"(
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: "+1-555-0100"
      business_address: 1 Acme Way
      external_metadata: "crm:42")";
const char* kPlatformProfile = R"(
    profile:
      business_name: Acme Platform Inc
      business_email: platform@acme.example
      business_phone: "+1-555-0111"
      business_address: 2 Acme Way
      external_metadata: "")";

// Root and platform named `root` and `platform`, with their profiles when `profiles`.
std::string config(const std::string& root, const std::string& platform, bool profiles) {
  return "organizations:\n  - name: " + root + "\n    key: root" + (profiles ? kRootProfile : "") +
         "\n  - name: " + platform + "\n    key: platform\n    parent: root" +
         (profiles ? kPlatformProfile : "") + "\n";
}

struct RefreshProfile : ::testing::Test {
  void SetUp() override {
    ws.config(config("Acme Root", "Acme Platform", /*profiles=*/true));
    ProcessResult r = ws.cforg(with({"apply", "--auto-approve"}, kFast));
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    profiles = profiles_in_state();
    ASSERT_TRUE(profiles["root"].is_object()) << ws.state().dump(2);
    ASSERT_TRUE(profiles["platform"].is_object()) << ws.state().dump(2);
    ids = ws.state_ids();
  }
  // key -> the state's `profile` of every org.
  nlohmann::json profiles_in_state() const {
    nlohmann::json out = nlohmann::json::object();
    nlohmann::json st = ws.state();
    for (const auto& [key, org] : st["organizations"].items()) out[key] = org["profile"];
    return out;
  }
  // The emulator's GET, list and PUT carry no `profile` key, whatever the org has.
  Emulator emu{{"--read-profile", "omit", "--consistency-ms", "0"}};
  Workspace ws{&emu};
  nlohmann::json profiles;
  std::map<std::string, std::string> ids;
};

// Refresh records drift through the planner, which itself keeps the state's profile when an
// answer leaves it out (plan.cc, read_remote_side): this guards refresh as a whole. The rename
// below depends on state::from_remote's rule alone.
TEST_F(RefreshProfile, ARefreshKeepsTheProfilesTheAnswersLeaveOut) {
  // Both renamed in the dashboard, and the config follows; it no longer manages the profiles,
  // so nothing reads them: the list's answers, without `profile`, are all refresh hears.
  ASSERT_EQ(
      emu.as_dashboard("PUT", "/organizations/" + ids["root"], R"({"name": "Acme HQ"})").status,
      200);
  ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + ids["platform"],
                             R"({"name": "Acme Platform Team"})")
                .status,
            200);
  ws.config(config("Acme HQ", "Acme Platform Team", /*profiles=*/false));
  const int sent = mutations(emu);

  ProcessResult refresh = ws.cforg(with({"refresh", "--auto-approve"}, kFast));
  ASSERT_EQ(refresh.exit_code, 0) << dump(refresh);
  EXPECT_THAT(refresh.out, HasSubstr("State refreshed: 2 changed outside cforg"));
  nlohmann::json st = ws.state();
  EXPECT_EQ(st["organizations"]["root"]["name"], "Acme HQ");
  EXPECT_EQ(st["organizations"]["platform"]["name"], "Acme Platform Team");
  EXPECT_EQ(profiles_in_state(), profiles) << "an absent `profile` is not \"no profile\"";

  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  EXPECT_THAT(plan.out, Not(HasSubstr("Changed outside cforg")));
  EXPECT_EQ(mutations(emu), sent) << "refresh and plan change nothing remotely";
  EXPECT_EQ(profiles_in_state(), profiles);
}

TEST_F(RefreshProfile, ARenameWhoseAnswerLeavesTheProfileOutKeepsIt) {
  // The config still manages the profiles: the next plan reads them, and would see any the
  // state lost as changed outside cforg.
  ws.config(config("Acme HQ", "Acme Platform", /*profiles=*/true));
  const int puts = requests(emu, "PUT");
  ProcessResult apply = ws.cforg(with({"apply", "--auto-approve"}, kFast));
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "PUT"), puts + 1) << "the rename alone, no profile sent";
  EXPECT_EQ(ws.state()["organizations"]["root"]["name"], "Acme HQ");
  EXPECT_EQ(profiles_in_state(), profiles) << "PUT's answer carries no `profile`";

  const int sent = mutations(emu);
  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast));
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("No changes."));
  EXPECT_THAT(plan.out, Not(HasSubstr("Changed outside cforg")));
  ProcessResult refresh = ws.cforg(with({"refresh", "--auto-approve"}, kFast));
  EXPECT_EQ(refresh.exit_code, 0) << dump(refresh);
  EXPECT_THAT(refresh.out, HasSubstr("nothing changed"));
  EXPECT_EQ(mutations(emu), sent);
  EXPECT_EQ(profiles_in_state(), profiles);
}

}  // namespace
}  // namespace cforg::testing
