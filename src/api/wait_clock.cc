#include "cforg/api/wait_clock.h"

#include <thread>

namespace cforg::api {
namespace {

class SteadyWaitClock : public WaitClock {
 public:
  Clock::time_point now() override { return Clock::now(); }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::now();
  }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  Clock::time_point deadline) override {
    cv.wait_until(lock, deadline);
  }
  void sleep_for(Clock::duration d) override { std::this_thread::sleep_for(d); }
};

}  // namespace

std::shared_ptr<WaitClock> steady_wait_clock() {
  static const auto clock = std::make_shared<SteadyWaitClock>();
  return clock;
}

}  // namespace cforg::api
