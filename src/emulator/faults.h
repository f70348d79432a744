// Seeded fault and latency decisions.
//
// A decision is a pure function of (seed, method, path, the body's `name`, and how many times
// this same fingerprint was seen before), never a draw from a shared RNG stream. With a stream,
// the k-th request would get the k-th draw, and which request is k-th depends on how threads
// interleave; with a fingerprint, the third `POST /organizations {"name":"a"}` gets the same fate
// in every run with the same seed, however the requests around it were scheduled.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace cforg::emulator {

struct FaultConfig {
  uint64_t seed = 0;
  double latency_ms = 0;      // added before each API request is handled
  double jitter_ms = 0;       // uniform in [-jitter, +jitter] around latency_ms, floored at 0
  double fail_rate = 0;       // fraction answered 500/503 without doing anything
  double ambiguous_rate = 0;  // fraction of POST/PUT/DELETE committed, then answered badly
};

enum class Ambiguity {
  kNone,
  kBadGateway,  // 502 with an error envelope
  kDrop,        // headers of a success, then the connection closes mid-body
  kReset,       // the connection closes before a byte of the answer: what makes a client that
                // reuses connections send the request again by itself (libcurl does)
};

struct FaultDecision {
  std::chrono::microseconds delay{0};
  int fail_status = 0;  // 0: no failure; else 500 or 503
  Ambiguity ambiguity = Ambiguity::kNone;
};

class Faults {
 public:
  explicit Faults(FaultConfig config) : config_(config) {}

  // Decides the fate of one request, and counts its fingerprint as seen once more.
  FaultDecision decide(std::string_view method, std::string_view path, std::string_view name);

  // True when no decision can ever be other than "nothing": the fast path skips all bookkeeping.
  bool inert() const {
    return config_.latency_ms <= 0 && config_.jitter_ms <= 0 && config_.fail_rate <= 0 &&
           config_.ambiguous_rate <= 0;
  }

 private:
  FaultConfig config_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, uint64_t> seen_;  // fingerprint -> times seen
};

}  // namespace cforg::emulator
