// Progress output: the per-action lines of a non-terminal run, and the final summary.
#include "cforg/apply/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

namespace cforg::apply {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// What has reached the file so far (not what sits in the FILE's buffer).
std::string written(std::FILE* f) {
  std::FILE* reader = std::fopen(("/proc/self/fd/" + std::to_string(fileno(f))).c_str(), "r");
  std::string text;
  if (!reader) return text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, reader)) > 0;) text.append(buf, n);
  std::fclose(reader);
  return text;
}

Outcome created(const std::string& key) {
  Outcome o;
  o.key = key;
  o.status = Outcome::Status::done;
  o.id = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";
  o.took = 52ms;
  return o;
}

TEST(Progress, LinesReachALogWithinAFractionOfASecond) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Progress progress(out, /*live=*/false, /*color=*/false, nullptr);
    progress.started(2);
    progress.finished(created("root"));
    // Not flushed per line (thousands a second at full speed), but by a ticker.
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (written(out).find("root") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_THAT(written(out), HasSubstr("org \"root\": created a7b9c3d2e8f4g1h5"));
    progress.finished(created("child"));
    auto stop_started = std::chrono::steady_clock::now();
    progress.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 150ms);  // no wait for a tick
    EXPECT_THAT(written(out), HasSubstr("org \"child\": created"));
  }
  std::fclose(out);
}

TEST(Progress, AWaitForTheServerIsToldOnceWithoutALiveLine) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  api::ClientStats stats;
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  stats.waiting_until_ms = now_ms() + 42'000;  // the server said: 42 s
  {
    Progress progress(out, /*live=*/false, /*color=*/false, &stats);
    progress.started(1);
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (written(out).find("Waiting") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(450ms);  // two more ticks: told once, not every tick
    progress.stop();
  }
  std::string text = written(out);
  EXPECT_THAT(text, HasSubstr("Waiting 4"));  // 41.x or 42 s
  EXPECT_THAT(text, HasSubstr("for the API's rate limit"));
  EXPECT_EQ(text.find("Waiting"), text.rfind("Waiting")) << text;
  std::fclose(out);
}

TEST(Progress, SummaryCountsReplacements) {
  Report r;
  r.created = 1;
  r.replaced = 2;
  EXPECT_THAT(summary_text(r, false), HasSubstr("0 adopted, 2 replaced, in"));
  Outcome old;
  old.key = "k";
  old.kind = plan::ActionKind::remove;
  old.status = Outcome::Status::done;
  old.replace = true;
  EXPECT_THAT(outcome_line(old, false), HasSubstr("old org deleted, to be replaced"));
}

TEST(Progress, SummaryCountsAndTakesTheRunsTime) {
  Report r;
  r.created = 3;
  r.updated = 1;
  r.elapsed = 157'400us;
  EXPECT_EQ(summary_text(r, false),
            "Apply complete: 3 created, 1 updated, 0 deleted, 0 adopted, in 0.157 s.\n");
  r.elapsed = 75s;
  EXPECT_THAT(summary_text(r, false), HasSubstr("in 75.0 s."));
  r.elapsed = 150s;
  EXPECT_THAT(summary_text(r, false), HasSubstr("in 2 min 30 s."));
  r.failed = 1;
  r.skipped = 2;
  r.not_started = 3;
  Outcome bad;
  bad.key = "x";
  bad.status = Outcome::Status::failed;
  bad.message = "creating org \"x\": HTTP 400";
  r.outcomes = {bad};
  std::string text = summary_text(r, false);
  EXPECT_THAT(text, HasSubstr("Apply incomplete: 3 created, 1 updated, 0 deleted, 0 adopted, in "
                              "2 min 30 s. 1 failed, 2 skipped, 3 not started.\n"));
  EXPECT_THAT(text, HasSubstr("org \"x\": failed: creating org \"x\": HTTP 400"));
}

}  // namespace
}  // namespace cforg::apply
