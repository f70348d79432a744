// The typed client: URLs and bodies out, envelopes in, every request through the shared rate
// budget and the retry policy.
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "cforg/api/client.h"
#include "cforg/model/ascii.h"
#include "response_text.h"

namespace cforg::api {
namespace {

using namespace std::chrono_literals;
using Failure = HttpResponse::Failure;

// The page sizes a list asks for, largest first: the API's maximum is not published.
constexpr int kPageSizes[] = {1000, 500, 100, 50, 10};
// Without total_size, a list this long is a server going round in circles.
constexpr std::size_t kMaxPages = 100000;
// Empty pages that still carry a next token, in a row, before that counts as a loop.
constexpr int kMaxEmptyPages = 3;

// Percent-escapes everything but RFC 3986's unreserved characters (libcurl's escape), so a value
// can go in a query string or a path segment as is.
std::string escape(std::string_view s) {
  if (s.empty()) return "";
  char* out = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  if (!out) throw std::bad_alloc();
  std::string r(out);
  curl_free(out);
  return r;
}

bool succeeded(const HttpResponse& res) {
  return res.failure == Failure::none && res.status >= 200 && res.status < 300;
}

bool has_status(const HttpResponse& res, int status) {
  return res.failure == Failure::none && res.status == status;
}

// Whether the server may have carried out a request that ended like this. A GET changes
// nothing either way.
bool maybe_acted(const std::string& method, const HttpResponse& res) {
  if (method == "GET") return false;
  if (res.resent) return true;
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

// The envelope's errors, as many as are worth showing (kMaxErrors; the rest are counted), each
// message printable and capped: the server's text goes to a terminal.
constexpr std::size_t kMaxErrors = 10;

void collect_errors(const nlohmann::json& items, ApiError& e, int depth = 0) {
  if (!items.is_array() || depth > 8) return;
  for (const auto& item_json : items) {
    if (!item_json.is_object()) continue;
    if (e.errors.size() >= kMaxErrors) {
      ++e.errors_omitted;
      continue;
    }
    ErrorItem item;
    const auto& j = item_json;
    if (auto c = j.find("code"); c != j.end() && c->is_number_integer()) {
      // Codes are small; one that does not fit an int is shown as 0, not wrapped.
      bool fits = c->is_number_unsigned()
                      ? c->get<std::uint64_t>() <= INT32_MAX
                      : c->get<std::int64_t>() >= INT32_MIN && c->get<std::int64_t>() <= INT32_MAX;
      if (fits) item.code = static_cast<int>(c->get<std::int64_t>());
    }
    if (auto m = j.find("message"); m != j.end() && m->is_string()) {
      item.message = printable(m->get_ref<const std::string&>());
    }
    if (auto src = j.find("source"); src != j.end() && src->is_object()) {
      if (auto p = src->find("pointer"); p != src->end() && p->is_string()) {
        item.pointer = printable(p->get_ref<const std::string&>(), 100);
      }
    }
    e.errors.push_back(std::move(item));
    // Cloudflare nests the underlying causes; they often carry the useful message.
    if (auto chain = j.find("error_chain"); chain != j.end()) collect_errors(*chain, e, depth + 1);
  }
}

// The start of a body that is not an envelope (a proxy's HTML page, say), on one line.
std::string snippet(const std::string& body) {
  return printable(body, 120);
}

std::string describe(const HttpResponse& res) {
  if (res.failure != Failure::none) {
    return std::string(failure_name(res.failure)) + " (" + res.failure_text + ")";
  }
  return "HTTP " + std::to_string(res.status);
}

std::string seconds_text(std::chrono::milliseconds ms) {
  auto tenths = (ms.count() + 50) / 100;
  std::string s = std::to_string(tenths / 10);
  if (tenths % 10) s += "." + std::to_string(tenths % 10);
  return s + " s";
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

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Whether a 400 to a list read is about the page size we asked for.
bool about_page_size(const ApiError& e) {
  if (e.kind != ApiError::Kind::http || e.status != 400) return false;
  for (const auto& item : e.errors) {
    std::string text = ascii_lower(item.message + " " + item.pointer);
    for (const char* word : {"page_size", "page size", "pagesize", "per_page"}) {
      if (text.find(word) != std::string::npos) return true;
    }
  }
  return false;
}

// An RFC 3339 date-time ("2019-12-27T18:11:19.117Z", "...+02:00") as a system_clock time;
// nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) rest = strptime(text.c_str(), "%Y-%m-%dt%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (*rest == '.') {
    ++rest;
    std::int64_t scale = 100000000;
    if (*rest < '0' || *rest > '9') return std::nullopt;
    for (; *rest >= '0' && *rest <= '9'; ++rest) {
      fraction += std::chrono::nanoseconds((*rest - '0') * scale);
      scale /= 10;
    }
  }
  std::chrono::seconds offset{0};
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    // ±hh:mm, exactly.
    auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
    if (!digit(rest[1]) || !digit(rest[2]) || rest[3] != ':' || !digit(rest[4]) ||
        !digit(rest[5])) {
      return std::nullopt;
    }
    int h = (rest[1] - '0') * 10 + (rest[2] - '0');
    int m = (rest[4] - '0') * 10 + (rest[5] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    offset = std::chrono::seconds((*rest == '-' ? -1 : 1) * (h * 3600 + m * 60));
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: a year past 2262 (or before 1677) does not
  // fit, and converting it would overflow (undefined behaviour; found by tests/fuzz). No
  // organization was created then: not a create_time.
  constexpr std::time_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count() -
      2 * 86400;  // the offset and the fraction still fit
  if (t > kLimit || t < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

// Organizations created moments ago, which the API may still refuse with 403: the ids this
// client created, and those whose create_time says they are young.
class YoungOrgs {
 public:
  explicit YoungOrgs(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  void created(const std::string& id) { mark(id, Clock::now() + timeout_); }

  void seen(const Organization& org) {
    if (org.create_time.empty()) return;
    auto created = parse_rfc3339(org.create_time);
    if (!created) return;
    auto age = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now() - *created);
    // A create_time ahead of our clock is young for no longer than a fresh create.
    age = std::max(age, 0ms);
    if (age < timeout_) mark(org.id, Clock::now() + (timeout_ - age));
  }

  // Until when `id` counts as young; nullopt when it does not (any more).
  std::optional<Clock::time_point> young_until(const std::string& id) {
    if (id.empty()) return std::nullopt;
    std::lock_guard lock(mu_);
    auto it = until_.find(id);
    if (it == until_.end() || it->second <= Clock::now()) return std::nullopt;
    return it->second;
  }

  // One gate per young org that answered 403: while it is closed, the requests naming that org
  // wait, and one of them at a time probes whether the API takes them yet. Probes follow the
  // org's age (a quarter more each time, at least 200 ms, at most 2 s apart), so that the wait
  // overshoots the API's window by about a quarter, however long the window is, and a parent
  // with 70 children costs a handful of refused requests, not 70 handfuls.
  //
  // Blocks until the caller may send a request naming `id`.
  void wait_turn(const std::string& id) {
    if (id.empty()) return;
    std::unique_lock lock(mu_);
    for (;;) {
      auto it = gates_.find(id);
      if (it == gates_.end()) return;  // never refused, or taken since
      Gate& g = it->second;
      auto now = Clock::now();
      auto young = until_.find(id);
      if (young == until_.end() || young->second <= now) return;  // old now: no more waiting
      if (!g.probing && now >= g.next_probe) {
        g.probing = true;
        return;
      }
      // A copy: wait_until reads its deadline again after waking, and by then another worker
      // may have erased the gate or rehashed the registry these entries live in.
      const Clock::time_point deadline =
          g.probing ? young->second : std::min(g.next_probe, young->second);
      cv_.wait_until(lock, deadline);
    }
  }
  // The request naming `id` was refused with 403 while `id` was young.
  void refused(const std::string& id) {
    std::lock_guard lock(mu_);
    auto young = until_.find(id);
    if (young == until_.end()) return;
    auto now = Clock::now();
    auto created = young->second - timeout_;
    auto age = std::max(now - created, Clock::duration::zero());
    auto step = std::clamp<Clock::duration>(age / 4, 200ms, 2s);
    Gate& g = gates_[id];
    g.probing = false;
    g.next_probe = std::max(g.next_probe, now + step);
    cv_.notify_all();
  }
  // A request naming `id` got an answer other than that 403: the API knows the org now.
  void answered(const std::string& id) {
    if (id.empty()) return;
    std::lock_guard lock(mu_);
    if (gates_.erase(id)) cv_.notify_all();
  }

 private:
  void mark(const std::string& id, Clock::time_point until) {
    std::lock_guard lock(mu_);
    auto& at = until_[id];
    at = std::max(at, until);
    // Expired entries go now and then, so a long run's registry stays small.
    if (until_.size() >= prune_at_) {
      auto now = Clock::now();
      std::erase_if(until_, [now](const auto& kv) { return kv.second <= now; });
      prune_at_ = std::max<std::size_t>(1024, until_.size() * 2);
    }
  }

  struct Gate {
    Clock::time_point next_probe{};
    bool probing = false;  // a request naming the org is out to find out
  };
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Clock::time_point> until_;
  std::unordered_map<std::string, Gate> gates_;
  std::size_t prune_at_ = 1024;
};

// One logical request.
struct Call {
  std::string method;
  std::string target;  // path and query, after the base URL
  std::string body;
  std::string names_org;    // the org the request is about (its id, or a new child's parent)
  bool empty_ok = false;    // a 2xx without a body is a success (DELETE, PUT .../profile)
  bool accept_any = false;  // Accept: */*
  std::string line() const { return method + " " + target; }
};

}  // namespace

struct HttpClient::Impl {
  Impl(std::unique_ptr<Transport> t, ClientOptions o, ClientStats& s)
      : transport(std::move(t)),
        opts(std::move(o)),
        budget(opts.rate_limit, opts.max_wait),
        stats(s),
        young(opts.consistency_timeout) {
    while (!opts.base_url.empty() && opts.base_url.back() == '/') opts.base_url.pop_back();
    rng.seed(opts.seed ? opts.seed : std::random_device{}());
    budget.report_waits_to(&stats.waiting_until_ms);
  }

  std::uint64_t random() {
    std::lock_guard lock(rng_mu);
    return rng();
  }

  // One logical request: sent, and sent again while the policy allows. Returns the parsed
  // envelope of a successful response (null for an accepted empty 2xx).
  Result<nlohmann::json> call(const Call& c) {
    const std::string request_line = c.line();
    HttpRequest req{c.method, opts.base_url + c.target, c.body, c.accept_any};
    bool unknown = false;  // some attempt may have been carried out
    int young_attempts = 0;
    auto young_since = Clock::now();
    for (int attempt = 0;; ++attempt) {
      young.wait_turn(c.names_org);
      std::chrono::milliseconds refused{0};
      auto ticket = budget.acquire(&refused);
      if (!ticket) {
        young.answered(c.names_org);  // not sent: let the next request probe
        ApiError e = protocol_error(request_line, 0, "", unknown);
        e.kind = ApiError::Kind::transport;
        e.detail =
            "not sent: the server's rate-limit headers say this credential's budget is "
            "spent for " +
            seconds_text(refused) + ", longer than the longest wait allowed (" +
            seconds_text(opts.max_wait) + ")";
        return e;
      }
      ++stats.requests;
      ++stats.in_flight;
      HttpResponse res = transport->send(req);
      --stats.in_flight;
      // Whatever happened but a 429, the server may have counted it; its headers say what is
      // left.
      budget.release(*ticket, res.rate_limit, !has_status(res, 429));

      unknown = unknown || maybe_acted(c.method, res);
      bool young_refusal = has_status(res, 403) && young.young_until(c.names_org).has_value();
      if (young_refusal) {
        young.refused(c.names_org);
      } else {
        young.answered(c.names_org);
      }
      if (succeeded(res)) return parse_success(c, res);

      // A Retry-After beyond the longest wait allowed fails at once, quoting the server: a 429's
      // and a 5xx's alike (a 503 with "Retry-After: 86400" slept a day per retry; tests/fuzz).
      auto wait_refused = [&]() -> std::optional<ApiError> {
        if (!res.retry_after || *res.retry_after <= opts.max_wait) return std::nullopt;
        ApiError e = error_from(c.method, res, request_line, unknown, attempt);
        if (!e.detail.empty()) e.detail += ", ";
        e.detail += "the server asks to wait " + quoted_retry_after(res) +
                    ", longer than the longest wait allowed (" + seconds_text(opts.max_wait) +
                    "); not retried";
        return e;
      };
      if (has_status(res, 429)) {
        ++stats.rate_limited;
        if (auto refused = wait_refused()) return *refused;
      }

      if (has_status(res, 403)) {
        if (auto until = young.young_until(c.names_org); until && Clock::now() < *until) {
          // The API refuses requests naming a just-created org for a while: only this request
          // waits, and only while the org is young.
          // wait_turn() paces the retry by the org's age, one probe at a time.
          ++young_attempts;
          ++stats.young_retries;
          ++stats.retries;
          spdlog::info("{}: HTTP 403 on organization {}, created moments ago; retrying",
                       request_line, c.names_org);
          --attempt;  // bounded by the org's age, not by max_retries
          continue;
        }
        ApiError e = error_from(c.method, res, request_line, unknown, attempt);
        if (young_attempts > 0) {
          if (!e.detail.empty()) e.detail += ", ";
          e.detail += "organization " + c.names_org + " was created moments ago; still refused " +
                      "after " + std::to_string(young_attempts) + " retries over " +
                      seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                          Clock::now() - young_since)) +
                      " (consistency timeout " + seconds_text(opts.consistency_timeout) + ")";
        }
        e.advice = forbidden_advice(c);
        return e;
      }

      if (attempt >= opts.retry.max_retries || !RetryPolicy::retryable(c.method, res)) {
        return error_from(c.method, res, request_line, unknown, attempt);
      }

      ++stats.retries;
      if (has_status(res, 429)) {
        // The server's window is full for everyone using this credential, so every worker
        // waits, not just this one; our own retry goes through the same pause in acquire().
        // Retry-After first; else the Ratelimit header's reset; else our backoff.
        auto delay = res.retry_after         ? *res.retry_after
                     : res.rate_limit.reset  ? *res.rate_limit.reset
                     : res.rate_limit.window ? *res.rate_limit.window
                                             : opts.retry.delay(attempt + 1, res, random());
        delay = std::min(delay, opts.max_wait);
        budget.pause_until(Clock::now() + delay);
        spdlog::warn("{}: rate limited by the server (HTTP 429); pausing all requests for {}",
                     request_line, seconds_text(delay));
      } else {
        // A 5xx's Retry-After is honoured too, within the same ceiling as a 429's.
        if (auto refused = wait_refused()) return *refused;
        auto delay = opts.retry.delay(attempt + 1, res, random());
        spdlog::info("{}: {}; retry {} of {} in {} ms", request_line, describe(res), attempt + 1,
                     opts.retry.max_retries, delay.count());
        std::this_thread::sleep_for(delay);
      }
    }
  }

  static std::string quoted_retry_after(const HttpResponse& res) {
    std::string text = res.retry_after_text.empty()
                           ? std::to_string(res.retry_after->count() / 1000)
                           : printable(res.retry_after_text, 64);
    return "(Retry-After: " + text + ")";
  }

  // What a 403 most likely means, for someone who has to fix it.
  std::string forbidden_advice(const Call& c) const {
    std::string s =
        "Cloudflare refused this credential: check that it is the right one, that it uses the "
        "scheme these endpoints take, and that the account is entitled to Organizations (an "
        "Enterprise account, used by a Super Admin)";
    // The spec lists only the global key for every endpoint but the list.
    const bool list = c.method == "GET" && c.target.rfind("/organizations?", 0) == 0;
    if (transport->auth_scheme() == AuthScheme::token && !list) {
      s += ". This request was authenticated with an API token (CLOUDFLARE_API_TOKEN), but " +
           std::string(c.method == "GET" ? "this endpoint takes" : "changes take") +
           " the global API key: set CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY";
    }
    return s;
  }

  // A 2xx means the server carried the request out, whatever its body says; when the body is
  // unusable a caller must not take a failed create as "nothing happened".
  static Result<nlohmann::json> parse_success(const Call& c, const HttpResponse& res) {
    const std::string request_line = c.line();
    const bool acted = c.method != "GET";
    if (c.empty_ok && blank(res.body)) return nlohmann::json();
    ParsedBody parsed = parse_body(res.body);
    if (!parsed.ok() || !parsed.value.is_object()) {
      return protocol_error(request_line, res.status,
                            "the body is not a JSON envelope" +
                                (parsed.ok() ? std::string() : " (" + parsed.problem + ")"),
                            acted);
    }
    nlohmann::json& body = parsed.value;
    auto ok = body.find("success");
    if (ok == body.end() || !ok->is_boolean()) {
      return protocol_error(request_line, res.status, "the envelope's success is not a boolean",
                            acted);
    }
    if (!ok->get<bool>()) {
      // A 2xx that says it failed: report what it says rather than trusting the status.
      ApiError e;
      e.status = res.status;
      e.request = request_line;
      if (auto errs = body.find("errors"); errs != body.end()) collect_errors(*errs, e);
      e.detail = "the envelope says success: false";
      e.outcome_unknown = acted;
      return e;
    }
    if (!c.empty_ok && !body.contains("result")) {
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
      if (res.failure == Failure::unusable &&
          res.failure_text.find("certificate") != std::string::npos) {
        e.advice =
            "cforg always verifies the server's certificate. If a proxy or a private CA signs "
            "it, name that CA's PEM file with --ca-bundle FILE (or CURL_CA_BUNDLE, "
            "SSL_CERT_FILE)";
      }
    } else {
      e.kind = ApiError::Kind::http;
      e.status = res.status;
      ParsedBody body = parse_body(res.body);
      if (body.ok() && body.value.is_object()) {
        if (auto errs = body.value.find("errors"); errs != body.value.end()) {
          collect_errors(*errs, e);
        }
      } else if (!res.body.empty()) {
        // Not an envelope at all (a proxy's page, say): show its start instead.
        e.detail = snippet(res.body);
      }
    }
    if (retries > 0) {
      if (!e.detail.empty()) e.detail += ", ";
      e.detail += RetryPolicy::retryable(method, res) ? "gave up after " : "after ";
      e.detail += std::to_string(retries) + (retries == 1 ? " retry" : " retries");
    }
    return e;
  }

  // The envelope's result as an organization; protocol errors for anything unusable.
  Result<Organization> one_org(const Call& c) {
    auto r = call(c);
    if (!r) return r.error();
    try {
      Organization org = organization_from_json(std::move(r.value()["result"]));
      young.seen(org);
      return org;
    } catch (const std::exception& ex) {
      return protocol_error(c.line(), 200, ex.what(), c.method != "GET");
    }
  }

  static std::string org_path(const std::string& id) { return "/organizations/" + escape(id); }

  // An id that cannot go into a path: refused before anything is sent.
  static std::optional<ApiError> bad_id(const std::string& method, const std::string& id,
                                        const std::string& suffix = "") {
    auto why = org_id_problem(id);
    if (why.empty()) return std::nullopt;
    return protocol_error(method + " /organizations/{id}" + suffix, 0,
                          "the organization id " + why);
  }

  int page_size() const { return accepted_page_size.load(); }

  // The next smaller page size after `size` was refused; false when none is left.
  bool step_down_from(int size) {
    for (int s : kPageSizes) {
      if (s < size) {
        int current = accepted_page_size.load();
        while (current > s && !accepted_page_size.compare_exchange_weak(current, s)) {
        }
        return true;
      }
    }
    return false;
  }

  std::unique_ptr<Transport> transport;
  ClientOptions opts;
  RateBudget budget;
  ClientStats& stats;
  YoungOrgs young;
  std::atomic<int> accepted_page_size{kPageSizes[0]};
  std::mutex rng_mu;
  std::mt19937_64 rng;
};

HttpClient::HttpClient(std::unique_ptr<Transport> transport, ClientOptions opts)
    : impl_(std::make_unique<Impl>(std::move(transport), std::move(opts), stats_)) {}

HttpClient::~HttpClient() = default;

int HttpClient::page_size() const {
  return impl_->page_size();
}

Result<Organization> HttpClient::create(const OrgSpec& spec) {
  if (const std::string* key = spec.parent.key()) {
    // A key is the config's name for a parent; the plan and apply resolve it to an id first.
    // One reaching the client is a bug in cforg: refused before anything is sent.
    return protocol_error(
        "POST /organizations", 0,
        "the parent of \"" + printable(spec.name, 100) + "\" is the config key \"" +
            printable(*key, 100) +
            "\", not an organization id: the API knows parents only by id. "
            "This is a bug in cforg (the key was not resolved); please report it");
  }
  const std::string& parent_id = spec.parent.api_id();
  if (!parent_id.empty()) {
    if (auto why = org_id_problem(parent_id); !why.empty()) {
      return protocol_error("POST /organizations", 0, "the parent id " + why);
    }
  }
  // Never repeated after an unknown outcome (the policy sees to that): a second POST would
  // make a second organization. The caller looks it up by name and parent instead.
  Call c{"POST", "/organizations", spec_to_json(spec).dump(), parent_id};
  auto r = impl_->one_org(c);
  if (!r) return r;
  const Organization& org = r.value();
  // Nothing unverified is trusted: the answer must be the org that was asked for. It was
  // created all the same (a 2xx), so the outcome is unknown and the caller looks it up.
  std::string wrong;
  if (org.spec.name != spec.name) {
    wrong = "name \"" + printable(org.spec.name, 100) + "\" instead of \"" + spec.name + "\"";
  } else if (org.spec.parent != spec.parent) {
    wrong = "parent \"" + printable(org.spec.parent.api_id(), 130) + "\" instead of \"" +
            parent_id + "\"";
  }
  if (!wrong.empty()) {
    return protocol_error(c.line(), 200, "the created organization has " + wrong, true);
  }
  impl_->young.created(org.id);
  return r;
}

Result<Organization> HttpClient::get(const std::string& id) {
  if (auto e = Impl::bad_id("GET", id)) return *e;
  Call c{"GET", Impl::org_path(id), "", id};
  auto r = impl_->one_org(c);
  if (r && r.value().id != id) {
    return protocol_error(c.line(), 200,
                          "the answer is organization \"" + printable(r.value().id, 130) + "\"");
  }
  return r;
}

Result<Organization> HttpClient::rename(const std::string& id, const std::string& name) {
  if (auto e = Impl::bad_id("PUT", id)) return *e;
  // The API only takes a new name here: nothing else is sent.
  Call c{"PUT", Impl::org_path(id), nlohmann::json{{"name", name}}.dump(), id};
  auto r = impl_->one_org(c);
  // The rename happened (a 2xx) but the answer is not the org it was asked of: unknown.
  if (r && r.value().id != id) {
    return protocol_error(
        c.line(), 200, "the answer is organization \"" + printable(r.value().id, 130) + "\"", true);
  }
  if (r && r.value().spec.name != name) {
    return protocol_error(c.line(), 200,
                          "the answer names the organization \"" +
                              printable(r.value().spec.name, 100) + "\", not \"" + name + "\"",
                          true);
  }
  return r;
}

Result<std::optional<Profile>> HttpClient::get_profile(const std::string& id) {
  if (auto e = Impl::bad_id("GET", id, "/profile")) return *e;
  Call c{"GET", Impl::org_path(id) + "/profile", "", id};
  auto r = impl_->call(c);
  if (!r) {
    if (r.error().not_found()) return std::optional<Profile>();
    return r.error();
  }
  const auto& result = r.value()["result"];
  if (result.is_null()) return std::optional<Profile>();
  try {
    return std::optional<Profile>(profile_from_json(result));
  } catch (const std::exception& ex) {
    return protocol_error(c.line(), 200, ex.what());
  }
}

Result<Empty> HttpClient::put_profile(const std::string& id, const Profile& profile) {
  if (auto e = Impl::bad_id("PUT", id, "/profile")) return *e;
  Call c{"PUT", Impl::org_path(id) + "/profile", profile_to_json(profile).dump(), id};
  c.empty_ok = true;    // 204, no body
  c.accept_any = true;  // as the SDKs send it
  auto r = impl_->call(c);
  if (!r) return r.error();
  return Empty{};
}

Result<Empty> HttpClient::remove(const std::string& id) {
  if (auto e = Impl::bad_id("DELETE", id)) return *e;
  Call c{"DELETE", Impl::org_path(id), "", id};
  c.empty_ok = true;  // a 200 envelope or an empty 2xx
  auto r = impl_->call(c);
  if (!r) {
    // A retry that finds it gone: the attempt before did delete it.
    if (r.error().not_found() && r.error().outcome_unknown) return Empty{};
    return r.error();
  }
  return Empty{};
}

Result<std::vector<Organization>> HttpClient::list(const ListQuery& query) {
  for (const auto& id : query.ids) {
    if (auto why = org_id_problem(id); !why.empty()) {
      return protocol_error("GET /organizations", 0, "the id filter " + why);
    }
  }
  std::string filters;
  auto add = [&filters](std::string_view key, std::string_view value) {
    filters += filters.empty() ? '?' : '&';
    filters += key;
    filters += '=';
    filters += escape(value);
  };
  for (const auto& id : query.ids) add("id", id);
  if (query.parent_id) add("parent.id", query.parent_id->empty() ? "null" : *query.parent_id);
  if (query.name) add("name", *query.name);
  if (!query.name_contains.empty()) add("name.contains", query.name_contains);
  const std::set<std::string> wanted_ids(query.ids.begin(), query.ids.end());
  // The server may not know a filter and ignore it: every result is checked here too.
  auto wanted = [&](const Organization& o) {
    if (query.name && o.spec.name != *query.name) return false;
    if (query.parent_id && o.spec.parent.api_id() != *query.parent_id) return false;
    if (!wanted_ids.empty() && !wanted_ids.count(o.id)) return false;
    return true;
  };

  std::vector<Organization> all;
  std::set<std::string> seen;  // every token followed so far
  std::string token;
  std::size_t pages = 0, received = 0, dropped = 0;
  std::optional<std::uint64_t> total;  // the largest total_size any page gave
  int empty_pages = 0;
  for (;;) {
    // Filters are repeated with every page: the token alone does not carry them.
    const int size = impl_->page_size();
    std::string target = "/organizations" + filters + (filters.empty() ? "?" : "&") +
                         "page_size=" + std::to_string(size);
    if (!token.empty()) target += "&page_token=" + escape(token);
    Call c{"GET", target, "", query.parent_id.value_or("")};
    auto r = impl_->call(c);
    if (!r) {
      // The API's largest page is not published: ask smaller, and remember what it took.
      if (about_page_size(r.error()) && impl_->step_down_from(size)) {
        spdlog::debug("{}: page_size {} refused, asking for {}", c.line(), size,
                      impl_->page_size());
        continue;
      }
      return r.error();
    }
    ++pages;
    auto& body = r.value();
    auto& result = body["result"];
    if (!result.is_array()) return protocol_error(c.line(), 200, "result is not a list");
    received += result.size();
    try {
      for (auto& o : result) {
        Organization org = organization_from_json(std::move(o));
        impl_->young.seen(org);
        if (wanted(org)) {
          all.push_back(std::move(org));
        } else {
          ++dropped;
        }
      }
    } catch (const std::exception& ex) {
      return protocol_error(c.line(), 200, ex.what());
    }

    // next_page_token as published ("omitted on the last page"); the generic cursor only
    // as a fallback.
    std::string next;
    if (auto info = body.find("result_info"); info != body.end() && info->is_object()) {
      for (const char* field : {"next_page_token", "cursor"}) {
        auto t = info->find(field);
        if (t == info->end() || t->is_null()) continue;
        if (!t->is_string()) {
          return protocol_error(c.line(), 200,
                                std::string("result_info.") + field + " is not a string");
        }
        if (!t->get<std::string>().empty()) {
          next = *t;
          break;
        }
      }
      if (auto t = info->find("total_size"); t != info->end() && t->is_number_unsigned()) {
        total = std::max(total.value_or(0), t->get<std::uint64_t>());
      }
    }
    if (next.empty()) {
      if (dropped) {
        spdlog::debug("GET /organizations{}: {} results outside the filters left out", filters,
                      dropped);
      }
      return all;
    }
    // A token seen before means the server is going round in circles. Stopping with what we
    // have would pass off a partial list as the whole, and a caller that plans from it would
    // create organizations that already exist: fail instead.
    if (!seen.insert(next).second) {
      return protocol_error(c.line(), 200,
                            "the server sent page token \"" + printable(next, 100) +
                                "\" a second time");  // the server's text: made printable
    }
    // More than total_size allows (a page's worth of slack for orgs created meanwhile), empty
    // pages that keep going, or no end in sight: the same, without a repeated token.
    empty_pages = result.empty() ? empty_pages + 1 : 0;
    std::string runaway;
    if (total && received > *total + static_cast<std::uint64_t>(size)) {
      runaway = std::to_string(received) + " organizations read, but total_size says " +
                std::to_string(*total);
    } else if (empty_pages >= kMaxEmptyPages) {
      runaway = std::to_string(empty_pages) + " empty pages in a row, each with a next token";
    } else if (pages >= kMaxPages) {
      runaway = std::to_string(pages) + " pages read";
    }
    if (!runaway.empty()) {
      return protocol_error(c.line(), 200, runaway + " and the server still sends a next token");
    }
    token = std::move(next);
  }
}

}  // namespace cforg::api
