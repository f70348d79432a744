// The controller's HTTP listener: /metrics (Prometheus text format), /healthz, /readyz and
// /status (JSON), served by cpp-httplib on its own threads.
#pragma once

#include <memory>
#include <string>

namespace cforg::controller {

class Metrics;
class Status;

class Listener {
 public:
  // Binds `address` (host:port; port 0 picks one) at once: throws std::runtime_error naming the
  // address when it cannot. A host other than loopback is allowed (a pod's probes come from
  // the kubelet), but must be given.
  Listener(const std::string& address, std::shared_ptr<const Metrics> metrics,
           std::shared_ptr<const Status> status);
  ~Listener();  // stops serving
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cforg::controller
