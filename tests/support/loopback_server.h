// A loopback HTTP/1.1 server whose answers a test writes: for what the emulator never does (an
// HTML error page, a body that stalls halfway, a Content-Length that lies, a connection closed
// without a reply). The transport's tests script it (ScriptedServer), the hostile-input corpus
// answers every request one hostile way (HostileServer). Test-only.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cforg::testing {

class LoopbackServer {
 public:
  struct Request {
    std::string head;    // request line and headers, ending in "\r\n"
    std::string body;    // Content-Length bytes
    int connection = 0;  // which accepted connection it came on, from 1
  };
  // How a handler answers: `send` returns false once the peer is gone; `stopping` is true once
  // the server is being destroyed (a handler that stalls must poll it).
  struct Io {
    std::function<bool(const std::string&)> send;
    std::function<bool()> stopping;
  };
  // Answers one request; returns whether to keep the connection open for the next one.
  using Handler = std::function<bool(const Request&, Io&)>;

  explicit LoopbackServer(Handler handler);  // listens on 127.0.0.1, an ephemeral port
  ~LoopbackServer();                         // stops every connection, then returns
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const;
  int requests() const { return requests_; }
  int connections() const { return connections_; }

  // A complete response: status line, Content-Type, Content-Length (unless `headers` has one:
  // a test of a lying length gives its own), `headers` (lines ending in "\r\n"), body.
  static std::string response(int status, const std::string& content_type, const std::string& body,
                              const std::string& headers = "");

 private:
  bool readable(int fd) const;  // false once stopping
  bool read_more(int fd, std::string& buf) const;
  void accept_loop();
  void serve(int fd, int connection);

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace cforg::testing
