// Accounts as desired state: the emulator's seeded accounts (--accounts N, in no organization
// at start) placed in orgs, moved between business units, drifting, keeping an org from its
// delete; saved and JSON plans that hold members and accounts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "support/contents.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kMovePath = "/client/v4/accounts/[0-9a-z]+/move";

std::string move_path(const std::string& account) {
  return "/client/v4/accounts/" + account + "/move";
}

std::string org_path(const std::string& org) {
  return "/client/v4/organizations/" + org;
}

// Two orgs that exist already (Platform and Retail, made by a first apply that manages
// neither members nor accounts) and six seeded accounts, in no org. The emulator logs every
// request (-v).
class Accounts : public ::testing::Test {
 protected:
  // `window`: the API's post-create 403 window (1 s), or none.
  void start(bool window = false) {
    std::vector<std::string> flags = {"--accounts", "6", "-v"};
    if (!window) flags = with(flags, {"--consistency-ms", "0"});
    emu = std::make_unique<Emulator>(flags);
    ws = std::make_unique<Workspace>(emu.get());
    ids = account_ids(*emu);
    ASSERT_EQ(ids.size(), 6u);
    config({org("Platform", "platform"), org("Retail", "retail")});
    ProcessResult r = apply();
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    platform = ws->state_ids().at("platform");
    retail = ws->state_ids().at("retail");
  }
  void config(const std::vector<OrgYaml>& orgs) { ws->config(config_yaml(orgs)); }
  ProcessResult apply(const std::vector<std::string>& more = {}) const {
    return ws->cforg(with(with({"apply", "--auto-approve"}, kFast), more));
  }
  ProcessResult plan(const std::vector<std::string>& more = {}) const {
    return ws->cforg(with(with({"plan", "--detailed-exitcode"}, kFast), more));
  }
  // Where each of the six accounts sits ("" for none), in seeding order.
  std::vector<std::string> homes() const {
    std::map<std::string, std::string> by_id = account_homes(*emu);
    std::vector<std::string> out;
    for (const std::string& id : ids) out.push_back(by_id.at(id));
    return out;
  }
  // The accounts the API lists in an org, in its order.
  std::vector<std::string> listed_in(const std::string& org_id) const {
    HttpReply r = emu->as_dashboard("GET", "/organizations/" + org_id + "/accounts?page_size=50");
    EXPECT_EQ(r.status, 200) << r.body.dump();
    std::vector<std::string> out;
    for (const auto& a : r.body["result"]) out.push_back(a["id"]);
    return out;
  }
  void dashboard_moves(const std::string& account, const std::string& to) {
    HttpReply r = emu->as_dashboard("POST", "/accounts/" + account + "/move",
                                    R"({"destination_organization_id": ")" + to + "\"}");
    ASSERT_EQ(r.status, 200) << r.body.dump();
  }

  std::unique_ptr<Emulator> emu;
  std::unique_ptr<Workspace> ws;
  std::vector<std::string> ids;  // the seeded accounts, in seeding order
  std::string platform, retail;
};

TEST_F(Accounts, SeededAccountsStartInNoOrgAndTheConfigPlacesThem) {
  ASSERT_NO_FATAL_FAILURE(start());
  std::vector<nlohmann::json> seeded = all_accounts(*emu);
  for (std::size_t i = 0; i < seeded.size(); ++i) {
    EXPECT_EQ(seeded[i]["name"], "Account " + std::to_string(i + 1));
    EXPECT_TRUE(seeded[i]["organization_id"].is_null()) << seeded[i].dump();
  }
  config({org("Platform", "platform", std::nullopt,
              {{ids[0], "{id: " + ids[1] + ", name: Web shop}"}}),
          org("Retail", "retail", std::nullopt, {{ids[2]}})});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("# org \"platform\": 2 accounts to move in\n"));
  EXPECT_THAT(p.out, HasSubstr("→ account " + ids[0] + " moves in\n"));
  EXPECT_THAT(p.out, HasSubstr("→ account " + ids[1] + " (\"Web shop\") moves in\n"));
  EXPECT_THAT(p.out, HasSubstr("# org \"retail\": 1 account to move in\n"));
  EXPECT_THAT(p.out, HasSubstr("Accounts: 3 to move."));
  EXPECT_EQ(mutations(*emu), 2) << "plan moved something (only the two org creates so far)";

  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_THAT(a.out, HasSubstr("3 accounts moved"));
  EXPECT_EQ(logged(*emu, "POST", kMovePath, 200, log), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(logged(*emu, "POST", move_path(ids[i]), 200, log), 1);
  EXPECT_EQ(homes(), (std::vector<std::string>{platform, platform, retail, "", "", ""}));
  EXPECT_EQ(listed_in(platform), (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(listed_in(retail), (std::vector<std::string>{ids[2]}));
  nlohmann::json st = ws->state();
  ASSERT_EQ(st["organizations"]["platform"]["accounts"].size(), 2u) << st.dump();
  EXPECT_EQ(st["organizations"]["platform"]["accounts"][0]["id"], std::min(ids[0], ids[1]));

  const int before = mutations(*emu);
  ProcessResult again = apply();
  ASSERT_EQ(again.exit_code, 0) << dump(again);
  EXPECT_EQ(mutations(*emu), before);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Accounts, AnAccountMovesBetweenBusinessUnitsAndThePlanNamesFromAndTo) {
  ASSERT_NO_FATAL_FAILURE(start());
  config({org("Platform", "platform", std::nullopt, {{ids[0]}}),
          org("Retail", "retail", std::nullopt, std::vector<std::string>{})});
  ASSERT_EQ(apply().exit_code, 0);
  ASSERT_EQ(homes()[0], platform);

  config({org("Platform", "platform", std::nullopt, std::vector<std::string>{}),
          org("Retail", "retail", std::nullopt, {{"{id: " + ids[0] + ", name: Web shop}"}})});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  // To: the block's org; from: the org it sits in, by key and id.
  EXPECT_THAT(p.out, HasSubstr("  # org \"retail\": 1 account to move in\n  ~ org \"retail\" {\n"
                               "      → account " +
                               ids[0] + " (\"Web shop\") moves in from \"platform\" (" + platform +
                               ")\n    }\n"));
  EXPECT_THAT(p.out, HasSubstr("Accounts: 1 to move. Apply sends 1 request."));

  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "POST") - posts, 1);
  EXPECT_EQ(logged(*emu, "POST", move_path(ids[0]), 200, log), 1);
  EXPECT_EQ(homes(), (std::vector<std::string>{retail, "", "", "", "", ""}));
  EXPECT_TRUE(listed_in(platform).empty());
  ProcessResult after = plan();
  EXPECT_EQ(after.exit_code, 0) << dump(after);
  EXPECT_THAT(after.out, HasSubstr("No changes."));
}

// An account in an org cforg does not read: the plan looks up where it sits (one
// `containing.account` list request) to name the move's source; --account-sources=false sends
// no lookup and leaves the source out, and the move lands all the same.
TEST_F(Accounts, WithoutAccountSourcesThePlanSendsNoLookupAndTheMoveStillLands) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpReply made = emu->as_dashboard("POST", "/organizations", R"({"name": "Elsewhere"})");
  ASSERT_EQ(made.status, 200) << made.body.dump();
  const std::string elsewhere = made.body["result"]["id"];
  ASSERT_NO_FATAL_FAILURE(dashboard_moves(ids[0], elsewhere));
  config({org("Platform", "platform", std::nullopt, {{ids[0]}}), org("Retail", "retail")});
  const std::string lists = "/client/v4/organizations";

  std::size_t log = log_size(*emu);
  ProcessResult looked = plan();
  EXPECT_EQ(looked.exit_code, 2) << dump(looked);
  EXPECT_THAT(looked.out, HasSubstr("→ account " + ids[0] + " moves in from " + elsewhere + "\n"));
  const int with_lookup = logged(*emu, "GET", lists, 200, log);

  log = log_size(*emu);
  ProcessResult blind = plan({"--account-sources=false"});
  EXPECT_EQ(blind.exit_code, 2) << dump(blind);
  EXPECT_THAT(blind.out, HasSubstr("→ account " + ids[0] + " moves in\n"));
  EXPECT_EQ(logged(*emu, "GET", lists, 200, log), with_lookup - 1)
      << "one lookup fewer: the account's";

  log = log_size(*emu);
  ProcessResult a = apply({"--account-sources=false"});
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(logged(*emu, "POST", move_path(ids[0]), 200, log), 1);
  EXPECT_EQ(homes()[0], platform);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Accounts, AnAccountMovedAwayInTheDashboardIsDriftAndIsMovedBack) {
  ASSERT_NO_FATAL_FAILURE(start());
  // Retail's accounts are not managed: only Platform's record says where ids[0] belongs.
  config({org("Platform", "platform", std::nullopt, {{ids[0], ids[1]}}), org("Retail", "retail")});
  ASSERT_EQ(apply().exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(dashboard_moves(ids[0], retail));

  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("Changed outside cforg"));
  EXPECT_THAT(p.out, HasSubstr("- account " + ids[0] + " (moved away outside cforg)\n"));
  EXPECT_THAT(p.out,
              HasSubstr("→ account " + ids[0] + " moves in from \"retail\" (" + retail + ")\n"));
  EXPECT_THAT(p.out, Not(HasSubstr("account " + ids[1])));
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(logged(*emu, "POST", kMovePath, 0, log), 1);
  EXPECT_EQ(homes(), (std::vector<std::string>{platform, platform, "", "", "", ""}));
  ProcessResult after = plan();
  EXPECT_EQ(after.exit_code, 0) << dump(after);
  EXPECT_THAT(after.out, Not(HasSubstr("Changed outside cforg")));
}

TEST_F(Accounts, RemovingAnOrgThatStillHoldsAccountsIsRefusedAtPlanTime) {
  ASSERT_NO_FATAL_FAILURE(start());
  config({org("Platform", "platform", std::nullopt, std::vector<std::string>{}),
          org("Retail", "retail", {{"alice@acme.example"}}, {{ids[2]}})});
  ASSERT_EQ(apply().exit_code, 0);
  const std::vector<std::string> placed = homes();
  const int before = mutations(*emu);

  config({org("Platform", "platform", std::nullopt, std::vector<std::string>{})});
  const std::string refusal = "cannot delete org \"retail\" (" + retail +
                              "): the API deletes only empty organizations, and it holds 1 "
                              "account (" +
                              ids[2] + ") that this plan does not move out";
  const std::string advice = "list each under the `accounts:` of the org it should move to";
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 1) << dump(p);
  EXPECT_THAT(p.out + p.err, HasSubstr(refusal));
  EXPECT_THAT(p.out + p.err, HasSubstr(advice));
  ProcessResult a = apply();
  EXPECT_EQ(a.exit_code, 1) << dump(a);
  EXPECT_THAT(a.out + a.err, HasSubstr(refusal));
  // Refused before anything was sent: not even the managed member's removal went out.
  EXPECT_EQ(mutations(*emu), before);
  EXPECT_EQ(homes(), placed);
  EXPECT_EQ(member_counts(*emu, retail), (std::map<std::string, int>{{"alice@acme.example", 1}}));
  EXPECT_TRUE(ws->state_ids().count("retail"));
  EXPECT_EQ(remote_by_name(*emu).count("Retail"), 1u);
}

TEST_F(Accounts, RemovingAnOrgWithMembersCforgDoesNotManageIsRefusedAtPlanTime) {
  ASSERT_NO_FATAL_FAILURE(start());
  HttpReply added = emu->as_dashboard(
      "POST", "/organizations/" + retail + "/members",
      R"({"member": {"user": {"email": "mallory@evil.example"}, "status": "active"}})");
  ASSERT_EQ(added.status, 200) << added.body.dump();
  const int before = mutations(*emu);

  config({org("Platform", "platform")});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 1) << dump(p);
  EXPECT_THAT(p.out + p.err,
              HasSubstr("cannot delete org \"retail\" (" + retail +
                        "): the API deletes only empty organizations, and it has 1 member "
                        "(mallory@evil.example) that cforg does not manage. To remove them with "
                        "it, declare the org again with `members: []` and apply first"));
  ProcessResult refused = apply();
  EXPECT_EQ(refused.exit_code, 1) << dump(refused);
  EXPECT_EQ(mutations(*emu), before);
  EXPECT_EQ(member_counts(*emu, retail).size(), 1u);

  // What the message says to do works: `members: []` removes her, then the org can go.
  config({org("Platform", "platform"), org("Retail", "retail", std::vector<std::string>{})});
  ProcessResult emptied = apply();
  ASSERT_EQ(emptied.exit_code, 0) << dump(emptied);
  EXPECT_TRUE(members_of(*emu, retail).empty());
  config({org("Platform", "platform")});
  ProcessResult deleted = apply();
  ASSERT_EQ(deleted.exit_code, 0) << dump(deleted);
  EXPECT_EQ(remote_by_name(*emu).count("Retail"), 0u);
  EXPECT_FALSE(ws->state_ids().count("retail"));
}

TEST_F(Accounts, RemovingAnOrgWhoseAccountsMoveElsewhereMovesThemBeforeTheDelete) {
  ASSERT_NO_FATAL_FAILURE(start());
  config({org("Platform", "platform", std::nullopt, std::vector<std::string>{}),
          org("Retail", "retail", {{"alice@acme.example"}}, {{ids[2], ids[3]}})});
  ASSERT_EQ(apply().exit_code, 0);

  config({org("Platform", "platform", std::nullopt, {{ids[2], ids[3]}})});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("→ account " + ids[2] + " moves in from \"retail\""));
  EXPECT_THAT(p.out, HasSubstr("→ account " + ids[3] + " moves in from \"retail\""));
  EXPECT_THAT(p.out, HasSubstr("- member alice@acme.example"));
  EXPECT_THAT(p.out, HasSubstr("org \"retail\" will be deleted"));
  const std::size_t log = log_size(*emu);
  // Parallel workers: only the order the plan imposes keeps the delete after the rest.
  ProcessResult a = apply({"--parallelism", "8"});
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(homes(), (std::vector<std::string>{"", "", platform, platform, "", ""}));
  EXPECT_EQ(remote_by_name(*emu).count("Retail"), 0u);
  EXPECT_FALSE(ws->state_ids().count("retail"));
  // The emulator refuses to delete an org that is not empty (400 1012): none was refused,
  // and in the log both moves and the member's removal come before the delete.
  EXPECT_EQ(logged(*emu, "DELETE", org_path(retail), 400, log), 0);
  const int deleted = first_logged(*emu, "DELETE", org_path(retail), 204, log);
  ASSERT_GE(deleted, 0);
  EXPECT_EQ(logged(*emu, "POST", kMovePath, 200, deleted), 0) << "a move after the delete";
  EXPECT_EQ(logged(*emu, "DELETE", org_path(retail) + "/members/[0-9a-z]+", 204, deleted), 0);
  EXPECT_EQ(logged(*emu, "POST", kMovePath, 200, log), 2);
  EXPECT_EQ(logged(*emu, "DELETE", org_path(retail) + "/members/[0-9a-z]+", 204, log), 1);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Accounts, AnOrgCreatedInTheSameApplyReceivesAnAccountAfterItsCreate) {
  // With the API's post-create window: a move into the new org is refused (403) for a second
  // after its create, and cforg waits it out.
  ASSERT_NO_FATAL_FAILURE(start(/*window=*/true));
  config({org("Platform", "platform"), org("Retail", "retail"),
          org("Labs", "labs", std::nullopt, {{ids[4]}})});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("Plan: 1 to create"));
  EXPECT_THAT(p.out, HasSubstr("# org \"labs\": 1 account to move in\n"));
  EXPECT_THAT(p.out, HasSubstr("→ account " + ids[4] + " moves in\n"));
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  const std::string labs = ws->state_ids().at("labs");
  EXPECT_EQ(homes(), (std::vector<std::string>{"", "", "", "", labs, ""}));
  const int created = first_logged(*emu, "POST", "/client/v4/organizations", 200, log);
  const int moved = first_logged(*emu, "POST", move_path(ids[4]), 200, log);
  ASSERT_GE(created, 0);
  EXPECT_GT(moved, created);
  EXPECT_EQ(logged(*emu, "POST", move_path(ids[4]), 200, log), 1);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Accounts, ASavedPlanWithMembersAndAccountsAppliesExactly) {
  ASSERT_NO_FATAL_FAILURE(start());
  config({org("Platform", "platform", std::nullopt, {{ids[0]}}),
          org("Retail", "retail", {{"alice@acme.example", "bob@acme.example"}}, {{ids[1]}})});
  ASSERT_EQ(apply().exit_code, 0);

  // ids[1] moves from Retail to Platform, ids[2] into Retail from no org; bob leaves, alice is
  // canceled (a delete and a create), carol joins: 2 moves, 2 member deletes, 2 creates.
  config(
      {org("Platform", "platform", std::nullopt, {{ids[0], ids[1]}}),
       org("Retail", "retail",
           {{"{email: alice@acme.example, status: canceled}", "carol@acme.example"}}, {{ids[2]}})});
  ProcessResult saved = ws->cforg(with({"plan", "--out", "saved.plan"}, kFast));
  ASSERT_EQ(saved.exit_code, 0) << dump(saved);
  EXPECT_THAT(saved.out, HasSubstr("Members: 2 to add, 1 to remove. Accounts: 2 to move. Apply "
                                   "sends 6 requests."));
  ProcessResult shown = ws->cforg({"show", "saved.plan"});
  ASSERT_EQ(shown.exit_code, 0) << dump(shown);
  EXPECT_THAT(shown.out, HasSubstr("→ account " + ids[1] + " moves in from \"retail\""));
  EXPECT_THAT(shown.out, HasSubstr("-/+ member alice@acme.example: active → canceled"));

  // After the plan was made, someone adds a member in the dashboard: not in the plan, so the
  // saved plan leaves her be (a new plan would remove her).
  HttpReply added = emu->as_dashboard(
      "POST", "/organizations/" + retail + "/members",
      R"({"member": {"user": {"email": "mallory@evil.example"}, "status": "active"}})");
  ASSERT_EQ(added.status, 200) << added.body.dump();
  const int posts = requests(*emu, "POST"), deletes = requests(*emu, "DELETE");
  const std::size_t log = log_size(*emu);
  ProcessResult a = ws->cforg(with({"apply", "saved.plan"}, kFast));
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "POST") - posts, 4);  // 2 moves, 2 member creates
  EXPECT_EQ(requests(*emu, "DELETE") - deletes, 2);
  EXPECT_EQ(logged(*emu, "POST", kMovePath, 200, log), 2);
  EXPECT_EQ(homes(), (std::vector<std::string>{platform, platform, retail, "", "", ""}));
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "canceled"},
                                                {"carol@acme.example", "active"},
                                                {"mallory@evil.example", "active"}}));
  ProcessResult stale = ws->cforg(with({"apply", "saved.plan"}, kFast));
  EXPECT_EQ(stale.exit_code, 1) << dump(stale);
  ProcessResult next = plan();
  EXPECT_EQ(next.exit_code, 2) << dump(next);
  EXPECT_THAT(next.out, HasSubstr("+ member mallory@evil.example (added outside cforg)"));
  EXPECT_THAT(next.out, HasSubstr("Members: 0 to add, 1 to remove."));
}

TEST_F(Accounts, JsonPlanCarriesTheContentActionsAndValidatesAgainstTheSchema) {
  ASSERT_NO_FATAL_FAILURE(start());
  config({org("Platform", "platform", std::nullopt, {{ids[0]}}),
          org("Retail", "retail", {{"alice@acme.example"}}, std::vector<std::string>{})});
  ASSERT_EQ(apply().exit_code, 0);
  HttpReply added = emu->as_dashboard(
      "POST", "/organizations/" + retail + "/members",
      R"({"member": {"user": {"email": "mallory@evil.example"}, "status": "active"}})");
  ASSERT_EQ(added.status, 200) << added.body.dump();
  const std::string mallory = added.body["result"]["id"];
  config({org("Platform", "platform", std::nullopt, std::vector<std::string>{}),
          org("Retail", "retail",
              {{"{email: alice@acme.example, status: canceled}", "bob@acme.example"}},
              {{"{id: " + ids[0] + ", name: Web shop}"}})});

  ProcessResult p = plan({"--format", "json"});
  ASSERT_EQ(p.exit_code, 2) << dump(p);
  nlohmann::json j = nlohmann::json::parse(p.out);
  std::map<std::string, std::vector<nlohmann::json>> by_action;
  for (const auto& a : j["actions"]) by_action[a["action"]].push_back(a);
  ASSERT_EQ(by_action["move-account"].size(), 1u) << j["actions"].dump(2);
  const nlohmann::json& move = by_action["move-account"][0];
  EXPECT_EQ(move["key"], "retail");
  EXPECT_EQ(move["id"], retail);
  EXPECT_EQ(move["account"]["id"], ids[0]);
  EXPECT_EQ(move["account"]["name"], "Web shop");
  EXPECT_EQ(move["from"], (nlohmann::json{{"key", "platform"}, {"id", platform}}));
  // bob, and alice's status change (a remove and an add, both `replace`); mallory leaves.
  ASSERT_EQ(by_action["add-member"].size(), 2u) << j["actions"].dump(2);
  ASSERT_EQ(by_action["remove-member"].size(), 2u) << j["actions"].dump(2);
  std::map<std::string, nlohmann::json> adds, removes;
  for (const auto& a : by_action["add-member"]) adds[a["member"]["email"]] = a;
  for (const auto& a : by_action["remove-member"]) removes[a["member"]["email"]] = a;
  EXPECT_EQ(adds["bob@acme.example"]["member"]["status"], "active");
  EXPECT_TRUE(adds["bob@acme.example"]["member"]["id"].is_null());
  EXPECT_FALSE(adds["bob@acme.example"]["replace"]);
  EXPECT_EQ(adds["alice@acme.example"]["member"]["status"], "canceled");
  EXPECT_TRUE(adds["alice@acme.example"]["replace"]);
  EXPECT_TRUE(removes["alice@acme.example"]["replace"]);
  EXPECT_EQ(removes["alice@acme.example"]["member"]["id"],
            member_id(*emu, retail, "alice@acme.example"));
  EXPECT_EQ(removes["mallory@evil.example"]["member"]["id"], mallory);
  EXPECT_FALSE(removes["mallory@evil.example"]["replace"]);
  EXPECT_EQ(j["summary"]["members_added"], 2);
  EXPECT_EQ(j["summary"]["members_removed"], 1);
  EXPECT_EQ(j["summary"]["accounts_moved"], 1);
  EXPECT_EQ(j["summary"]["requests"], 5);
  ASSERT_EQ(j["refresh"]["drift"].size(), 1u) << j["refresh"].dump(2);
  EXPECT_EQ(j["refresh"]["drift"][0]["members_added"],
            nlohmann::json::array({"mallory@evil.example"}));

  ProcessResult check = validate_plan(*ws, j, "plan.json");
  EXPECT_EQ(check.exit_code, 0) << dump(check);
  EXPECT_EQ(check.out, "valid\n");
  // The schema knows the content actions well enough to catch a broken one.
  nlohmann::json broken = j;
  for (auto& a : broken["actions"]) {
    if (a["action"] == "add-member") a["member"]["status"] = "paused";
  }
  EXPECT_NE(validate_plan(*ws, broken, "broken.json").exit_code, 0);
}

}  // namespace
}  // namespace cforg::testing
