// Counters behind GET /__emulator/stats. Lock-free (atomics) because every API request touches
// them and the benchmark runs 16 clients at once. Only API requests are counted: the
// /__emulator/* routes would otherwise disturb the numbers tests assert on.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "faults.h"

namespace cforg::emulator {

class Stats {
 public:
  // A request has arrived / has been answered with `status`.
  void begin(std::string_view method);
  void end(int status);

  // A 429; `blocked`: refused because a block after an earlier 429 was running.
  void count_rate_limited(bool blocked = false) {
    rate_limited_.fetch_add(1, std::memory_order_relaxed);
    if (blocked) rate_limited_blocked_.fetch_add(1, std::memory_order_relaxed);
  }
  // A 403 in the post-create window (--consistency-ms).
  void count_post_create_403(std::string_view method) {
    post_create_403_.fetch_add(1, std::memory_order_relaxed);
    post_create_403_by_method_[slot_of(method)].fetch_add(1, std::memory_order_relaxed);
  }
  // A 403 for a valid token on an endpoint that needs the global key (--auth strict).
  void count_token_refused() { token_refused_.fetch_add(1, std::memory_order_relaxed); }
  // Requests spent through POST /__emulator/spend.
  void count_spent(uint64_t n) { spent_.fetch_add(n, std::memory_order_relaxed); }
  void count_failed() { failed_.fetch_add(1, std::memory_order_relaxed); }
  void count_ambiguous(Ambiguity kind) {
    ambiguous_.fetch_add(1, std::memory_order_relaxed);
    if (kind == Ambiguity::kDrop) dropped_.fetch_add(1, std::memory_order_relaxed);
    if (kind == Ambiguity::kReset) reset_.fetch_add(1, std::memory_order_relaxed);
  }

  int64_t in_flight() const { return in_flight_.load(); }

  // The stats document; `organizations` is passed in because the store owns that number.
  nlohmann::json to_json(size_t organizations) const;

 private:
  static constexpr std::array<const char*, 7> kMethods = {"GET",   "POST", "PUT",    "DELETE",
                                                          "PATCH", "HEAD", "OPTIONS"};
  using Counter = std::atomic<uint64_t>;

  Counter requests_total_{0};
  std::array<Counter, kMethods.size() + 1> by_method_{};  // the last slot: any other method
  std::array<Counter, kMethods.size() + 1> post_create_403_by_method_{};
  static size_t slot_of(std::string_view method) {
    for (size_t i = 0; i < kMethods.size(); ++i) {
      if (method == kMethods[i]) return i;
    }
    return kMethods.size();
  }
  static nlohmann::json by_method_json(const std::array<Counter, kMethods.size() + 1>& counts);
  std::array<Counter, 600> by_status_{};  // index: HTTP status (100..599)
  Counter rate_limited_{0};
  Counter rate_limited_blocked_{0};
  Counter post_create_403_{0};
  Counter token_refused_{0};
  Counter spent_{0};
  Counter failed_{0};
  Counter ambiguous_{0};
  Counter dropped_{0};
  Counter reset_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> max_in_flight_{0};
};

}  // namespace cforg::emulator
