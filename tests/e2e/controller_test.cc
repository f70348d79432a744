// cforg controller end to end: the real controller against the emulator, its source a local
// git repository (a bare one on the file system, pushed to from a working clone) or a folder;
// what /status, /readyz and /metrics tell, and what SIGTERM and SIGHUP do.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/binaries.h"
#include "support/curl_collect.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Neither the developer's git settings nor their cforg settings play a part.
const std::map<std::string, std::string> kQuietGit = {
    {"GIT_CONFIG_NOSYSTEM", "1"}, {"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_TERMINAL_PROMPT", "0"}};
const std::vector<std::string> kNotOurs = {"CFORG_CONFIG", "CFORG_STATE",      "CFORG_LOG",
                                           "CFORG_PG_URL", "CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY",
                                           "NO_COLOR"};

// Polls `done` every 20 ms until it holds or `within` has passed; whether it held.
bool eventually(const std::function<bool()>& done, milliseconds within) {
  const auto deadline = Clock::now() + within;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// The git program, found on PATH ("" when it is not installed).
std::string git_program() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/git";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A bare repository on the file system (the controller's --git file://...) and a working
// clone that commits cforg.yaml and pushes it to main.
class GitRepo {
 public:
  GitRepo() {
    if (git_.empty()) throw std::runtime_error("git is not installed (scripts/setup --all)");
    git({"-c", "init.defaultBranch=main", "init", "--quiet", "--bare", bare()});
    git({"-c", "init.defaultBranch=main", "clone", "--quiet", bare(), work()});
    git({"-C", work(), "config", "user.name", "cforg tests"});
    git({"-C", work(), "config", "user.email", "tests@cforg.example"});
    git({"-C", work(), "config", "commit.gpgsign", "false"});
  }
  std::string url() const { return "file://" + bare(); }
  // Writes `yaml` as cforg.yaml, commits and pushes it; the commit's sha.
  std::string commit(const std::string& yaml, const std::string& message) {
    dir_.write("work/cforg.yaml", yaml);
    git({"-C", work(), "add", "cforg.yaml"});
    git({"-C", work(), "commit", "--quiet", "-m", message});
    git({"-C", work(), "push", "--quiet", "origin", "HEAD:refs/heads/main"});
    std::string sha = git({"-C", work(), "rev-parse", "HEAD"});
    while (!sha.empty() && (sha.back() == '\n' || sha.back() == ' ')) sha.pop_back();
    return sha;
  }

 private:
  std::string bare() const { return dir_ / "origin.git"; }
  std::string work() const { return dir_ / "work"; }
  std::string git(std::vector<std::string> args) const {
    args.insert(args.begin(), git_);
    RunOptions opts;
    opts.env = kQuietGit;
    opts.timeout = seconds(20);
    ProcessResult r = run(args, opts);
    if (r.exit_code != 0) {
      std::string shown;
      for (const std::string& a : args) shown += a + " ";
      throw std::runtime_error(shown + "failed: " + dump(r));
    }
    return r.out;
  }

  TempDir dir_;
  std::string git_ = git_program();
};

struct Get {
  long status = 0;
  std::string body;
};

// GET http://127.0.0.1:PORT/PATH, straight (no proxy), within 5 s.
Get http_get(int port, const std::string& path) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  Get g;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &g.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &g.status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error("GET " + url + ": " + curl_easy_strerror(rc));
  return g;
}

// `cforg controller ARGS --listen 127.0.0.1:0 --log-level info` (plus kFast's flags that ARGS
// leaves out) in the workspace's folder, with the emulator's environment; the port it listens on,
// read from its log.
class Controller {
 public:
  Controller(const Workspace& ws, const Emulator& emu, const std::vector<std::string>& args,
             const std::string& log = "controller") {
    std::vector<std::string> argv = {cforg_bin(), "controller"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv = with(argv, {"--listen", "127.0.0.1:0", "--log-level", "info", "--no-color"});
    // kFast's flags, but those `args` give (an option given twice is refused).
    for (std::size_t i = 0; i + 1 < kFast.size(); i += 2) {
      if (std::find(args.begin(), args.end(), kFast[i]) == args.end())
        argv = with(argv, {kFast[i], kFast[i + 1]});
    }
    RunOptions opts;
    opts.cwd = ws.dir().path();
    opts.env = emu.env();
    opts.env.insert(kQuietGit.begin(), kQuietGit.end());
    opts.unset_env = kNotOurs;
    child_ = std::make_unique<Child>(argv, opts, ws.dir() / log);
    static const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+) \()");
    std::smatch m;
    bool found = eventually(
        [&] {
          std::string err = child_->err();
          if (std::regex_search(err, m, listening)) {
            port_ = std::stoi(m[1]);
            return true;
          }
          return !child_->running();
        },
        seconds(10));
    if (!found || port_ == 0) {
      throw std::runtime_error("the controller did not say where it listens: " + child_->err());
    }
  }

  int port() const { return port_; }
  Get get(const std::string& path) const { return http_get(port_, path); }
  nlohmann::json status() const {
    Get g = get("/status");
    if (g.status != 200) throw std::runtime_error("/status: HTTP " + std::to_string(g.status));
    return nlohmann::json::parse(g.body);
  }
  // Polls /status until `done` holds of it (within `within`); the last status read is kept.
  bool await(const std::function<bool(const nlohmann::json&)>& done, milliseconds within) {
    return eventually(
               [&] {
                 if (!child_->running()) return true;  // it is not going to get there
                 last_ = status();
                 return done(last_);
               },
               within) &&
           child_->running() && done(last_);
  }
  // Polls until the cycle after `cycles` has completed; false if not within `within`.
  bool await_cycle_after(std::size_t cycles, milliseconds within) {
    return await([&](const nlohmann::json& s) { return s["cycles"].get<std::size_t>() > cycles; },
                 within);
  }
  const nlohmann::json& last() const { return last_; }
  std::size_t cycles() { return (last_ = status())["cycles"].get<std::size_t>(); }

  void signal(int sig) { child_->kill(sig); }
  // The exit code when it exits within `within`, else -1 (it is then killed).
  int exit_within(milliseconds within) {
    if (!eventually([&] { return !child_->running(); }, within)) {
      child_->kill(SIGKILL);
      child_->wait();
      return -1;
    }
    return child_->wait();
  }
  std::string log() const { return child_->err(); }
  // For assertion messages: the last /status read and the controller's log.
  std::string diagnostics() const {
    return "--- last /status\n" + last_.dump(2) + "\n--- controller log\n" + child_->err() +
           child_->out();
  }

 private:
  std::unique_ptr<Child> child_;
  int port_ = 0;
  nlohmann::json last_;
};

std::string result_of(const nlohmann::json& status) {
  const nlohmann::json& c = status["last_cycle"];
  return c.is_object() ? c.value("result", "") : "";
}

std::string commit_of(const nlohmann::json& status) {
  const nlohmann::json& c = status["last_cycle"];
  return c.is_object() ? c.value("commit", "") : "";
}

// How many orgs of each name the emulator has.
std::map<std::string, int> names(const Emulator& emu) {
  std::map<std::string, int> out;
  for (const auto& o : emu.organizations()) ++out[o["name"].get<std::string>()];
  return out;
}

RunOptions within_30s() {
  RunOptions o;
  o.timeout = seconds(30);
  o.unset_env = {"CFORG_CONFIG", "CFORG_STATE"};
  return o;
}

const char* kAlpha = "organizations:\n  - {name: Alpha, key: alpha}\n";
const char* kAlphaBeta =
    "organizations:\n  - {name: Alpha, key: alpha}\n  - {name: Beta, key: beta}\n";

// 1. The GitOps loop itself: a pushed commit is applied by the next cycle, once.
TEST(Controller, GitCommitIsAppliedByTheNextCycleExactlyOnce) {
  Emulator emu;
  Workspace ws(&emu);
  GitRepo repo;
  const std::string first = repo.commit(kAlpha, "Alpha");
  Controller c(ws, emu,
               {"--git", repo.url(), "--branch", "main", "--checkout", ws.dir() / "checkout",
                "--mode", "apply", "--interval", "1s"});
  ASSERT_TRUE(c.await(
      [&](const nlohmann::json& s) { return result_of(s) == "applied" && commit_of(s) == first; },
      seconds(15)))
      << c.diagnostics();
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}}));

  const std::string second = repo.commit(kAlphaBeta, "Beta");
  ASSERT_NE(second, first);
  ASSERT_TRUE(c.await([&](const nlohmann::json& s) { return commit_of(s) == second; }, seconds(10)))
      << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "applied") << c.diagnostics();
  EXPECT_EQ(c.last()["last_cycle"]["commit"], second);
  EXPECT_EQ(c.last()["last_good_cycle"]["commit"], second);
  EXPECT_EQ(c.last()["role"], "leader");
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}}));

  // The cycles after it find nothing to do and create nothing again.
  const std::size_t at = c.cycles();
  ASSERT_TRUE(c.await_cycle_after(at, seconds(10))) << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "no_changes") << c.diagnostics();
  EXPECT_EQ(commit_of(c.last()), second);
  EXPECT_EQ(c.last()["last_cycle"]["pending_changes"], 0);
  EXPECT_EQ(requests(emu, "POST"), 2);
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}}));
  EXPECT_EQ(ws.state_ids().size(), 2u);

  c.signal(SIGTERM);
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
}

// 2. Report mode tells of a dashboard rename and leaves it; apply mode restores the name.
TEST(Controller, ReportModeShowsADashboardRenameAsDriftAndApplyModeRestoresIt) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAlphaBeta);
  ProcessResult applied = ws.cforg(with({"apply", "--auto-approve"}, kFast), within_30s());
  ASSERT_EQ(applied.exit_code, 0) << dump(applied);
  const std::string alpha = ws.state_ids().at("alpha");
  HttpReply renamed =
      emu.as_dashboard("PUT", "/organizations/" + alpha, R"({"name": "Alpha Renamed"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body.dump();
  const int before = mutations(emu);

  {
    Controller report(
        ws, emu, {"--source", ws.dir().path(), "--mode", "report", "--interval", "1s"}, "report");
    // Two cycles: the second sees the same drift, since the first changed nothing.
    ASSERT_TRUE(report.await(
        [](const nlohmann::json& s) { return s["cycles"].get<std::size_t>() >= 2; }, seconds(15)))
        << report.diagnostics();
    const nlohmann::json& cycle = report.last()["last_cycle"];
    EXPECT_EQ(cycle["result"], "drift") << report.diagnostics();
    EXPECT_EQ(cycle["drift_organizations"], 1) << report.diagnostics();
    EXPECT_EQ(cycle["pending_changes"], 1) << report.diagnostics();
    EXPECT_EQ(cycle["commit"], "");  // a folder has none
    EXPECT_THAT(cycle["summary"].get<std::string>(), HasSubstr("1 to update"));
    EXPECT_THAT(report.log(), HasSubstr("drift: org \"alpha\""));
    EXPECT_EQ(mutations(emu), before);
    EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha Renamed", 1}, {"Beta", 1}}));
    report.signal(SIGTERM);
    ASSERT_EQ(report.exit_within(seconds(10)), 0) << report.diagnostics();
  }
  EXPECT_EQ(ws.state()["organizations"]["alpha"]["name"], "Alpha");

  Controller apply(ws, emu, {"--source", ws.dir().path(), "--mode", "apply", "--interval", "1s"},
                   "apply");
  ASSERT_TRUE(
      apply.await([](const nlohmann::json& s) { return !result_of(s).empty(); }, seconds(15)))
      << apply.diagnostics();
  EXPECT_EQ(result_of(apply.last()), "applied") << apply.diagnostics();
  EXPECT_EQ(apply.last()["last_cycle"]["drift_organizations"], 1);
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}}));
  EXPECT_EQ(mutations(emu), before + 1);  // one PUT of the name
  const std::size_t at = apply.cycles();
  ASSERT_TRUE(apply.await_cycle_after(at, seconds(10))) << apply.diagnostics();
  EXPECT_EQ(result_of(apply.last()), "no_changes") << apply.diagnostics();
  EXPECT_EQ(apply.last()["last_cycle"]["drift_organizations"], 0);
  EXPECT_EQ(mutations(emu), before + 1);
  apply.signal(SIGTERM);
  EXPECT_EQ(apply.exit_within(seconds(10)), 0) << apply.diagnostics();
}

// 3. A bad commit stops the loop from changing anything (above all from deleting what the
// last good commit made) and says where the config is wrong; a fixing commit resumes it.
TEST(Controller, BadCommitIsAConfigErrorThatDeletesNothingUntilAFixingCommit) {
  Emulator emu;
  Workspace ws(&emu);
  GitRepo repo;
  const std::string good = repo.commit(kAlphaBeta, "Alpha and Beta");
  Controller c(ws, emu,
               {"--git", repo.url(), "--checkout", ws.dir() / "checkout", "--mode", "apply",
                "--interval", "1s"});
  ASSERT_TRUE(c.await(
      [&](const nlohmann::json& s) { return result_of(s) == "applied" && commit_of(s) == good; },
      seconds(15)))
      << c.diagnostics();

  // An unknown key, and Beta left out: were the config read anyway, Beta would be deleted.
  const std::string bad =
      repo.commit("organizations:\n  - name: Alpha\n    key: alpha\n    colour: red\n", "a typo");
  ASSERT_TRUE(c.await([&](const nlohmann::json& s) { return commit_of(s) == bad; }, seconds(10)))
      << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "config_error") << c.diagnostics();
  const std::string error = c.last()["last_cycle"].value("error", "");
  EXPECT_THAT(error, HasSubstr("cforg.yaml:4:5: colour: unknown key")) << c.diagnostics();
  EXPECT_EQ(c.last()["last_good_cycle"]["commit"], good);
  // It stays so, cycle after cycle, and nothing is deleted.
  const std::size_t at = c.cycles();
  ASSERT_TRUE(c.await_cycle_after(at, seconds(10))) << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "config_error") << c.diagnostics();
  EXPECT_EQ(requests(emu, "DELETE"), 0);
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}}));
  EXPECT_EQ(ws.state_ids().size(), 2u);
  Get metrics = c.get("/metrics");
  EXPECT_TRUE(std::regex_search(
      metrics.body, std::regex(R"(\ncforg_reconcile_total\{result="config_error"\} [1-9])")))
      << metrics.body;

  // The fix (Beta kept, Gamma added) is applied by the next cycle.
  const std::string fixed =
      repo.commit(std::string(kAlphaBeta) + "  - {name: Gamma, key: gamma}\n", "the fix");
  ASSERT_TRUE(c.await([&](const nlohmann::json& s) { return commit_of(s) == fixed; }, seconds(10)))
      << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "applied") << c.diagnostics();
  EXPECT_FALSE(c.last()["last_cycle"].contains("error")) << c.diagnostics();
  EXPECT_EQ(c.last()["last_good_cycle"]["commit"], fixed);
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}, {"Gamma", 1}}));
  EXPECT_EQ(requests(emu, "DELETE"), 0);
  const std::size_t then = c.cycles();
  ASSERT_TRUE(c.await_cycle_after(then, seconds(10))) << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "no_changes") << c.diagnostics();
  c.signal(SIGTERM);
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
}

// One sample of the Prometheus text format.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every line that is not a comment (nor empty) must be `name{labels} value`; those that are not
// are returned in `bad`.
std::vector<Sample> parse_metrics(const std::string& text, std::vector<std::string>& bad) {
  static const std::regex line(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)( -?\d+)?$)");
  static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$))re");
  std::vector<Sample> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l.empty() || l[0] == '#') continue;
    std::smatch m;
    if (!std::regex_match(l, m, line)) {
      bad.push_back(l);
      continue;
    }
    Sample s;
    s.name = m[1];
    const std::string labels = m[3];
    std::size_t consumed = 0;
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label);
         it != std::sregex_iterator(); ++it) {
      if (static_cast<std::size_t>(it->position()) != consumed) break;
      s.labels[(*it)[1]] = (*it)[2];
      consumed += it->length();
    }
    const std::string value = m[4];
    char* end = nullptr;
    s.value = std::strtod(value.c_str(), &end);
    if (consumed != labels.size() || end != value.c_str() + value.size()) {
      bad.push_back(l);
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The value of the one sample of `name` with exactly `labels`, or nullopt.
std::optional<double> sample(const std::vector<Sample>& all, const std::string& name,
                             const std::map<std::string, std::string>& labels = {}) {
  for (const Sample& s : all) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

// 4. /readyz is 503 until the first cycle; /metrics is Prometheus text with the cycles, the
// lease and the API requests counted.
TEST(Controller, MetricsAreValidPrometheusTextAndReadyzWaitsForTheFirstCycle) {
  // Slow answers: the first cycle takes over a second, time to see the controller not ready.
  Emulator emu({"--latency-ms", "500"});
  Workspace ws(&emu);
  ws.config(kAlpha);
  Controller c(ws, emu, {"--source", ws.dir().path(), "--mode", "apply", "--interval", "1s"});
  Get early = c.get("/readyz");
  nlohmann::json early_status = c.status();
  EXPECT_EQ(early.status, 503) << early.body;
  EXPECT_EQ(early_status["cycles"], 0);
  EXPECT_TRUE(early_status["last_cycle"].is_null()) << early_status.dump();
  Get health = c.get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  ASSERT_TRUE(
      c.await([](const nlohmann::json& s) { return result_of(s) == "applied"; }, seconds(15)))
      << c.diagnostics();
  EXPECT_EQ(c.get("/readyz").status, 200);
  EXPECT_EQ(c.last()["ready"], true);

  Get scrape = c.get("/metrics");
  ASSERT_EQ(scrape.status, 200);
  std::vector<std::string> bad;
  std::vector<Sample> samples = parse_metrics(scrape.body, bad);
  EXPECT_TRUE(bad.empty()) << "not `name{labels} value`: " << ::testing::PrintToString(bad) << "\n"
                           << scrape.body;
  EXPECT_GE(sample(samples, "cforg_reconcile_total", {{"result", "applied"}}).value_or(-1), 1)
      << scrape.body;
  // The results that did not happen show at 0 from the start.
  EXPECT_EQ(sample(samples, "cforg_reconcile_total", {{"result", "config_error"}}), 0.0)
      << scrape.body;
  EXPECT_EQ(sample(samples, "cforg_leader"), 1.0) << scrape.body;
  EXPECT_GE(sample(samples, "cforg_api_requests_total", {{"method", "GET"}, {"status", "200"}})
                .value_or(-1),
            1)
      << scrape.body;
  EXPECT_GE(sample(samples, "cforg_api_requests_total", {{"method", "POST"}, {"status", "200"}})
                .value_or(-1),
            1)
      << scrape.body;
  EXPECT_GE(sample(samples, "cforg_reconcile_duration_seconds_count").value_or(-1), 1)
      << scrape.body;
  EXPECT_GT(sample(samples, "cforg_last_success_timestamp_seconds").value_or(-1), 1.7e9)
      << scrape.body;

  const char* promtool = "/usr/bin/promtool";
  if (!file_exists(promtool)) {
    const char* required = std::getenv("CFORG_REQUIRE_PROMTOOL");
    if (required && std::string(required) == "1") {
      FAIL() << "CFORG_REQUIRE_PROMTOOL=1 but " << promtool
             << " is missing (scripts/setup --all installs prometheus)";
    }
    GTEST_SKIP() << promtool << " is not installed (scripts/setup --all installs prometheus)";
  }
  RunOptions in;
  in.stdin_text = scrape.body;
  in.timeout = seconds(20);
  ProcessResult check = run({promtool, "check", "metrics"}, in);
  EXPECT_EQ(check.exit_code, 0) << dump(check) << "\n--- scrape\n" << scrape.body;
  c.signal(SIGTERM);
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
}

// 5. SIGTERM in the middle of an apply: the requests in flight finish, the journal is committed,
// exit 0; nothing is lost nor created twice, and a later apply finishes the job.
TEST(Controller, SigtermMidApplyExitsCleanlyAndNothingIsCreatedTwice) {
  Emulator emu({"--latency-ms", "200"});
  Workspace ws(&emu);
  const int kOrgs = 30;
  ws.config(flat_config("Org", kOrgs));
  Controller c(
      ws, emu,
      {"--source", ws.dir().path(), "--mode", "apply", "--parallelism", "4", "--interval", "1h"});
  ASSERT_TRUE(eventually([&] { return requests(emu, "POST") >= 4; }, seconds(15)))
      << c.diagnostics();
  c.signal(SIGTERM);
  const auto signalled = Clock::now();
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
  EXPECT_LT(Clock::now() - signalled, seconds(10));
  EXPECT_THAT(c.log(), HasSubstr("cycle 1: stopped")) << c.diagnostics();
  EXPECT_THAT(c.log(), HasSubstr("controller: stopped"));

  std::map<std::string, int> created = names(emu);
  const int made = static_cast<int>(emu.organizations().size());
  ASSERT_LT(made, kOrgs) << "the apply ended before SIGTERM: nothing was interrupted";
  ASSERT_GE(made, 1);
  for (const auto& [name, n] : created) EXPECT_EQ(n, 1) << name << " created " << n << " times";
  // The state holds every org created, once each, and no create left pending.
  EXPECT_FALSE(file_exists(ws.state_path() + ".journal")) << "the journal was not committed";
  std::set<std::string> remote_ids, state_ids;
  for (const auto& o : emu.organizations()) remote_ids.insert(o["id"].get<std::string>());
  nlohmann::json state = ws.state();
  for (const auto& [key, org] : state["organizations"].items()) {
    EXPECT_FALSE(org.value("pending_create", false)) << key;
    EXPECT_TRUE(state_ids.insert(org["id"].get<std::string>()).second) << key;
  }
  EXPECT_EQ(state_ids, remote_ids);

  ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast), within_30s());
  EXPECT_EQ(plan.exit_code, 2) << dump(plan);
  EXPECT_THAT(plan.out, HasSubstr("Plan: " + std::to_string(kOrgs - made) +
                                  " to create, 0 to "
                                  "update, 0 to delete, 0 to adopt."))
      << dump(plan);
  ProcessResult rest =
      ws.cforg(with({"apply", "--auto-approve", "--parallelism", "8"}, kFast), within_30s());
  ASSERT_EQ(rest.exit_code, 0) << dump(rest);
  EXPECT_EQ(requests(emu, "POST"), kOrgs);
  std::map<std::string, int> all = names(emu);
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kOrgs));
  for (const auto& [name, n] : all) EXPECT_EQ(n, 1) << name << " created " << n << " times";
  remote_ids.clear();
  for (const auto& o : emu.organizations()) remote_ids.insert(o["id"].get<std::string>());
  state_ids.clear();
  for (const auto& [key, id] : ws.state_ids()) state_ids.insert(id);
  EXPECT_EQ(state_ids, remote_ids);
  ProcessResult after = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast), within_30s());
  EXPECT_EQ(after.exit_code, 0) << dump(after);
}

// 6. SIGHUP starts a cycle at once, an hour before the interval would.
TEST(Controller, SighupStartsACycleAtOnceThatAppliesTheEditedFolder) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAlpha);
  Controller c(ws, emu, {"--source", ws.dir().path(), "--mode", "apply", "--interval", "1h"});
  ASSERT_TRUE(
      c.await([](const nlohmann::json& s) { return result_of(s) == "applied"; }, seconds(15)))
      << c.diagnostics();
  ASSERT_EQ(c.cycles(), 1u);

  ws.config(kAlphaBeta);
  // Without a signal, the edit waits for the interval.
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(c.cycles(), 1u) << c.diagnostics();
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}}));

  c.signal(SIGHUP);
  const auto woken = Clock::now();
  ASSERT_TRUE(c.await_cycle_after(1, seconds(5))) << c.diagnostics();
  EXPECT_LT(Clock::now() - woken, seconds(5));
  EXPECT_EQ(result_of(c.last()), "applied") << c.diagnostics();
  EXPECT_EQ(c.last()["cycles"], 2);
  EXPECT_THAT(c.log(), HasSubstr("woken (SIGHUP)"));
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}, {"Beta", 1}}));
  c.signal(SIGTERM);
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
}

// 7. --once: one cycle, and the exit code says how it ended.
TEST(Controller, OnceAppliesAFolderAndExitsZero) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config(kAlpha);
  ProcessResult r = ws.cforg(
      with({"controller", "--source", ".", "--mode", "apply", "--once", "--log-level", "info"},
           kFast),
      within_30s());
  EXPECT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("cycle 1: applied"));
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"Alpha", 1}}));
  EXPECT_EQ(ws.state_ids().count("alpha"), 1u);

  // Once more: nothing to do is a cycle that ended well too.
  ProcessResult again = ws.cforg(
      with({"controller", "--source", ".", "--mode", "apply", "--once", "--log-level", "info"},
           kFast),
      within_30s());
  EXPECT_EQ(again.exit_code, 0) << dump(again);
  EXPECT_THAT(again.err, HasSubstr("cycle 1: no_changes"));
  EXPECT_EQ(requests(emu, "POST"), 1);
}

TEST(Controller, OnceWithAnInvalidConfigExitsOneAndChangesNothing) {
  Emulator emu;
  Workspace ws(&emu);
  ws.config("organizations:\n  - {name: [Alpha\n");  // a flow sequence never closed
  ProcessResult r = ws.cforg(
      with({"controller", "--source", ".", "--mode", "apply", "--once", "--log-level", "info"},
           kFast),
      within_30s());
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(cforg\.yaml:[0-9]+:[0-9]+: )"))) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("config_error"));
  EXPECT_EQ(mutations(emu), 0);
  EXPECT_TRUE(emu.organizations().empty());
}

// SIGTERM while the apply waits for its share of the rate budget: nothing new may start, and
// what waits for the budget has not started, so the controller must not wait for it either.
TEST(Controller, SigtermWhileTheApplyWaitsForTheRateBudgetExitsWithinTenSeconds) {
  Emulator emu;
  Workspace ws(&emu);
  const int kOrgs = 20;
  ws.config(flat_config("Org", kOrgs));
  // 8 requests a minute: the refreshes' quarter is 2, the applies' rest 6, so that a few
  // creates go out and the rest wait the better part of a minute for the budget.
  Controller c(ws, emu,
               {"--source", ws.dir().path(), "--mode", "apply", "--parallelism", "2", "--interval",
                "1h", "--rate-limit", "8/60"});
  ASSERT_TRUE(eventually([&] { return requests(emu, "POST") >= 4; }, seconds(15)))
      << c.diagnostics();
  // Until nothing more is sent for a second: the apply waits for the budget.
  int sent = requests(emu, "POST");
  for (int settled = 0; settled < 10 && sent < kOrgs; ++settled) {
    std::this_thread::sleep_for(milliseconds(100));
    if (requests(emu, "POST") != sent) {
      sent = requests(emu, "POST");
      settled = 0;
    }
  }
  ASSERT_LT(sent, kOrgs) << "the budget did not hold the apply back";
  c.signal(SIGTERM);
  const auto signalled = Clock::now();
  const int code = c.exit_within(seconds(10));
  EXPECT_EQ(code, 0) << "still running 10 s after SIGTERM, waiting for the rate budget\n"
                     << c.diagnostics();
  if (code != 0) return;
  EXPECT_LT(Clock::now() - signalled, seconds(10));
  EXPECT_EQ(requests(emu, "POST"), sent) << "a create started after SIGTERM";
  std::set<std::string> remote_ids, state_ids;
  for (const auto& o : emu.organizations()) remote_ids.insert(o["id"].get<std::string>());
  for (const auto& [key, id] : ws.state_ids()) state_ids.insert(id);
  EXPECT_EQ(state_ids, remote_ids);
}

// The repository moved (a new --git URL) and the checkout folder stayed, as on a persistent
// volume: the cycles must read the new repository, not go on fetching the old one's origin.
TEST(Controller, ANewGitUrlOverAnExistingCheckoutIsTheRepositoryRead) {
  Emulator emu;
  Workspace ws(&emu);
  GitRepo old_repo, new_repo;
  old_repo.commit("organizations:\n  - {name: From Old, key: old}\n", "old");
  const std::string sha =
      new_repo.commit("organizations:\n  - {name: From New, key: new}\n", "new");
  auto once = [&](const GitRepo& repo) {
    RunOptions opts = within_30s();
    opts.env = kQuietGit;
    return ws.cforg(with({"controller", "--git", repo.url(), "--checkout", "checkout", "--mode",
                          "apply", "--once", "--log-level", "info"},
                         kFast),
                    opts);
  };
  ProcessResult first = once(old_repo);
  ASSERT_EQ(first.exit_code, 0) << dump(first);
  ASSERT_EQ(names(emu), (std::map<std::string, int>{{"From Old", 1}}));

  ProcessResult second = once(new_repo);
  EXPECT_EQ(second.exit_code, 0) << dump(second);
  EXPECT_THAT(second.err, HasSubstr("cycle at " + sha.substr(0, 12))) << dump(second);
  EXPECT_EQ(names(emu), (std::map<std::string, int>{{"From New", 1}})) << dump(second);
}

// The refreshes' share of the budget: 3 of --rate-limit 10/10. A refresh of 250 tracked orgs
// costs 3 list requests, so the second cycle, a second after the first, finds the share spent:
// it waits for it, /status says so, and it then runs; the server (400 per 10 s) never refuses.
TEST(Controller, ACycleWaitsForItsShareOfTheBudgetAndSaysSoInsteadOfCausingA429) {
  Emulator emu({"--rate-limit", "400/10"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 250));
  ProcessResult made = ws.cforg(with({"apply", "--auto-approve", "--parallelism", "16"}, kFast));
  ASSERT_EQ(made.exit_code, 0) << dump(made);
  Controller c(ws, emu,
               {"--source", ws.dir().path(), "--mode", "report", "--interval", "1s", "--rate-limit",
                "10/10", "--budget-share", "0.3"});
  ASSERT_TRUE(c.await([](const nlohmann::json& s) { return !s["waiting"].is_null(); }, seconds(8)))
      << c.diagnostics();
  EXPECT_THAT(c.last()["waiting"].get<std::string>(),
              HasSubstr("the rate budget's refresh share: the last refresh took 3 requests"));
  EXPECT_EQ(c.last()["cycles"], 1) << "a cycle ran on a spent share";
  ASSERT_TRUE(c.await_cycle_after(1, seconds(15))) << c.diagnostics();
  EXPECT_EQ(result_of(c.last()), "no_changes") << c.diagnostics();
  // (The third cycle, a second later, finds the share spent again and waits in turn.)
  EXPECT_EQ(emu.stats()["rate_limited"], 0) << "the controller caused a 429";
  c.signal(SIGTERM);
  EXPECT_EQ(c.exit_within(seconds(10)), 0) << c.diagnostics();
}

}  // namespace
}  // namespace cforg::testing
