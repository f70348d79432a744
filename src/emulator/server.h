// The HTTP face of the emulator: routes, the Cloudflare envelope, auth, rate limiting and fault
// injection around the store. httplib stays behind this header (pimpl) so main.cc only sees
// bind / run / stop.
#pragma once

#include <cstdint>
#include <memory>

#include "clocks.h"
#include "options.h"

namespace cforg::emulator {

class Server {
 public:
  explicit Server(const Options& options, Clocks clocks = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port (the chosen one when options.port is 0), or -1.
  int bind();
  // Serves until stop(); false when the server could not run.
  bool run();
  // Stops accepting; run() returns once the worker threads are done. Safe from another thread.
  void stop();
  // API requests being handled right now.
  int64_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cforg::emulator
