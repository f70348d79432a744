// A loopback HTTP/1.1 server for the transport's tests, replying from a script: a canned
// response, a connection closed without a reply, or no reply at all. Test-only (header-only so it
// stays out of the cforg_api library).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cforg::api::testing {

struct ScriptedReply {
  enum class Action { respond, close, hang };
  Action action = Action::respond;
  std::string raw;  // the full response, for `respond`

  // A response with Content-Length; `extra_headers` lines end in "\r\n".
  static ScriptedReply http(int status, const std::string& body,
                            const std::string& extra_headers = "") {
    return {Action::respond, "HTTP/1.1 " + std::to_string(status) +
                                 " X\r\nContent-Type: " + "application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" +
                                 body};
  }
  static ScriptedReply close_connection() { return {Action::close, ""}; }
  static ScriptedReply hang() { return {Action::hang, ""}; }
};

struct ReceivedRequest {
  std::string head;  // request line and headers
  std::string body;
  int connection = 0;  // which accepted connection it came on, from 1
};

class ScriptedServer {
 public:
  // With an empty script, or once it runs out, every request gets `fallback`.
  explicit ScriptedServer(ScriptedReply fallback = ScriptedReply::http(200, R"({"success":true})"))
      : fallback_(std::move(fallback)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("scripted server cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptedServer() {
    stop_ = true;
    acceptor_.join();
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void push(ScriptedReply r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return connections_; }

 private:
  // Waits for `fd` to be readable; false when stopping.
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      int n = ::poll(&p, 1, 20);
      if (n > 0) return true;
    }
    return false;
  }

  void accept_loop() {
    while (wait_readable(listen_fd_)) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      int id = ++connections_;
      std::lock_guard lock(mu_);
      workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
  }

  void serve(int fd, int connection) {
    std::string buf;
    for (;;) {
      // Read one request: the head, then Content-Length bytes of body.
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(fd, buf)) return finish(fd);
      }
      ReceivedRequest req{buf.substr(0, end + 2), "", connection};
      std::size_t length = content_length(req.head);
      buf.erase(0, end + 4);
      while (buf.size() < length) {
        if (!read_more(fd, buf)) return finish(fd);
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);

      ScriptedReply reply;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
        if (script_.empty()) {
          reply = fallback_;
        } else {
          reply = script_.front();
          script_.pop_front();
        }
      }
      if (reply.action == ScriptedReply::Action::close) return finish(fd);
      if (reply.action == ScriptedReply::Action::hang) {
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return finish(fd);
      }
      if (::send(fd, reply.raw.data(), reply.raw.size(), MSG_NOSIGNAL) < 0) return finish(fd);
    }
  }

  bool read_more(int fd, std::string& buf) {
    if (!wait_readable(fd)) return false;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  static std::size_t content_length(const std::string& head) {
    for (std::string name : {"Content-Length:", "content-length:"}) {
      auto at = head.find(name);
      if (at != std::string::npos) return std::stoul(head.substr(at + name.size()));
    }
    return 0;
  }

  static void finish(int fd) { ::close(fd); }

  ScriptedReply fallback_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> workers_;
  std::deque<ScriptedReply> script_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace cforg::api::testing
