// Replicas of `cforg controller` on one PostgreSQL workspace: one leads, the others stand by;
// a leader killed (kill -9) or cut off from the database (its session ended by the server) hands
// over within the lease, and two replicas never apply at once.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "support/binaries.h"
#include "support/curl_collect.h"
#include "support/pg.h"
#include "support/workspace.h"

namespace cforg::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// GET http://127.0.0.1:port/path: the body, or "" when nothing answered.
std::string http_get(int port, const std::string& path) {
  CURL* c = curl_easy_init();
  std::string body;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  return rc == CURLE_OK ? body : "";
}

// One replica: the process, its listener's port (from its log), when it was killed.
struct Replica {
  std::unique_ptr<Child> child;
  int port = 0;
  std::optional<Clock::time_point> killed;
  std::string name;
  double killed_at = 0;  // seconds of the UTC day, as the log's times

  int listen_port() {
    static const std::regex re("listening on 127\\.0\\.0\\.1:(\\d+)");
    for (auto deadline = Clock::now() + 10s; port == 0 && Clock::now() < deadline;) {
      std::smatch m;
      std::string err = child->err();
      if (std::regex_search(err, m, re)) port = std::stoi(m[1]);
      if (port == 0) std::this_thread::sleep_for(20ms);
    }
    return port;
  }
  bool leads() {
    if (killed) return false;
    std::string s = http_get(listen_port(), "/status");
    return !s.empty() && nlohmann::json::parse(s).value("role", "") == "leader";
  }
};

// Every org's name at the emulator, with how many orgs carry it.
std::map<std::string, int> names(const Emulator& emu) {
  std::map<std::string, int> out;
  for (const nlohmann::json& o : emu.organizations()) ++out[o["name"].get<std::string>()];
  return out;
}

// The spans each replica spent applying, from its JSON log: "cycle: applying" to the end of
// that cycle ("cycle N: <result> in"), or to its death.
std::vector<std::pair<double, double>> apply_spans(Replica& r) {
  std::vector<std::pair<double, double>> spans;
  double start = -1;  // of the apply under way; -1: none
  std::istringstream in(r.child->err());
  std::string line;
  double last = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '{') continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    // "2026-12-07T20:42:19.282Z": seconds of the day are enough within one test.
    std::string t = j["time"];
    double at = std::stod(t.substr(11, 2)) * 3600 + std::stod(t.substr(14, 2)) * 60 +
                std::stod(t.substr(17, 6));
    last = at;
    std::string m = j["message"];
    if (m.rfind("cycle: applying ", 0) == 0 && m.find("actions") != std::string::npos) {
      start = at;
    } else if (start >= 0 && std::regex_search(m, std::regex("^cycle \\d+: "))) {
      spans.emplace_back(start, at);
      start = -1;
    }
  }
  // Killed while applying: it applied until it died (or, if it was not killed, until the end).
  if (start >= 0) spans.emplace_back(start, r.killed ? r.killed_at : last + 1e6);
  return spans;
}

TEST(ControllerReplicas, ALeaderKilledOrCutOffHandsOverAndTwoNeverApplyAtOnce) {
  CFORG_PG_URL_OR_SKIP(url);
  Emulator emu({"--consistency-ms", "0"});
  Workspace ws(&emu);
  const std::string workspace = unique_workspace("replicas");
  auto config = [&](int n) {
    std::string yaml = "organizations:\n";
    for (int i = 0; i < n; ++i)
      yaml += "  - {key: team" + std::to_string(i) + ", name: Team " + std::to_string(i) + "}\n";
    ws.config(yaml);
  };
  config(1);
  std::vector<Replica> replicas;
  int started = 0;
  auto start = [&] {
    std::vector<std::string> argv = {
        cforg_bin(),    "controller", "--source",       ".",           "--mode",      "apply",
        "--interval",   "1s",         "--lease",        "2s",          "--backend",   "pg",
        "--workspace",  workspace,    "--listen",       "127.0.0.1:0", "--log-level", "info",
        "--log-format", "json",       "--lock-timeout", "20"};
    argv.insert(argv.end(), kFast.begin(), kFast.end());
    RunOptions opts;
    opts.cwd = ws.dir().path();
    opts.env = emu.env();
    opts.env["CFORG_PG_URL"] = url;
    std::string name = "replica" + std::to_string(started++);
    replicas.push_back({std::make_unique<Child>(argv, opts, ws.dir() / name), 0, {}, name, 0});
  };
  start();
  start();
  auto leader = [&]() -> Replica* {
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
      for (Replica& r : replicas) {
        if (r.leads()) return &r;
      }
      std::this_thread::sleep_for(50ms);
    }
    return nullptr;
  };
  auto wait_for = [&](int n) {
    const std::string name = "Team " + std::to_string(n - 1);
    for (auto deadline = Clock::now() + 20s; Clock::now() < deadline;) {
      if (names(emu).count(name)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  ASSERT_TRUE(wait_for(1)) << replicas[0].child->err() << replicas[1].child->err();

  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    Replica* lead = leader();
    ASSERT_NE(lead, nullptr) << "no replica leads (round " << round << ")";
    // One leader, the other a standby: a replica that lost its lease may still say "leader"
    // until its next check (a fifth of the lease), never longer.
    int leaders = 0;
    for (auto deadline = Clock::now() + 2s; Clock::now() < deadline;) {
      leaders = 0;
      for (Replica& r : replicas) leaders += r.leads();
      if (leaders == 1) break;
      std::this_thread::sleep_for(50ms);
    }
    if (leaders != 1) {
      std::string all;
      for (Replica& r : replicas) {
        all += r.name + (r.killed ? " (killed)" : "") + ": " +
               (r.killed ? "" : http_get(r.listen_port(), "/status")) + "\n" + r.child->err() +
               "\n";
      }
      ADD_FAILURE() << "round " << round << ": " << leaders << " leaders\n" << all;
    }
    lead = leader();
    ASSERT_NE(lead, nullptr);
    const auto handover_from = Clock::now();
    if (round % 2 == 0) {
      lead->child->kill(SIGKILL);
      lead->child->wait();
      lead->killed = Clock::now();
      auto since_midnight = std::chrono::system_clock::now().time_since_epoch() % 24h;
      lead->killed_at = std::chrono::duration<double>(since_midnight).count();
      start();  // keep two replicas
    } else {
      // Cut off: the server ends the leader's lease session, as when its connection drops.
      PGconn* c = PQconnectdb(url.c_str());
      ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
      std::string sql =
          "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND "
          "((classid::bigint << 32) | objid::bigint) = hashtextextended('cforg/leader/" +
          workspace + "', 0)";
      PQclear(PQexec(c, sql.c_str()));
      PQfinish(c);
    }
    config(round + 2);  // a change only a leader can apply
    ASSERT_TRUE(wait_for(round + 2)) << "round " << round << ": nobody applied Team " << round + 1;
    EXPECT_LT(Clock::now() - handover_from, 2s + 1s + 6s)
        << "round " << round << ": the handover took longer than the lease and a cycle";
  }
  for (Replica& r : replicas) {
    if (!r.killed) r.child->kill(SIGTERM);
  }
  for (Replica& r : replicas) {
    if (!r.killed) {
      EXPECT_EQ(r.child->wait(), 0) << r.name << ": " << r.child->err();
    }
  }

  std::map<std::string, int> at_emulator = names(emu);
  EXPECT_EQ(at_emulator.size(), static_cast<std::size_t>(kRounds + 1));
  for (const auto& [name, count] : at_emulator) EXPECT_EQ(count, 1) << name << " twice";

  // Never two applies at once: the spans of different replicas do not overlap.
  std::vector<std::pair<std::pair<double, double>, std::string>> spans;
  for (Replica& r : replicas) {
    for (const auto& s : apply_spans(r)) spans.push_back({s, r.name});
  }
  EXPECT_GE(spans.size(), static_cast<std::size_t>(kRounds)) << "fewer applies than changes";
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].second == spans[i - 1].second) continue;
    EXPECT_GE(spans[i].first.first, spans[i - 1].first.second)
        << spans[i - 1].second << " and " << spans[i].second << " applied at once";
  }
}

}  // namespace
}  // namespace cforg::testing
