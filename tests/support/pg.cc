#include "support/pg.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace cforg::testing {

namespace {

// Runs `command` through the shell; its exit status and what it printed (stdout and stderr).
int shell(const std::string& command, std::string* out) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) {
    *out = "cannot run: " + command;
    return -1;
  }
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out->append(buf.data(), n);
  return ::pclose(p);
}

}  // namespace

std::optional<std::string> test_pg_url(std::string* why) {
  if (const char* url = std::getenv("CFORG_TEST_PG_URL"); url && *url) return std::string(url);
  static std::once_flag once;
  static std::optional<std::string> started;
  static std::string failure;
  std::call_once(once, [] {
    std::string command = std::string(CFORG_SOURCE_DIR) + "/scripts/pg-server start 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) {
      failure = "cannot run scripts/pg-server";
      return;
    }
    std::string out;
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
    int status = ::pclose(p);
    const std::string prefix = "export CFORG_TEST_PG_URL=";
    std::size_t at = out.find(prefix);
    if (status != 0 || at == std::string::npos) {
      failure = "scripts/pg-server start failed: " + out;
      return;
    }
    std::string url = out.substr(at + prefix.size());
    url = url.substr(0, url.find('\n'));
    started = url;
  });
  if (!started && why) *why = failure;
  return started;
}

OwnPgServer::OwnPgServer() {
  static std::atomic<int> n{0};
  // Directly under /tmp, not in a TempDir: as root the server runs as `nobody`, which must be
  // able to reach its folder.
  dir_ = "/tmp/cforg-own-pg-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  std::string out;
  int status =
      shell("PG_SERVER_DIR=" + dir_ + " " + CFORG_SOURCE_DIR + "/scripts/pg-server start", &out);
  const std::string prefix = "export CFORG_TEST_PG_URL=";
  std::size_t at = out.find(prefix);
  if (status != 0 || at == std::string::npos) {
    why_ = "scripts/pg-server start failed: " + out;
    return;
  }
  url_ = out.substr(at + prefix.size());
  url_ = url_.substr(0, url_.find('\n'));
}

OwnPgServer::~OwnPgServer() {
  std::string out;
  shell("PG_SERVER_DIR=" + dir_ + " " + CFORG_SOURCE_DIR + "/scripts/pg-server stop", &out);
}

bool OwnPgServer::restart() {
  std::string out;
  int status =
      shell("PG_SERVER_DIR=" + dir_ + " " + CFORG_SOURCE_DIR + "/scripts/pg-server restart", &out);
  if (status != 0) why_ = "scripts/pg-server restart failed: " + out;
  return status == 0;
}

std::string unique_workspace(const std::string& prefix) {
  static std::atomic<int> n{0};
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
         std::to_string(n++);
}

}  // namespace cforg::testing
