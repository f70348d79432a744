#include "stats.h"

namespace cforg::emulator {

void Stats::begin(std::string_view method) {
  requests_total_.fetch_add(1, std::memory_order_relaxed);
  by_method_[slot_of(method)].fetch_add(1, std::memory_order_relaxed);
  int64_t now = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
  int64_t seen = max_in_flight_.load(std::memory_order_relaxed);
  while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
  }
}

void Stats::end(int status) {
  if (status >= 100 && status < static_cast<int>(by_status_.size())) {
    by_status_[static_cast<size_t>(status)].fetch_add(1, std::memory_order_relaxed);
  }
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

nlohmann::json Stats::by_method_json(const std::array<Counter, kMethods.size() + 1>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i <= kMethods.size(); ++i) {
    if (uint64_t n = counts[i].load()) out[i < kMethods.size() ? kMethods[i] : "OTHER"] = n;
  }
  return out;
}

nlohmann::json Stats::to_json(size_t organizations) const {
  nlohmann::json by_status = nlohmann::json::object();
  for (size_t s = 0; s < by_status_.size(); ++s) {
    if (uint64_t n = by_status_[s].load()) by_status[std::to_string(s)] = n;
  }
  return {{"requests_total", requests_total_.load()},
          {"responses_by_status", by_status},
          {"requests_by_method", by_method_json(by_method_)},
          {"organizations", organizations},
          {"rate_limited", rate_limited_.load()},
          {"rate_limited_blocked", rate_limited_blocked_.load()},
          {"spent", spent_.load()},
          {"post_create_403", post_create_403_.load()},
          {"post_create_403_by_method", by_method_json(post_create_403_by_method_)},
          {"token_refused", token_refused_.load()},
          {"faults",
           {{"failed", failed_.load()},
            {"ambiguous", ambiguous_.load()},
            {"ambiguous_dropped", dropped_.load()},
            {"ambiguous_reset", reset_.load()}}},
          {"in_flight", in_flight_.load()},
          {"max_in_flight", max_in_flight_.load()}};
}

}  // namespace cforg::emulator
