// Injected faults over HTTP: seeded failures that do nothing, ambiguous answers of committed
// changes (a 502, a body cut halfway, a reset connection).
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "http_test_support.h"

namespace cforg::emulator::http_test {
namespace {

// Statuses of `n` creations; a transport error (a dropped connection) reads as 0.
std::vector<int> create_many(const Emulator& e, int n) {
  std::vector<int> statuses;
  for (int i = 0; i < n; ++i) {
    try {
      statuses.push_back(
          e.request("POST", "/organizations", json({{"name", "f" + std::to_string(i)}}).dump())
              .status);
    } catch (const std::runtime_error&) {
      statuses.push_back(0);
    }
  }
  return statuses;
}

TEST(EmulatorFaultEffects, FailRateIsSeededAndReproducible) {
  const int n = 200;
  std::vector<int> first, second, other_seed;
  size_t committed = 0;
  json stats;
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "7"});
    first = create_many(e, n);
    committed = e.organizations().size();
    stats = e.stats();
  }
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "7"});
    second = create_many(e, n);
  }
  {
    Emulator e({"--fail-rate", "0.3", "--seed", "8"});
    other_seed = create_many(e, n);
  }
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other_seed);
  int failed = 0, ok = 0;
  std::set<int> kinds;
  for (int s : first) {
    kinds.insert(s);
    failed += s == 500 || s == 503;
    ok += s == 200;
  }
  EXPECT_EQ(failed + ok, n) << "only 200, 500 and 503 expected";
  EXPECT_EQ(kinds, (std::set<int>{200, 500, 503}));
  EXPECT_GE(failed, 40);  // 60 expected; 3 standard deviations is about 20
  EXPECT_LE(failed, 80);
  EXPECT_EQ(committed, static_cast<size_t>(ok)) << "a failed request must do nothing";
  EXPECT_EQ(stats["faults"]["failed"], failed);
}

TEST(EmulatorFaultEffects, AmbiguousRequestsAreCommitted) {
  Emulator e({"--ambiguous-rate", "0.5", "--seed", "3"});
  int ok = 0, bad_gateway = 0, dropped = 0, reset = 0;
  for (int i = 0; i < 120; ++i) {
    Raw r = raw(e, "POST", "/organizations", json({{"name", "f" + std::to_string(i)}}).dump());
    ok += r.rc == CURLE_OK && r.status == 200;
    bad_gateway += r.rc == CURLE_OK && r.status == 502;
    dropped += r.rc == CURLE_PARTIAL_FILE;  // a success's headers, then the body cut
    reset += r.rc == CURLE_GOT_NOTHING;     // not one byte of an answer
  }
  EXPECT_EQ(ok + bad_gateway + dropped + reset, 120);
  EXPECT_GE(bad_gateway, 8);
  EXPECT_GE(dropped, 8);
  EXPECT_GE(reset, 8);
  EXPECT_GE(ok, 30);
  EXPECT_EQ(e.organizations().size(), 120u) << "every ambiguous request was committed";
  json stats = e.stats();
  EXPECT_EQ(stats["faults"]["ambiguous"], bad_gateway + dropped + reset);
  EXPECT_EQ(stats["faults"]["ambiguous_dropped"], dropped);
  EXPECT_EQ(stats["faults"]["ambiguous_reset"], reset);
  // Reads are never ambiguous.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(e.request("GET", "/organizations").status, 200);
}

}  // namespace
}  // namespace cforg::emulator::http_test
