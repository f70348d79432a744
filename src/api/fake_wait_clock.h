// A WaitClock for tests: time stands still until someone waits, and then jumps to the end of
// the wait at once. Every wait is recorded, so that a test asserts on what was waited instead
// of sleeping through it.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "cforg/api/wait_clock.h"

namespace cforg::api::test {

class FakeWaitClock : public WaitClock {
 public:
  FakeWaitClock()
      : start_(Clock::now()), wall_start_(std::chrono::system_clock::now()), now_(start_) {}

  Clock::time_point now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point wall_now() override {
    return wall_start_ +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(now() - start_);
  }
  // The waiter's lock is released while `on_wait` runs, as a real wait releases it: what the
  // hook does happens while the waiter waits, before the deadline.
  void wait_until(std::condition_variable&, std::unique_lock<std::mutex>& lock,
                  Clock::time_point deadline) override {
    record(deadline - now());
    lock.unlock();
    run_hook();
    lock.lock();
    advance_to(deadline);
  }
  void sleep_for(Clock::duration d) override {
    auto deadline = now() + d;
    record(d);
    run_hook();
    advance_to(deadline);
  }

  void advance(Clock::duration d) { advance_to(now() + d); }
  // Every wait and sleep so far, as long as it was asked to last.
  std::vector<Clock::duration> waits() {
    std::lock_guard lock(mu_);
    return waits_;
  }
  Clock::duration waited() {
    Clock::duration sum{0};
    for (auto w : waits()) sum += w;
    return sum;
  }
  // Runs during a wait (not during the waits it causes itself).
  std::function<void()> on_wait;

 private:
  void record(Clock::duration d) {
    std::lock_guard lock(mu_);
    waits_.push_back(d);
  }
  void run_hook() {
    if (!on_wait || in_hook_.exchange(true)) return;
    on_wait();
    in_hook_ = false;
  }
  void advance_to(Clock::time_point t) {
    std::lock_guard lock(mu_);
    if (t > now_) now_ = t;
  }

  const Clock::time_point start_;
  const std::chrono::system_clock::time_point wall_start_;
  std::mutex mu_;
  Clock::time_point now_;
  std::vector<Clock::duration> waits_;
  std::atomic<bool> in_hook_{false};  // the hook's own waits do not run it again
};

}  // namespace cforg::api::test
