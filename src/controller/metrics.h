// The controller's metrics in a prometheus-cpp registry, rendered in the Prometheus text format
// for /metrics; and the transport wrapper that counts every API exchange into them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "cforg/api/transport.h"

namespace cforg::controller {

class Metrics {
 public:
  Metrics();

  // One cycle ended with `result` (one of kResults, status.h) after `seconds`.
  void cycle(const std::string& result, double seconds);
  void drift(std::size_t orgs) { drift_.Set(static_cast<double>(orgs)); }
  void pending(std::size_t changes) { pending_.Set(static_cast<double>(changes)); }
  void leader(bool is) { leader_.Set(is ? 1 : 0); }
  void succeeded_at(double unix_seconds) { last_success_.Set(unix_seconds); }
  // An exchange with the API: its method and status ("none" when no response came).
  void request(const std::string& method, const std::string& status);
  void ratelimit_remaining(double left) { remaining_.Set(left); }
  std::uint64_t requests_sent() const { return sent_.load(); }  // so far, every cycle

  std::string text() const;  // the exposition, for a scrape

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Histogram& duration_;
  prometheus::Gauge& drift_;
  prometheus::Gauge& pending_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Gauge& remaining_;
  prometheus::Gauge& leader_;
  prometheus::Gauge& last_success_;
  std::atomic<std::uint64_t> sent_{0};
};

// `inner`, with every exchange counted into `metrics` (method, status, the rate-limit headers'
// remaining figure).
std::unique_ptr<api::Transport> counted_transport(std::unique_ptr<api::Transport> inner,
                                                  std::shared_ptr<Metrics> metrics);

}  // namespace cforg::controller
