// Who holds a lock: its JSON, its text in messages, and what this process writes.
#include "lock_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

#include "cforg/state/backend.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;

TEST(LockInfoJson, WritesTheSameBytesAndReadsThemBack) {
  LockInfo info{"6f1c2a4e-0000-4000-8000-000000000001", "apply", "alice@ci", 4242,
                "2026-12-01T10:00:00Z"};
  EXPECT_EQ(info.to_json().dump(),
            R"({"created":"2026-12-01T10:00:00Z","id":"6f1c2a4e-0000-4000-8000-000000000001",)"
            R"("operation":"apply","pid":4242,"who":"alice@ci"})");
  nlohmann::json j = info.to_json();
  LockInfo back = LockInfo::from_json(j);
  EXPECT_EQ(back.id, info.id);
  EXPECT_EQ(back.operation, info.operation);
  EXPECT_EQ(back.who, info.who);
  EXPECT_EQ(back.pid, info.pid);
  EXPECT_EQ(back.created, info.created);
  j["host_kind"] = "ci";  // a newer cforg may say more: ignored
  EXPECT_EQ(LockInfo::from_json(j).id, info.id);
}

TEST(LockInfoJson, ErrorsNameTheMember) {
  auto error_of = [](const nlohmann::json& j) -> std::string {
    try {
      LockInfo::from_json(j);
    } catch (const StateError& e) {
      return e.what();
    }
    return "accepted";
  };
  nlohmann::json good = LockInfo{"i", "plan", "w", 1, "c"}.to_json();
  nlohmann::json j = good;
  j.erase("who");
  EXPECT_EQ(error_of(j), "lock info: who: missing");
  j = good;
  j["pid"] = "1";
  EXPECT_EQ(error_of(j), "lock info: pid: expected an integer, found string");
  j = good;
  j["pid"] = std::int64_t{1} << 40;  // not narrowed into some other process's pid
  EXPECT_THAT(error_of(j), HasSubstr("lock info: pid: 1099511627776 is out of range"));
  EXPECT_EQ(error_of(nlohmann::json::array()), "lock info: expected an object, found array");
}

TEST(LockInfo, HolderTextNamesWhoPidOperationAndSince) {
  LockInfo info{"8f00", "apply", "alice@ci-7", 4242, "2026-11-29T18:11:19Z"};
  EXPECT_EQ(info.holder_text(),
            "alice@ci-7 (pid 4242) running \"apply\" since 2026-11-29T18:11:19Z");
}

TEST(LockInfo, OfThisProcessNamesUserHostPidAndNow) {
  LockInfo a = this_process_lock_info("refresh");
  LockInfo b = this_process_lock_info("refresh");
  EXPECT_EQ(a.operation, "refresh");
  EXPECT_EQ(a.pid, ::getpid());
  EXPECT_EQ(a.who, user_at_host());
  EXPECT_THAT(a.who, ::testing::MatchesRegex(".+@.+"));
  EXPECT_TRUE(
      std::regex_match(a.created, std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$")))
      << a.created;
  EXPECT_EQ(a.id.size(), 36u);
  EXPECT_NE(a.id, b.id) << "every lock its own id";
}

}  // namespace
}  // namespace cforg::state
