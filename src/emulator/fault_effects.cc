#include "fault_effects.h"

#include <sys/socket.h>

#include <memory>
#include <string>

#include "error_codes.h"
#include "responses.h"
#include "sockets.h"

namespace cforg::emulator {

void reply_injected_failure(httplib::Response& res, int status) {
  bool unavailable = status == 503;
  reply_error(res, {status, unavailable ? code::kServiceUnavailable : code::kInternalError,
                    unavailable ? "Service temporarily unavailable (emulated fault)"
                                : "Internal server error (emulated fault)",
                    ""});
}

void make_ambiguous(Ambiguity kind, const httplib::Request& req, httplib::Response& res,
                    Stats& stats) {
  if (kind == Ambiguity::kNone) return;
  if (kind == Ambiguity::kReset) {
    // The change is committed; the connection closes before a byte of the answer, as when a
    // proxy loses it. httplib's write of the answer then fails and it closes the socket.
    if (int fd = connection_socket(req); fd >= 0) {
      stats.count_ambiguous(Ambiguity::kReset);
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
    kind = Ambiguity::kDrop;  // not found (never seen): still cut, mid-body
  }
  if (kind == Ambiguity::kDrop && res.body.empty()) {
    kind = Ambiguity::kBadGateway;  // a 204 has no body to cut
  }
  stats.count_ambiguous(kind);
  if (kind == Ambiguity::kBadGateway) {
    reply_error(res, {502, code::kBadGateway, "Bad gateway (emulated fault)", ""});
    return;
  }
  // The change is committed; now promise the whole success body (Content-Length) and close the
  // connection halfway through it. A client sees a truncated response (curl: "transfer closed
  // with N bytes remaining"), the nearest thing to a connection lost after the server acted.
  auto text = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  res.set_content_provider(
      text->size(), kJsonType, [text](size_t offset, size_t, httplib::DataSink& sink) {
        size_t half = text->size() / 2;
        if (offset < half) sink.write(text->data() + offset, half - offset);
        return false;  // httplib then closes the connection without sending the rest
      });
}

}  // namespace cforg::emulator
