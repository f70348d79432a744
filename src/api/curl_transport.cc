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

// No answer of this API comes near this (a page of 1000 orgs with profiles is about 1 MB): a
// body beyond it is a broken or hostile server, and reading it whole would only take memory.
constexpr std::size_t kMaxBodyBytes = 16u << 20;
constexpr const char* kBodyTooLarge =
    "the response is larger than 16 MiB, far more than any answer of this API: not read further";

struct BodySink {
  std::string* body;
  bool too_large = false;
};

std::size_t collect_body(char* data, std::size_t size, std::size_t n, void* out) {
  auto* sink = static_cast<BodySink*>(out);
  if (sink->body->size() + size * n > kMaxBodyBytes) {
    sink->too_large = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, size * n);
  return size * n;
}

// libcurl silently sends a request again when a reused keep-alive connection turns out dead
// before the first byte of the reply ("Connection died, retrying a fresh connect"), yet the
// server may have processed the first copy: for a create, a second organization. Every
// attempt, the first included, starts by calling the pre-request callback on its connection;
// for a POST the second call is refused. The transfer then fails (CURLE_ABORTED_BY_CALLBACK),
// the outcome counts as unknown, and the executor looks the org up before it creates anything
// again. PUT and DELETE may be resent, but the response says so: a DELETE whose resend finds
// the org gone did delete it.
struct Attempts {
  int started = 0;
  bool refused = false;  // a resend was stopped
};

int count_attempt(void* in, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/,
                  int /*local_port*/) {
  ++static_cast<Attempts*>(in)->started;
  return CURL_PREREQFUNC_OK;
}

int refuse_resend(void* in, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/,
                  int /*local_port*/) {
  auto* attempts = static_cast<Attempts*>(in);
  if (++attempts->started == 1) return CURL_PREREQFUNC_OK;
  attempts->refused = true;
  return CURL_PREREQFUNC_ABORT;
}

// The value of response header `name` of the last response of this transfer (not of a 100
// Continue or a redirect before it), through libcurl's header API; nullopt when absent. With
// several headers of that name, the last one.
std::optional<std::string> header(CURL* h, const char* name) {
  curl_header* out = nullptr;
  std::size_t count = 0;
  if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &out) != CURLHE_OK || !out) {
    return std::nullopt;
  }
  count = out->amount;
  if (count > 1 && curl_easy_header(h, name, count - 1, CURLH_HEADER, -1, &out) != CURLHE_OK) {
    return std::nullopt;
  }
  return std::string(out->value ? out->value : "");
}

void read_headers(CURL* h, HttpResponse& res) {
  const std::time_t now = std::time(nullptr);
  if (auto v = header(h, "Retry-After")) {
    res.retry_after = parse_retry_after(*v, now);
    res.retry_after_text = v->substr(0, 64);
  }
  RateLimitHeaders rl;
  rl.ratelimit = header(h, "Ratelimit");
  rl.ratelimit_policy = header(h, "Ratelimit-Policy");
  rl.x_limit = header(h, "X-Ratelimit-Limit");
  rl.x_remaining = header(h, "X-Ratelimit-Remaining");
  rl.x_reset = header(h, "X-Ratelimit-Reset");
  res.rate_limit = parse_rate_limit_headers(rl, now);
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
  CurlTransport(const Credentials& creds, TransportOptions opts)
      : opts_(opts), scheme_(creds.scheme()) {
    init_curl_once();
    // Built once and shared read-only by every handle. These lists are the only place the
    // credentials live from here on; they are never logged. With both schemes configured the
    // global key goes out: the spec lists only it for everything but the list.
    for (std::string accept : {"application/json", "*/*"}) {
      curl_slist*& list = accept == "*/*" ? any_headers_ : json_headers_;
      if (scheme_ == AuthScheme::global_key) {
        append_header(list, "X-Auth-Email: " + creds.email);
        append_header(list, "X-Auth-Key: " + creds.key);
      } else if (scheme_ == AuthScheme::token) {
        append_header(list, "Authorization: Bearer " + creds.token);
      }
      append_header(list, "Content-Type: application/json");
      append_header(list, "Accept: " + accept);
      // No "Expect: 100-continue" round trip before a body: our bodies are small.
      append_header(list, "Expect:");
    }
  }

  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
    curl_slist_free_all(json_headers_);
    curl_slist_free_all(any_headers_);
  }

  AuthScheme auth_scheme() const override { return scheme_; }

  HttpResponse send(const HttpRequest& req) override {
    CURL* h = checkout();
    HttpResponse res;
    Attempts attempts;
    char error[CURL_ERROR_SIZE] = {0};
    BodySink sink{&res.body};
    configure(h, req, sink, attempts, error);

    auto start = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(h);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();

    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
      res.status = static_cast<int>(status);
      res.resent = attempts.started > 1;
      read_headers(h, res);
      spdlog::debug("{} {} → {} in {} ms", req.method, loggable_url(req.url), res.status, ms);
    } else {
      long sent = 0;
      curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
      res.failure = classify(rc, sent);
      res.failure_text = error[0] ? error : curl_easy_strerror(rc);
      if (attempts.refused) {
        res.failure_text = "the connection closed after the request went out, without a reply";
      }
      if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) res.failure_text = kBodyTooLarge;
      res.body.clear();
      spdlog::debug("{} {} → {} ({}) in {} ms", req.method, loggable_url(req.url),
                    failure_name(res.failure), res.failure_text, ms);
    }
    checkin(h);
    return res;
  }

 private:
  static void append_header(curl_slist*& list, const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) throw std::bad_alloc();
    list = next;
  }

  void configure(CURL* h, const HttpRequest& req, BodySink& body, Attempts& attempts,
                 char* error) const {
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, req.accept_any ? any_headers_ : json_headers_);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cforg/" CFORG_VERSION);
    // Signals are process-wide and we send from many threads; timeouts must not use SIGALRM.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(opts_.connect_timeout.count()));
    if (!opts_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, opts_.ca_bundle.c_str());
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
    // A Content-Length beyond the cap fails before the body is read.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBodyBytes));

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
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, count_attempt);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, &attempts);
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
  AuthScheme scheme_;
  curl_slist* json_headers_ = nullptr;  // Accept: application/json
  curl_slist* any_headers_ = nullptr;   // Accept: */*
  std::mutex mu_;
  std::vector<CURL*> idle_;  // a stack: the most recently used handle has the warmest connection
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(Credentials creds, TransportOptions opts) {
  return std::make_unique<CurlTransport>(creds, opts);
}

}  // namespace cforg::api
