// Members of an organization as desired state: a team joins, someone leaves, a status
// changes, the dashboard drifts, and both readings of the API's unpublished points (a second
// create of a member, members:batchCreate), against the real emulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/contents.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kMembersPath = "/client/v4/organizations/[0-9a-z]+/members";
const std::string kBatchPath = kMembersPath + ":batchCreate";

// Two orgs that exist already (Platform and Retail, made by a first apply that manages no
// members), and a config in which each test says who is in Retail. The emulator logs every
// request (-v) and has no post-create window, so that the members of an org made moments ago
// are not refused for a second.
class Members : public ::testing::Test {
 protected:
  void start(const std::vector<std::string>& flags = {}) {
    emu = std::make_unique<Emulator>(with({"--consistency-ms", "0", "-v"}, flags));
    ws = std::make_unique<Workspace>(emu.get());
    want(std::nullopt);
    ProcessResult r = apply();
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    retail = ws->state_ids().at("retail");
    platform = ws->state_ids().at("platform");
  }
  // Retail's `members:` (nullopt: the key left out).
  void want(std::optional<std::vector<std::string>> members) {
    ws->config(
        config_yaml({org("Platform", "platform"), org("Retail", "retail", std::move(members))}));
  }
  ProcessResult apply(const std::vector<std::string>& more = {}) const {
    return ws->cforg(with(with({"apply", "--auto-approve"}, kFast), more));
  }
  ProcessResult plan(const std::vector<std::string>& more = {}) const {
    return ws->cforg(with(with({"plan", "--detailed-exitcode"}, kFast), more));
  }
  // The members the state records for retail: email -> id.
  std::map<std::string, std::string> recorded() const {
    std::map<std::string, std::string> out;
    nlohmann::json st = ws->state();
    for (const auto& m : st["organizations"]["retail"].value("members", nlohmann::json::array()))
      out[lowercase(m["email"])] = m["id"];
    return out;
  }
  // Adds a member through the API as the dashboard would; returns its id.
  std::string dashboard_adds(const std::string& email, const std::string& status = "active") {
    HttpReply r = emu->as_dashboard(
        "POST", "/organizations/" + retail + "/members",
        R"({"member": {"user": {"email": ")" + email + R"("}, "status": ")" + status + "\"}}");
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body["result"].value("id", "");
  }

  // A plan is saved with alice to add; before it is applied, someone adds her in the dashboard
  // (with another letter case: emails compare without it). Applying the saved plan sends the
  // create a second time for her, and the API's answer to that is not published.
  void second_create_ends_with_one_member(int expected_409s) {
    ProcessResult saved = ws->cforg(with({"plan", "--out", "alice.plan"}, kFast));
    ASSERT_EQ(saved.exit_code, 0) << dump(saved);
    HttpReply added = emu->as_dashboard(
        "POST", "/organizations/" + retail + "/members",
        R"({"member": {"user": {"email": "Alice@Acme.example"}, "status": "active"}})");
    ASSERT_EQ(added.status, 200) << added.body.dump();
    const std::string theirs = added.body["result"]["id"];

    const int posts = requests(*emu, "POST");

    const std::size_t log = log_size(*emu);
    ProcessResult a = ws->cforg(with({"apply", "alice.plan"}, kFast));
    ASSERT_EQ(a.exit_code, 0) << dump(a);
    EXPECT_THAT(a.out, HasSubstr("1 member added"));
    EXPECT_THAT(a.out, Not(HasSubstr("unknown outcome"))) << "a 409 or a 200 is a definite answer";
    EXPECT_EQ(requests(*emu, "POST") - posts, 1) << "one create, never sent again";
    EXPECT_EQ(logged(*emu, "POST", kMembersPath, 409, log), expected_409s);
    EXPECT_EQ(logged(*emu, "POST", kMembersPath, 200, log), 1 - expected_409s);
    // Exactly one member, the one the dashboard made, and the state records it.
    EXPECT_EQ(member_counts(*emu, retail), (std::map<std::string, int>{{"alice@acme.example", 1}}));
    nlohmann::json st = ws->state();
    ASSERT_EQ(st["organizations"]["retail"]["members"].size(), 1u) << st.dump();
    EXPECT_EQ(st["organizations"]["retail"]["members"][0]["id"], theirs);
    EXPECT_FALSE(st["organizations"]["retail"]["members"][0].value("pending", false));
    ProcessResult after = ws->cforg(with({"plan", "--detailed-exitcode"}, kFast));
    EXPECT_EQ(after.exit_code, 0) << dump(after);
  }

  // 250 members join Retail in one apply. --parallelism 1 makes the number of batches exact: with
  // several workers, each may send a probe before the first answer tells them what the server has.
  void two_hundred_fifty_join() {
    want(two_fifty());
    ProcessResult p = plan();
    EXPECT_EQ(p.exit_code, 2) << dump(p);
    EXPECT_THAT(p.out, HasSubstr("# org \"retail\": 250 members to add\n"));
    ProcessResult a = apply({"--parallelism", "1"});
    ASSERT_EQ(a.exit_code, 0) << dump(a);
    EXPECT_THAT(a.out, HasSubstr("250 members added"));
    std::map<std::string, int> expected;
    for (const std::string& e : two_fifty()) expected[e] = 1;
    EXPECT_EQ(member_counts(*emu, retail), expected);
    EXPECT_EQ(plan().exit_code, 0);
  }

  static std::vector<std::string> two_fifty() { return emails("member", 250); }

  std::unique_ptr<Emulator> emu;
  std::unique_ptr<Workspace> ws;
  std::string retail, platform;
};

TEST_F(Members, ATeamJoiningAnExistingOrgIsAddedOnceAndTheStateListsIt) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example", "{email: bob@acme.example, status: canceled}",
         "carol@acme.example"}});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("# org \"retail\": 3 members to add\n"));
  EXPECT_THAT(p.out, HasSubstr("+ member alice@acme.example (active)\n"));
  EXPECT_THAT(p.out, HasSubstr("+ member bob@acme.example (canceled)\n"));
  EXPECT_THAT(p.out, HasSubstr("+ member carol@acme.example (active)\n"));
  EXPECT_THAT(p.out, HasSubstr("Members: 3 to add, 0 to remove."));
  EXPECT_THAT(p.out, Not(HasSubstr("org \"platform\":"))) << "platform manages no members";
  EXPECT_EQ(mutations(*emu), 2) << "plan sent a mutation (only the two org creates so far)";

  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_THAT(a.out, HasSubstr("3 members added, 0 removed"));
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "active"},
                                                {"bob@acme.example", "canceled"},
                                                {"carol@acme.example", "active"}}));
  EXPECT_TRUE(members_of(*emu, platform).empty());

  // Nothing left to do: a second apply sends no mutation, and the plan after it agrees.
  const int before = mutations(*emu);
  ProcessResult again = apply();
  ASSERT_EQ(again.exit_code, 0) << dump(again);
  EXPECT_EQ(mutations(*emu), before) << again.out;
  EXPECT_EQ(plan().exit_code, 0);

  // state show lists each member with the id the API gave it.
  ProcessResult show = ws->cforg({"state", "show", "retail"});
  ASSERT_EQ(show.exit_code, 0) << dump(show);
  nlohmann::json shown = nlohmann::json::parse(show.out);
  ASSERT_EQ(shown["members"].size(), 3u) << show.out;
  for (const auto& m : shown["members"]) {
    EXPECT_EQ(m["id"], member_id(*emu, retail, m["email"])) << m.dump();
  }
  EXPECT_EQ(shown["members"][1]["email"], "bob@acme.example");
  EXPECT_EQ(shown["members"][1]["status"], "canceled");
  ProcessResult show_platform = ws->cforg({"state", "show", "platform"});
  ASSERT_EQ(show_platform.exit_code, 0) << dump(show_platform);
  EXPECT_FALSE(nlohmann::json::parse(show_platform.out).contains("members"))
      << "an org without `members:` records none";
}

TEST_F(Members, AMemberRemovedFromTheConfigIsDeleted) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example", "bob@acme.example"}});
  ASSERT_EQ(apply().exit_code, 0);
  const std::string bob = member_id(*emu, retail, "bob@acme.example");
  ASSERT_FALSE(bob.empty());

  want({{"alice@acme.example"}});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("# org \"retail\": 1 member to remove\n"));
  EXPECT_THAT(p.out, HasSubstr("- member bob@acme.example (" + bob + ")\n"));
  const int deletes = requests(*emu, "DELETE"), posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "DELETE") - deletes, 1);
  EXPECT_EQ(logged(*emu, "DELETE", kMembersPath + "/" + bob, 204, log), 1);
  EXPECT_EQ(requests(*emu, "POST"), posts);
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "active"}}));
  EXPECT_EQ(recorded().size(), 1u);
  EXPECT_TRUE(recorded().count("alice@acme.example"));

  // `members: []` means nobody.
  want(std::vector<std::string>{});
  ProcessResult none = apply();
  ASSERT_EQ(none.exit_code, 0) << dump(none);
  EXPECT_EQ(requests(*emu, "DELETE") - deletes, 2);
  EXPECT_TRUE(members_of(*emu, retail).empty());
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Members, DroppingTheMembersKeyStopsManagingThemAndRemovesNoOne) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example", "bob@acme.example"}});
  ASSERT_EQ(apply().exit_code, 0);
  want(std::nullopt);
  const int before = mutations(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_THAT(a.out + a.err, HasSubstr("stops managing them"));
  EXPECT_EQ(mutations(*emu), before);
  EXPECT_EQ(members_of(*emu, retail).size(), 2u);
  EXPECT_FALSE(ws->state()["organizations"]["retail"].contains("members"));
  // Someone added in the dashboard now is nobody's business: no drift, no change.
  dashboard_adds("mallory@evil.example");
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Members, AStatusChangeIsPlannedAsARemoveAndAnAddAndTheMemberGetsANewId) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example", "bob@acme.example"}});
  ASSERT_EQ(apply().exit_code, 0);
  const std::string old_id = member_id(*emu, retail, "alice@acme.example");

  want({{"{email: alice@acme.example, status: canceled}", "bob@acme.example"}});
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("# org \"retail\": 1 member to change status\n"));
  EXPECT_THAT(p.out, HasSubstr("-/+ member alice@acme.example: active → canceled (deleted, then "
                               "created: the API cannot update a member)\n"));
  // The API has no update: a status change counts as one member added and none removed.
  EXPECT_THAT(p.out, HasSubstr("Members: 1 to add, 0 to remove."));
  EXPECT_THAT(p.out, HasSubstr("Apply sends 2 requests."));

  const int deletes = requests(*emu, "DELETE"), posts = requests(*emu, "POST");

  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "DELETE") - deletes, 1);
  EXPECT_EQ(requests(*emu, "POST") - posts, 1);
  // The delete went first: the emulator would have refused the create (409) otherwise.
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 409, log), 0);
  EXPECT_LT(first_logged(*emu, "DELETE", kMembersPath + "/" + old_id, 0, log),
            first_logged(*emu, "POST", kMembersPath, 200, log));
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "canceled"},
                                                {"bob@acme.example", "active"}}));
  const std::string new_id = member_id(*emu, retail, "alice@acme.example");
  EXPECT_NE(new_id, old_id);
  EXPECT_EQ(recorded().at("alice@acme.example"), new_id);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Members, AMemberAddedInTheDashboardIsDriftAndIsRemoved) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example"}});
  ASSERT_EQ(apply().exit_code, 0);
  const std::string mallory = dashboard_adds("mallory@evil.example");

  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("Changed outside cforg"));
  EXPECT_THAT(p.out, HasSubstr("+ member mallory@evil.example (added outside cforg)\n"));
  EXPECT_THAT(p.out, HasSubstr("- member mallory@evil.example (" + mallory + ")\n"));
  const int deletes = requests(*emu, "DELETE");
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "DELETE") - deletes, 1);
  EXPECT_EQ(logged(*emu, "DELETE", kMembersPath + "/" + mallory, 204, log), 1);
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "active"}}));
  EXPECT_FALSE(recorded().count("mallory@evil.example"));
  ProcessResult after = plan();
  EXPECT_EQ(after.exit_code, 0) << dump(after);
  EXPECT_THAT(after.out, Not(HasSubstr("Changed outside cforg")));
}

TEST_F(Members, AMemberDeletedInTheDashboardIsDriftAndIsAddedAgain) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"alice@acme.example", "{email: bob@acme.example, status: canceled}"}});
  ASSERT_EQ(apply().exit_code, 0);
  const std::string bob = member_id(*emu, retail, "bob@acme.example");
  ASSERT_EQ(emu->as_dashboard("DELETE", "/organizations/" + retail + "/members/" + bob).status,
            204);

  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("Changed outside cforg"));
  EXPECT_THAT(p.out, HasSubstr("- member bob@acme.example (removed outside cforg)\n"));
  EXPECT_THAT(p.out, HasSubstr("+ member bob@acme.example (canceled)\n"));
  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(requests(*emu, "POST") - posts, 1);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 200, log), 1);
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"alice@acme.example", "active"},
                                                {"bob@acme.example", "canceled"}}));
  const std::string again = member_id(*emu, retail, "bob@acme.example");
  EXPECT_NE(again, bob);
  EXPECT_EQ(recorded().at("bob@acme.example"), again);
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Members, ASecondCreateAnswered409FindsTheExistingMember) {
  ASSERT_NO_FATAL_FAILURE(start({"--member-exists", "conflict"}));
  want({{"alice@acme.example"}});
  // 409 1044, then cforg lists the org's members by that email and records the one it finds.
  second_create_ends_with_one_member(/*expected_409s=*/1);
}

TEST_F(Members, ASecondCreateAnsweredWithTheExistingMemberTakesIt) {
  ASSERT_NO_FATAL_FAILURE(start({"--member-exists", "existing"}));
  want({{"alice@acme.example"}});
  // 200 with the existing member, unchanged: cforg records it as the one it asked for.
  second_create_ends_with_one_member(/*expected_409s=*/0);
}

TEST_F(Members, ASecondCreateMeetingAnotherStatusFailsClearlyAndTheNextApplyReplacesIt) {
  for (const char* reading : {"conflict", "existing"}) {
    SCOPED_TRACE(std::string("--member-exists ") + reading);
    ASSERT_NO_FATAL_FAILURE(start({"--member-exists", reading}));
    want({{"{email: bob@acme.example, status: canceled}"}});
    ProcessResult saved = ws->cforg(with({"plan", "--out", "bob.plan"}, kFast));
    ASSERT_EQ(saved.exit_code, 0) << dump(saved);
    // Meanwhile bob joins in the dashboard, active: the saved plan's create meets him (a 409,
    // or a 200 with him unchanged) and cannot give him the status asked for.
    const std::string theirs = dashboard_adds("bob@acme.example", "active");
    ProcessResult a = ws->cforg(with({"apply", "bob.plan"}, kFast));
    EXPECT_EQ(a.exit_code, 1) << dump(a);
    EXPECT_THAT(a.out, HasSubstr("member bob@acme.example of org \"retail\" exists already with "
                                 "status active; the API cannot change a member's status in "
                                 "place: plan again"));
    EXPECT_EQ(member_counts(*emu, retail), (std::map<std::string, int>{{"bob@acme.example", 1}}));
    EXPECT_EQ(recorded().at("bob@acme.example"), theirs) << "the state records the one found";

    ProcessResult p = plan();
    EXPECT_EQ(p.exit_code, 2) << dump(p);
    EXPECT_THAT(p.out, HasSubstr("-/+ member bob@acme.example: active → canceled"));
    ProcessResult fixed = apply();
    ASSERT_EQ(fixed.exit_code, 0) << dump(fixed);
    EXPECT_EQ(member_statuses(*emu, retail),
              (std::map<std::string, std::string>{{"bob@acme.example", "canceled"}}));
    EXPECT_EQ(plan().exit_code, 0);
  }
}

TEST_F(Members, AStatusChangedInTheDashboardIsSetBack) {
  ASSERT_NO_FATAL_FAILURE(start());
  want({{"{email: bob@acme.example, status: canceled}"}});
  ASSERT_EQ(apply().exit_code, 0);
  // The API has no update: the dashboard, too, deletes him and adds him again, active.
  const std::string bob = member_id(*emu, retail, "bob@acme.example");
  ASSERT_EQ(emu->as_dashboard("DELETE", "/organizations/" + retail + "/members/" + bob).status,
            204);
  dashboard_adds("bob@acme.example", "active");
  ProcessResult p = plan();
  EXPECT_EQ(p.exit_code, 2) << dump(p);
  EXPECT_THAT(p.out, HasSubstr("-/+ member bob@acme.example: active → canceled"));
  ProcessResult a = apply();
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  EXPECT_EQ(member_statuses(*emu, retail),
            (std::map<std::string, std::string>{{"bob@acme.example", "canceled"}}));
  EXPECT_EQ(plan().exit_code, 0);
}

TEST_F(Members, WithBatchCreate250MembersGoInFourRequests) {
  ASSERT_NO_FATAL_FAILURE(start({"--members-batch-create", "present"}));
  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  two_hundred_fifty_join();
  // ceil(250 / 100) = 3 full-size batches would do, but the client does not know yet whether
  // the server has batchCreate: its first batch is a probe of 2 (without the endpoint it would
  // send them one by one). So: 2, then 100, 100 and 48; no single create.
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 200, log), 4);
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 0, log), 4);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 0, log), 0);
  EXPECT_EQ(requests(*emu, "POST") - posts, 4);
}

TEST_F(Members, WithoutBatchCreate250MembersGoInOneProbeAndOneCreateEach) {
  ASSERT_NO_FATAL_FAILURE(start({"--members-batch-create", "absent"}));
  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  two_hundred_fifty_join();
  // The probe (a batch of 2) is a 404: the client remembers that the server has no
  // batchCreate and sends those 2 and the 248 others one create each: 1 + 250.
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 404, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 0, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 200, log), 250);
  EXPECT_EQ(requests(*emu, "POST") - posts, 251);
}

TEST_F(Members, WithoutBatchCreateTenWorkersSendOneProbeBetweenThem) {
  ASSERT_NO_FATAL_FAILURE(start({"--members-batch-create", "absent"}));
  want(two_fifty());
  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  ProcessResult a = apply({"--parallelism", "10"});
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  // While the probe is out the other nine workers send single creates, so the 404 is paid
  // once, not once per worker: 1 + 250 again.
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 404, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 200, log), 250);
  EXPECT_EQ(requests(*emu, "POST") - posts, 251);
  std::map<std::string, int> expected;
  for (const std::string& e : two_fifty()) expected[e] = 1;
  EXPECT_EQ(member_counts(*emu, retail), expected);
}

TEST_F(Members, ABatchHoldingAnExistingMemberFallsBackToOneCreateEach) {
  ASSERT_NO_FATAL_FAILURE(start({"--members-batch-create", "present"}));
  want(emails("m", 4));
  ProcessResult saved = ws->cforg(with({"plan", "--out", "four.plan"}, kFast));
  ASSERT_EQ(saved.exit_code, 0) << dump(saved);
  dashboard_adds("m0@acme.example");
  const int posts = requests(*emu, "POST");
  const std::size_t log = log_size(*emu);
  ProcessResult a = ws->cforg(with({"apply", "four.plan", "--parallelism", "1"}, kFast));
  ASSERT_EQ(a.exit_code, 0) << dump(a);
  // The batch is all or nothing: the probe [m0, m1] is a 409 that creates nobody, so those two
  // go one by one (m0's 409 is then looked up, m1 is created); the server has not yet shown
  // that it batches (a 409 is no proof), so [m2, m3] is a probe of 2 again, answered 200.
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 409, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kBatchPath, 200, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 409, log), 1);
  EXPECT_EQ(logged(*emu, "POST", kMembersPath, 200, log), 1);
  EXPECT_EQ(requests(*emu, "POST") - posts, 4);
  EXPECT_EQ(member_counts(*emu, retail), (std::map<std::string, int>{{"m0@acme.example", 1},
                                                                     {"m1@acme.example", 1},
                                                                     {"m2@acme.example", 1},
                                                                     {"m3@acme.example", 1}}));
  EXPECT_EQ(plan().exit_code, 0);
}

}  // namespace
}  // namespace cforg::testing
