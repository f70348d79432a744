// The program around the server: its flags, its banner, its shutdown.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <utility>

#include "http_test_support.h"
#include "support/binaries.h"

namespace cforg::emulator::http_test {
namespace {

using namespace std::chrono_literals;

TEST(EmulatorMain, BannerNamesTheSettings) {
  Emulator e({"--auth", "strict", "--rate-limit", "1200/300", "--consistency-ms", "250"});
  e.process().kill(SIGTERM);
  EXPECT_EQ(e.process().wait(), 0);
  std::string banner = e.process().err();
  for (const char* part : {"strict", "1200/300 (block 300 s, headers modern)", "ids published",
                           "pagination next_page_token", "max-page-size 1000 (reject)",
                           "put-extra-fields ignore", "read-profile omit", "profile-missing 404",
                           "delete-response empty", "consistency-ms 250", "meta tenant_flags"}) {
    EXPECT_NE(banner.find(part), std::string::npos) << part << " not in: " << banner;
  }
}

TEST(EmulatorMain, RefusesUnknownChoices) {
  for (const char* flag : {"--id-format", "--pagination", "--page-size-over-max",
                           "--put-extra-fields", "--profile-missing", "--read-profile",
                           "--delete-response", "--auth", "--ratelimit-headers", "--meta-flags"}) {
    auto result =
        cforg::testing::run({cforg::testing::emulator_bin(), "--port", "0", flag, "bogus"});
    EXPECT_NE(result.exit_code, 0) << flag;
  }
}

TEST(EmulatorMain, BlockSecondsSetsTheBlockAfterA429) {
  // How long the block lasts is SteppedServer's business (server_test.cc); here, that the flag
  // reaches the limiter: Retry-After tells the block, or with no block when the next slot frees.
  for (const auto& [block_seconds, retry_after] :
       {std::pair<const char*, const char*>{"3", "3"}, {"0", "1"}}) {
    Emulator e({"--rate-limit", "2/1", "--block-seconds", block_seconds});
    EXPECT_EQ(refused_after_two(e).headers["retry-after"], retry_after)
        << "--block-seconds " << block_seconds;
  }
}

TEST(EmulatorMain, ExitsCleanlyOnSigtermEvenWithIdleKeepAlive) {
  Emulator e;
  // A client that keeps its connection open after a request, like libcurl's connection cache.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(e.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "GET /__emulator/stats HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  char buffer[512];
  ASSERT_GT(read(fd, buffer, sizeof buffer), 0);

  auto started = std::chrono::steady_clock::now();
  e.process().kill(SIGTERM);
  EXPECT_EQ(e.process().wait(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  close(fd);
}

}  // namespace
}  // namespace cforg::emulator::http_test
