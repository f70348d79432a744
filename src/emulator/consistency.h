// The post-create 403 window. Cloudflare's API answers 403 for a while to requests that name a
// freshly created organization (as the parent of a new child, or its own routes): Terraform's
// provider sleeps 30 s after every create because of it. For `window` after a create, the
// emulator does the same to every request that names the new organization.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cforg::emulator {

class ConsistencyWindow {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConsistencyWindow(std::chrono::milliseconds window) : window_(window) {}

  bool enabled() const { return window_.count() > 0; }

  // `id` was created at `now`.
  void created(const std::string& id, Clock::time_point now = Clock::now());
  // Whether `id` is still inside its window at `now`.
  bool young(std::string_view id, Clock::time_point now = Clock::now());

 private:
  std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> created_;  // id -> end of its window
  size_t sweep_at_ = 1024;  // forget expired entries once the map grows past this
};

}  // namespace cforg::emulator
