#include "listener.h"

#include <httplib.h>

#include <stdexcept>
#include <thread>

#include "metrics.h"
#include "status.h"

namespace cforg::controller {

struct Listener::Impl {
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

Listener::Listener(const std::string& address, std::shared_ptr<const Metrics> metrics,
                   std::shared_ptr<const Status> status)
    : impl_(std::make_unique<Impl>()) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::runtime_error("--listen " + address + ": expected HOST:PORT, as 127.0.0.1:9464");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    throw std::runtime_error("--listen " + address + ": the port must be 0 to 65535");
  }
  httplib::Server& http = impl_->http;
  http.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics->text(), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http.Get("/readyz", [status](const httplib::Request&, httplib::Response& res) {
    bool ready = status->ready();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "ready\n" : "not ready: no cycle has completed yet\n", "text/plain");
  });
  http.Get("/status", [status](const httplib::Request&, httplib::Response& res) {
    res.set_content(status->to_json().dump(2) + "\n", "application/json");
  });
  impl_->port =
      port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (impl_->port <= 0) {
    throw std::runtime_error("--listen " + address +
                             ": cannot listen there (in use, or not an address of this machine)");
  }
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
}

Listener::~Listener() {
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int Listener::port() const {
  return impl_->port;
}

}  // namespace cforg::controller
