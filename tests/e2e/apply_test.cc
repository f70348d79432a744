// cforg end to end: YAML -> plan -> apply -> state, against the emulator over loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RunOptions stdin_yes() {
  RunOptions o;
  o.stdin_text = "yes\n";
  return o;
}

const char* kAcme = R"(
organizations:
  - name: Acme Root
    key: root
    profile:
      business_name: Acme Corp
      business_email: ops@acme.example
      business_phone: "+1-555-0100"
      business_address: 1 Acme Way, Springfield
      external_metadata: "crm:42"
  - name: Acme Platform
    key: platform
    parent: root
  - name: Acme Data
    parent: platform
  - name: Acme Sales
    parent: root
)";

TEST(Apply, CreatesEveryOrgOnceWithParentLinksAndRecordsThem) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
  ASSERT_EQ(plan.exit_code, 2) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("Plan: 4 to create, 0 to update, 0 to delete, 0 to adopt."));
  // Parents before children in the plan.
  EXPECT_LT(plan.out.find("org \"root\" will be created"),
            plan.out.find("org \"platform\" will be created"));
  EXPECT_LT(plan.out.find("org \"platform\" will be created"),
            plan.out.find("org \"Acme Data\" will be created"));
  EXPECT_FALSE(file_exists(ws.state_path())) << "plan must not write state";

  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_THAT(apply.out, HasSubstr("Apply complete: 4 created"));

  auto remote = remote_by_name(emu);
  ASSERT_EQ(remote.size(), 4u);
  for (const char* name : {"Acme Root", "Acme Platform", "Acme Data", "Acme Sales"}) {
    EXPECT_EQ(remote.count(name), 1u) << name;
  }
  auto id_of = [&](const char* name) { return remote.find(name)->second["id"].get<std::string>(); };
  EXPECT_EQ(remote.find("Acme Platform")->second["parent"]["id"], id_of("Acme Root"));
  EXPECT_EQ(remote.find("Acme Data")->second["parent"]["id"], id_of("Acme Platform"));
  EXPECT_EQ(remote.find("Acme Root")->second["profile"]["business_phone"], "+1-555-0100");

  nlohmann::json st = ws.state();
  EXPECT_EQ(st["format_version"], 1);
  EXPECT_EQ(st["serial"], 1);
  EXPECT_EQ(st["lineage"].get<std::string>().size(), 36u);
  const auto& data = st["organizations"]["Acme Data"];
  EXPECT_EQ(data["id"], id_of("Acme Data"));
  EXPECT_EQ(data["parent"]["id"], id_of("Acme Platform"));
  EXPECT_EQ(data["parent"]["key"], "platform");
  EXPECT_FALSE(data["create_time"].get<std::string>().empty());
  EXPECT_TRUE(data["meta"].is_object());
}

TEST(Apply, SecondApplySendsNoMutation) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  int before = mutations(emu);
  EXPECT_EQ(before, 4);
  ProcessResult again = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << dump(again);
  EXPECT_THAT(again.out, HasSubstr("No changes. 4 organizations up to date."));
  EXPECT_EQ(mutations(emu), before);
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_EQ(ws.state()["serial"], 1) << "a no-op apply does not rewrite state";
}

TEST(Apply, WithNothingToDoItStillSavesWhatAKilledRunJournaled) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  // As a run killed after its last create and before its save leaves things: "Acme Sales" is
  // in the journal only.
  nlohmann::json st = ws.state();
  nlohmann::json sales = st["organizations"]["Acme Sales"];
  st["organizations"].erase("Acme Sales");
  std::ofstream(ws.state_path()) << st.dump(2) << "\n";
  nlohmann::json header = {{"cforg_journal", 1}, {"lineage", st["lineage"]}, {"base_serial", 1}};
  nlohmann::json put = {{"key", "Acme Sales"}, {"op", "put"}, {"org", sales}};
  std::ofstream(ws.state_path() + ".journal") << header.dump() << "\n" << put.dump() << "\n";
  int before = mutations(emu);

  ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_THAT(apply.out, HasSubstr("No changes."));
  EXPECT_THAT(apply.out, HasSubstr("with the changes an interrupted run had journaled"));
  EXPECT_EQ(mutations(emu), before);
  EXPECT_FALSE(file_exists(ws.state_path() + ".journal"));
  EXPECT_EQ(ws.state()["serial"], 2);
  EXPECT_EQ(ws.state()["organizations"]["Acme Sales"], sales);  // the file alone is complete
}

TEST(Apply, AFailureHalfwayKeepsEverySuccessInState) {
  Emulator emu;
  Workspace ws(&emu);
  // The second root's parent is deleted between the plan and its apply: that create fails with
  // a 400, its child is skipped, everything else is created and recorded. (A parent id that
  // names no organization when planning is refused by the plan itself.)
  HttpReply outside = emu.as_dashboard("POST", "/organizations", R"({"name": "Outside"})");
  ASSERT_EQ(outside.status, 200);
  const std::string outside_id = outside.body["result"]["id"];
  ws.config(R"(
organizations:
  - {name: Good Root, key: good}
  - {name: Good Child, parent: good}
  - {name: Orphan, key: orphan, parent: {id: )" +
            outside_id + R"(}}
  - {name: Orphan Child, parent: orphan}
)");
  ProcessResult plan = ws.cforg({"plan", "--out", "plan.json"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  ASSERT_EQ(emu.as_dashboard("DELETE", "/organizations/" + outside_id).status / 100, 2);
  ProcessResult apply = ws.cforg({"apply", "plan.json"});
  EXPECT_EQ(apply.exit_code, 1) << dump(apply);
  EXPECT_THAT(apply.out, HasSubstr("Apply incomplete: 2 created"));
  EXPECT_THAT(
      apply.out,
      HasSubstr("org \"orphan\": failed: creating org \"orphan\": POST /organizations: HTTP 400"));
  EXPECT_THAT(apply.out, HasSubstr("org \"Orphan Child\": skipped: it depends on org \"orphan\""));
  auto ids = ws.state_ids();
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_TRUE(ids.count("good"));
  EXPECT_TRUE(ids.count("Good Child"));
  EXPECT_EQ(emu.organizations().size(), 2u);  // the outside org is gone
  EXPECT_FALSE(file_exists(ws.state_path() + ".journal")) << "folded into the state";
}

// The actions ran, then the last save failed (here another writer replaced the state file
// behind the lock; a PostgreSQL server that went away fails the same way): what was done
// remotely is still summed up, then the error says why the state was not saved.
TEST(Apply, WhenTheFinalSaveFailsTheSummaryIsStillShownThenTheError) {
  Emulator emu({"--latency-ms", "150"});
  Workspace ws(&emu);
  ws.config(R"(
organizations:
  - {name: A}
  - {name: B, parent: A}
  - {name: C, parent: B}
)");
  auto apply = ws.start(with({"apply", "--auto-approve"}, kFast), "run");
  // The journal is opened before the first request; the creates then take a second.
  const std::string journal = ws.state_path() + ".journal";
  for (int i = 0; i < 1000 && !file_exists(journal); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(file_exists(journal)) << apply->err();
  ws.dir().write(
      "state/cforg.state.json",
      R"({"format_version": 1, "lineage": "another", "serial": 9, "organizations": {}})");
  EXPECT_EQ(apply->wait(), 1) << apply->out() << apply->err();
  ASSERT_EQ(emu.organizations().size(), 3u) << "the run finished before the state was replaced";
  EXPECT_THAT(apply->out(), HasSubstr("Apply complete: 3 created"));
  EXPECT_THAT(apply->out(), Not(HasSubstr("State saved")));
  EXPECT_THAT(apply->err(), HasSubstr("Error: refusing to overwrite"));
  EXPECT_THAT(apply->err(), HasSubstr("changed since it was loaded"));
}

TEST(Apply, RefusesWithoutATerminalUnlessAutoApproved) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  ProcessResult r = ws.cforg({"apply"}, stdin_yes());
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("--auto-approve"));
  EXPECT_EQ(mutations(emu), 0);
  EXPECT_FALSE(file_exists(ws.state_path()));
}

TEST(Apply, BothAuthSchemesWork) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  RunOptions key_auth;
  key_auth.env = {{"CLOUDFLARE_API_TOKEN", ""},
                  {"CLOUDFLARE_EMAIL", kTestEmail},
                  {"CLOUDFLARE_API_KEY", kTestKey}};
  ProcessResult r = ws.cforg({"apply", "--auto-approve"}, key_auth);
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_EQ(emu.organizations().size(), 4u);
}

TEST(Apply, WrongCredentialsAreAClearErrorAndNeverShown) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  const std::string secret = "wrong-secret-token-do-not-print-9f8e7d";
  RunOptions wrong;
  wrong.env = {{"CLOUDFLARE_API_TOKEN", secret}};
  ProcessResult r = ws.cforg({"apply", "--auto-approve", "--log-level", "trace"}, wrong);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("HTTP 403"));
  EXPECT_THAT(r.err, HasSubstr("10000"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(secret)));
}

TEST(Apply, CredentialsNeverAppearInOutputLogsOrState) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  RunOptions trace;
  trace.env = {{"CFORG_LOG", "trace"}};
  ProcessResult apply = ws.cforg({"apply", "--auto-approve"}, trace);
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  ProcessResult plan = ws.cforg({"plan", "--out", "plan.json", "--format", "json"}, trace);
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  std::string everything = apply.out + apply.err + plan.out + plan.err +
                           read_file(ws.state_path()) + read_file(ws.dir() / "plan.json");
  EXPECT_THAT(apply.err, HasSubstr("POST")) << "trace logging shows requests";
  EXPECT_THAT(everything, Not(HasSubstr(kTestToken)));
}

// Issue 10: under each scheme (token, global key, both), with failing and retried requests,
// at trace level, nothing cforg writes anywhere holds the token, the key or the email.
TEST(Apply, NoCredentialOfEitherSchemeReachesAnyByteWrittenEvenWhenRequestsFail) {
  for (const char* scheme : {"token", "global key", "both"}) {
    Emulator emu({"--fail-rate", "0.3", "--seed", "11"});
    const std::string s = scheme;
    const auto env = s == "token" ? emu.env() : s == "both" ? emu.env_both() : emu.env_global_key();
    Workspace ws(&emu);
    ws.config(kAcme);
    RunOptions opts;
    opts.env = env;
    opts.env["CFORG_LOG"] = "trace";
    std::string everything;
    auto run = [&](const std::vector<std::string>& args) {
      ProcessResult r = ws.cforg(args, opts);
      everything += r.out + r.err;
      return r;
    };
    run({"plan", "--out", "plan.json", "--max-retries", "20"});
    run({"apply", "plan.json", "--max-retries", "20"});
    run({"apply", "--auto-approve", "--max-retries", "0"});  // failures are shown, not retried
    run({"refresh", "--auto-approve", "--max-retries", "20"});
    run({"plan", "--format", "json", "--max-retries", "20"});
    EXPECT_THAT(everything, HasSubstr("POST")) << scheme << ": trace logging shows requests";
    // Every file the runs left in the folder: state, its backup, journal, lock, plan.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(ws.dir().path())) {
      if (entry.is_regular_file()) everything += read_file(entry.path().string());
    }
    for (const char* secret : {kTestToken, kTestKey, kTestEmail}) {
      EXPECT_THAT(everything, Not(HasSubstr(secret))) << scheme << ": " << secret;
    }
  }
}

TEST(Apply, MissingCredentialsFailBeforeAnyRequest) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAcme);
  RunOptions no_token;
  no_token.unset_env = {"CLOUDFLARE_API_TOKEN"};
  ProcessResult r = ws.cforg({"plan"}, no_token);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("CLOUDFLARE_API_TOKEN"));
  EXPECT_EQ(emu.stats()["requests_total"], 0);
  // Planning from state alone needs no credentials.
  ProcessResult offline = ws.cforg({"plan", "--refresh=false"}, no_token);
  EXPECT_EQ(offline.exit_code, 0) << dump(offline);
}

// --max-retries bounds the retries of one request; the sends of a create whose outcome stays
// unknown have their own bound. With this seed the emulator answers the first POST with a 500
// (no effect, but cforg cannot know), then lets the lookup and the second POST through.
TEST(Apply, CreateAttemptsHaveTheirOwnBoundNotMaxRetries) {
  const std::vector<std::string> faults = {"--fail-rate", "0.3", "--seed", "2"};
  const std::vector<std::string> fast = {
      "apply", "--auto-approve",    "--rate-limit", "0", "--retry-base-delay",
      "0.01",  "--retry-max-delay", "0.02"};
  const char* lone = "organizations:\n  - name: Lone\n    key: lone\n";
  {
    Emulator emu(faults);
    Workspace ws(&emu);
    ws.config(lone);
    std::vector<std::string> args = fast;
    args.insert(args.end(), {"--max-retries", "0", "--max-create-attempts", "3"});
    ProcessResult r = ws.cforg(args);
    ASSERT_EQ(r.exit_code, 0) << dump(r);
    EXPECT_THAT(r.out, HasSubstr("1 created"));
    EXPECT_EQ(emu.organizations().size(), 1u);
  }
  {
    Emulator emu(faults);
    Workspace ws(&emu);
    ws.config(lone);
    std::vector<std::string> args = fast;
    args.insert(args.end(), {"--max-retries", "10", "--max-create-attempts", "1"});
    ProcessResult r = ws.cforg(args);
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.out, HasSubstr("1 attempts, none took effect"));
  }
}

}  // namespace
}  // namespace cforg::testing
