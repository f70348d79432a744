// Machine-readable output and the command line's conventions (issue 11): validate's JSON and
// GitHub annotations, show, state and apply as JSON, the cost estimate against what an apply
// sends, the markdown comment of a broken config, --target, --chdir, CFORG_CONFIG/CFORG_STATE,
// --color, suggestions for typos, and refresh's own words.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "support/binaries.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kBroken = R"(organizations:
  - name: Root
    naem: typo
  - name: Child
    parent: nowhere
)";

// Every request the emulator acted on (reads included), not counting the post-create 403s a
// client that waits out the window sends again.
int all_requests(const Emulator& e) {
  return requests(e, "GET") + requests(e, "POST") + requests(e, "PUT") + requests(e, "DELETE");
}

// Validates `json_text` against docs/<schema> with Python's jsonschema (Draft 2020-12).
void expect_matches_schema(const std::string& json_text, const std::string& schema) {
  TempDir d;
  std::string doc = d.write("doc.json", json_text);
  ProcessResult r = run({"/usr/bin/python3", "-c",
                         "import json, sys, jsonschema\n"
                         "schema = json.load(open(sys.argv[1]))\n"
                         "jsonschema.Draft202012Validator.check_schema(schema)\n"
                         "jsonschema.validate(json.load(open(sys.argv[2])), schema,"
                         " cls=jsonschema.Draft202012Validator)\nprint('valid')",
                         std::string(CFORG_SOURCE_DIR) + "/docs/" + schema, doc});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "valid\n");
}

TEST(ValidateJson, ListsEveryDiagnosticWithItsPlaceInTheDocumentedShape) {
  Workspace ws(nullptr);
  ws.config(kBroken, "b.yaml");
  ProcessResult r = ws.cforg({"validate", "-c", "b.yaml", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format_version"], 1);
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["diagnostics"].size(), 2u) << r.out;
  EXPECT_EQ(j["error_count"], 2);
  EXPECT_EQ(j["diagnostics"][0]["file"], "b.yaml");
  EXPECT_EQ(j["diagnostics"][0]["line"], 3);
  EXPECT_EQ(j["diagnostics"][0]["column"], 5);
  EXPECT_EQ(j["diagnostics"][0]["severity"], "error");
  EXPECT_THAT(j["diagnostics"][0]["message"].get<std::string>(), HasSubstr("did you mean 'name'"));
  EXPECT_EQ(j["diagnostics"][1]["line"], 5);
  EXPECT_EQ(j["diagnostics"][1]["column"], 13);
  expect_matches_schema(r.out, "validate.schema.json");

  ws.config("organizations:\n  - {name: Good}\n", "b.yaml");
  ProcessResult ok = ws.cforg({"validate", "-c", "b.yaml", "--format", "json"});
  EXPECT_EQ(ok.exit_code, 0) << dump(ok);
  nlohmann::json v = nlohmann::json::parse(ok.out);
  EXPECT_EQ(v["valid"], true);
  EXPECT_EQ(v["organizations"], 1);
  expect_matches_schema(ok.out, "validate.schema.json");
}

TEST(ValidateGithub, EmitsOneEscapedAnnotationPerErrorAtItsLine) {
  Workspace ws(nullptr);
  // A file name with the characters a property must escape, and a message quoting a '%'.
  ws.config("organizations:\n  - name: Root\n    na%me: typo\n", "odd,name:1.yaml");
  ProcessResult r = ws.cforg({"validate", "-c", "odd,name:1.yaml", "--format", "github"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.out, ::testing::StartsWith(
                         "::error file=odd%2Cname%3A1.yaml,line=3,col=5,title=cforg%3A invalid "
                         "config::na%25me: unknown key"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("the config has 1 error"));
}

TEST(PlanMarkdown, ABrokenConfigIsAReadableCommentAndStillFails) {
  Workspace ws(nullptr);
  ws.config(kBroken);
  ProcessResult r = ws.cforg({"plan", "--refresh=false", "--format", "markdown"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("### cforg plan: ❌ the config has 2 errors"));
  EXPECT_THAT(r.out, HasSubstr("- `cforg.yaml:3:5`: naem: unknown key"));
  EXPECT_THAT(r.out, HasSubstr("- `cforg.yaml:5:13`: parent: no organization has the key"));
  EXPECT_THAT(r.err, HasSubstr("cforg.yaml:3:5"));  // the log keeps them too
  EXPECT_FALSE(file_exists(ws.state_path()));
}

TEST(Show, RendersASavedPlanAsPlanDoesWithoutStateOrApi) {
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n  - {name: Child, parent: Root}\n");
  ProcessResult plan = ws.cforg({"plan", "--refresh=false", "--out", "saved.json"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  ProcessResult md = ws.cforg({"plan", "--refresh=false", "--format", "markdown"});
  ProcessResult json = ws.cforg({"plan", "--refresh=false", "--format", "json"});

  // Elsewhere, with no config, no state and no credentials: show needs the file alone.
  TempDir elsewhere;
  RunOptions opts;
  opts.cwd = elsewhere.path();
  opts.unset_env = {"CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL"};
  const std::string file = ws.dir() / "saved.json";
  ProcessResult text = run_cforg({"show", file}, nullptr, opts);
  EXPECT_EQ(text.exit_code, 0) << dump(text);
  EXPECT_EQ(text.out, plan.out.substr(0, text.out.size()));
  EXPECT_THAT(text.out, HasSubstr("Plan: 2 to create"));
  EXPECT_EQ(run_cforg({"show", file, "--format", "markdown"}, nullptr, opts).out, md.out);
  EXPECT_EQ(nlohmann::json::parse(run_cforg({"show", file, "--format", "json"}, nullptr, opts).out),
            nlohmann::json::parse(json.out));
  EXPECT_FALSE(std::filesystem::exists(elsewhere / "state")) << "show took a lock or wrote state";

  ProcessResult bad = run_cforg({"show", ws.dir() / "cforg.yaml"}, nullptr, opts);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("not a cforg plan"));
}

TEST(Estimate, SaysTheRequestsAnApplySendsAndTheirTimeAtTheBudget) {
  // The post-create 403 on: a child's create waits for its young parent, which sends the
  // create again; the estimate counts those apart.
  Emulator emu;
  Workspace ws(&emu);
  ws.config(R"(organizations:
  - {name: Root}
  - {name: Child, parent: Root}
  - {name: Other}
)");
  ProcessResult first = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(first.exit_code, 0) << dump(first);
  ws.config(R"(organizations:
  - {name: Root 2, key: Root, profile: {business_name: A, business_email: B, business_phone: C,
     business_address: D, external_metadata: E}}
  - {name: Child, parent: Root}
  - {name: New, parent: Root}
  - {name: Grandchild, parent: New}
)");
  for (bool refresh : {false, true}) {
    SCOPED_TRACE(refresh ? "refreshed" : "--refresh=false");
    ProcessResult plan = ws.cforg({"plan", "--out", "p.json", "--format", "json",
                                   std::string("--refresh=") + (refresh ? "true" : "false")});
    ASSERT_EQ(plan.exit_code, 0) << dump(plan);
    nlohmann::json est = nlohmann::json::parse(plan.out)["estimate"];
    // A rename and a profile (2), 2 creates, a delete; a lookup per create when not refreshed.
    EXPECT_EQ(est["requests"], refresh ? 5 : 7);
    EXPECT_EQ(est["young_parent_creates"], 1);
    EXPECT_DOUBLE_EQ(est["seconds"].get<double>(), est["requests"].get<double>() / 4);
    if (!refresh)
      continue;  // checked against an apply in AnUnrefreshedApplySendsTheLookupsItCounts
    const int before = all_requests(emu);
    const int young_before = emu.stats().value("post_create_403", 0);
    ProcessResult apply = ws.cforg({"apply", "p.json"});
    ASSERT_EQ(apply.exit_code, 0) << dump(apply);
    EXPECT_EQ(all_requests(emu) - before, est["requests"].get<int>());
    EXPECT_GE(emu.stats().value("post_create_403", 0) - young_before, 1)
        << "the grandchild waited for its young parent";
  }
}

TEST(Estimate, AnUnrefreshedApplySendsTheLookupsItCounts) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 3));
  ProcessResult plan =
      ws.cforg({"plan", "--refresh=false", "--out", "p.json", "--rate-limit", "6/60"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  // 3 creates and 3 lookups at 6 per minute: a minute, which the text shows.
  EXPECT_THAT(plan.out, HasSubstr("Cost: 6 requests, about 1 min at 6/60 s."));
  nlohmann::json saved = nlohmann::json::parse(read_file(ws.dir() / "p.json"));
  const int before = all_requests(emu);
  ProcessResult apply = ws.cforg({"apply", "p.json", "--rate-limit", "0"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(all_requests(emu) - before, saved["estimate"]["requests"].get<int>());
}

TEST(StateJson, ListsEveryEntryWithItsKey) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(
      "organizations:\n  - {name: Root, prevent_destroy: true}\n  - {name: B, parent: Root}\n");
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  ProcessResult r = ws.cforg({"state", "list", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["serial"], 1);
  ASSERT_EQ(j["organizations"].size(), 2u);
  EXPECT_EQ(j["organizations"][0]["key"], "B");
  EXPECT_EQ(j["organizations"][0]["parent"]["key"], "Root");
  EXPECT_EQ(j["organizations"][1]["prevent_destroy"], true);
  EXPECT_EQ(j["organizations"][1]["id"], ws.state_ids().at("Root"));
  ProcessResult show = ws.cforg({"state", "show", "Root", "--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(show.out)["id"], ws.state_ids().at("Root"));
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty());
    out.push_back(nlohmann::json::parse(line));  // throws (fails the test) on a non-JSON line
  }
  return out;
}

TEST(ApplyJson, StreamsAStartAndAnEndPerActionThenASummary) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  // "Orphan"'s parent is deleted between the plan and its apply: its create fails, its child
  // is skipped. (A parent id that names no organization when planning fails the plan itself.)
  HttpReply outside = emu.as_dashboard("POST", "/organizations", R"({"name": "Outside"})");
  ASSERT_EQ(outside.status, 200);
  const std::string outside_id = outside.body["result"]["id"];
  ws.config(R"(organizations:
  - {name: Root}
  - {name: Child, parent: Root}
  - {name: Orphan, parent: {id: )" +
            outside_id + R"(}}
  - {name: Orphan child, parent: Orphan}
)");
  ASSERT_EQ(ws.cforg({"plan", "--out", "plan.json"}).exit_code, 0);
  ASSERT_EQ(emu.as_dashboard("DELETE", "/organizations/" + outside_id).status / 100, 2);
  ProcessResult r = ws.cforg({"apply", "plan.json", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  std::vector<nlohmann::json> events = json_lines(r.out);
  ASSERT_GE(events.size(), 2u) << r.out;
  std::map<std::string, std::vector<std::string>> by_key;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const nlohmann::json& e = events[i];
    EXPECT_EQ(e["action"], "create");
    by_key[e["key"]].push_back(e["type"]);
    if (e["type"] == "finished") {
      EXPECT_TRUE(e["id"].is_string());
      EXPECT_TRUE(e["error"].is_null());
    }
    if (e["type"] == "failed" || e["type"] == "skipped") {
      EXPECT_TRUE(e["error"].is_string());
    }
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(by_key["Root"], (V{"started", "finished"}));
  EXPECT_EQ(by_key["Child"], (V{"started", "finished"}));
  EXPECT_EQ(by_key["Orphan"], (V{"started", "failed"}));
  EXPECT_EQ(by_key["Orphan child"], (V{"skipped"}));
  const nlohmann::json& summary = events.back();
  EXPECT_EQ(summary["type"], "summary");
  EXPECT_EQ(summary["ok"], false);
  EXPECT_EQ(summary["created"], 2);
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_EQ(summary["skipped"], 1);
  EXPECT_EQ(summary["serial"], ws.state()["serial"]);
  EXPECT_THAT(r.err, HasSubstr("Applying the saved plan"));  // what people read: stderr

  ProcessResult asks = ws.cforg({"apply", "--format", "json"});
  EXPECT_EQ(asks.exit_code, 1);
  EXPECT_THAT(asks.err, HasSubstr("--auto-approve"));
}

TEST(Target, PlansAndAppliesOnlyTheTargetAndWhatItNeeds) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(R"(organizations:
  - {name: A}
  - {name: A1, parent: A}
  - {name: B}
)");
  ProcessResult plan = ws.cforg({"plan", "--target", "A1", "--out", "p.json"});
  ASSERT_EQ(plan.exit_code, 0) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("--target is in effect (A1)"));
  EXPECT_THAT(plan.out, HasSubstr("exceptional use"));
  EXPECT_THAT(plan.out, HasSubstr("Plan: 2 to create"));
  EXPECT_EQ(nlohmann::json::parse(read_file(ws.dir() / "p.json"))["options"]["targets"],
            nlohmann::json::array({"A1"}));
  ASSERT_EQ(ws.cforg({"apply", "p.json"}).exit_code, 0);
  std::set<std::string> names;
  for (const auto& o : emu.organizations()) names.insert(o["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"A", "A1"}));

  ProcessResult typo = ws.cforg({"apply", "--auto-approve", "--target", "b"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.err, HasSubstr("--target b: neither the config nor the state"));
  EXPECT_THAT(typo.err, HasSubstr("did you mean \"B\"?"));
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve", "--target", "B"}).exit_code, 0);
  EXPECT_EQ(emu.organizations().size(), 3u);
}

TEST(Conventions, VersionFlagChdirAndEnvironmentDefaults) {
  ProcessResult v = run_cforg({"--version"}, nullptr);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, run_cforg({"version"}, nullptr).out);

  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n", "sub/orgs.yaml");
  ws.config("organizations:\n  - {name: X}\n  - {name: Y}\n", "sub/other.yaml");
  TempDir elsewhere;
  RunOptions opts;
  opts.cwd = elsewhere.path();
  ProcessResult c =
      run_cforg({"--chdir", ws.dir() / "sub", "validate", "-c", "orgs.yaml"}, nullptr, opts);
  EXPECT_EQ(c.exit_code, 0) << dump(c);
  EXPECT_THAT(c.out, HasSubstr("1 organization in 1 file"));
  ProcessResult missing = run_cforg({"--chdir", "/no/such/dir", "validate"}, nullptr, opts);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("--chdir /no/such/dir: cannot enter that folder"));

  // CFORG_CONFIG and CFORG_STATE stand in for -c and --state; a flag beats them.
  opts.env = {{"CFORG_CONFIG", "orgs.yaml"}, {"CFORG_STATE", "elsewhere.json"}};
  opts.cwd = ws.dir() / "sub";
  ProcessResult env = run_cforg({"plan", "--refresh=false", "--out", "p.json"}, nullptr, opts);
  EXPECT_EQ(env.exit_code, 0) << dump(env);
  EXPECT_THAT(env.out, HasSubstr("Plan: 1 to create"));
  EXPECT_TRUE(file_exists(ws.dir() / "sub/elsewhere.json.lock"));
  ProcessResult flag = run_cforg({"plan", "--refresh=false", "-c", "other.yaml"}, nullptr, opts);
  EXPECT_THAT(flag.out, HasSubstr("Plan: 2 to create"));
}

TEST(Conventions, AnUnknownCommandOrFlagNamesTheNearestValidOne) {
  // One clear error, not CLI11's "A subcommand is required" before it.
  ProcessResult cmd = run_cforg({"plna"}, nullptr);
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(
      cmd.err,
      "Error: plna is not a command of cforg: did you mean plan? (cforg --help lists them)\n");
  ProcessResult sub = run_cforg({"state", "lst"}, nullptr);
  EXPECT_EQ(sub.exit_code, 1);
  EXPECT_EQ(sub.err,
            "Error: lst is not a command of cforg state: did you mean list? (cforg state --help "
            "lists them)\n");
  ProcessResult far = run_cforg({"zzzzqq"}, nullptr);
  EXPECT_EQ(far.exit_code, 1);
  EXPECT_EQ(far.err, "Error: zzzzqq is not a command of cforg (cforg --help lists them)\n");
  ProcessResult none = run_cforg({}, nullptr);  // no word at all: what is missing is a command
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("A subcommand is required"));
  ProcessResult flag = run_cforg({"plan", "--refersh=false"}, nullptr);
  EXPECT_EQ(flag.exit_code, 1);
  EXPECT_THAT(flag.err, HasSubstr("did you mean --refresh instead of --refersh?"));
  EXPECT_THAT(flag.err, HasSubstr("cforg plan --help"));
  ProcessResult nothing = run_cforg({"plan", "--zzzzzzzz"}, nullptr);
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_THAT(nothing.err, Not(HasSubstr("did you mean")));
}

TEST(Conventions, ColorAutoAlwaysNeverNoColorAndDumbTerminals) {
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n");
  auto plan = [&](std::vector<std::string> extra, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"plan", "--refresh=false"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunOptions opts;
    opts.env = std::move(env);
    opts.unset_env = {"NO_COLOR"};
    return ws.cforg(args, opts).out;
  };
  const std::string esc = "\x1b[";
  EXPECT_THAT(plan({}), Not(HasSubstr(esc))) << "auto: not a terminal";
  EXPECT_THAT(plan({"--color", "always"}), HasSubstr(esc));
  EXPECT_THAT(plan({"--color", "always"}, {{"NO_COLOR", "1"}}), HasSubstr(esc)) << "a flag wins";
  EXPECT_THAT(plan({"--color", "never"}), Not(HasSubstr(esc)));
  EXPECT_THAT(plan({"--no-color", "--color", "always"}), Not(HasSubstr(esc)));
}

// On a pseudo-terminal (script(1)), as a person runs it.
ProcessResult on_terminal(const Workspace& ws, const Emulator& emu, const std::string& args,
                          std::map<std::string, std::string> env = {}) {
  RunOptions opts;
  opts.cwd = ws.dir().path();
  opts.env = emu.env();
  for (auto& [k, v] : env) opts.env[k] = v;
  opts.unset_env = {"NO_COLOR"};
  return run({"/usr/bin/script", "-qec", std::string(cforg_bin()) + " " + args, "/dev/null"}, opts);
}

TEST(Conventions, OnATerminalColorIsOnUnlessNoColorOrTermDumb) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 3));
  const std::string esc = "\x1b[";
  EXPECT_THAT(on_terminal(ws, emu, "plan --refresh=false", {{"TERM", "xterm"}}).out,
              HasSubstr(esc));
  EXPECT_THAT(on_terminal(ws, emu, "plan --refresh=false", {{"TERM", "dumb"}}).out,
              Not(HasSubstr(esc)));
  EXPECT_THAT(on_terminal(ws, emu, "plan --refresh=false", {{"NO_COLOR", "1"}}).out,
              Not(HasSubstr(esc)));
  // A dumb terminal cannot redraw a line: one line per org, no live line.
  ProcessResult apply = on_terminal(ws, emu, "apply --auto-approve", {{"TERM", "dumb"}});
  EXPECT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_THAT(apply.out, Not(HasSubstr(esc)));
  EXPECT_THAT(apply.out, Not(HasSubstr("[3/3]")));
  EXPECT_THAT(apply.out, HasSubstr("org \"Org 1\": created"));
}

TEST(Refresh, ReportsWhatItFoundInItsOwnWords) {
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config("organizations:\n  - {name: Root}\n  - {name: Gone}\n");
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0);
  auto ids = ws.state_ids();
  ASSERT_EQ(
      emu.as_dashboard("PUT", "/organizations/" + ids.at("Root"), R"({"name": "Renamed"})").status,
      200);
  ASSERT_LT(emu.as_dashboard("DELETE", "/organizations/" + ids.at("Gone")).status, 300);
  ProcessResult r = ws.cforg({"refresh", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.out, HasSubstr("Changed outside cforg"));
  EXPECT_THAT(r.out, HasSubstr("~ name = \"Root\" → \"Renamed\""));
  EXPECT_THAT(r.out, HasSubstr("Gone (deleted outside cforg: the state will forget them)"));
  EXPECT_THAT(r.out, HasSubstr("- org \"Gone\""));
  EXPECT_THAT(r.out, HasSubstr("Refresh: 1 changed outside cforg, 1 gone, 0 found"));
  EXPECT_THAT(r.out, Not(HasSubstr("Plan:")));
  EXPECT_THAT(r.out, Not(HasSubstr("No changes")));
  EXPECT_THAT(r.out, Not(HasSubstr("planned for creation")));
  EXPECT_EQ(ws.state()["organizations"]["Root"]["name"], "Renamed");
}

}  // namespace
}  // namespace cforg::testing
