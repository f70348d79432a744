#include "support/loopback_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cforg::testing {
namespace {

std::size_t content_length(const std::string& head) {
  for (const char* name : {"Content-Length:", "content-length:"}) {
    auto at = head.find(name);
    if (at != std::string::npos) return std::stoul(head.substr(at + std::string(name).size()));
  }
  return 0;
}

}  // namespace

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("loopback test server cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackServer::~LoopbackServer() {
  stop_ = true;
  acceptor_.join();  // no worker is added after this
  for (auto& t : workers_) t.join();
  ::close(listen_fd_);
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string LoopbackServer::response(int status, const std::string& content_type,
                                     const std::string& body, const std::string& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
                     "\r\n" + headers;
  if (headers.find("Content-Length") == std::string::npos) {
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return head + "\r\n" + body;
}

// Polls in short steps so that the destructor is never kept waiting by a silent peer.
bool LoopbackServer::readable(int fd) const {
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) return true;
  }
  return false;
}

bool LoopbackServer::read_more(int fd, std::string& buf) const {
  if (!readable(fd)) return false;
  char chunk[4096];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buf.append(chunk, static_cast<std::size_t>(n));
  return true;
}

void LoopbackServer::accept_loop() {
  while (readable(listen_fd_)) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    int id = ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd, id] { serve(fd, id); });
  }
}

void LoopbackServer::serve(int fd, int connection) {
  Io io{[fd](const std::string& bytes) {
          return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(bytes.size());
        },
        [this] { return stop_.load(); }};
  std::string buf;
  for (;;) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(fd, buf)) return (void)::close(fd);
    }
    Request req{buf.substr(0, end + 2), "", connection};
    std::size_t length = content_length(req.head);
    buf.erase(0, end + 4);
    while (buf.size() < length) {
      if (!read_more(fd, buf)) return (void)::close(fd);
    }
    req.body = buf.substr(0, length);
    buf.erase(0, length);
    ++requests_;
    if (!handler_(req, io)) return (void)::close(fd);
  }
}

}  // namespace cforg::testing
