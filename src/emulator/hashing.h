// Small, stable, non-cryptographic hashing used wherever the emulator must be reproducible:
// organization ids, fault decisions, page-token checksums.
//
// Why not std::hash: its values are implementation-defined and may change between library
// versions, and a seed-for-seed reproducible emulator must give the same ids and the same faults
// on every machine that runs the tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cforg::emulator {

// The splitmix64 finalizer: a bijective 64-bit mixer with good avalanche.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Accumulates fields into one 64-bit value. Each string is length-prefixed so that
// ("ab", "c") and ("a", "bc") hash differently.
class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0)
      : state_(mix64(seed ^ 0x63666f7267656d75ULL /* "cforgemu" */)) {}

  Hasher& add(uint64_t value) {
    state_ = mix64(state_ ^ mix64(value + 0x2545f4914f6cdd1dULL));
    return *this;
  }
  Hasher& add(std::string_view text) {
    add(static_cast<uint64_t>(text.size()));
    uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the bytes, then mixed in
    for (unsigned char c : text) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    return add(h);
  }

  uint64_t value() const { return state_; }

 private:
  uint64_t state_;
};

// A uniform double in [0, 1) from the top 53 bits of a hash.
constexpr double unit_interval(uint64_t h) {
  return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

// Lowercase hex, zero-padded to 16 digits.
inline std::string hex64(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kDigits[value & 0xf];
  return out;
}

}  // namespace cforg::emulator
