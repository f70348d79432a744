// What an answer says: the envelope, the errors in it, and the messages made of them.
#include "envelope.h"

#include <cstdint>

#include "response_text.h"

namespace cforg::api {
namespace {

using Failure = HttpResponse::Failure;

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

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

bool succeeded(const HttpResponse& res) {
  return res.failure == Failure::none && res.status >= 200 && res.status < 300;
}

bool has_status(const HttpResponse& res, int status) {
  return res.failure == Failure::none && res.status == status;
}

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

ApiError protocol_error(std::string request, int status, std::string detail, bool outcome_unknown) {
  ApiError e;
  e.outcome_unknown = outcome_unknown;
  e.kind = ApiError::Kind::protocol;
  e.status = status;
  e.detail = std::move(detail);
  e.request = std::move(request);
  return e;
}

std::string quoted_retry_after(const HttpResponse& res) {
  std::string text = res.retry_after_text.empty() ? std::to_string(res.retry_after->count() / 1000)
                                                  : printable(res.retry_after_text, 64);
  return "(Retry-After: " + text + ")";
}

std::string forbidden_advice(const Call& c, AuthScheme scheme) {
  std::string s =
      "Cloudflare refused this credential: check that it is the right one, that it uses the "
      "scheme these endpoints take, and that the account is entitled to Organizations (an "
      "Enterprise account, used by a Super Admin)";
  // The spec lists only the global key for every endpoint but the list.
  const bool list = c.method == "GET" && c.target.rfind("/organizations?", 0) == 0;
  if (scheme == AuthScheme::token && !list) {
    s += ". This request was authenticated with an API token (CLOUDFLARE_API_TOKEN), but " +
         std::string(c.method == "GET" ? "this endpoint takes" : "changes take") +
         " the global API key: set CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY";
  }
  return s;
}

Result<nlohmann::json> parse_success(const Call& c, const HttpResponse& res) {
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

ApiError error_from(const std::string& method, const HttpResponse& res,
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

}  // namespace cforg::api
