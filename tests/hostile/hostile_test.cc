// The hostile-input corpus: every case runs the real cforg (and, for the API cases, talks to a
// hostile server on loopback) and must end as a person would want: the documented exit code,
// a message naming the file and the place (or the request), no crash, no hang, bounded memory,
// and the state file byte for byte as it was. Cases are files under cases/ with what each
// expects in manifest.json; the large ones are generated here, at test time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/binaries.h"
#include "support/emulator.h"
#include "support/loopback_server.h"
#include "support/process.h"

namespace cforg::testing {
namespace {

namespace fs = std::filesystem;

const std::string kCases = std::string(CFORG_SOURCE_DIR) + "/tests/hostile/cases";

// A run that takes longer than this is a hang: cforg's own timeouts in these cases are 2 s.
constexpr std::chrono::seconds kHangBound{30};
// The address space each run gets. A sanitizer reserves terabytes of it for its shadow memory,
// so there the bound cannot be set (the sanitizers then catch overruns of their own).
constexpr const char* kAddressSpace = "1073741824";  // 1 GiB

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// One case: files to set up, the command, and what must come out.
struct Case {
  std::string name;
  std::function<void(const TempDir&)> setup;  // writes cforg.yaml, the state, ... into the dir
  std::vector<std::string> args;              // cforg's arguments
  std::vector<std::string> expect;            // substrings of stderr (or stdout)
  int exit_code = 1;
  std::map<std::string, std::string> env;
};

void write_valid(const TempDir& dir, bool config = true, bool state = true) {
  if (config) dir.write("cforg.yaml", slurp(kCases + "/valid.yaml"));
  if (state) dir.write("state/cforg.state.json", slurp(kCases + "/valid.state.json"));
}

// Runs `c` and checks everything a hostile input must not break.
void run_case(const Case& c) {
  SCOPED_TRACE(c.name);
  TempDir dir;
  c.setup(dir);
  const std::string state_path = dir / "state/cforg.state.json";
  const bool had_state = file_exists(state_path);
  const std::string state_before = had_state ? read_file(state_path) : "";

  std::vector<std::string> argv;
  if (!binaries_sanitized())
    argv = {"/usr/bin/prlimit", std::string("--as=") + kAddressSpace, "--"};
  argv.push_back(cforg_bin());
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  RunOptions opts;
  opts.cwd = dir.path();
  opts.timeout = kHangBound;
  opts.env = c.env;
  opts.env["NO_COLOR"] = "1";
  if (!c.env.count("CLOUDFLARE_API_TOKEN")) {
    opts.unset_env = {"CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL",
                      "CLOUDFLARE_BASE_URL"};
  }
  const auto start = std::chrono::steady_clock::now();
  const ProcessResult r = run(argv, opts);
  const auto took = std::chrono::steady_clock::now() - start;
  const std::string said = r.err + r.out;
  const std::string shown = said.substr(0, 3000);

  ASSERT_NE(r.exit_code, -1) << "hung: killed after " << kHangBound.count() << " s\n" << shown;
  EXPECT_LT(r.exit_code, 128) << "killed by signal " << r.exit_code - 128 << "\n" << shown;
  EXPECT_EQ(r.exit_code, c.exit_code) << shown;
  EXPECT_LT(took, std::chrono::seconds(20)) << shown;
  for (const std::string& e : c.expect) EXPECT_THAT(said, ::testing::HasSubstr(e)) << shown;
  // Errors are capped and values shortened: a case never prints more than a screenful or two.
  EXPECT_LT(said.size(), 16u * 1024) << shown;
  for (const char* bug : {"internal error", "This is a bug", "bad_alloc", "terminate called",
                          "what():", "AddressSanitizer"}) {
    EXPECT_THAT(said, ::testing::Not(::testing::HasSubstr(bug))) << shown;
  }
  ASSERT_EQ(file_exists(state_path), had_state) << "the state file appeared or vanished";
  if (had_state) {
    EXPECT_TRUE(read_file(state_path) == state_before) << "the state file changed";
  }
  EXPECT_FALSE(file_exists(state_path + ".backup")) << "the state was rewritten";
}

// --- the cases kept as files: tests/hostile/manifest.json -----------------------------------

std::vector<Case> manifest_cases() {
  const nlohmann::json manifest =
      nlohmann::json::parse(slurp(std::string(CFORG_SOURCE_DIR) + "/tests/hostile/manifest.json"));
  std::vector<Case> cases;
  for (const nlohmann::json& m : manifest["cases"]) {
    const std::string file = m["case"];
    const std::string kind = file.substr(0, file.find('/'));
    const std::string source = kCases + "/" + file;
    std::string placed;  // where the case's file goes, as cforg names it in messages
    std::vector<std::string> args;
    if (kind == "config") {
      placed = fs::path(file).filename().string();
      args = {"plan", "--refresh=false", "-c", placed};
    } else if (kind == "state") {
      placed = "state/cforg.state.json";
      args = {"plan", "--refresh=false"};
    } else if (kind == "journal") {
      placed = "state/cforg.state.json.journal";
      args = {"plan", "--refresh=false"};
    } else if (kind == "plan") {
      placed = "plan.json";
      args = {"apply", "plan.json"};
    } else {
      ADD_FAILURE() << "unknown kind of case: " << file;
      continue;
    }
    if (kind != "config") args.insert(args.end(), {"-c", "cforg.yaml"});
    std::vector<std::string> expect;
    for (const nlohmann::json& e : m["expect"]) {
      std::string s = e;
      for (auto at = s.find("{file}"); at != std::string::npos; at = s.find("{file}", at)) {
        s.replace(at, 6, placed);
      }
      expect.push_back(s);
    }
    Case c{file,
           [=](const TempDir& dir) {
             write_valid(dir, /*config=*/kind != "config", /*state=*/kind != "state");
             dir.write(placed, slurp(source));
           },
           args,
           expect,
           m.value("exit", 1),
           {}};
    cases.push_back(c);
    if (kind == "config") {  // validate says the same, without a state
      c.name += " (validate)";
      c.args = {"validate", "-c", placed};
      cases.push_back(c);
    }
  }
  return cases;
}

TEST(Hostile, EveryCaseOfTheManifestFailsCleanly) {
  const std::vector<Case> cases = manifest_cases();
  ASSERT_GT(cases.size(), 30u);
  // Every file under cases/ is in the manifest: a case added without its expectation would
  // otherwise be silently skipped.
  const nlohmann::json manifest =
      nlohmann::json::parse(slurp(std::string(CFORG_SOURCE_DIR) + "/tests/hostile/manifest.json"));
  std::set<std::string> listed;
  for (const nlohmann::json& m : manifest["cases"]) listed.insert(m["case"].get<std::string>());
  for (const auto& entry : fs::recursive_directory_iterator(kCases)) {
    const std::string rel = fs::relative(entry.path(), kCases).string();
    if (entry.is_regular_file() && rel.find('/') != std::string::npos) {
      EXPECT_TRUE(listed.count(rel)) << rel << " is not in manifest.json";
    }
  }
  for (const Case& c : cases) run_case(c);
}

// --- generated: too large to keep in the repository, or made of repetition -------------------

Case config_case(std::string name, std::function<std::string()> yaml,
                 std::vector<std::string> expect) {
  return {std::move(name),
          [yaml = std::move(yaml)](const TempDir& dir) {
            write_valid(dir, false, true);
            dir.write("cforg.yaml", yaml());
          },
          {"plan", "--refresh=false", "-c", "cforg.yaml"},
          std::move(expect),
          1,
          {}};
}

TEST(Hostile, GeneratedConfigsHitTheirLimitsWithTheirOwnErrors) {
  std::vector<Case> cases;
  cases.push_back(config_case(
      "a 100 MB config", [] { return "organizations: []\n" + std::string(100 << 20, '#') + "\n"; },
      {"cforg.yaml: is 100.0 MiB: more than cforg's limit for a config, 64.0 MiB"}));
  cases.push_back(config_case("nesting 100,000 deep",
                              [] { return "organizations: " + std::string(100000, '[') + "\n"; },
                              {"cforg.yaml:1:", "nested too deeply: more than 32 levels"}));
  cases.push_back(config_case(
      "a 1 MB name", [] { return "organizations:\n  - name: " + std::string(1 << 20, 'A') + "\n"; },
      {"cforg.yaml:2:11: name: 'AAAA",
       "(1048576 characters) is 1048576 characters long; "
       "cforg's limit for a name is 256 characters"}));
  cases.push_back(config_case("100,000 repeated errors",
                              [] {
                                std::string yaml = "organizations:\n";
                                for (int i = 0; i < 100000; ++i) yaml += "  - 1\n";
                                return yaml;
                              },
                              {"cforg.yaml:2:5: an organization must be a mapping",
                               "… and 99980 more errors", "the config has 100000 errors"}));
  // The limit of 4,000,000 values per file is tested with a smaller one in config_test
  // (Limits.ValuesPerFile...): the 8 MB of YAML that reach it take yaml-cpp seconds to parse.
  cases.push_back(config_case(
      "200,001 organizations",
      [] {
        std::string yaml = "organizations:\n";
        for (int i = 0; i <= 200'000; ++i) yaml += "- {name: o" + std::to_string(i) + "}\n";
        return yaml;
      },
      {"cforg.yaml:200002:3: more than 200000 organizations, cforg's limit for a config"}));
  cases.push_back({"2,000 files in a config folder",
                   [](const TempDir& dir) {
                     write_valid(dir, false, true);
                     for (int i = 0; i < 2000; ++i) {
                       dir.write("orgs/o" + std::to_string(i) + ".yaml",
                                 "organizations: [{name: o" + std::to_string(i) + "}]\n");
                     }
                   },
                   {"plan", "--refresh=false", "-c", "orgs"},
                   {"orgs: the folder holds 2000 YAML files, more than cforg's limit of 1000"},
                   1,
                   {}});
  for (const Case& c : cases) run_case(c);
}

TEST(Hostile, GeneratedStateAndPlanFilesAreRefusedWithTheirPlace) {
  const std::string deep = "[" + std::string(100000, '[') + std::string(100000, ']') + "]";
  std::string state = slurp(kCases + "/valid.state.json");
  state.replace(state.find("\"meta\": {}"), 10, "\"meta\": " + deep);
  run_case({"a state nested 100,000 deep",
            [&](const TempDir& dir) {
              write_valid(dir, true, false);
              dir.write("state/cforg.state.json", state);
            },
            {"plan", "--refresh=false", "-c", "cforg.yaml"},
            {"state/cforg.state.json", "nest"},
            1,
            {}});
  run_case({"a saved plan nested 100,000 deep",
            [&](const TempDir& dir) {
              write_valid(dir);
              dir.write("plan.json", "{\"format_version\": " + deep + "}");
            },
            {"apply", "plan.json", "-c", "cforg.yaml"},
            {"plan.json", "nest"},
            1,
            {}});
}

// --- a hostile API ------------------------------------------------------------------------

Case api_case(std::string name, const LoopbackServer& server, std::vector<std::string> expect) {
  return {
      std::move(name),
      [](const TempDir& dir) { write_valid(dir); },
      {"plan", "-c", "cforg.yaml", "--max-retries", "1", "--retry-base-delay", "0.01",
       "--retry-max-delay", "0.05", "--request-timeout", "2"},
      std::move(expect),
      1,
      {{"CLOUDFLARE_BASE_URL", server.url("/client/v4")}, {"CLOUDFLARE_API_TOKEN", kTestToken}}};
}

// Sends `bytes` slowly enough to still be sending when the client gives up, or until stopped.
void stall(LoopbackServer::Io& io) {
  while (!io.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST(Hostile, AHostileApiFailsThePlanNamingTheRequest) {
  // Every reply ends its connection: a keep-alive after a lie would be a second case mixed in.
  using S = LoopbackServer;
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(S::response(502, "text/html",
                          "<html><head><title>502 Bad Gateway</title></head><body>\x1b[2J"
                          "cloudflare</body></html>"));
      return false;
    });
    run_case(api_case("an HTML error page", server, {"GET /organizations", "502"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
          "{\"success\": true, \"result\": [");
      stall(io);
      return false;
    });
    run_case(api_case("a body that stalls halfway", server, {"GET /organizations", "timed out"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
          "{\"success\": true, \"result\": [");
      return false;
    });
    run_case(api_case("a Content-Length longer than the body", server, {"GET /organizations"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
          "{\"success\": true, \"errors\": [], \"result\": []}");
      return false;
    });
    run_case(api_case("a Content-Length shorter than the body", server, {"GET /organizations"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      std::string body(50 << 20, '[');
      io.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n");
      for (std::size_t at = 0; at < body.size(); at += 1 << 20) {
        if (!io.send(body.substr(at, 1 << 20))) return false;
      }
      return false;
    });
    run_case(api_case("a body of 50 MB", server, {"GET /organizations", "MiB"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(S::response(200, "application/json",
                          "{\"success\": true, \"result\": " + std::string(100000, '[') + "}"));
      return false;
    });
    run_case(api_case("JSON nested 100,000 deep", server, {"GET /organizations", "nest"}));
  }
  {
    S server([](const S::Request&, S::Io& io) {
      io.send(S::response(200, "application/json",
                          "{\"success\": true, \"errors\": [], \"result\": [], \"result_info\": "
                          "{\"total_size\": 1e999}}"));
      return false;
    });
    run_case(api_case("a number beyond a double's range", server, {"GET /organizations"}));
  }
}

}  // namespace
}  // namespace cforg::testing
