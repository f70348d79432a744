// The post-create 403 window, on an injected clock.
#include "consistency.h"

#include <gtest/gtest.h>

#include <string>

namespace cforg::emulator {
namespace {

using namespace std::chrono_literals;
using Clock = ConsistencyWindow::Clock;

TEST(EmulatorConsistency, YoungForTheWindowOnly) {
  ConsistencyWindow window(1000ms);
  Clock::time_point t0{};
  window.created("a", t0);
  EXPECT_TRUE(window.young("a", t0));
  EXPECT_TRUE(window.young("a", t0 + 999ms));
  EXPECT_FALSE(window.young("a", t0 + 1000ms));
  EXPECT_FALSE(window.young("b", t0)) << "never created here";
}

TEST(EmulatorConsistency, ZeroDisables) {
  ConsistencyWindow window(0ms);
  EXPECT_FALSE(window.enabled());
  window.created("a");
  EXPECT_FALSE(window.young("a"));
}

TEST(EmulatorConsistency, ForgetsOldIdsWithoutLosingYoungOnes) {
  ConsistencyWindow window(10ms);
  Clock::time_point t0{};
  for (int i = 0; i < 5000; ++i) window.created("old" + std::to_string(i), t0);
  window.created("young", t0 + 1s);
  for (int i = 0; i < 5000; ++i) window.created("new" + std::to_string(i), t0 + 1s);
  EXPECT_TRUE(window.young("young", t0 + 1s));
  EXPECT_TRUE(window.young("new4999", t0 + 1s + 5ms));
  EXPECT_FALSE(window.young("old1", t0 + 1s));
}

}  // namespace
}  // namespace cforg::emulator
