#include "metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

#include "status.h"

namespace cforg::controller {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      reconciles_(BuildCounter()
                      .Name("cforg_reconcile_total")
                      .Help("Reconciliation cycles, by how they ended")
                      .Register(*registry_)),
      // From a no-change cycle of a small estate (well under a second) to a long apply.
      duration_(BuildHistogram()
                    .Name("cforg_reconcile_duration_seconds")
                    .Help("How long each reconciliation cycle took")
                    .Register(*registry_)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                                                                     30, 60, 120, 300, 600})),
      drift_(BuildGauge()
                 .Name("cforg_drift_organizations")
                 .Help("Organizations changed outside cforg, as the last plan found them")
                 .Register(*registry_)
                 .Add({})),
      pending_(BuildGauge()
                   .Name("cforg_pending_changes")
                   .Help("Actions the last plan holds that are not applied")
                   .Register(*registry_)
                   .Add({})),
      requests_(BuildCounter()
                    .Name("cforg_api_requests_total")
                    .Help("Requests sent to the Cloudflare API, by method and status")
                    .Register(*registry_)),
      remaining_(BuildGauge()
                     .Name("cforg_ratelimit_remaining")
                     .Help("Requests the API's rate-limit headers last said were left")
                     .Register(*registry_)
                     .Add({})),
      leader_(BuildGauge()
                  .Name("cforg_leader")
                  .Help("1 while this replica leads (plans and applies), 0 as a standby")
                  .Register(*registry_)
                  .Add({})),
      last_success_(BuildGauge()
                        .Name("cforg_last_success_timestamp_seconds")
                        .Help("When the last cycle that ended well ended, Unix time")
                        .Register(*registry_)
                        .Add({})) {
  // Every result shows from the start, at 0, so that rate() and alerts see the series.
  for (const char* r : kResults) reconciles_.Add({{"result", r}});
}

void Metrics::cycle(const std::string& result, double seconds) {
  reconciles_.Add({{"result", result}}).Increment();
  duration_.Observe(seconds);
}

void Metrics::request(const std::string& method, const std::string& status) {
  requests_.Add({{"method", method}, {"status", status}}).Increment();
  ++sent_;
}

std::string Metrics::text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

namespace {

class CountedTransport final : public api::Transport {
 public:
  CountedTransport(std::unique_ptr<api::Transport> inner, std::shared_ptr<Metrics> metrics)
      : inner_(std::move(inner)), metrics_(std::move(metrics)) {}
  api::HttpResponse send(const api::HttpRequest& req) override {
    api::HttpResponse res = inner_->send(req);
    metrics_->request(req.method, res.failure == api::HttpResponse::Failure::none
                                      ? std::to_string(res.status)
                                      : "none");
    if (res.rate_limit.remaining)
      metrics_->ratelimit_remaining(static_cast<double>(*res.rate_limit.remaining));
    return res;
  }
  api::AuthScheme auth_scheme() const override { return inner_->auth_scheme(); }

 private:
  std::unique_ptr<api::Transport> inner_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace

std::unique_ptr<api::Transport> counted_transport(std::unique_ptr<api::Transport> inner,
                                                  std::shared_ptr<Metrics> metrics) {
  return std::make_unique<CountedTransport>(std::move(inner), std::move(metrics));
}

}  // namespace cforg::controller
