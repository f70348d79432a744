// The typed client: URLs and bodies out, envelopes in, every request through the shared rate
// budget and the retry policy.
#include <spdlog/spdlog.h>

#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "cforg/api/client.h"

namespace cforg::api {
namespace {

using Failure = HttpResponse::Failure;

// Percent-escapes everything but RFC 3986's unreserved characters, so a value can go in a
// query string or a path segment as is.
std::string escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool succeeded(const HttpResponse& res) {
  return res.failure == Failure::none && res.status >= 200 && res.status < 300;
}

bool rate_limited(const HttpResponse& res) {
  return res.failure == Failure::none && res.status == 429;
}

// Whether the server may have carried out a request that ended like this. A GET changes
// nothing either way.
bool maybe_acted(const std::string& method, const HttpResponse& res) {
  if (method == "GET") return false;
  switch (res.failure) {
    case Failure::none:
      return res.status >= 500;
    case Failure::timeout:
    case Failure::broken:
      return true;
    case Failure::not_sent:
    case Failure::unusable:
      return false;
  }
  return true;
}

void collect_errors(const nlohmann::json& items, std::vector<ErrorItem>& out) {
  if (!items.is_array()) return;
  for (const auto& e : items) {
    if (!e.is_object()) continue;
    ErrorItem item;
    if (auto c = e.find("code"); c != e.end() && c->is_number_integer()) item.code = c->get<int>();
    if (auto m = e.find("message"); m != e.end() && m->is_string()) item.message = *m;
    out.push_back(std::move(item));
    // Cloudflare nests the underlying causes; they often carry the useful message.
    if (auto chain = e.find("error_chain"); chain != e.end()) collect_errors(*chain, out);
  }
}

// The start of a body that is not an envelope (a proxy's HTML page, say), on one line.
std::string snippet(const std::string& body) {
  constexpr std::size_t kMax = 120;
  std::string s = body.substr(0, kMax);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (body.size() > kMax) s += "…";
  return s;
}

std::string describe(const HttpResponse& res) {
  if (res.failure != Failure::none) {
    return std::string(failure_name(res.failure)) + " (" + res.failure_text + ")";
  }
  return "HTTP " + std::to_string(res.status);
}

ApiError protocol_error(std::string request, int status, std::string detail,
                        bool outcome_unknown = false) {
  ApiError e;
  e.outcome_unknown = outcome_unknown;
  e.kind = ApiError::Kind::protocol;
  e.status = status;
  e.detail = std::move(detail);
  e.request = std::move(request);
  return e;
}

}  // namespace

struct HttpClient::Impl {
  Impl(std::unique_ptr<Transport> t, ClientOptions o, ClientStats& s)
      : transport(std::move(t)), opts(std::move(o)), budget(opts.rate_limit), stats(s) {
    while (!opts.base_url.empty() && opts.base_url.back() == '/') opts.base_url.pop_back();
    rng.seed(opts.seed ? opts.seed : std::random_device{}());
  }

  std::uint64_t random() {
    std::lock_guard lock(rng_mu);
    return rng();
  }

  // One logical request: sent, and sent again while the policy allows. Returns the parsed
  // envelope of a successful response.
  Result<nlohmann::json> call(const std::string& method, const std::string& target,
                              const std::string& body = "") {
    const std::string request_line = method + " " + target;
    const HttpRequest req{method, opts.base_url + target, body};
    bool unknown = false;  // some attempt may have been carried out
    for (int attempt = 0;; ++attempt) {
      budget.acquire();
      ++stats.requests;
      ++stats.in_flight;
      HttpResponse res = transport->send(req);
      --stats.in_flight;
      budget.release();  // whatever happened: the server may have counted it

      unknown = unknown || maybe_acted(method, res);
      if (succeeded(res)) return parse_success(method, res, request_line);
      if (rate_limited(res)) ++stats.rate_limited;
      if (attempt >= opts.retry.max_retries || !RetryPolicy::retryable(method, res)) {
        return error_from(method, res, request_line, unknown, attempt);
      }

      auto delay = opts.retry.delay(attempt + 1, res, random());
      if (rate_limited(res)) {
        // The server's window is full for everyone using this credential, so every worker
        // waits, not just this one; our own retry goes through the same pause in acquire().
        budget.pause_until(Clock::now() + delay);
        ++stats.retries;
        spdlog::warn("{}: rate limited by the server; pausing all requests for {} ms", request_line,
                     delay.count());
      } else {
        ++stats.retries;
        spdlog::info("{}: {}; retry {} of {} in {} ms", request_line, describe(res), attempt + 1,
                     opts.retry.max_retries, delay.count());
        std::this_thread::sleep_for(delay);
      }
    }
  }

  // A 2xx means the server carried the request out, whatever its body says; when the body is
  // unusable a caller must not take a failed create as "nothing happened".
  static Result<nlohmann::json> parse_success(const std::string& method, const HttpResponse& res,
                                              const std::string& request_line) {
    const bool acted = method != "GET";
    auto body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      return protocol_error(request_line, res.status, "the body is not a JSON envelope", acted);
    }
    auto ok = body.find("success");
    if (ok != body.end() && ok->is_boolean() && !ok->get<bool>()) {
      // A 2xx that says it failed: report what it says rather than trusting the status.
      ApiError e;
      e.status = res.status;
      e.request = request_line;
      if (auto errs = body.find("errors"); errs != body.end()) collect_errors(*errs, e.errors);
      e.detail = "the envelope says success: false";
      e.outcome_unknown = acted;
      return e;
    }
    if (!body.contains("result")) {
      return protocol_error(request_line, res.status, "the envelope has no result", acted);
    }
    return body;
  }

  static ApiError error_from(const std::string& method, const HttpResponse& res,
                             const std::string& request_line, bool unknown, int retries) {
    ApiError e;
    e.request = request_line;
    e.outcome_unknown = unknown;
    if (res.failure != Failure::none) {
      e.kind = ApiError::Kind::transport;
      e.detail = describe(res);
    } else {
      e.kind = ApiError::Kind::http;
      e.status = res.status;
      auto body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_object()) {
        if (auto errs = body.find("errors"); errs != body.end()) collect_errors(*errs, e.errors);
      }
      // Not an envelope at all (a proxy's page, say): show its start instead.
      if (!body.is_object() && !res.body.empty()) e.detail = snippet(res.body);
    }
    if (retries > 0) {
      if (!e.detail.empty()) e.detail += ", ";
      e.detail += RetryPolicy::retryable(method, res) ? "gave up after " : "after ";
      e.detail += std::to_string(retries) + (retries == 1 ? " retry" : " retries");
    }
    return e;
  }

  Result<Organization> one_org(const std::string& method, const std::string& target,
                               const std::string& body = "") {
    auto r = call(method, target, body);
    if (!r) return r.error();
    try {
      return organization_from_json(std::move(r.value()["result"]));
    } catch (const std::exception& ex) {
      return protocol_error(method + " " + target, 200, ex.what(), method != "GET");
    }
  }

  static std::string org_path(const std::string& id) { return "/organizations/" + escape(id); }

  std::unique_ptr<Transport> transport;
  ClientOptions opts;
  RateBudget budget;
  ClientStats& stats;
  std::mutex rng_mu;
  std::mt19937_64 rng;
};

HttpClient::HttpClient(std::unique_ptr<Transport> transport, ClientOptions opts)
    : impl_(std::make_unique<Impl>(std::move(transport), std::move(opts), stats_)) {}

HttpClient::~HttpClient() = default;

Result<Organization> HttpClient::create(const OrgSpec& spec) {
  // Never repeated after an unknown outcome (the policy sees to that): a second POST would
  // make a second organization. The caller looks it up by name and parent instead.
  return impl_->one_org("POST", "/organizations", spec_to_json(spec).dump());
}

Result<Organization> HttpClient::get(const std::string& id) {
  if (id.empty()) return protocol_error("GET /organizations/", 0, "no organization id given");
  return impl_->one_org("GET", Impl::org_path(id));
}

Result<Organization> HttpClient::update(const std::string& id, const OrgSpec& spec) {
  if (id.empty()) return protocol_error("PUT /organizations/", 0, "no organization id given");
  return impl_->one_org("PUT", Impl::org_path(id), spec_to_json(spec).dump());
}

Result<Empty> HttpClient::remove(const std::string& id) {
  if (id.empty()) return protocol_error("DELETE /organizations/", 0, "no organization id given");
  auto r = impl_->call("DELETE", Impl::org_path(id));
  if (!r) return r.error();
  return Empty{};
}

Result<std::vector<Organization>> HttpClient::list(const ListQuery& query) {
  std::string filters;
  auto add = [&filters](std::string_view key, std::string_view value) {
    filters += filters.empty() ? '?' : '&';
    filters += key;
    filters += '=';
    filters += escape(value);
  };
  for (const auto& id : query.ids) add("id", id);
  if (query.parent_id) add("parent.id", query.parent_id->empty() ? "null" : *query.parent_id);
  if (!query.name_contains.empty()) add("name.contains", query.name_contains);
  add("page_size", std::to_string(std::clamp(query.page_size, 1, 1000)));

  std::vector<Organization> all;
  std::set<std::string> seen;  // every token followed so far
  std::string token;
  for (;;) {
    // Filters are repeated with every page: the token alone does not carry them.
    std::string target = "/organizations" + filters;
    if (!token.empty()) target += "&page_token=" + escape(token);
    auto r = impl_->call("GET", target);
    if (!r) return r.error();
    auto& body = r.value();
    auto& result = body["result"];
    if (!result.is_array()) return protocol_error("GET " + target, 200, "result is not a list");
    try {
      for (auto& o : result) all.push_back(organization_from_json(std::move(o)));
    } catch (const std::exception& ex) {
      return protocol_error("GET " + target, 200, ex.what());
    }

    // The contract does not settle the field's name: cursor first, next_page_token else.
    std::string next;
    if (auto info = body.find("result_info"); info != body.end() && info->is_object()) {
      for (const char* field : {"cursor", "next_page_token"}) {
        auto t = info->find(field);
        if (t != info->end() && t->is_string() && !t->get<std::string>().empty()) {
          next = *t;
          break;
        }
      }
    }
    if (next.empty()) return all;
    // A token seen before means the server is going round in circles. Stopping with what we
    // have would pass off a partial list as the whole, and a caller that plans from it would
    // create organizations that already exist: fail instead.
    if (!seen.insert(next).second) {
      return protocol_error("GET " + target, 200,
                            "the server sent page token \"" + next + "\" a second time");
    }
    token = std::move(next);
  }
}

}  // namespace cforg::api
