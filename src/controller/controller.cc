// The controller's loop: hold the lease (or wait as a standby), run a cycle every interval,
// never two at once, and answer the listener from what the cycles report.
#include "cforg/controller/controller.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "cycle.h"
#include "listener.h"

namespace cforg::controller {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool stopping(const Options& o) {
  return o.stop && o.stop->load();
}

// Sleeps until `until`, in short steps so that a signal is seen within 100 ms; returns early
// when stopping or woken (SIGHUP).
void sleep_until(const Options& o, Clock::time_point until) {
  while (Clock::now() < until && !stopping(o) && !(o.wake && o.wake->load())) {
    std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(100), until - Clock::now()));
  }
}

std::unique_ptr<Source> make_source(const Options& o) {
  if (!o.git_url.empty()) {
    std::string checkout = o.checkout.empty() ? "cforg-checkout" : o.checkout;
    return git_source(o.git_url, o.branch, checkout);
  }
  return folder_source(o.source_dir.empty() ? "." : o.source_dir);
}

// The budget of the credential (--rate-limit) split in two, each shared by every cycle: the
// refreshes get `share` of it, the applies the rest, so that together they stay within it.
std::pair<std::shared_ptr<api::RateBudget>, std::shared_ptr<api::RateBudget>> budgets(
    const Options& o) {
  api::RateLimit whole;
  try {
    whole = api::RateLimit::parse(o.net.rate_limit);
  } catch (const std::invalid_argument& e) {
    throw ops::Error(std::string("--rate-limit: ") + e.what());
  }
  milliseconds max_wait(static_cast<long>(o.net.max_wait * 1000));
  api::RateLimit refresh = whole, apply = whole;
  if (!whole.unlimited()) {
    refresh.requests =
        std::max<std::uint32_t>(1, static_cast<std::uint32_t>(whole.requests * o.budget_share));
    apply.requests = std::max<std::uint32_t>(1, whole.requests - refresh.requests);
  }
  return {std::make_shared<api::RateBudget>(refresh, max_wait),
          std::make_shared<api::RateBudget>(apply, max_wait)};
}

// Before a cycle: when the refresh's share cannot pay for what the last refresh cost, wait for
// it (and say so in /status) instead of sending requests that would queue behind the budget.
void wait_for_budget(Context& ctx, Status& status) {
  const auto need = static_cast<std::int64_t>(ctx.last_refresh_requests);
  if (need == 0 || ctx.refresh_budget->available() >= need) return;
  auto at = ctx.refresh_budget->available_at(need);
  auto cap = Clock::now() + ctx.opts.interval;  // never longer than one interval
  if (at > cap) at = cap;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(at - Clock::now()).count();
  std::string why = "the rate budget's refresh share: the last refresh took " +
                    std::to_string(need) + " requests, " +
                    std::to_string(ctx.refresh_budget->available()) + " are free; waiting " +
                    std::to_string(secs) + " s";
  spdlog::info("cycle waits for {}", why);
  status.set_waiting(why);
  sleep_until(ctx.opts, at);
  status.set_waiting("");
}

// When the next cycle starts after this one did: an interval later, or sooner while the source
// cannot be fetched (5 s, doubling each failure in a row, never past the interval), so that a
// repository that was down for a moment does not cost a whole interval.
milliseconds retry_after(const Options& o, int fetch_failures) {
  if (fetch_failures == 0) return o.interval;
  milliseconds backoff(5000LL << std::min(fetch_failures - 1, 16));
  return std::min(backoff, o.interval);
}

}  // namespace

int run(const Options& o) {
  if (!(o.budget_share > 0 && o.budget_share < 1)) {
    throw ops::Error("--budget-share must be above 0 and below 1 (0.25: a quarter)");
  }
  auto metrics = std::make_shared<Metrics>();
  auto status = std::make_shared<Status>();
  std::optional<Listener> listener;
  if (!o.listen.empty()) {
    try {
      listener.emplace(o.listen, metrics, status);
    } catch (const std::exception& e) {
      throw ops::Error(e.what());
    }
    // The port as bound (with port 0, the one the system picked): tests and scripts read it.
    std::string host = o.listen.substr(0, o.listen.rfind(':'));
    spdlog::info("listening on {}:{} (/metrics, /healthz, /readyz, /status)", host,
                 listener->port());
  }
  std::unique_ptr<Source> source = make_source(o);
  auto [refresh, apply] = budgets(o);
  Context ctx{o, *source, refresh, apply, metrics};
  const milliseconds check = std::max(milliseconds(200), o.lease / 5);
  spdlog::info("controller: {} mode, every {}, source {}",
               o.mode == Mode::apply  ? "apply"
               : o.mode == Mode::plan ? "plan"
                                      : "report",
               state::duration_text(o.interval), source->describe());

  std::unique_ptr<state::Lease> lease;
  int cycles = 0;
  int fetch_failures = 0;  // in a row
  bool last_ok = false;
  std::optional<Clock::time_point> next;  // the next cycle's time; none: at once
  while (!stopping(o)) {
    if (!lease) {
      try {
        lease = ops::try_lead(o.backend);
        status->set_backend_answered(true);
      } catch (const std::exception& e) {
        spdlog::error("controller: cannot bid for the lease: {}", e.what());
        status->set_backend_answered(false);
        if (o.max_cycles > 0) return 1;  // --once: nobody waits for the backend to come back
      }
      if (!lease) {
        metrics->leader(false);
        status->set_role(false);
        sleep_until(o, Clock::now() + check);
        continue;
      }
      spdlog::info("controller: leading (the lease of {})", o.backend.backend == "pg"
                                                                ? "workspace " + o.backend.workspace
                                                                : o.backend.state_path);
      metrics->leader(true);
      status->set_role(true);
      next.reset();
    }
    if (next && Clock::now() < *next && !(o.wake && o.wake->load())) {
      sleep_until(o, std::min(*next, Clock::now() + check));
      const bool held = lease->held();
      status->set_backend_answered(held);
      if (!held) {
        spdlog::warn("controller: the lease is lost; standing by");
        lease.reset();
      }
      continue;
    }
    if (o.wake && o.wake->exchange(false)) spdlog::info("controller: woken (SIGHUP): a cycle now");
    wait_for_budget(ctx, *status);
    if (stopping(o)) break;
    if (!lease->held()) {
      status->set_backend_answered(false);
      lease.reset();
      continue;
    }
    const auto started = Clock::now();
    CycleReport r = run_cycle(ctx);
    last_ok = ended_well(r.result);
    fetch_failures = r.result == "source_error" ? fetch_failures + 1 : 0;
    if (last_ok) {
      metrics->succeeded_at(
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count());
    }
    spdlog::info("cycle {}: {} in {:.2f} s, {} requests", cycles + 1, r.result, r.seconds,
                 r.requests);
    status->cycle_done(std::move(r));
    ++cycles;
    if (o.max_cycles > 0 && cycles >= o.max_cycles) return last_ok ? 0 : 1;
    next = started + retry_after(o, fetch_failures);
  }
  spdlog::info("controller: stopped");
  return 0;
}

std::chrono::milliseconds parse_duration(const std::string& text) {
  auto bad = [&] {
    return std::invalid_argument("\"" + text +
                                 "\": expected a duration such as 30s, 5m, 1h, 1h30m or 500ms");
  };
  if (text.empty()) throw bad();
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) throw bad();
    double n = 0;
    try {
      n = std::stod(text.substr(start, i - start));
    } catch (const std::exception&) {
      throw bad();
    }
    std::size_t unit = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string u = text.substr(unit, i - unit);
    if (u == "ms")
      total += n;
    else if (u == "s")
      total += n * 1000;
    else if (u == "m")
      total += n * 60000;
    else if (u == "h")
      total += n * 3600000;
    else
      throw bad();
  }
  if (total > 7 * 24 * 3600000.0)
    throw std::invalid_argument("\"" + text + "\": longer than a week");
  return milliseconds(static_cast<long long>(total));
}

}  // namespace cforg::controller
