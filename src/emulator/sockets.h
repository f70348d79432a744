// What httplib does not offer at the socket level: a deeper accept queue, and the socket of the
// connection a request came on (for the reset fault).
#pragma once

#include <httplib.h>

namespace cforg::emulator {

// httplib::Server with a deeper accept queue. The Debian build of httplib listens with a backlog
// of 5 (CPPHTTPLIB_LISTEN_BACKLOG is compiled into the shared library), so a burst of 16 clients
// connecting at once can overflow it and see SYN retransmits (a one-second stall). listen() on an
// already listening socket just updates the backlog, and svr_sock_ is protected for subclasses.
class HttpServer : public httplib::Server {
 public:
  void widen_backlog(int backlog);
};

// The server's socket for the connection `req` came on, or -1. httplib does not hand it to
// handlers, so it is found among this process's descriptors by the two ends' ports. Only the
// reset fault needs it, and that is rare.
int connection_socket(const httplib::Request& req);

}  // namespace cforg::emulator
