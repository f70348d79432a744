#include "pg_url.h"

#include <gtest/gtest.h>

#include "cforg/state/state.h"

namespace cforg::state {
namespace {

TEST(PgRedact, PasswordsOfEveryURLFormAreFound) {
  EXPECT_EQ(redact("x postgres://u:s3cr%40t@h/d y s3cr@t", pg_secrets("postgres://u:s3cr%40t@h/d")),
            "x **** y ****");
  EXPECT_EQ(redact("pw=abc", pg_secrets("postgresql://u@h/d?password=abc&sslmode=disable")),
            "pw=****");
  EXPECT_EQ(redact("'q w'", pg_secrets("host=h password='q w' port=5")), "'****'");
}

TEST(PgUrl, IsDescribedWithoutItsPassword) {
  std::string url = "postgres://cforg:s3cret@db.example.com:5433/estate";
  EXPECT_EQ(describe_pg_url(url, pg_secrets(url)), "postgres://cforg@db.example.com:5433/estate");
  EXPECT_EQ(
      describe_pg_url("host=h password=pw dbname=d", pg_secrets("host=h password=pw dbname=d")),
      "postgres://h/d");
}

TEST(PgUrl, ABadOneIsRefusedSayingWhatIsExpected) {
  try {
    std::string url = "host=h password=pw nosuchoption=1";
    describe_pg_url(url, pg_secrets(url));
    ADD_FAILURE() << "accepted";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nosuchoption"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("pw"), std::string::npos);
  }
}

TEST(PgMessage, IsOneLineWithoutSecrets) {
  EXPECT_EQ(pg_message("FATAL:  terminating connection\nserver closed the connection "
                       "unexpectedly\n\tThis probably means pw.\n",
                       {"pw"}),
            "FATAL: terminating connection; server closed the connection unexpectedly; This "
            "probably means ****");
}

}  // namespace
}  // namespace cforg::state
