// TLS is always verified: a server with a self-signed certificate is refused, and accepted
// once its CA is named (--ca-bundle, CURL_CA_BUNDLE, SSL_CERT_FILE), as behind a corporate
// proxy. The server is `openssl s_server`, which answers every request with an HTML page: a
// request that gets through TLS then fails on the body, not on the certificate.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support/workspace.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const char* kOpenssl = "/usr/bin/openssl";

// A port nothing listens on now (the server binds it a moment later).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TEST(Tls, ASelfSignedServerIsRefusedUnlessItsCaIsNamed) {
  ASSERT_TRUE(file_exists(kOpenssl)) << "scripts/setup installs openssl";
  Workspace ws(nullptr);
  ws.config("organizations:\n  - {name: Root}\n");
  const std::string cert = ws.dir() / "server.pem", key = ws.dir() / "server.key";
  ProcessResult made =
      run({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
           "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const int port = free_port();
  Child server({kOpenssl, "s_server", "-accept", std::to_string(port), "-cert", cert, "-key", key,
                "-www", "-quiet"},
               RunOptions{}, ws.dir() / "s_server");
  for (int i = 0; i < 200 && !accepts(port); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(accepts(port)) << server.err();

  RunOptions env;
  env.env = {{"CLOUDFLARE_BASE_URL", "https://127.0.0.1:" + std::to_string(port) + "/client/v4"},
             {"CLOUDFLARE_API_TOKEN", "tls-test-token"}};
  env.unset_env = {"CURL_CA_BUNDLE", "SSL_CERT_FILE"};
  ProcessResult refused = ws.cforg({"plan", "--max-retries", "0"}, env);
  EXPECT_EQ(refused.exit_code, 1) << dump(refused);
  EXPECT_THAT(refused.err, HasSubstr("certificate"));
  EXPECT_THAT(refused.err, HasSubstr("--ca-bundle FILE"));

  // With its CA named, TLS passes; the HTML page is then not an API answer.
  auto through_tls = [](const ProcessResult& r) {
    EXPECT_EQ(r.exit_code, 1) << dump(r);
    EXPECT_THAT(r.err, Not(HasSubstr("certificate"))) << dump(r);
    EXPECT_THAT(r.err, HasSubstr("not a JSON envelope")) << dump(r);
  };
  through_tls(ws.cforg({"plan", "--max-retries", "0", "--ca-bundle", cert}, env));
  RunOptions with_env = env;
  with_env.env["SSL_CERT_FILE"] = cert;
  with_env.unset_env = {"CURL_CA_BUNDLE"};
  through_tls(ws.cforg({"plan", "--max-retries", "0"}, with_env));

  // Plain http to a host that is not this machine is refused before anything is sent.
  RunOptions http = env;
  http.env["CLOUDFLARE_BASE_URL"] = "http://api.example.invalid/client/v4";
  ProcessResult insecure = ws.cforg({"plan"}, http);
  EXPECT_EQ(insecure.exit_code, 1);
  EXPECT_THAT(insecure.err, HasSubstr("--allow-insecure-http"));
}

}  // namespace
}  // namespace cforg::testing
