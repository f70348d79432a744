// The libcurl transport: one HTTP exchange per send(), no retries (the client decides those).
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "cforg/api/transport.h"

#if LIBCURL_VERSION_NUM < 0x075000
#error "libcurl 7.80 or later is needed (CURLOPT_PREREQFUNCTION keeps creates from being resent)"
#endif

namespace cforg::api {
namespace {

std::once_flag g_curl_init;

// libcurl's global state must be set up once, before any handle, and not concurrently.
void init_curl_once() {
  std::call_once(g_curl_init, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl failed to initialise");
    }
  });
}

std::size_t collect_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// libcurl silently sends a request again when a reused keep-alive connection turns out dead
// before the first byte of the reply ("Connection died, retrying a fresh connect"), yet the
// server may have processed the first copy: for a create, a second organization. Every
// attempt, the first included, starts by calling the pre-request callback on its connection;
// for a POST the second call is refused. The transfer then fails (CURLE_ABORTED_BY_CALLBACK),
// the outcome counts as unknown, and the executor looks the org up before it creates anything
// again.
struct Attempts {
  int started = 0;
  bool refused = false;  // a resend was stopped
};

int refuse_resend(void* in, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/,
                  int /*local_port*/) {
  auto* attempts = static_cast<Attempts*>(in);
  if (++attempts->started == 1) return CURL_PREREQFUNC_OK;
  attempts->refused = true;
  return CURL_PREREQFUNC_ABORT;
}

struct HeaderState {
  std::optional<std::chrono::milliseconds> retry_after;
};

// Called once per header line, for every response (a 100 Continue included): only the last
// response's Retry-After counts.
std::size_t collect_header(char* data, std::size_t size, std::size_t n, void* out) {
  auto* state = static_cast<HeaderState*>(out);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) state->retry_after.reset();
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      match = c == kName[i];
    }
    if (match) {
      state->retry_after = parse_retry_after(line.substr(kName.size()), std::time(nullptr));
    }
  }
  return size * n;
}

// What the failure says about whether the server could have seen the request. Anything not
// known to be harmless counts as `broken`: for a POST, "maybe" must never become "no".
HttpResponse::Failure classify(CURLcode rc, long request_bytes_sent) {
  using Failure = HttpResponse::Failure;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:  // the TLS handshake failed: the request comes after it
      return Failure::not_sent;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_OUT_OF_MEMORY:
      return Failure::unusable;
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
      // Not one byte of this transfer's request left us (the connect or TLS handshake timed
      // out, or the first write failed): the server cannot have acted on it.
      if (request_bytes_sent == 0) return Failure::not_sent;
      return rc == CURLE_OPERATION_TIMEDOUT ? Failure::timeout : Failure::broken;
    case CURLE_ABORTED_BY_CALLBACK:
      // Only refuse_resend aborts: a POST went out on a reused connection that died without
      // a reply, and libcurl wanted to send it again. The server may have processed it.
      return Failure::broken;
    default:
      // CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2*, ...
      return Failure::broken;
  }
}

// The URL for logs: without any "user:password@" a user may have put in the base URL.
std::string loggable_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto host = scheme + 3;
  auto path = url.find('/', host);
  auto at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(const Credentials& creds, TransportOptions opts) : opts_(opts) {
    init_curl_once();
    // Built once and shared read-only by every handle. This list is the only place the
    // credentials live from here on; it is never logged.
    if (!creds.token.empty()) {
      append_header("Authorization: Bearer " + creds.token);
    } else if (!creds.email.empty() && !creds.key.empty()) {
      append_header("X-Auth-Email: " + creds.email);
      append_header("X-Auth-Key: " + creds.key);
    }
    append_header("Content-Type: application/json");
    append_header("Accept: application/json");
    // No "Expect: 100-continue" round trip before a body: our bodies are small.
    append_header("Expect:");
  }

  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
    curl_slist_free_all(headers_);
  }

  HttpResponse send(const HttpRequest& req) override {
    CURL* h = checkout();
    HttpResponse res;
    HeaderState headers;
    Attempts attempts;
    char error[CURL_ERROR_SIZE] = {0};
    configure(h, req, res.body, headers, attempts, error);

    auto start = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(h);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();

    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
      res.status = static_cast<int>(status);
      res.retry_after = headers.retry_after;
      spdlog::debug("{} {} → {} in {} ms", req.method, loggable_url(req.url), res.status, ms);
    } else {
      long sent = 0;
      curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
      res.failure = classify(rc, sent);
      res.failure_text = error[0] ? error : curl_easy_strerror(rc);
      if (attempts.refused) {
        res.failure_text = "the connection closed after the request went out, without a reply";
      }
      res.body.clear();
      spdlog::debug("{} {} → {} ({}) in {} ms", req.method, loggable_url(req.url),
                    failure_name(res.failure), res.failure_text, ms);
    }
    checkin(h);
    return res;
  }

 private:
  void append_header(const std::string& line) {
    curl_slist* next = curl_slist_append(headers_, line.c_str());
    if (!next) throw std::bad_alloc();
    headers_ = next;
  }

  void configure(CURL* h, const HttpRequest& req, std::string& body, HeaderState& headers,
                 Attempts& attempts, char* error) const {
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cforg/" CFORG_VERSION);
    // Signals are process-wide and we send from many threads; timeouts must not use SIGALRM.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(opts_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    // A connection idle this long is not reused: servers close idle keep-alive connections
    // (httplib after 5 s, many after 60 s), and a request sent into one being closed fails.
    curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, 4L);
    // Redirects are not followed: they would carry the credentials to wherever they point.
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &headers);

    if (req.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
      // List pages (up to 100 orgs) shrink several times over with gzip, which is cheap at
      // both ends; the small answers to mutations gain nothing. Not "every encoding libcurl
      // knows": that invites Brotli, which costs servers far more CPU.
      curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
    } else {
      if (req.method == "POST") {
        // Creates reuse keep-alive connections like every other request, but libcurl never
        // gets to send one twice (see refuse_resend).
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, refuse_resend);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, &attempts);
      } else {
        // PUT and DELETE are idempotent: libcurl may resend them, and so may we.
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      }
      if (req.method == "POST" || !req.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      }
    }
  }

  CURL* checkout() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (!h) throw std::runtime_error("curl_easy_init failed");
    return h;
  }

  void checkin(CURL* h) {
    // reset() drops this request's options, and with them the pointers into send()'s stack
    // frame, but keeps the handle's open connections: the point of pooling handles.
    curl_easy_reset(h);
    std::lock_guard lock(mu_);
    idle_.push_back(h);
  }

  TransportOptions opts_;
  curl_slist* headers_ = nullptr;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // a stack: the most recently used handle has the warmest connection
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(Credentials creds, TransportOptions opts) {
  return std::make_unique<CurlTransport>(creds, opts);
}

}  // namespace cforg::api
