// Organization ids of the shape the API publishes, for tests: 32 characters and not hex, like
// the contract's example a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8. Every one starts with a 'g', so a
// client that still validates ids as hex fails at once.
#pragma once

#include <cstdio>
#include <string>

namespace cforg::testing {

inline std::string org_id(unsigned long n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "g%031lu", n);
  return buf;
}

}  // namespace cforg::testing
