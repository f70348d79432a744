// The PostgreSQL server of the tests that need one (the pg backend's).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cforg::testing {

// The URL of a server to test against: CFORG_TEST_PG_URL, or else one that scripts/pg-server
// starts on loopback for this user (and leaves running for the next test; `scripts/pg-server
// stop` ends it). nullopt when none can be started; why in *why.
std::optional<std::string> test_pg_url(std::string* why = nullptr);

// A PostgreSQL server of the test's own (scripts/pg-server with a folder of its own), for tests
// that restart it under a running cforg: the shared one must stay up for the other tests.
class OwnPgServer {
 public:
  OwnPgServer();   // starts it; url() is empty when it could not be started (why())
  ~OwnPgServer();  // stops it and removes its folder
  OwnPgServer(const OwnPgServer&) = delete;
  OwnPgServer& operator=(const OwnPgServer&) = delete;
  const std::string& url() const { return url_; }
  const std::string& why() const { return why_; }
  // A fast restart on the same port: every connection is cut. Returns false, saying why in
  // why(), when it fails.
  bool restart();

 private:
  std::string dir_, url_, why_;
};

// A name no other test (or earlier run) uses: tests share the database, not workspaces.
std::string unique_workspace(const std::string& prefix);

}  // namespace cforg::testing

// Skips the test when no server can be started, saying why; fails it instead when
// CFORG_REQUIRE_PG=1 (scripts/test sets it: CI must not skip them silently).
#define CFORG_PG_URL_OR_SKIP(var)                                                        \
  std::string var;                                                                       \
  do {                                                                                   \
    std::string pg_why_;                                                                 \
    std::optional<std::string> pg_url_ = ::cforg::testing::test_pg_url(&pg_why_);        \
    if (!pg_url_) {                                                                      \
      const char* required_ = std::getenv("CFORG_REQUIRE_PG");                           \
      if (required_ && std::string(required_) == "1") {                                  \
        FAIL() << "no PostgreSQL server (CFORG_REQUIRE_PG=1): " << pg_why_;              \
      }                                                                                  \
      GTEST_SKIP() << "no PostgreSQL server could be started, so the pg backend is not " \
                      "tested: "                                                         \
                   << pg_why_;                                                           \
    }                                                                                    \
    var = *pg_url_;                                                                      \
  } while (0)
