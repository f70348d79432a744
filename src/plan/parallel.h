// Running independent API calls on a few threads, for the stages that read the remote side.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cforg/api/client.h"

namespace cforg::plan {

// Runs `call(i)` for i in [0, count) on up to `parallelism` threads (the client's rate budget
// is shared by all). `call` returns an error to stop the rest, and is called with `mu` held
// only for what it does after its request: see the callers.
template <class Call>
std::optional<api::ApiError> in_parallel(std::size_t count, int parallelism, Call call) {
  std::mutex mu;
  std::optional<api::ApiError> error;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      {
        std::lock_guard lock(mu);
        if (error) return;
      }
      std::optional<api::ApiError> failed = call(i, mu);
      if (failed) {
        std::lock_guard lock(mu);
        if (!error) error = std::move(failed);
        return;
      }
    }
  };
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(parallelism, 1)), count);
  if (n <= 1) {
    worker();
  } else {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < n; ++i) threads.emplace_back(worker);
  }
  return error;
}

}  // namespace cforg::plan
