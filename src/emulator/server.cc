#include "server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "consistency.h"
#include "credentials.h"
#include "error_codes.h"
#include "fault_effects.h"
#include "faults.h"
#include "handlers.h"
#include "rate_limiter.h"
#include "responses.h"
#include "routes.h"
#include "sockets.h"
#include "stats.h"
#include "store.h"

namespace cforg::emulator {
namespace {

// For log lines: the path is percent-decoded and may hold newlines or escape sequences.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// The answer to httplib's own refusals (malformed request, body too large, unsupported method),
// which come before routing with only a status.
ApiError refusal_of(const httplib::Request& req, int status) {
  if (status == 404) return route_not_found(req.path);
  if (status == 413) {
    return {status, code::kRequestRejected, "request body too large (the limit is 1 MiB)", ""};
  }
  if (status == 400 && !known_method(req.method) && !req.method.empty()) {
    // httplib refuses methods it does not know (TRACE, CONNECT, ...) before routing.
    return {405, code::kMethodNotAllowed, "Method " + req.method + " is not allowed", ""};
  }
  if (status == 400 && (req.method == "POST" || req.method == "PUT") &&
      !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
    // httplib refuses a POST/PUT with no Content-Length before routing: the body is missing.
    return {400, code::kBodyNotJson,
            "request body is missing: send a JSON object (with a Content-Length)", ""};
  }
  return {status, code::kRequestRejected, "request rejected: HTTP " + std::to_string(status), ""};
}

// The organization a request names: its route's, a POST body's parent.id, or a move's
// destination_organization_id.
std::string named_organization(const Route& route, const std::string& method,
                               const Outcome<Json>* body) {
  if (route.kind == RouteKind::kCollection && method == "POST" && body && body->ok()) {
    auto parent = body->value().find("parent");
    if (parent != body->value().end() && parent->is_object()) {
      auto id = parent->find("id");
      if (id != parent->end() && id->is_string()) return id->get<std::string>();
    }
  }
  if (route.kind == RouteKind::kAccountMove && body && body->ok()) {
    auto id = body->value().find("destination_organization_id");
    if (id != body->value().end() && id->is_string()) return id->get<std::string>();
  }
  return route.id;
}

}  // namespace

struct Server::Impl {
  Impl(const Options& o, Clocks c)
      : options(o),
        clocks(std::move(c)),
        store(o.faults.seed, clocks.wall, o.store),
        faults(o.faults),
        limiter(o.rate_limit),
        consistency(std::chrono::milliseconds(o.consistency_ms)) {}

  void configure();
  void handle(const httplib::Request& req, httplib::Response& res);
  // `rate`: set to the credential's rate-limit state when the request went through the limiter.
  void serve_api(const httplib::Request& req, httplib::Response& res,
                 std::optional<RateStatus>& rate);
  // The checks before a handler, in the order docs/EMULATOR.md gives; false when one answered.
  bool passes_checks(const Route& route, const httplib::Request& req, const Outcome<Json>* body,
                     httplib::Response& res, std::optional<RateStatus>& rate);
  void serve_internal(const httplib::Request& req, httplib::Response& res);
  void serve_spend(const httplib::Request& req, httplib::Response& res);
  void dispatch(const Route& route, const httplib::Request& req, const Outcome<Json>* body,
                httplib::Response& res);
  void set_rate_headers(httplib::Response& res, const RateStatus& rate) const {
    emulator::set_rate_headers(res, rate, options.ratelimit_headers, limiter.limit().window);
  }

  Options options;
  Clocks clocks;
  Store store;
  Faults faults;
  RateLimiter limiter;
  ConsistencyWindow consistency;
  Stats stats;
  HttpServer http;
  HandlerContext api{store, consistency, options, clocks};
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
  // One catch-all per method: the emulator routes by itself (routes.h).
  // ("[\s\S]*" rather than ".*": a decoded path may contain a newline, which '.' skips.)
  const std::string any_path = R"([\s\S]*)";
  http.Get(any_path, handler);
  http.Post(any_path, handler);
  http.Put(any_path, handler);
  http.Delete(any_path, handler);
  http.Patch(any_path, handler);
  http.Options(any_path, handler);

  // httplib's own refusals still get an envelope. Responses the handlers wrote already have a
  // body and are left alone.
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply_error(res, refusal_of(req, res.status));
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
      auto credential = credential_of(req, options);
      rate = limiter.peek(credential ? credential->digest : "", clocks.steady());
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

void Server::Impl::serve_internal(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/__emulator/stats" && (req.method == "GET" || req.method == "HEAD")) {
    reply(res, 200, stats.to_json(store.size()));
    return;
  }
  if (req.path == "/__emulator/accounts" && (req.method == "GET" || req.method == "HEAD")) {
    // Test hook: the seeded estate and where each account sits (organization_id null: none).
    reply(res, 200, {{"accounts", store.all_accounts()}});
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
  auto credential = credential_of(req, options);
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
  RateStatus rate = limiter.spend(credential->digest, count, clocks.steady());
  stats.count_spent(count);
  set_rate_headers(res, rate);
  reply(res, 200,
        {{"spent", count},
         {"rate_limit",
          {{"limit", rate.limit}, {"remaining", rate.remaining}, {"reset", rate.reset}}}});
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

  Route route = resolve(req.path, options.members_batch_create);
  if (!passes_checks(route, req, body ? &*body : nullptr, res, rate)) return;
  if (fate.fail_status) {
    stats.count_failed();
    reply_injected_failure(res, fate.fail_status);
    return;
  }

  dispatch(route, req, body ? &*body : nullptr, res);

  bool committed = res.status >= 200 && res.status < 300 && method != "GET" && method != "HEAD";
  if (committed) make_ambiguous(fate.ambiguity, req, res, stats);
}

bool Server::Impl::passes_checks(const Route& route, const httplib::Request& req,
                                 const Outcome<Json>* body, httplib::Response& res,
                                 std::optional<RateStatus>& rate) {
  const std::string& method = req.method;
  if (route.kind == RouteKind::kNone) {
    reply_error(res, route_not_found(req.path));
    return false;
  }
  if (!method_allowed(route, method)) {
    res.set_header("Allow", route.allowed);
    reply_error(res, {405, code::kMethodNotAllowed,
                      "Method " + method + " is not allowed for " + req.path +
                          " (allowed: " + route.allowed + ")",
                      ""});
    return false;
  }

  // Published security: only the list takes an API token; everything else needs the global key.
  bool is_list = route.kind == RouteKind::kCollection && (method == "GET" || method == "HEAD");
  bool key_only = options.auth == AuthMode::kStrict && !is_list;
  std::optional<Credential> credential = key_only ? std::nullopt : bearer_of(req, options);
  if (!credential) credential = global_key_of(req, options);
  if (!credential) {
    if (key_only && bearer_of(req, options)) {
      stats.count_token_refused();
      reply_error(res, {403, code::kAuthentication,
                        "Authentication error: " + method + " " + req.path +
                            " requires the global API key (X-Auth-Email and X-Auth-Key); API "
                            "tokens are accepted only by GET /organizations",
                        ""});
      return false;
    }
    reply_error(res, {403, code::kAuthentication, "Authentication error", ""});
    return false;
  }
  Admission admission = limiter.admit(credential->digest, clocks.steady());
  if (limiter.enabled()) rate = admission.status;
  if (!admission.admitted) {
    stats.count_rate_limited(admission.blocked);
    res.set_header("Retry-After", std::to_string(admission.retry_after));
    reply_error(res, {429, code::kRateLimited,
                      "Please wait and consider throttling your request speed", ""});
    return false;
  }

  // The post-create window: a request that names a young organization gets a 403.
  if (consistency.enabled()) {
    std::string named = named_organization(route, method, body);
    if (!named.empty() && consistency.young(named, clocks.steady())) {
      stats.count_post_create_403(method);
      reply_error(res, {403, code::kAuthentication, "Authentication error", ""});
      return false;
    }
  }
  return true;
}

void Server::Impl::dispatch(const Route& route, const httplib::Request& req,
                            const Outcome<Json>* body, httplib::Response& res) {
  const std::string& method = req.method;
  if (route.kind == RouteKind::kAccountsMove) return move_accounts(res);  // whatever the body
  if (body && !body->ok()) {
    reply_error(res, body->error());
    return;
  }
  bool is_get = method == "GET" || method == "HEAD";
  switch (route.kind) {
    case RouteKind::kCollection:
      if (is_get) return list_organizations(api, req, res);
      return create_organization(api, body->value(), res);
    case RouteKind::kOrganization:
      if (is_get) return get_organization(api, route.id, res);
      if (method == "PUT") return update_organization(api, route.id, body->value(), res);
      return delete_organization(api, route.id, res);
    case RouteKind::kProfile:
      if (is_get) return get_profile(api, route.id, res);
      return put_profile(api, route.id, body->value(), res);
    case RouteKind::kMembers:
      if (is_get) return list_members(api, route.id, req, res);
      return create_member(api, route.id, body->value(), res);
    case RouteKind::kMember:
      if (is_get) return get_member(api, route.id, route.sub_id, res);
      return delete_member(api, route.id, route.sub_id, res);
    case RouteKind::kMembersBatch:
      return create_members(api, route.id, body->value(), res);
    case RouteKind::kAccounts:
      return list_accounts(api, route.id, req, res);
    case RouteKind::kAccountMove:
      return move_account(api, route.sub_id, body->value(), res);
    case RouteKind::kAccountsMove:
    case RouteKind::kNone:
      break;
  }
}

Server::Server(const Options& options, Clocks clocks)
    : impl_(std::make_unique<Impl>(options, std::move(clocks))) {
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
