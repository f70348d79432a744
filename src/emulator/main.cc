// cforg-emulator: a local HTTP emulator of the Cloudflare Organizations API, for tests and the
// quick-start demo. See docs/EMULATOR.md.
//
// Start-up contract (tests/support/emulator.cc relies on it): the first stdout line, flushed at
// once, is "listening on http://HOST:PORT/client/v4"; a one-line summary of the settings (never
// the credentials) goes to stderr; SIGTERM or SIGINT exits with status 0.
//
// The defaults follow the published contract (../shared/cloudflare-organizations-api.md in the
// workspace; docs/EMULATOR.md cites each point); every older reading is a flag away.

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "options.h"
#include "server.h"

namespace {

using namespace cforg::emulator;

// How long a signalled shutdown waits for API requests still in progress (a request may be
// sleeping out --latency-ms). Idle keep-alive connections are not waited for: httplib would only
// join their threads when they time out (5 s), not worth making every test wait for.
constexpr std::chrono::milliseconds kShutdownGrace{5000};

std::atomic<bool> g_stopped{false};    // run() has returned
std::atomic<bool> g_signalled{false};  // the waiter got SIGINT/SIGTERM

std::string describe_auth(const Options& o) {
  std::string out;
  if (o.token.empty() && o.email.empty()) {
    out = "any non-empty credential (no --token/--email)";
  } else {
    if (!o.token.empty()) out = "the --token bearer token";
    if (!o.email.empty()) out += std::string(out.empty() ? "" : " or ") + "the --email/--key pair";
  }
  return out + (o.auth == AuthMode::kStrict ? " (strict: a token only on the list)" : " (any)");
}

// Options that take one of a few words, each mapped to an enum once parsing is done. The words
// live in a deque so that the references CLI11 holds stay valid.
class Choices {
 public:
  template <typename E>
  void add(CLI::App& app, const std::string& flag, E& target,
           const std::vector<std::pair<std::string, E>>& table, const std::string& help) {
    std::string& text = texts_.emplace_back();
    std::vector<std::string> words;
    for (const auto& [word, value] : table) {
      words.push_back(word);
      if (value == target) text = word;
    }
    app.add_option(flag, text, help)->check(CLI::IsMember(words))->capture_default_str();
    apply_.push_back([&text, &target, table] {
      for (const auto& [word, value] : table) {
        if (word == text) target = value;
      }
    });
  }
  void apply() const {
    for (const auto& f : apply_) f();
  }

 private:
  std::deque<std::string> texts_;
  std::vector<std::function<void()>> apply_;
};

template <typename E>
std::string name_of(E value, const std::vector<std::pair<std::string, E>>& choices) {
  for (const auto& [name, e] : choices) {
    if (e == value) return name;
  }
  return "?";
}

const std::vector<std::pair<std::string, IdFormat>> kIdFormats = {
    {"published", IdFormat::kPublished}, {"hex", IdFormat::kHex}};
const std::vector<std::pair<std::string, Pagination>> kPaginations = {
    {"next_page_token", Pagination::kNextPageToken}, {"cursor", Pagination::kCursor}};
const std::vector<std::pair<std::string, bool>> kOverMax = {{"reject", false}, {"clamp", true}};
const std::vector<std::pair<std::string, PutExtraFields>> kPutExtra = {
    {"ignore", PutExtraFields::kIgnore},
    {"reject", PutExtraFields::kReject},
    {"apply", PutExtraFields::kApply}};
const std::vector<std::pair<std::string, ProfileMissing>> kProfileMissing = {
    {"404", ProfileMissing::k404}, {"null", ProfileMissing::kNull}};
const std::vector<std::pair<std::string, ReadProfile>> kReadProfile = {
    {"omit", ReadProfile::kOmit}, {"include", ReadProfile::kInclude}};
const std::vector<std::pair<std::string, DeleteResponse>> kDelete = {
    {"empty", DeleteResponse::kEmpty}, {"envelope", DeleteResponse::kEnvelope}};
const std::vector<std::pair<std::string, AuthMode>> kAuth = {{"any", AuthMode::kAny},
                                                             {"strict", AuthMode::kStrict}};
const std::vector<std::pair<std::string, RateLimitHeaders>> kRateHeaders = {
    {"modern", RateLimitHeaders::kModern},
    {"legacy", RateLimitHeaders::kLegacy},
    {"both", RateLimitHeaders::kBoth},
    {"none", RateLimitHeaders::kNone}};
const std::vector<std::pair<std::string, MemberExists>> kMemberExists = {
    {"conflict", MemberExists::kConflict}, {"existing", MemberExists::kExisting}};
const std::vector<std::pair<std::string, ContainingAccount>> kContainingAccount = {
    {"holder", ContainingAccount::kHolder}, {"hierarchy", ContainingAccount::kHierarchy}};
const std::vector<std::pair<std::string, bool>> kBatchCreate = {{"absent", false},
                                                                {"present", true}};
const std::vector<std::pair<std::string, MetaFlags>> kMetaFlags = {
    {"tenant_flags", MetaFlags::kTenantFlags}, {"flags", MetaFlags::kFlags}};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string rate_limit;
  double block_seconds = -1;  // unset: the rate limit's window
  Choices choices;

  CLI::App app{"cforg-emulator: a local emulator of the Cloudflare Organizations API"};
  app.add_option("--host", o.host, "Address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "TCP port (0: any free port)")
      ->required()
      ->check(CLI::Range(0, 65535));
  // Credentials may also come from the environment, which keeps them out of `ps`. They are never
  // printed (no default shown in --help, never logged).
  app.add_option("--token", o.token, "Accepted API token (Authorization: Bearer)")
      ->envname("CFORG_EMULATOR_TOKEN");
  auto* email = app.add_option("--email", o.email, "Accepted X-Auth-Email (needs --key)")
                    ->envname("CFORG_EMULATOR_EMAIL");
  auto* key = app.add_option("--key", o.key, "Accepted X-Auth-Key (needs --email)")
                  ->envname("CFORG_EMULATOR_KEY");
  email->needs(key);
  key->needs(email);
  app.add_option("--latency-ms", o.faults.latency_ms, "Delay before handling each API request")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--jitter-ms", o.faults.jitter_ms, "Uniform +/- variation of the delay")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fail-rate", o.faults.fail_rate,
                 "Fraction of API requests answered 500/503 without effect")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option(
         "--ambiguous-rate", o.faults.ambiguous_rate,
         "Fraction of POST/PUT/DELETE committed, then answered 502, cut off or closed unanswered")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--rate-limit", rate_limit,
                 "N/SECONDS: N accepted requests per credential per "
                 "sliding window of SECONDS; over it: 429")
      ->check(
          [](const std::string& text) {
            return cforg::emulator::parse_rate_limit(text)
                       ? std::string()
                       : "expected N/SECONDS with N >= 1 and SECONDS > 0, e.g. 1200/300";
          },
          "N/SECONDS");
  app.add_option("--seed", o.faults.seed, "Seed of ids and fault decisions")->capture_default_str();
  app.add_option("--threads", o.threads, "Worker threads (each keep-alive connection holds one)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--block-seconds", block_seconds,
                 "After a 429, refuse the credential for this long (default: the --rate-limit "
                 "window, as Cloudflare's 5-minute block; 0: no block)")
      ->check(CLI::Range(0.0, 86400.0));
  choices.add(app, "--ratelimit-headers", o.ratelimit_headers, kRateHeaders,
              "Rate-limit headers with --rate-limit: Ratelimit/Ratelimit-Policy (modern), "
              "x-ratelimit-* (legacy), both, none");
  choices.add(app, "--auth", o.auth, kAuth,
              "strict: only GET /organizations takes a bearer token, the rest needs "
              "X-Auth-Email + X-Auth-Key (published)");
  choices.add(app, "--id-format", o.store.ids, kIdFormats,
              "published: 32 of [0-9a-z], never pure hex; hex: 32 hex digits (older reading)");
  choices.add(app, "--pagination", o.pagination, kPaginations,
              "result_info.next_page_token (published) or result_info.cursor (older reading)");
  app.add_option("--max-page-size", o.max_page_size, "Largest page_size served")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  choices.add(app, "--page-size-over-max", o.clamp_page_size, kOverMax,
              "A larger page_size: reject (400, code 1019) or clamp (serve the maximum)");
  choices.add(app, "--put-extra-fields", o.store.put_extra_fields, kPutExtra,
              "PUT /organizations/{id} members other than name: ignore (published), reject "
              "(400), apply (older full replace)");
  choices.add(app, "--profile-missing", o.profile_missing, kProfileMissing,
              "GET .../profile without a profile: 404 or 200 with result null");
  choices.add(app, "--read-profile", o.store.read_profile, kReadProfile,
              "GET /organizations[/{id}]: omit the profile key, or include it (null or object)");
  choices.add(app, "--delete-response", o.delete_response, kDelete,
              "DELETE success: empty (204, no body) or envelope (200 with result {id})");
  app.add_option("--consistency-ms", o.consistency_ms,
                 "After a create, requests naming the new organization get 403 for this long "
                 "(0: off)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}));
  choices.add(app, "--meta-flags", o.store.meta_flags, kMetaFlags,
              "Name of meta's flags: tenant_flags (newest SDK) or flags");
  app.add_option("--accounts", o.store.accounts,
                 "Seed N accounts at start (\"Account 1\".. \"Account N\"), in no organization")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1000000}));
  choices.add(app, "--member-exists", o.store.member_exists, kMemberExists,
              "A second member create for the same email: conflict (409) or existing (200 with "
              "the existing member)");
  choices.add(app, "--members-batch-create", o.members_batch_create, kBatchCreate,
              "POST /organizations/{id}/members:batchCreate: absent (404, unconfirmed) or present");
  choices.add(app, "--containing-account", o.store.containing_account, kContainingAccount,
              "GET /organizations?containing.account=: the holder alone, or the holder and its "
              "ancestors (unpublished)");
  app.add_flag("-v,--verbose", o.verbose,
               "Log each request (method, path, status) to stderr; headers are never logged");
  CLI11_PARSE(app, argc, argv);
  choices.apply();

  if (!rate_limit.empty()) o.rate_limit = *cforg::emulator::parse_rate_limit(rate_limit);
  if (block_seconds >= 0) {
    o.rate_limit.block =
        std::chrono::milliseconds(static_cast<int64_t>(std::llround(block_seconds * 1000)));
  }

  // Block the stop signals before any thread exists, so that every thread inherits the mask and
  // only the waiter below ever sees them (no async-signal-safety concerns in handlers).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client hanging up mid-response must not kill the emulator

  cforg::emulator::Server server(o);
  int port = server.bind();
  if (port < 0) {
    std::fprintf(stderr, "cforg-emulator: cannot listen on %s:%d\n", o.host.c_str(), o.port);
    return 1;
  }
  std::printf("listening on http://%s:%d/client/v4\n", o.host.c_str(), port);
  std::fflush(stdout);
  std::string limit = "none";
  if (!rate_limit.empty()) {
    char block[64];
    std::snprintf(block, sizeof block, "%g",
                  static_cast<double>(o.rate_limit.block.count()) / 1000.0);
    limit = rate_limit + " (block " + block + " s, headers " +
            name_of(o.ratelimit_headers, kRateHeaders) + ")";
  }
  std::fprintf(
      stderr,
      "cforg-emulator: auth: %s; seed %llu; latency %g+/-%g ms; fail-rate %g; "
      "ambiguous-rate %g; rate-limit %s; %zu threads; ids %s; pagination %s; "
      "max-page-size %zu (%s); put-extra-fields %s; read-profile %s; profile-missing %s; "
      "delete-response %s; consistency-ms %lld; meta %s; accounts %zu; member-exists %s; "
      "members-batch-create %s; containing-account %s\n",
      describe_auth(o).c_str(), static_cast<unsigned long long>(o.faults.seed), o.faults.latency_ms,
      o.faults.jitter_ms, o.faults.fail_rate, o.faults.ambiguous_rate, limit.c_str(), o.threads,
      name_of(o.store.ids, kIdFormats).c_str(), name_of(o.pagination, kPaginations).c_str(),
      o.max_page_size, name_of(o.clamp_page_size, kOverMax).c_str(),
      name_of(o.store.put_extra_fields, kPutExtra).c_str(),
      name_of(o.store.read_profile, kReadProfile).c_str(),
      name_of(o.profile_missing, kProfileMissing).c_str(),
      name_of(o.delete_response, kDelete).c_str(), static_cast<long long>(o.consistency_ms),
      name_of(o.store.meta_flags, kMetaFlags).c_str(), o.store.accounts,
      name_of(o.store.member_exists, kMemberExists).c_str(),
      name_of(o.members_batch_create, kBatchCreate).c_str(),
      name_of(o.store.containing_account, kContainingAccount).c_str());

  std::thread waiter([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    g_signalled = true;
    server.stop();
    auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
    while (!g_stopped && server.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!g_stopped) {  // what is left is idle connections: leave without joining their threads
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(0);
    }
  });

  bool ok = server.run();
  g_stopped = true;
  // The waiter uses `server`: end it before `server` goes. If no signal stopped us, wake it.
  if (!g_signalled) pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return ok ? 0 : 1;
}
