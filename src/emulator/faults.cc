#include "faults.h"

#include <algorithm>
#include <cmath>

#include "hashing.h"

namespace cforg::emulator {

FaultDecision Faults::decide(std::string_view method, std::string_view path,
                             std::string_view name) {
  FaultDecision decision;
  if (inert()) return decision;

  uint64_t fingerprint = Hasher(config_.seed).add(method).add(path).add(name).value();
  uint64_t occurrence;
  {
    std::lock_guard lock(mutex_);
    occurrence = seen_[fingerprint]++;
  }
  // One independent uniform draw per question, all from the same (fingerprint, occurrence).
  uint64_t base = Hasher(fingerprint).add(occurrence).value();
  auto draw = [base](uint64_t question) {
    return unit_interval(Hasher(base).add(question).value());
  };

  double delay_ms = config_.latency_ms + (2 * draw(1) - 1) * config_.jitter_ms;
  delay_ms = std::max(0.0, delay_ms);
  decision.delay = std::chrono::microseconds(static_cast<int64_t>(std::llround(delay_ms * 1000)));

  if (draw(2) < config_.fail_rate) {
    decision.fail_status = draw(3) < 0.5 ? 500 : 503;
    return decision;  // a failed request does nothing, so it cannot also be ambiguous
  }
  bool mutating = method == "POST" || method == "PUT" || method == "DELETE";
  if (mutating && draw(4) < config_.ambiguous_rate) {
    double kind = draw(5);  // a third each
    decision.ambiguity = kind < 1.0 / 3   ? Ambiguity::kBadGateway
                         : kind < 2.0 / 3 ? Ambiguity::kDrop
                                          : Ambiguity::kReset;
  }
  return decision;
}

}  // namespace cforg::emulator
