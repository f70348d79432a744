// cforg-emulator: a local HTTP emulator of the Cloudflare Organizations API, for tests and the
// quick-start demo. See docs/EMULATOR.md.
//
// Start-up contract (tests/support/emulator.cc relies on it): the first stdout line, flushed at
// once, is "listening on http://HOST:PORT/client/v4"; SIGTERM or SIGINT exits with status 0.

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "options.h"
#include "server.h"

namespace {

using cforg::emulator::Options;
using cforg::emulator::Pagination;

// How long a signalled shutdown waits for API requests still in progress (a request may be
// sleeping out --latency-ms). Idle keep-alive connections are not waited for: httplib would only
// join their threads when they time out (5 s), not worth making every test wait for.
constexpr std::chrono::milliseconds kShutdownGrace{5000};

std::atomic<bool> g_stopped{false};    // run() has returned
std::atomic<bool> g_signalled{false};  // the waiter got SIGINT/SIGTERM

std::string describe_auth(const Options& o) {
  if (o.token.empty() && o.email.empty()) return "any non-empty credential (no --token/--email)";
  std::string out;
  if (!o.token.empty()) out = "the --token bearer token";
  if (!o.email.empty()) out += std::string(out.empty() ? "" : " or ") + "the --email/--key pair";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string rate_limit;
  std::string pagination = "cursor";

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
  app.add_option("--pagination", pagination,
                 "Where the next page token goes: result_info.cursor or "
                 "result_info.next_page_token")
      ->capture_default_str()
      ->check(CLI::IsMember({"cursor", "next_page_token"}));
  app.add_option("--max-page-size", o.max_page_size, "Largest accepted page_size")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_flag("-v,--verbose", o.verbose,
               "Log each request (method, path, status) to stderr; headers are never logged");
  CLI11_PARSE(app, argc, argv);

  if (!rate_limit.empty()) o.rate_limit = *cforg::emulator::parse_rate_limit(rate_limit);
  o.pagination = pagination == "cursor" ? Pagination::kCursor : Pagination::kNextPageToken;

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
  std::fprintf(stderr,
               "cforg-emulator: auth: %s; seed %llu; latency %g+/-%g ms; fail-rate %g; "
               "ambiguous-rate %g; rate-limit %s; %zu threads; pagination %s\n",
               describe_auth(o).c_str(), static_cast<unsigned long long>(o.faults.seed),
               o.faults.latency_ms, o.faults.jitter_ms, o.faults.fail_rate, o.faults.ambiguous_rate,
               rate_limit.empty() ? "none" : rate_limit.c_str(), o.threads, pagination.c_str());

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
