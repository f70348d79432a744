#include "server.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "consistency.h"
#include "error_codes.h"
#include "faults.h"
#include "hashing.h"
#include "list_query.h"
#include "rate_limiter.h"
#include "stats.h"
#include "store.h"

namespace cforg::emulator {
namespace {

constexpr std::string_view kApiPrefix = "/client/v4";
constexpr std::string_view kCollection = "/client/v4/organizations";
constexpr std::string_view kInternalPrefix = "/__emulator/";
constexpr const char* kJson = "application/json";

// httplib::Server with a deeper accept queue. The Debian build of httplib listens with a backlog
// of 5 (CPPHTTPLIB_LISTEN_BACKLOG is compiled into the shared library), so a burst of 16 clients
// connecting at once can overflow it and see SYN retransmits (a one-second stall). listen() on an
// already listening socket just updates the backlog, and svr_sock_ is protected for subclasses.
class HttpServer : public httplib::Server {
 public:
  void widen_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

// The port of a socket address, IPv4 or IPv6.
int port_of(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// The server's socket for the connection `req` came on, or -1. httplib does not hand it to
// handlers, so it is found among this process's descriptors by the two ends' ports. Only the
// reset fault needs it, and that is rare.
int connection_socket(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (dirent* entry = ::readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    sockaddr_storage peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (fd <= 2 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
      continue;
    }
    if (port_of(peer) == req.remote_port && port_of(local) == req.local_port) {
      found = fd;
      break;
    }
  }
  ::closedir(dir);
  return found;
}

Json error_item(const ApiError& error) {
  Json item = {{"code", error.code}, {"message", error.message}};
  if (!error.pointer.empty()) item["source"] = {{"pointer", error.pointer}};
  return item;
}

Json envelope_error(const ApiError& error) {
  return {{"success", false},
          {"errors", Json::array({error_item(error)})},
          {"messages", Json::array()},
          {"result", nullptr}};
}

Json envelope_ok(Json result) {
  return {{"success", true},
          {"errors", Json::array()},
          {"messages", Json::array()},
          {"result", std::move(result)}};
}

// Never throws: ids in messages come from the URL and may not be valid UTF-8.
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void reply(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump(body), kJson);
}

void reply_error(httplib::Response& res, const ApiError& error) {
  reply(res, error.status, envelope_error(error));
}

// Constant-time comparison, so the emulator does not teach clients timing attacks by example.
bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;  // the length is not the secret
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  }
  return diff == 0;
}

// For log lines: the path is percent-decoded and may hold newlines or escape sequences.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// The rate limiter keys callers by a digest of their credential, so no secret is kept around.
std::string credential_digest(std::string_view scheme, std::string_view a, std::string_view b) {
  return hex64(Hasher(0x63726564ULL).add(scheme).add(a).add(b).value());
}

bool known_method(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == m) return true;
  }
  return false;
}

enum class RouteKind { kNone, kCollection, kOrganization, kProfile };

struct Route {
  RouteKind kind = RouteKind::kNone;
  std::string id;
  const char* allowed = "";  // for 405 and the Allow header
};

Route resolve(std::string_view path) {
  if (path == kCollection) return {RouteKind::kCollection, "", "GET, POST"};
  if (path.size() <= kCollection.size() + 1 || path.substr(0, kCollection.size()) != kCollection ||
      path[kCollection.size()] != '/') {
    return {};
  }
  std::string_view rest = path.substr(kCollection.size() + 1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return {RouteKind::kOrganization, std::string(rest), "GET, PUT, DELETE"};
  }
  if (slash > 0 && rest.substr(slash) == "/profile") {
    return {RouteKind::kProfile, std::string(rest.substr(0, slash)), "GET, PUT"};
  }
  return {};
}

bool method_allowed(const Route& route, std::string_view method) {
  std::string_view allowed = route.allowed;
  if (method == "HEAD") method = "GET";  // httplib serves HEAD through the GET handlers
  size_t at = 0;
  while (at < allowed.size()) {
    size_t comma = allowed.find(", ", at);
    std::string_view one = allowed.substr(at, comma == std::string_view::npos ? comma : comma - at);
    if (one == method) return true;
    if (comma == std::string_view::npos) break;
    at = comma + 2;
  }
  return false;
}

}  // namespace

// A credential a request presented and the emulator accepts.
struct Credential {
  enum class Scheme { kBearer, kGlobalKey } scheme;
  std::string digest;  // the rate limiter's key: a hash, so no secret is kept around
};

struct Server::Impl {
  explicit Impl(const Options& o)
      : options(o),
        store(o.faults.seed, std::chrono::system_clock::now, o.store),
        faults(o.faults),
        limiter(o.rate_limit),
        consistency(std::chrono::milliseconds(o.consistency_ms)) {}

  void configure();
  void handle(const httplib::Request& req, httplib::Response& res);
  // `rate`: set to the credential's rate-limit state when the request went through the limiter.
  void serve_api(const httplib::Request& req, httplib::Response& res,
                 std::optional<RateStatus>& rate);
  void serve_internal(const httplib::Request& req, httplib::Response& res);
  void serve_spend(const httplib::Request& req, httplib::Response& res);
  // The accepted credentials the request carries: a valid bearer token, a valid email+key pair.
  std::optional<Credential> bearer_of(const httplib::Request& req) const;
  std::optional<Credential> global_key_of(const httplib::Request& req) const;
  void set_rate_headers(httplib::Response& res, const RateStatus& rate) const;
  void dispatch(const Route& route, const httplib::Request& req, const Outcome<Json>* body,
                httplib::Response& res);
  void reply_list(const httplib::Request& req, httplib::Response& res);

  Options options;
  Store store;
  Faults faults;
  RateLimiter limiter;
  ConsistencyWindow consistency;
  Stats stats;
  HttpServer http;
};
void Server::Impl::configure() {
  size_t threads = options.threads;
  // One worker per keep-alive connection: a connection holds its thread until it closes.
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle stalls
  // Keep connections as long as clients want (httplib's default closes one every 5 requests).
  http.set_keep_alive_max_count(1000000);
  http.set_keep_alive_timeout(5);
  http.set_payload_max_length(1 << 20);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  // One catch-all per method: the emulator routes by itself so that an unknown path is a 404
  // and a known path with the wrong method a 405, both with Cloudflare's envelope.
  // ("[\s\S]*" rather than ".*": a decoded path may contain a newline, which '.' skips.)
  const std::string any_path = R"([\s\S]*)";
  http.Get(any_path, handler);
  http.Post(any_path, handler);
  http.Put(any_path, handler);
  http.Delete(any_path, handler);
  http.Patch(any_path, handler);
  http.Options(any_path, handler);

  // httplib's own refusals (malformed request, body too large, unsupported method) still get
  // an envelope. Responses the handlers wrote already have a body and are left alone.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                 httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    ApiError error{res.status, code::kRequestRejected,
                   "request rejected: HTTP " + std::to_string(res.status), ""};
    if (res.status == 404) {
      error = {404, code::kRouteNotFound,
               "Could not route to " + req.path + ", perhaps your object identifier is invalid?",
               ""};
    } else if (res.status == 413) {
      error.message = "request body too large (the limit is 1 MiB)";
    } else if (res.status == 400 && !known_method(req.method) && !req.method.empty()) {
      // httplib refuses methods it does not know (TRACE, CONNECT, ...) before routing.
      error = {405, code::kMethodNotAllowed, "Method " + req.method + " is not allowed", ""};
    } else if (res.status == 400 && (req.method == "POST" || req.method == "PUT") &&
               !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      // httplib refuses a POST/PUT with no Content-Length before routing: the body is missing.
      error = {400, code::kBodyNotJson,
               "request body is missing: send a JSON object (with a Content-Length)", ""};
    }
    reply_error(res, error);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        reply_error(res, {500, code::kInternalError, "emulator error: " + what, ""});
      });
}

void Server::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  if (std::string_view(req.path).substr(0, kInternalPrefix.size()) == kInternalPrefix) {
    serve_internal(req, res);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  stats.begin(req.method);
  std::optional<RateStatus> rate;
  serve_api(req, res, rate);
  if (limiter.enabled()) {
    // Every response carries the headers, also those refused before the limiter (404, 403):
    // they then show the presented credential's state, untouched by this request.
    if (!rate) {
      auto credential = bearer_of(req);
      if (!credential) credential = global_key_of(req);
      rate = limiter.peek(credential ? credential->digest : "");
    }
    set_rate_headers(res, *rate);
  }
  stats.end(res.status);
  if (options.verbose) {
    // Method, path and status only: headers carry credentials and are never printed.
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
    std::fprintf(stderr, "%s %s -> %d (%.1f ms)\n", printable(req.method).c_str(),
                 printable(req.path).c_str(), res.status, static_cast<double>(micros) / 1000.0);
  }
}

void Server::Impl::set_rate_headers(httplib::Response& res, const RateStatus& rate) const {
  RateLimitHeaders kind = options.ratelimit_headers;
  if (kind == RateLimitHeaders::kModern || kind == RateLimitHeaders::kBoth) {
    // As Cloudflare's API changelog of 2025-09 shows them: "default";r=50;t=30.
    res.set_header("Ratelimit", "\"default\";r=" + std::to_string(rate.remaining) +
                                    ";t=" + std::to_string(rate.reset));
    res.set_header("Ratelimit-Policy", "\"default\";q=" + std::to_string(rate.limit) + ";w=" +
                                           std::to_string(ceil_seconds(limiter.limit().window)));
  }
  if (kind == RateLimitHeaders::kLegacy || kind == RateLimitHeaders::kBoth) {
    res.set_header("x-ratelimit-limit", std::to_string(rate.limit));
    res.set_header("x-ratelimit-remaining", std::to_string(rate.remaining));
    res.set_header("x-ratelimit-reset", std::to_string(rate.reset));
  }
}

void Server::Impl::serve_internal(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/__emulator/stats" && (req.method == "GET" || req.method == "HEAD")) {
    reply(res, 200, stats.to_json(store.size()));
    return;
  }
  if (req.path == "/__emulator/spend" && req.method == "POST") {
    serve_spend(req, res);
    return;
  }
  reply_error(res, {404, code::kRouteNotFound, "Could not route to " + req.path, ""});
}

// POST /__emulator/spend?count=N, with a credential's headers: N requests of that credential's
// budget are spent at once, as if another client (a CI job, the dashboard) had sent them. No
// rate-limit check applies to the hook itself, and it is not counted as an API request.
void Server::Impl::serve_spend(const httplib::Request& req, httplib::Response& res) {
  auto credential = bearer_of(req);
  if (!credential) credential = global_key_of(req);
  if (!credential) {
    reply_error(res, {403, code::kAuthentication,
                      "Authentication error: send the headers of the credential whose budget "
                      "to spend",
                      ""});
    return;
  }
  std::string text = req.get_param_value("count");
  uint64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || count > 100000000) {
    reply_error(res, {400, code::kHookInvalid,
                      "count must be an integer from 0 to 100000000, got '" + text + "'", ""});
    return;
  }
  if (!limiter.enabled()) {
    reply(res, 200, {{"spent", 0}, {"rate_limit", nullptr}});
    return;
  }
  RateStatus rate = limiter.spend(credential->digest, count);
  stats.count_spent(count);
  set_rate_headers(res, rate);
  reply(res, 200,
        {{"spent", count},
         {"rate_limit",
          {{"limit", rate.limit}, {"remaining", rate.remaining}, {"reset", rate.reset}}}});
}

std::optional<Credential> Server::Impl::bearer_of(const httplib::Request& req) const {
  bool open = options.token.empty() && options.email.empty() && options.key.empty();
  std::string authorization = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() > kBearer.size() &&
      ascii_lower(authorization.substr(0, kBearer.size())) == kBearer) {
    std::string_view token = std::string_view(authorization).substr(kBearer.size());
    if (open || (!options.token.empty() && same_secret(token, options.token))) {
      return Credential{Credential::Scheme::kBearer, credential_digest("bearer", token, "")};
    }
  }
  return std::nullopt;
}

std::optional<Credential> Server::Impl::global_key_of(const httplib::Request& req) const {
  bool open = options.token.empty() && options.email.empty() && options.key.empty();
  std::string email = req.get_header_value("X-Auth-Email");
  std::string key = req.get_header_value("X-Auth-Key");
  if (!email.empty() && !key.empty()) {
    bool configured = !options.email.empty() || !options.key.empty();
    if (open ||
        (configured && same_secret(email, options.email) && same_secret(key, options.key))) {
      return Credential{Credential::Scheme::kGlobalKey, credential_digest("key", email, key)};
    }
  }
  return std::nullopt;
}

void Server::Impl::serve_api(const httplib::Request& req, httplib::Response& res,
                             std::optional<RateStatus>& rate) {
  const std::string& method = req.method;
  bool has_body = method == "POST" || method == "PUT";
  std::optional<Outcome<Json>> body;
  std::string_view name;
  if (has_body) {
    body = parse_json_object(req.body);
    if (body->ok()) {
      auto it = body->value().find("name");
      if (it != body->value().end() && it->is_string()) name = it->get_ref<const std::string&>();
    }
  }

  FaultDecision fate = faults.inert() ? FaultDecision{} : faults.decide(method, req.path, name);
  if (fate.delay.count() > 0) std::this_thread::sleep_for(fate.delay);

  Route route = resolve(req.path);
  if (route.kind == RouteKind::kNone) {
    reply_error(
        res,
        {404, code::kRouteNotFound,
         "Could not route to " + req.path + ", perhaps your object identifier is invalid?", ""});
    return;
  }
  if (!method_allowed(route, method)) {
    res.set_header("Allow", route.allowed);
    reply_error(res, {405, code::kMethodNotAllowed,
                      "Method " + method + " is not allowed for " + req.path +
                          " (allowed: " + route.allowed + ")",
                      ""});
    return;
  }

  // Published security: only the list takes an API token; everything else needs the global key.
  bool is_list = route.kind == RouteKind::kCollection && (method == "GET" || method == "HEAD");
  bool key_only = options.auth == AuthMode::kStrict && !is_list;
  std::optional<Credential> credential = key_only ? std::nullopt : bearer_of(req);
  if (!credential) credential = global_key_of(req);
  if (!credential) {
    if (key_only && bearer_of(req)) {
      stats.count_token_refused();
      reply_error(res, {403, code::kAuthentication,
                        "Authentication error: " + method + " " + req.path +
                            " requires the global API key (X-Auth-Email and X-Auth-Key); API "
                            "tokens are accepted only by GET /organizations",
                        ""});
      return;
    }
    reply_error(res, {403, code::kAuthentication, "Authentication error", ""});
    return;
  }
  Admission admission = limiter.admit(credential->digest);
  if (limiter.enabled()) rate = admission.status;
  if (!admission.admitted) {
    stats.count_rate_limited(admission.blocked);
    res.set_header("Retry-After", std::to_string(admission.retry_after));
    reply_error(res, {429, code::kRateLimited,
                      "Please wait and consider throttling your request speed", ""});
    return;
  }

  // The post-create window: a request that names a young organization gets a 403.
  if (consistency.enabled()) {
    std::string named = route.id;
    if (route.kind == RouteKind::kCollection && method == "POST" && body && body->ok()) {
      auto parent = body->value().find("parent");
      if (parent != body->value().end() && parent->is_object()) {
        auto id = parent->find("id");
        if (id != parent->end() && id->is_string()) named = id->get<std::string>();
      }
    }
    if (!named.empty() && consistency.young(named)) {
      stats.count_post_create_403(method);
      reply_error(res, {403, code::kAuthentication, "Authentication error", ""});
      return;
    }
  }

  if (fate.fail_status) {
    stats.count_failed();
    bool unavailable = fate.fail_status == 503;
    reply_error(res,
                {fate.fail_status, unavailable ? code::kServiceUnavailable : code::kInternalError,
                 unavailable ? "Service temporarily unavailable (emulated fault)"
                             : "Internal server error (emulated fault)",
                 ""});
    return;
  }

  dispatch(route, req, body ? &*body : nullptr, res);

  bool committed = res.status >= 200 && res.status < 300 && method != "GET" && method != "HEAD";
  if (!committed || fate.ambiguity == Ambiguity::kNone) return;
  if (fate.ambiguity == Ambiguity::kReset) {
    // The change is committed; the connection closes before a byte of the answer, as when a
    // proxy loses it. httplib's write of the answer then fails and it closes the socket.
    if (int fd = connection_socket(req); fd >= 0) {
      stats.count_ambiguous(Ambiguity::kReset);
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
    fate.ambiguity = Ambiguity::kDrop;  // not found (never seen): still cut, mid-body
  }
  if (fate.ambiguity == Ambiguity::kDrop && res.body.empty()) {
    fate.ambiguity = Ambiguity::kBadGateway;  // a 204 has no body to cut
  }
  stats.count_ambiguous(fate.ambiguity);
  if (fate.ambiguity == Ambiguity::kBadGateway) {
    reply_error(res, {502, code::kBadGateway, "Bad gateway (emulated fault)", ""});
    return;
  }
  // The change is committed; now promise the whole success body (Content-Length) and close the
  // connection halfway through it. A client sees a truncated response (curl: "transfer closed
  // with N bytes remaining"), the nearest thing to a connection lost after the server acted.
  auto text = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  res.set_content_provider(
      text->size(), kJson, [text](size_t offset, size_t, httplib::DataSink& sink) {
        size_t half = text->size() / 2;
        if (offset < half) sink.write(text->data() + offset, half - offset);
        return false;  // httplib then closes the connection without sending the rest
      });
}

void Server::Impl::dispatch(const Route& route, const httplib::Request& req,
                            const Outcome<Json>* body, httplib::Response& res) {
  const std::string& method = req.method;
  if (body && !body->ok()) {
    reply_error(res, body->error());
    return;
  }
  auto finish = [&res](const Outcome<Json>& outcome) {
    if (outcome.ok()) {
      reply(res, 200, envelope_ok(outcome.value()));
    } else {
      reply_error(res, outcome.error());
    }
  };
  auto no_content = [&res](const Outcome<Json>& outcome) {
    if (!outcome.ok()) return reply_error(res, outcome.error());
    res.status = 204;  // no body, no Content-Type: the SDKs send Accept: */* and read nothing
  };
  bool is_get = method == "GET" || method == "HEAD";
  switch (route.kind) {
    case RouteKind::kCollection: {
      if (is_get) return reply_list(req, res);
      auto created = store.create(body->value());
      if (created.ok()) consistency.created(created.value()["id"].get<std::string>());
      return finish(created);
    }
    case RouteKind::kOrganization:
      if (is_get) return finish(store.get(route.id));
      if (method == "PUT") return finish(store.update(route.id, body->value()));
      if (options.delete_response == DeleteResponse::kEmpty) {
        return no_content(store.remove(route.id));
      }
      return finish(store.remove(route.id));
    case RouteKind::kProfile:
      if (is_get) {
        auto profile = store.get_profile(route.id);
        if (profile.ok() && profile.value().is_null() &&
            options.profile_missing == ProfileMissing::k404) {
          return reply_error(res, {404, code::kProfileNotFound,
                                   "organization '" + route.id + "' has no profile", ""});
        }
        return finish(profile);
      }
      return no_content(store.put_profile(route.id, body->value()));
    case RouteKind::kNone:
      break;
  }
}

void Server::Impl::reply_list(const httplib::Request& req, httplib::Response& res) {
  auto query = parse_list_query(req.params, options.max_page_size, options.clamp_page_size);
  if (auto* error = std::get_if<ApiError>(&query)) return reply_error(res, *error);
  auto page = store.list(std::get<ListQuery>(query));
  if (!page.ok()) return reply_error(res, page.error());
  ListPage& p = page.value();
  Json info = Json::object();
  if (options.pagination == Pagination::kCursor) {
    // The generic Cloudflare shape, the older reading of this API.
    info = {{"page", p.page},
            {"per_page", p.per_page},
            {"count", p.items.size()},
            {"total_count", p.total_count},
            {"cursor", p.next_token}};
  } else if (!p.next_token.empty()) {
    info["next_page_token"] = p.next_token;  // "The API omits next_page_token to indicate no
  }                                          // more items."
  info["total_size"] = p.total_count;
  Json body = envelope_ok(std::move(p.items));
  body["result_info"] = std::move(info);
  reply(res, 200, body);
}

Server::Server(const Options& options) : impl_(std::make_unique<Impl>(options)) {
  impl_->configure();
}

Server::~Server() = default;

int Server::bind() {
  const Options& o = impl_->options;
  int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host)
                         : (impl_->http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port > 0) impl_->http.widen_backlog(SOMAXCONN);
  return port;
}

bool Server::run() {
  return impl_->http.listen_after_bind();
}

void Server::stop() {
  impl_->http.stop();
}

int64_t Server::in_flight() const {
  return impl_->stats.in_flight();
}

}  // namespace cforg::emulator
