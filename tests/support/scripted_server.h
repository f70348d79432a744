// A loopback server replying from a script, for the transport's tests: a canned response, a
// connection closed without a reply, or no reply at all. Test-only.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback_server.h"

namespace cforg::testing {

struct ScriptedReply {
  enum class Action { respond, close, hang };
  Action action = Action::respond;
  std::string raw;  // the full response, for `respond`

  // A JSON response with Content-Length; `extra_headers` lines end in "\r\n".
  static ScriptedReply http(int status, const std::string& body,
                            const std::string& extra_headers = "") {
    return {Action::respond,
            LoopbackServer::response(status, "application/json", body, extra_headers)};
  }
  static ScriptedReply close_connection() { return {Action::close, ""}; }
  static ScriptedReply hang() { return {Action::hang, ""}; }
};

using ReceivedRequest = LoopbackServer::Request;

class ScriptedServer {
 public:
  // With an empty script, or once it runs out, every request gets `fallback`.
  explicit ScriptedServer(ScriptedReply fallback = ScriptedReply::http(200, R"({"success":true})"))
      : fallback_(std::move(fallback)),
        server_([this](const ReceivedRequest& req, LoopbackServer::Io& io) {
          return answer(req, io);
        }) {}

  int port() const { return server_.port(); }
  std::string url(const std::string& path) const { return server_.url(path); }
  void push(ScriptedReply r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  int connections() const { return server_.connections(); }

 private:
  bool answer(const ReceivedRequest& req, LoopbackServer::Io& io) {
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
    switch (reply.action) {
      case ScriptedReply::Action::close:
        return false;
      case ScriptedReply::Action::hang:
        while (!io.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return false;
      case ScriptedReply::Action::respond:
        break;
    }
    return io.send(reply.raw);
  }

  // Declared before server_: its threads call answer(), which uses them, until it is destroyed.
  mutable std::mutex mu_;
  std::deque<ScriptedReply> script_;
  std::vector<ReceivedRequest> requests_;
  ScriptedReply fallback_;
  LoopbackServer server_;
};

}  // namespace cforg::testing
