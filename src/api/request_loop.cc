// The request loop (see request_loop.h).
#include "request_loop.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "envelope.h"
#include "response_text.h"

namespace cforg::api {

using namespace std::chrono_literals;

std::string escape(std::string_view s) {
  if (s.empty()) return "";
  char* out = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  if (!out) throw std::bad_alloc();
  std::string r(out);
  curl_free(out);
  return r;
}

RequestLoop::RequestLoop(std::unique_ptr<Transport> transport, ClientOptions opts,
                         ClientStats& stats)
    : transport_(std::move(transport)),
      opts_(std::move(opts)),
      clock_(opts_.clock ? opts_.clock : steady_wait_clock()),
      budget_(opts_.budget
                  ? opts_.budget
                  : std::make_shared<RateBudget>(opts_.rate_limit, opts_.max_wait, clock_)),
      stats_(stats),
      young_(opts_.consistency_timeout, clock_, opts_.learn_young_window) {
  while (!opts_.base_url.empty() && opts_.base_url.back() == '/') opts_.base_url.pop_back();
  rng_.seed(opts_.seed ? opts_.seed : std::random_device{}());
  budget_->report_waits_to(&stats_.waiting_until_ms);
}

RequestLoop::~RequestLoop() {
  // A shared budget outlives this client: it must not report to our stats any more.
  budget_->report_waits_to(nullptr);
}

std::uint64_t RequestLoop::random() {
  std::lock_guard lock(rng_mu_);
  return rng_();
}

Result<nlohmann::json> RequestLoop::call(const Call& c) {
  const std::string request_line = c.line();
  HttpRequest req{c.method, opts_.base_url + c.target, c.body, c.accept_any};
  bool unknown = false;  // some attempt may have been carried out
  int young_attempts = 0;
  auto young_since = clock_->now();
  for (int attempt = 0;; ++attempt) {
    const bool change = c.method != "GET";
    young_.wait_turn(c.names_org, change, opts_.stop);
    std::chrono::milliseconds refused{0};
    auto ticket = stopping() ? std::nullopt : budget_->acquire(&refused, opts_.stop);
    if (!ticket && stopping()) {
      young_.not_sent(c.names_org, change);
      ApiError e = protocol_error(request_line, 0, "", unknown);
      e.kind = ApiError::Kind::transport;
      e.detail = "not sent: stopping (a signal asked to finish the requests in flight only)";
      return e;
    }
    if (!ticket) {
      young_.not_sent(c.names_org, change);  // let the next request probe
      ApiError e = protocol_error(request_line, 0, "", unknown);
      e.kind = ApiError::Kind::transport;
      e.detail =
          "not sent: the server's rate-limit headers say this credential's budget is "
          "spent for " +
          seconds_text(refused) + ", longer than the longest wait allowed (" +
          seconds_text(opts_.max_wait) + ")";
      return e;
    }
    ++stats_.requests;
    ++stats_.in_flight;
    const auto sent_at = clock_->now();
    HttpResponse res = transport_->send(req);
    --stats_.in_flight;
    // Whatever happened but a 429, the server may have counted it; its headers say what is
    // left.
    budget_->release(*ticket, res.rate_limit, !has_status(res, 429));

    unknown = unknown || maybe_acted(c.method, res);
    bool young_refusal = has_status(res, 403) && young_.young_until(c.names_org).has_value();
    if (young_refusal) {
      young_.refused(c.names_org, sent_at, change);
    } else {
      young_.answered(c.names_org, change, succeeded(res));
    }
    if (succeeded(res)) return parse_success(c, res);

    // A Retry-After beyond the longest wait allowed fails at once, quoting the server: a 429's
    // and a 5xx's alike (a 503 with "Retry-After: 86400" slept a day per retry; tests/fuzz).
    auto wait_refused = [&]() -> std::optional<ApiError> {
      if (!res.retry_after || *res.retry_after <= opts_.max_wait) return std::nullopt;
      ApiError e = error_from(c.method, res, request_line, unknown, attempt);
      if (!e.detail.empty()) e.detail += ", ";
      e.detail += "the server asks to wait " + quoted_retry_after(res) +
                  ", longer than the longest wait allowed (" + seconds_text(opts_.max_wait) +
                  "); not retried";
      return e;
    };
    if (has_status(res, 429)) {
      ++stats_.rate_limited;
      if (auto refused = wait_refused()) return *refused;
    }

    if (has_status(res, 403)) {
      if (auto until = young_.young_until(c.names_org); until && clock_->now() < *until) {
        // The API refuses requests naming a just-created org for a while: only this request
        // waits, and only while the org is young_.
        // wait_turn() paces the retry by the org's age, one probe at a time.
        ++young_attempts;
        ++stats_.young_retries;
        ++stats_.retries;
        spdlog::info("{}: HTTP 403 on organization {}, created moments ago; retrying", request_line,
                     c.names_org);
        --attempt;  // bounded by the org's age, not by max_retries
        continue;
      }
      ApiError e = error_from(c.method, res, request_line, unknown, attempt);
      if (young_attempts > 0) {
        if (!e.detail.empty()) e.detail += ", ";
        e.detail += "organization " + c.names_org + " was created moments ago; still refused " +
                    "after " + std::to_string(young_attempts) + " retries over " +
                    seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock_->now() - young_since)) +
                    " (consistency timeout " + seconds_text(opts_.consistency_timeout) + ")";
      }
      e.advice = forbidden_advice(c, transport_->auth_scheme());
      return e;
    }

    if (attempt >= opts_.retry.max_retries || !RetryPolicy::retryable(c.method, res)) {
      return error_from(c.method, res, request_line, unknown, attempt);
    }

    ++stats_.retries;
    if (has_status(res, 429)) {
      // The server's window is full for everyone using this credential, so every worker
      // waits, not just this one; our own retry goes through the same pause in acquire().
      // Retry-After first; else the Ratelimit header's reset; else our backoff.
      auto delay = res.retry_after         ? *res.retry_after
                   : res.rate_limit.reset  ? *res.rate_limit.reset
                   : res.rate_limit.window ? *res.rate_limit.window
                                           : opts_.retry.delay(attempt + 1, res, random());
      delay = std::min(delay, opts_.max_wait);
      budget_->pause_until(clock_->now() + delay);
      spdlog::warn("{}: rate limited by the server (HTTP 429); pausing all requests for {}",
                   request_line, seconds_text(delay));
    } else {
      // A 5xx's Retry-After is honoured too, within the same ceiling as a 429's.
      if (auto refused = wait_refused()) return *refused;
      auto delay = opts_.retry.delay(attempt + 1, res, random());
      spdlog::info("{}: {}; retry {} of {} in {} ms", request_line, describe(res), attempt + 1,
                   opts_.retry.max_retries, delay.count());
      if (!opts_.stop) {
        clock_->sleep_for(delay);
      } else {
        // In steps, so that a stop is seen within 100 ms; the loop's start then gives up.
        for (auto end = clock_->now() + delay; !stopping() && clock_->now() < end;) {
          clock_->sleep_for(
              std::min<Clock::duration>(end - clock_->now(), std::chrono::milliseconds(100)));
        }
      }
    }
  }
}

Result<Organization> RequestLoop::one_org(const Call& c) {
  auto r = call(c);
  if (!r) return r.error();
  try {
    Organization org = organization_from_json(std::move(r.value()["result"]));
    young_.seen(org);
    return org;
  } catch (const std::exception& ex) {
    return protocol_error(c.line(), 200, ex.what(), c.method != "GET");
  }
}
}  // namespace cforg::api
