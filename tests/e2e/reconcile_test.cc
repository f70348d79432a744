// Full reconciliation: updates, deletes, drift, adoption, import, state commands, saved plans.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kProfile = R"(
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: "+1-555-0100"
      business_address: 1 Acme Way
      external_metadata: "crm:42")";

std::string acme(const std::string& platform_name = "Acme Platform",
                 const std::string& phone = "+1-555-0100") {
  std::string profile = kProfile;
  profile.replace(profile.find("+1-555-0100"), 11, phone);
  return "organizations:\n  - name: Acme Root\n    key: root" + profile +
         "\n  - name: " + platform_name + "\n    key: platform\n    parent: root\n" +
         "  - name: Acme Data\n    key: data\n    parent: platform\n";
}

struct Reconcile : ::testing::Test {
  void SetUp() override {
    ws.config(acme());
    ProcessResult r = ws.cforg({"apply", "--auto-approve"});
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    ids = ws.state_ids();
    posts = requests(emu, "POST");
    puts = requests(emu, "PUT");
    deletes = requests(emu, "DELETE");
  }
  Emulator emu;
  Workspace ws{&emu};
  std::map<std::string, std::string> ids;
  int posts = 0, puts = 0, deletes = 0;
};

TEST_F(Reconcile, RenameAndProfileChangeAreOnePutEach) {
  ws.config(acme("Acme Platform Team", "+1-555-0199"));
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("~ name = \"Acme Platform\" → \"Acme Platform Team\""));
  EXPECT_THAT(plan.out, HasSubstr("~ profile.business_phone = \"+1-555-0100\" → \"+1-555-0199\""));
  EXPECT_THAT(plan.out,
              HasSubstr("Plan: 0 to create, 2 to update, 0 to delete, 0 to adopt. 1 unchanged."));
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "PUT") - puts, 2);
  EXPECT_EQ(requests(emu, "POST"), posts);
  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.count("Acme Platform Team"), 1u);
  EXPECT_EQ(remote.find("Acme Platform Team")->second["id"], ids["platform"]);
  EXPECT_EQ(remote.find("Acme Root")->second["profile"]["business_phone"], "+1-555-0199");
  EXPECT_EQ(ws.state()["organizations"]["platform"]["name"], "Acme Platform Team");
}

TEST_F(Reconcile, MovingAnOrgIsAReplacementOnlyOnRequest) {
  const std::string moved =
      "organizations:\n  - {name: Acme Root, key: root" + std::string(",") +
      " profile: {business_name: Acme Corp, business_email: ops@acme.example, "
      "business_phone: \"+1-555-0100\", business_address: 1 Acme Way, external_metadata: "
      "\"crm:42\"}}\n  - {name: Acme Platform, key: platform, parent: root}\n"
      "  - {name: Acme Data, key: data, parent: root}\n";
  ws.config(moved);
  // The API cannot move an org (a PUT with a parent is answered 200 and ignored): refused.
  ProcessResult refused = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1) << dump(refused);
  EXPECT_THAT(refused.out, HasSubstr("cforg.yaml:4:"));
  EXPECT_THAT(refused.out, HasSubstr("--replace data"));
  EXPECT_EQ(mutations(emu), posts + puts + deletes);

  ProcessResult apply = ws.cforg({"apply", "--auto-approve", "--replace", "data"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_THAT(apply.out, HasSubstr("~ parent = \"platform\" → \"root\""));
  EXPECT_EQ(requests(emu, "PUT") - puts, 0);
  EXPECT_EQ(requests(emu, "DELETE") - deletes, 1);
  EXPECT_EQ(requests(emu, "POST") - posts, 1);
  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.count("Acme Data"), 1u);
  EXPECT_EQ(remote.find("Acme Data")->second["parent"]["id"], ids["root"]);
  EXPECT_NE(ws.state_ids()["data"], ids["data"]);
  EXPECT_EQ(ws.cforg({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(Reconcile, RemovingAChildAndItsParentDeletesTheChildFirst) {
  ws.config("organizations:\n  - name: Acme Root\n    key: root" + std::string(kProfile) + "\n");
  ProcessResult plan = ws.cforg({"plan"});
  EXPECT_LT(plan.out.find("org \"data\" will be deleted"),
            plan.out.find("org \"platform\" will be deleted"))
      << plan.out;
  ProcessResult apply = ws.cforg({"apply", "--auto-approve", "--parallelism", "8"});
  // The emulator refuses to delete an org that still has children: success proves the order.
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "DELETE") - deletes, 2);
  EXPECT_EQ(emu.organizations().size(), 1u);
  EXPECT_EQ(ws.state_ids().size(), 1u);
}

TEST_F(Reconcile, APIRefusalOfADeleteIsReportedAndStateKeepsIt) {
  // A child created outside cforg keeps "data" from being deleted.
  HttpReply extra =
      emu.as_dashboard("POST", "/organizations",
                       R"({"name": "Outsider", "parent": {"id": ")" + ids["data"] + "\"}}");
  ASSERT_EQ(extra.status, 200);
  ws.config("organizations:\n  - name: Acme Root\n    key: root" + std::string(kProfile) +
            "\n  - {name: Acme Platform, key: platform, parent: root}\n");
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << dump(apply);
  EXPECT_THAT(apply.out, HasSubstr("org \"data\": failed: deleting org \"data\""));
  EXPECT_THAT(apply.out, HasSubstr("HTTP 400"));
  EXPECT_TRUE(ws.state_ids().count("data"));
}

TEST_F(Reconcile, PreventDestroyBlocksEvenAfterTheEntryIsRemoved) {
  std::string protected_cfg = acme();
  protected_cfg.replace(protected_cfg.find("key: data"), 9, "key: data\n    prevent_destroy: true");
  ws.config(protected_cfg);
  ProcessResult on = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(on.exit_code, 0) << dump(on);
  EXPECT_EQ(ws.state()["organizations"]["data"]["prevent_destroy"], true);

  std::string without_data = acme();
  without_data.erase(without_data.find("  - name: Acme Data"));
  ws.config(without_data);
  ProcessResult plan = ws.cforg({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("prevent_destroy"));
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_EQ(requests(emu, "DELETE"), deletes);

  // Turn it off first (a state-only change), then the delete goes through.
  std::string unprotected = acme();
  unprotected.replace(unprotected.find("key: data"), 9, "key: data\n    prevent_destroy: false");
  ws.config(unprotected);
  ProcessResult off = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(off.exit_code, 0) << dump(off);
  EXPECT_EQ(mutations(emu), posts + puts + deletes);
  ws.config(without_data);
  ProcessResult gone = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(gone.exit_code, 0) << dump(gone);
  EXPECT_EQ(requests(emu, "DELETE") - deletes, 1);
}

TEST_F(Reconcile, AnOrgDeletedBehindTheToolsBackIsRecreated) {
  ASSERT_EQ(emu.as_dashboard("DELETE", "/organizations/" + ids["data"]).status, 204);
  ProcessResult plan = ws.cforg({"plan"});
  EXPECT_THAT(plan.out, HasSubstr("no longer exists remotely"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 1 to create"));
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.count("Acme Data"), 1u);
  std::string new_id = remote.find("Acme Data")->second["id"];
  EXPECT_NE(new_id, ids["data"]);
  EXPECT_EQ(ws.state_ids()["data"], new_id);
}

TEST_F(Reconcile, AnOrgEditedBehindTheToolsBackIsShownAsDriftAndRestored) {
  HttpReply edit = emu.as_dashboard(
      "PUT", "/organizations/" + ids["platform"],
      R"({"name": "Clicked In Dashboard", "parent": {"id": ")" + ids["root"] + "\"}}");
  ASSERT_EQ(edit.status, 200);
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_THAT(plan.out, HasSubstr("Changed outside cforg"));
  EXPECT_THAT(plan.out, HasSubstr("~ name = \"Acme Platform\" → \"Clicked In Dashboard\""));
  EXPECT_THAT(plan.out, HasSubstr("restoring what was changed outside cforg"));
  int puts_before = requests(emu, "PUT");
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "PUT") - puts_before, 1);
  EXPECT_EQ(remote_by_name(emu).count("Acme Platform"), 1u);
  EXPECT_EQ(ws.cforg({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(Reconcile, RefreshUpdatesStateOnlyFromTheRemoteSide) {
  ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + ids["platform"],
                             R"({"name": "Renamed", "parent": {"id": ")" + ids["root"] + "\"}}")
                .status,
            200);
  int before = mutations(emu);
  ProcessResult r = ws.cforg({"refresh", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("1 changed outside cforg"));
  EXPECT_EQ(ws.state()["organizations"]["platform"]["name"], "Renamed");
  EXPECT_EQ(mutations(emu), before);
}

TEST_F(Reconcile, RefreshShowsWhatChangesAndAsks) {
  ASSERT_EQ(
      emu.as_dashboard("PUT", "/organizations/" + ids["platform"], R"({"name": "Renamed"})").status,
      200);
  const std::string before = read_file(ws.state_path());
  ProcessResult r = ws.cforg({"refresh"});  // stdin is not a terminal: it cannot ask
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("~ name = \"Acme Platform\" → \"Renamed\""));
  EXPECT_THAT(r.err, HasSubstr("Pass --auto-approve"));
  EXPECT_EQ(read_file(ws.state_path()), before);
}

TEST_F(Reconcile, ARefreshAgainstAnotherAccountDoesNotEmptyTheState) {
  // A token of another account, or one that sees nothing: every tracked org looks gone.
  Emulator other;
  RunOptions elsewhere;
  elsewhere.env = other.env();
  const std::string before = read_file(ws.state_path());
  ProcessResult refresh = ws.cforg({"refresh", "--auto-approve"}, elsewhere);
  EXPECT_EQ(refresh.exit_code, 1) << dump(refresh);
  EXPECT_THAT(refresh.err, HasSubstr("lists none of 3 of the 3 organizations in state"));
  EXPECT_THAT(refresh.err, HasSubstr("--allow-mass-forget"));
  EXPECT_EQ(read_file(ws.state_path()), before);
  // Nor does an apply recreate them all there.
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"}, elsewhere);
  EXPECT_EQ(apply.exit_code, 1) << dump(apply);
  EXPECT_THAT(apply.out + apply.err, HasSubstr("lists none of 3 of the 3"));
  EXPECT_EQ(requests(other, "POST"), 0);
  EXPECT_EQ(read_file(ws.state_path()), before);
  // When they really are gone, saying so lets the refresh drop them.
  ProcessResult forced = ws.cforg({"refresh", "--auto-approve", "--allow-mass-forget"}, elsewhere);
  ASSERT_EQ(forced.exit_code, 0) << dump(forced);
  EXPECT_TRUE(ws.state()["organizations"].empty());
}

TEST_F(Reconcile, ALostStateCreatesNothingAndAdoptTakesEveryOrgBackWithoutAPost) {
  std::filesystem::remove(ws.state_path());
  std::filesystem::remove(ws.state_path() + ".backup");
  ProcessResult plan = ws.cforg({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("already exists"));
  EXPECT_THAT(plan.out, HasSubstr("--adopt"));
  EXPECT_THAT(plan.out, Not(HasSubstr("will be created")));
  ProcessResult blocked = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(blocked.exit_code, 1);
  EXPECT_EQ(requests(emu, "POST"), posts);

  ProcessResult adopt = ws.cforg({"apply", "--auto-approve", "--adopt"});
  ASSERT_EQ(adopt.exit_code, 0) << dump(adopt);
  EXPECT_THAT(adopt.out, HasSubstr("3 adopted"));
  EXPECT_EQ(requests(emu, "POST"), posts);
  EXPECT_EQ(ws.state_ids(), ids);
  EXPECT_EQ(emu.organizations().size(), 3u);
  EXPECT_EQ(ws.cforg({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(Reconcile, ALostStateWithoutRefreshStillMakesNoDuplicate) {
  // --refresh=false skips the look the plan makes: each create looks before it posts.
  std::filesystem::remove(ws.state_path());
  std::filesystem::remove(ws.state_path() + ".backup");
  ProcessResult r = ws.cforg({"apply", "--refresh=false", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.out + r.err, HasSubstr("\"Acme Root\" already exists at the top level"));
  EXPECT_THAT(r.out + r.err, HasSubstr("cforg import root " + ids["root"]));
  EXPECT_EQ(requests(emu, "POST"), posts);
  EXPECT_EQ(emu.organizations().size(), 3u);
  // What the look found is not tracked behind the user's back; a refreshed --adopt takes it.
  ProcessResult adopt = ws.cforg({"apply", "--auto-approve", "--adopt"});
  ASSERT_EQ(adopt.exit_code, 0) << dump(adopt);
  EXPECT_EQ(ws.state_ids(), ids);
  EXPECT_EQ(requests(emu, "POST"), posts);
}

TEST_F(Reconcile, ImportAndStateCommands) {
  std::filesystem::remove(ws.state_path());
  ProcessResult missing_key = ws.cforg({"import", "nope", ids["root"]});
  EXPECT_EQ(missing_key.exit_code, 1);
  EXPECT_THAT(missing_key.err, HasSubstr("not an organization key in the config"));
  ProcessResult bad_id = ws.cforg({"import", "root", "org 42"});
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_THAT(bad_id.err, HasSubstr("contains a space at character 4"));

  ASSERT_EQ(ws.cforg({"import", "root", ids["root"]}).exit_code, 0);
  ProcessResult twice = ws.cforg({"import", "root", ids["root"]});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("already in state"));
  ASSERT_EQ(ws.cforg({"import", "platform", ids["platform"]}).exit_code, 0);
  ASSERT_EQ(ws.cforg({"import", "data", ids["data"]}).exit_code, 0);
  EXPECT_EQ(ws.state_ids(), ids);
  EXPECT_EQ(ws.state()["organizations"]["data"]["parent"]["key"], "platform");
  EXPECT_EQ(ws.cforg({"plan", "--detailed-exitcode"}).exit_code, 0);

  ProcessResult list = ws.cforg({"state", "list"});
  EXPECT_THAT(list.out, HasSubstr("platform"));
  EXPECT_THAT(list.out, HasSubstr(ids["platform"]));
  ProcessResult show = ws.cforg({"state", "show", "data"});
  EXPECT_EQ(nlohmann::json::parse(show.out)["id"], ids["data"]);

  ASSERT_EQ(ws.cforg({"state", "mv", "data", "analytics"}).exit_code, 0);
  EXPECT_EQ(ws.state_ids()["analytics"], ids["data"]);
  ProcessResult clash = ws.cforg({"state", "mv", "analytics", "root"});
  EXPECT_EQ(clash.exit_code, 1);
  ASSERT_EQ(ws.cforg({"state", "rm", "analytics"}).exit_code, 0);
  EXPECT_FALSE(ws.state_ids().count("analytics"));
  EXPECT_EQ(emu.organizations().size(), 3u) << "state rm deletes nothing remotely";
  ProcessResult unknown = ws.cforg({"state", "rm", "nothing"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(mutations(emu), posts);
}

TEST_F(Reconcile, ASavedPlanForAnotherStateIsRefusedEvenAtTheSameSerial) {
  ws.config(acme("Renamed Platform"));
  ASSERT_EQ(ws.cforg({"plan", "--out", "rename.plan"}).exit_code, 0);
  // Another state with the same serial: only its lineage tells them apart.
  nlohmann::json st = ws.state();
  st["lineage"] = "00000000-0000-4000-8000-000000000000";
  ws.dir().write("state/cforg.state.json", st.dump());
  ProcessResult r = ws.cforg({"apply", "rename.plan"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("made for another state (lineage differs)"));
  EXPECT_EQ(requests(emu, "PUT"), puts);
}

TEST_F(Reconcile, ASavedPlanAppliesExactlyAndAStaleOneIsRefused) {
  ws.config(acme("Renamed Platform"));
  ProcessResult saved = ws.cforg({"plan", "--out", "rename.plan"});
  ASSERT_EQ(saved.exit_code, 0) << dump(saved);
  ProcessResult stale_too = ws.cforg({"plan", "--out", "other.plan"});
  ASSERT_EQ(stale_too.exit_code, 0);

  // Applying a saved plan asks nothing (stdin is not a terminal here).
  ProcessResult apply = ws.cforg({"apply", "rename.plan"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "PUT") - puts, 1);

  ProcessResult stale = ws.cforg({"apply", "other.plan"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("stale"));
  EXPECT_THAT(stale.err, HasSubstr("serial"));
  EXPECT_EQ(requests(emu, "PUT") - puts, 1);

  ws.config(acme());
  ProcessResult fresh = ws.cforg({"plan", "--out", "back.plan"});
  ASSERT_EQ(fresh.exit_code, 0);
  ws.config(acme("Yet Another Name"));
  ProcessResult changed = ws.cforg({"apply", "back.plan"});
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_THAT(changed.err, HasSubstr("config changed"));
}

// A plan file edited by someone who also recomputes its digest (SHA-256 of the document
// without "digest", dumped compactly as cforg dumps it): only re-deriving the actions and
// checking them catches what such an edit does.
std::string resealed(const TempDir& dir, nlohmann::json j) {
  j.erase("digest");
  std::string text = dir.write("reseal.tmp", j.dump());
  ProcessResult sum = run({"/usr/bin/sha256sum", text});
  EXPECT_EQ(sum.exit_code, 0) << dump(sum);
  j["digest"] = sum.out.substr(0, 64);
  return j.dump(2);
}

TEST_F(Reconcile, ATamperedSavedPlanIsRefusedBeforeAnyRequestAndTheStateIsUntouched) {
  // A new root: a child of an org created moments ago would meet the API's post-create 403s.
  ws.config(acme("Renamed Platform") + "  - {name: New Org}\n");
  ProcessResult saved = ws.cforg({"plan", "--out", "good.plan"});
  ASSERT_EQ(saved.exit_code, 0) << dump(saved);
  const nlohmann::json good = nlohmann::json::parse(read_file(ws.dir() / "good.plan"));
  ASSERT_EQ(good["actions"].size(), 2u);
  // The create of "New Org" (a root, so first) and the rename of "platform".
  const std::size_t c = good["actions"][0]["action"] == "create" ? 0 : 1, u = 1 - c;
  ASSERT_EQ(good["actions"][c]["action"], "create");
  ASSERT_EQ(good["actions"][u]["key"], "platform");
  const nlohmann::json create = good["actions"][c];

  struct Case {
    const char* what;
    std::string text;
    std::string message;
  };
  std::vector<Case> cases;
  nlohmann::json j = good;
  j["actions"][c]["after"]["name"] = "TAMPERED";
  cases.push_back(
      {"a hand edit", j.dump(2),
       "tampered.plan: the plan file was changed after it was written: make a new plan"});
  cases.push_back({"an org renamed TAMPERED, digest recomputed", resealed(ws.dir(), j),
                   "does not match what the config, the state and the remote side it recorded "
                   "give (action " +
                       std::to_string(c + 1) + " (create \"New Org\")"});
  j = good;
  j["actions"].push_back(create);
  cases.push_back(
      {"a duplicated create", resealed(ws.dir(), j), "the key \"New Org\" is acted on twice"});
  j = good;
  j["actions"].push_back({{"action", "delete"},
                          {"key", "root"},
                          {"id", ids["root"]},
                          {"before", ws.state()["organizations"]["root"]},
                          {"after", nullptr},
                          {"changes", nlohmann::json::array()},
                          {"depends_on", nlohmann::json::array()},
                          {"after_removal_of", nlohmann::json::array()},
                          {"drift", false},
                          {"recover", false},
                          {"replace", false},
                          {"requests", 1}});
  cases.push_back({"an injected delete of a declared org", resealed(ws.dir(), j),
                   "action 3 (delete \"root\") deletes an organization the config declares"});
  j = good;
  j["actions"][u]["depends_on"].push_back("New Org");
  j["actions"][c]["depends_on"].push_back("platform");
  cases.push_back({"a dependency cycle", resealed(ws.dir(), j),
                   "its dependencies form a cycle through action 1"});
  j = good;
  j["actions"][c]["key"] = "";
  cases.push_back({"an empty key", resealed(ws.dir(), j), "has an empty key"});
  j = good;
  j["actions"][c]["action"] = "explode";
  cases.push_back({"an unknown action", resealed(ws.dir(), j), "unknown action \"explode\""});
  std::string twice = good.dump(2);
  twice.insert(twice.find("\"action\": \"create\""), "\"action\": \"delete\", ");
  cases.push_back({"two action fields", twice, "has the key \"action\" twice"});
  j = good;
  j["config"]["files"] = {"/dev/zero"};
  cases.push_back({"a config path that is a device", resealed(ws.dir(), j),
                   "names the config file /dev/zero, which is not a .yaml or .yml file"});
  j = good;
  j["format_version"] = 2;
  cases.push_back({"a plan of the previous format", resealed(ws.dir(), j),
                   "format_version 2, written by an older cforg"});

  const std::string state_before = read_file(ws.state_path());
  const int requests_before = emu.stats()["requests_total"];
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ws.dir().write("tampered.plan", c.text);
    ProcessResult r = ws.cforg({"apply", "tampered.plan"});
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.err, HasSubstr(c.message)) << dump(r);
    EXPECT_THAT(r.err, Not(HasSubstr("bug")));
    EXPECT_EQ(emu.stats()["requests_total"], requests_before) << "a request was sent";
    EXPECT_EQ(read_file(ws.state_path()), state_before);
  }
  // The untouched plan still applies, exactly: one rename and one create.
  ProcessResult apply = ws.cforg({"apply", "good.plan"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(requests(emu, "PUT") - puts, 1);
  EXPECT_EQ(requests(emu, "POST") - posts, 1);
}

TEST_F(Reconcile, AGarbagePlanFileIsRefusedWithAReason) {
  ws.dir().write("garbage.plan", "{\"format_version\": 1, \"actions\": 3}");
  ProcessResult r = ws.cforg({"apply", "garbage.plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("garbage.plan: not a valid cforg plan"));
  EXPECT_THAT(r.err, Not(HasSubstr("bug")));
  ws.dir().write("binary.plan", std::string("\x00\x01\xff", 3));
  r = ws.cforg({"apply", "binary.plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("binary.plan:1:1: not a cforg plan (invalid JSON: "));
  EXPECT_EQ(r.err.find('\x01'), std::string::npos) << "the bytes read are not echoed raw";
  EXPECT_EQ(mutations(emu), posts);
}

TEST_F(Reconcile, JsonPlanValidatesAgainstTheDocumentedSchema) {
  ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + ids["platform"],
                             R"({"name": "Drifted", "parent": {"id": ")" + ids["root"] + "\"}}")
                .status,
            200);
  ws.config(acme("Acme Platform", "+1-555-0101") + "  - {name: New Org, parent: data}\n");
  ProcessResult plan = ws.cforg({"plan", "--format", "json", "--detailed-exitcode"});
  ASSERT_EQ(plan.exit_code, 2) << dump(plan);
  nlohmann::json j = nlohmann::json::parse(plan.out);
  EXPECT_EQ(j["summary"]["create"], 1);
  EXPECT_EQ(j["summary"]["update"], 2);
  EXPECT_EQ(j["refresh"]["drift"].size(), 1u);
  ProcessResult check = validate_plan(ws, j, "plan.json");
  EXPECT_EQ(check.exit_code, 0) << dump(check);
  EXPECT_EQ(check.out, "valid\n");
  // The schema is strict enough to catch a broken plan.
  j["actions"][0]["action"] = "explode";
  EXPECT_NE(validate_plan(ws, j, "broken.json").exit_code, 0);
}

TEST_F(Reconcile, MarkdownIsACompactPullRequestComment) {
  ws.config(acme("Acme Platform Team"));
  ProcessResult md = ws.cforg({"plan", "--format", "markdown"});
  ASSERT_EQ(md.exit_code, 0) << dump(md);
  EXPECT_THAT(md.out,
              HasSubstr("### cforg plan: 0 to create, 1 to update, 0 to delete, 0 to adopt"));
  EXPECT_THAT(md.out, HasSubstr("<details>"));
  EXPECT_THAT(md.out,
              HasSubstr("platform: update; name \"Acme Platform\" → \"Acme Platform Team\""));
}

}  // namespace
}  // namespace cforg::testing
