// A loopback HTTP server that answers every request the same hostile way: an HTML error page,
// a body that stalls halfway, a Content-Length that lies, a body of 50 MB. For the cases the
// emulator's seeded faults do not cover (they cut only the answers of mutations). Test-only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cforg::testing {

class HostileServer {
 public:
  // What to send on a connection once a request's head has arrived. `send` returns false when
  // the peer is gone; `stopping` is true once the server is being destroyed.
  struct Io {
    std::function<bool(const std::string&)> send;
    std::function<bool()> stopping;
  };
  using Reply = std::function<void(const std::string& request_head, Io& io)>;

  explicit HostileServer(Reply reply) : reply_(std::move(reply)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("hostile server cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~HostileServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard lock(mu_);
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/client/v4";
  }
  int requests() const { return requests_; }

  // A complete response: status line, Content-Length (unless given in `headers`), body.
  static std::string response(int status, const std::string& content_type, const std::string& body,
                              const std::string& headers = "") {
    std::string head = "HTTP/1.1 " + std::to_string(status) +
                       " X\r\nContent-Type: " + content_type + "\r\n" + headers;
    if (headers.find("Content-Length") == std::string::npos) {
      head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return head + "\r\n" + body;
  }

 private:
  bool readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void accept_loop() {
    while (readable(listen_fd_)) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mu_);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buf;
    Io io{[fd](const std::string& bytes) {
            return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                   static_cast<ssize_t>(bytes.size());
          },
          [this] { return stop_.load(); }};
    for (;;) {
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!readable(fd)) return (void)::close(fd);
        char chunk[4096];
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return (void)::close(fd);
        buf.append(chunk, static_cast<std::size_t>(n));
      }
      const std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);  // cforg's reads have no body
      ++requests_;
      reply_(head, io);
      // Every hostile reply ends the connection: a keep-alive after a lie would be a second
      // case mixed into the first.
      return (void)::close(fd);
    }
  }

  Reply reply_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
};

}  // namespace cforg::testing
