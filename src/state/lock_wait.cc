// lock_waiting (backend.h): --lock-timeout for every backend, on top of Backend::lock.
#include <algorithm>
#include <random>
#include <thread>

#include "cforg/state/backend.h"

namespace cforg::state {

std::string duration_text(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms >= 3600000 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms >= 60000 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::unique_ptr<Lock> lock_waiting(Backend& backend, std::string_view operation,
                                   std::chrono::milliseconds timeout,
                                   const LockWaitObserver& on_wait) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::chrono::milliseconds pause{50};
  // Jitter, so that several waiters for one lock do not poll in lockstep.
  std::minstd_rand rng(std::random_device{}());
  std::string last_holder = "\x01";  // no holder reported yet
  for (;;) {
    try {
      return backend.lock(operation);
    } catch (const LockedError& e) {
      if (timeout.count() <= 0) {
        throw LockedError(
            std::string(e.what()) + ". To wait for it instead, pass --lock-timeout (e.g. 5m)",
            e.holder);
      }
      Clock::time_point now = Clock::now();
      if (now >= deadline) {
        throw LockedError("gave up waiting for the lock after " + duration_text(timeout) +
                              " (--lock-timeout): " + e.what(),
                          e.holder);
      }
      // A holder that is letting go clears what it wrote before it releases the lock, so a poll
      // in that instant finds the lock held by nobody known: that is the same wait, not a new
      // holder to announce (once one was named, only another named holder is news).
      const bool holder_unknown = e.holder.id.empty();
      const bool named_one_already = last_holder != "\x01" && !last_holder.empty();
      if (e.holder.id != last_holder && !(holder_unknown && named_one_already)) {
        last_holder = e.holder.id;
        if (on_wait) on_wait(e, timeout);
      }
      // Rounded up: rounded down, the last sub-millisecond before the deadline would be spent
      // polling with sleeps of 0 ms.
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
      auto jitter = std::chrono::milliseconds(rng() % (pause.count() / 4 + 1));
      std::this_thread::sleep_for(std::min(left, pause + jitter));
      pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
}

}  // namespace cforg::state
