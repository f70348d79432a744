// Fault decisions: rates, reproducibility, and independence from the order of requests.
#include "faults.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cforg::emulator {
namespace {

using namespace std::chrono_literals;

struct Fate {
  int64_t delay_us;
  int fail_status;
  Ambiguity ambiguity;
  bool operator==(const Fate&) const = default;
};

Fate fate(Faults& faults, const std::string& method, const std::string& path,
          const std::string& name) {
  FaultDecision d = faults.decide(method, path, name);
  return {d.delay.count(), d.fail_status, d.ambiguity};
}

TEST(EmulatorFaults, InertByDefault) {
  Faults faults(FaultConfig{});
  EXPECT_TRUE(faults.inert());
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(fate(faults, "POST", "/client/v4/organizations", "x"),
              (Fate{0, 0, Ambiguity::kNone}));
  }
}

TEST(EmulatorFaults, FailRateIsRoughlyRespected) {
  Faults faults(FaultConfig{.seed = 7, .fail_rate = 0.3});
  int failed = 0, status500 = 0, status503 = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    int status =
        fate(faults, "POST", "/client/v4/organizations", "org-" + std::to_string(i)).fail_status;
    failed += status != 0;
    status500 += status == 500;
    status503 += status == 503;
  }
  EXPECT_NEAR(static_cast<double>(failed) / n, 0.3, 0.03);
  EXPECT_GT(status500, n / 10);
  EXPECT_GT(status503, n / 10);
}

TEST(EmulatorFaults, AmbiguityOnlyForMutationsAndNeverWithFailure) {
  Faults faults(FaultConfig{.seed = 3, .fail_rate = 0.2, .ambiguous_rate = 0.5});
  int ambiguous = 0, dropped = 0, reset = 0, mutations = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string name = "n" + std::to_string(i);
    EXPECT_EQ(fate(faults, "GET", "/client/v4/organizations/" + name, "").ambiguity,
              Ambiguity::kNone);
    Fate put = fate(faults, "PUT", "/client/v4/organizations/" + name, name);
    if (put.fail_status) {
      EXPECT_EQ(put.ambiguity, Ambiguity::kNone);
      continue;
    }
    ++mutations;
    ambiguous += put.ambiguity != Ambiguity::kNone;
    dropped += put.ambiguity == Ambiguity::kDrop;
    reset += put.ambiguity == Ambiguity::kReset;
  }
  EXPECT_NEAR(static_cast<double>(ambiguous) / mutations, 0.5, 0.05);
  EXPECT_NEAR(static_cast<double>(dropped) / ambiguous, 1.0 / 3, 0.06);
  EXPECT_NEAR(static_cast<double>(reset) / ambiguous, 1.0 / 3, 0.06);
}

TEST(EmulatorFaults, SameSeedSameFatesWhateverTheInterleaving) {
  FaultConfig config{
      .seed = 11, .latency_ms = 5, .jitter_ms = 5, .fail_rate = 0.4, .ambiguous_rate = 0.4};
  Faults forward(config), backward(config);
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back("org-" + std::to_string(i));
  std::vector<Fate> a, b(names.size());
  for (const auto& n : names) a.push_back(fate(forward, "POST", "/client/v4/organizations", n));
  for (size_t i = names.size(); i-- > 0;) {
    b[i] = fate(backward, "POST", "/client/v4/organizations", names[i]);
  }
  EXPECT_EQ(a, b);

  Faults other(FaultConfig{
      .seed = 12, .latency_ms = 5, .jitter_ms = 5, .fail_rate = 0.4, .ambiguous_rate = 0.4});
  std::vector<Fate> c;
  for (const auto& n : names) c.push_back(fate(other, "POST", "/client/v4/organizations", n));
  EXPECT_NE(a, c);
}

TEST(EmulatorFaults, RetriesOfOneRequestGetFreshDecisions) {
  // The occurrence counter is part of the fingerprint: a client retrying the very same request
  // is not doomed to the same failure forever, and the sequence is still reproducible.
  FaultConfig config{.seed = 5, .fail_rate = 0.5};
  Faults first(config), second(config);
  std::vector<int> a, b;
  for (int i = 0; i < 64; ++i) {
    a.push_back(fate(first, "GET", "/client/v4/organizations", "").fail_status);
    b.push_back(fate(second, "GET", "/client/v4/organizations", "").fail_status);
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::set<int>(a.begin(), a.end()), (std::set<int>{0, 500, 503}));
}

TEST(EmulatorFaults, LatencyWithJitterStaysInBounds) {
  Faults faults(FaultConfig{.seed = 1, .latency_ms = 100, .jitter_ms = 20});
  std::set<int64_t> delays;
  for (int i = 0; i < 500; ++i) {
    int64_t us = fate(faults, "GET", "/x/" + std::to_string(i), "").delay_us;
    EXPECT_GE(us, 80000);
    EXPECT_LE(us, 120000);
    delays.insert(us);
  }
  EXPECT_GT(delays.size(), 100u);
  EXPECT_LT(*delays.begin(), 85000);
  EXPECT_GT(*delays.rbegin(), 115000);

  Faults floored(FaultConfig{.seed = 1, .latency_ms = 1, .jitter_ms = 10});
  for (int i = 0; i < 100; ++i) EXPECT_GE(fate(floored, "GET", "/", std::to_string(i)).delay_us, 0);
}

}  // namespace
}  // namespace cforg::emulator
