// The API client's answer parsing on arbitrary server answers: cforg::api::HttpClient over a
// transport that replays the input instead of a network. That covers the envelope
// ({success, errors, messages, result, result_info}), the organization and profile JSON,
// pagination, error envelopes, the Retry-After and rate-limit headers (parsed as the curl
// transport parses them) and the retry decisions they drive.
//
// Input: a first line naming the call (L list, l list with filters, G get, C create,
// R rename, P get profile, Q put profile, D delete), then the answers, separated by NUL bytes,
// each like an HTTP response: a status line ("200", or "timeout", "broken", "not_sent",
// "unusable" for a transport failure), header lines, an empty line, the body. When the
// answers run out, the request is not sent (a transport failure).
//
// Invariants: a call returns (no wait beyond the client's configured ceilings: the fuzzer's
// -timeout finds one that does); a success is what was asked for; an error's text is fit for
// a terminal (no control characters) and bounded.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/api/client.h"
#include "fuzz_check.h"

using namespace cforg;
using namespace std::chrono_literals;

namespace {

const std::string kId = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";
const std::string kParent = "p7b9c3d2e8f4g1h5i6j0k9l2m3n7o4zz";
constexpr std::time_t kNow = 1700000000;  // "now" for HTTP dates and Unix-time resets

std::string_view next_line(std::string_view& s) {
  auto at = s.find('\n');
  std::string_view line = s.substr(0, at);
  s.remove_prefix(at == std::string_view::npos ? s.size() : at + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

api::HttpResponse response_from(std::string_view text) {
  api::HttpResponse res;
  std::string_view status = next_line(text);
  using F = api::HttpResponse::Failure;
  if (status == "timeout") {
    res.failure = F::timeout;
  } else if (status == "broken") {
    res.failure = F::broken;
  } else if (status == "not_sent") {
    res.failure = F::not_sent;
  } else if (status == "unusable") {
    res.failure = F::unusable;
    res.failure_text = "SSL certificate problem: self-signed certificate";
  } else {
    res.status = 0;
    for (char c : status.substr(0, 3)) {
      if (c < '0' || c > '9') break;
      res.status = res.status * 10 + (c - '0');
    }
  }
  if (res.failure != F::none && res.failure_text.empty()) res.failure_text = "simulated";
  api::RateLimitHeaders rl;
  for (std::string_view line = next_line(text); !line.empty(); line = next_line(text)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string value(line.substr(colon + 1));
    if (iequals(name, "Retry-After")) {
      res.retry_after = api::parse_retry_after(value, kNow);
      res.retry_after_text = value.substr(0, 64);
    } else if (iequals(name, "Ratelimit")) {
      rl.ratelimit = value;
    } else if (iequals(name, "Ratelimit-Policy")) {
      rl.ratelimit_policy = value;
    } else if (iequals(name, "x-ratelimit-limit")) {
      rl.x_limit = value;
    } else if (iequals(name, "x-ratelimit-remaining")) {
      rl.x_remaining = value;
    } else if (iequals(name, "x-ratelimit-reset")) {
      rl.x_reset = value;
    }
  }
  res.rate_limit = api::parse_rate_limit_headers(rl, kNow);
  // The header parsers cap every figure at a day: nothing may become an endless sleep.
  if (res.retry_after)
    FUZZ_CHECK(*res.retry_after >= 0ms && *res.retry_after <= 24h, "Retry-After");
  if (res.rate_limit.reset) FUZZ_CHECK(*res.rate_limit.reset <= 24h, "a rate-limit reset");
  if (res.rate_limit.window) FUZZ_CHECK(*res.rate_limit.window <= 24h, "a rate-limit window");
  res.body = std::string(text);
  return res;
}

class ReplayTransport : public api::Transport {
 public:
  explicit ReplayTransport(std::vector<api::HttpResponse> answers) : answers_(std::move(answers)) {}
  api::HttpResponse send(const api::HttpRequest&) override {
    if (next_ < answers_.size()) return answers_[next_++];
    api::HttpResponse none;
    none.failure = api::HttpResponse::Failure::not_sent;
    none.failure_text = "no more answers in the input";
    return none;
  }
  api::AuthScheme auth_scheme() const override { return api::AuthScheme::token; }

 private:
  std::vector<api::HttpResponse> answers_;
  std::size_t next_ = 0;
};

void check_error(const api::ApiError& e) {
  const std::string text = e.str();
  fuzz::check_message(text, "", "an API error", true);
  // 10 errors of at most 300 bytes, a snippet, the advice: a few kilobytes, never the body.
  FUZZ_CHECK(text.size() <= 8192, text.substr(0, 300) + "... is " + std::to_string(text.size()));
}

const Profile kProfile{"Acme", "ops@acme.example", "+1-555-0100", "1 Acme Way", "crm:42"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::quiet_logs();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view call = next_line(input);
  std::vector<api::HttpResponse> answers;
  while (!input.empty()) {
    auto at = input.find('\0');
    answers.push_back(response_from(input.substr(0, at)));
    input.remove_prefix(at == std::string_view::npos ? input.size() : at + 1);
  }

  api::ClientOptions o;
  o.base_url = "https://api.test/client/v4";
  o.rate_limit = api::RateLimit::parse("0");
  o.retry.max_retries = 2;
  o.retry.base_delay = 0ms;
  o.retry.max_delay = 0ms;
  // Ceilings small enough for a fuzzer: a wait that ignores them is a timeout, and a finding.
  o.max_wait = 2ms;
  o.consistency_timeout = 0ms;
  o.seed = 1;
  api::HttpClient client(std::make_unique<ReplayTransport>(std::move(answers)), o);

  const char which = call.empty() ? 'G' : call[0];
  switch (which) {
    case 'L':
    case 'l': {
      api::ListQuery q;
      if (which == 'l') {
        q.parent_id = kParent;
        q.name = "Acme Retail";
      }
      auto r = client.list(q);
      if (!r) {
        check_error(r.error());
        break;
      }
      for (const Organization& org : r.value()) {
        FUZZ_CHECK(org_id_problem(org.id).empty(), org.id);
        if (q.name) FUZZ_CHECK(org.spec.name == *q.name, org.spec.name);
        if (q.parent_id)
          FUZZ_CHECK(org.spec.parent.api_id() == *q.parent_id, org.spec.parent.api_id());
      }
      break;
    }
    case 'C': {
      auto r = client.create(OrgSpec{"New Org", ParentRef::id(kParent), kProfile});
      if (!r) {
        check_error(r.error());
        break;
      }
      FUZZ_CHECK(r.value().spec.name == "New Org", r.value().spec.name);
      FUZZ_CHECK(r.value().spec.parent.api_id() == kParent, r.value().spec.parent.api_id());
      FUZZ_CHECK(org_id_problem(r.value().id).empty(), r.value().id);
      break;
    }
    case 'R': {
      auto r = client.rename(kId, "Renamed");
      if (!r) {
        check_error(r.error());
        break;
      }
      FUZZ_CHECK(r.value().id == kId && r.value().spec.name == "Renamed", r.value().id);
      break;
    }
    case 'P': {
      auto r = client.get_profile(kId);
      if (!r) check_error(r.error());
      break;
    }
    case 'Q': {
      auto r = client.put_profile(kId, kProfile);
      if (!r) check_error(r.error());
      break;
    }
    case 'D': {
      auto r = client.remove(kId);
      if (!r) check_error(r.error());
      break;
    }
    default: {
      auto r = client.get(kId);
      if (!r) {
        check_error(r.error());
        break;
      }
      FUZZ_CHECK(r.value().id == kId, r.value().id);
      break;
    }
  }
  return 0;
}
