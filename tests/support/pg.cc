#include "support/pg.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace cforg::testing {

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

std::string unique_workspace(const std::string& prefix) {
  static std::atomic<int> n{0};
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
         std::to_string(n++);
}

}  // namespace cforg::testing
