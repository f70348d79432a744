#include "cforg/apply/progress.h"

#include <cmath>
#include <sstream>

#include "cforg/model/printable.h"

namespace cforg::apply {
namespace {

const char* past_tense(plan::ActionKind k) {
  switch (k) {
    case plan::ActionKind::create:
      return "created";
    case plan::ActionKind::update:
      return "updated";
    case plan::ActionKind::remove:
      return "deleted";
    case plan::ActionKind::adopt:
      return "adopted";
    case plan::ActionKind::add_member:
      return "added";
    case plan::ActionKind::remove_member:
      return "removed";
    case plan::ActionKind::move_account:
      return "moved in";
  }
  return "done";
}

}  // namespace

std::string duration_text(double seconds) {
  std::ostringstream s;
  if (seconds < 1) {
    s << static_cast<long>(seconds * 1000) << " ms";
  } else if (seconds < 120) {
    s.precision(1);
    s << std::fixed << seconds << " s";
  } else {
    s << static_cast<long>(seconds) / 60 << " min " << static_cast<long>(seconds) % 60 << " s";
  }
  return s.str();
}

namespace {

// The whole run, to the millisecond below a minute (the throughput benchmark reads it).
std::string elapsed_text(std::chrono::microseconds elapsed) {
  double seconds = static_cast<double>(elapsed.count()) / 1e6;
  if (seconds >= 60) return duration_text(seconds);
  std::ostringstream s;
  s.precision(3);
  s << std::fixed << seconds << " s";
  return s.str();
}

}  // namespace

std::string outcome_line(const Outcome& o, bool color) {
  std::string who = "org \"" + o.key + "\": " + (o.subject.empty() ? "" : o.subject + " ");
  switch (o.status) {
    case Outcome::Status::done: {
      std::string what = past_tense(o.kind);
      if (o.replace && o.kind == plan::ActionKind::remove_member) {
        what = "removed, to be added with its new status";
      } else if (o.replace && o.kind == plan::ActionKind::add_member) {
        what = "added with its new status";
      } else if (o.replace) {
        what = o.kind == plan::ActionKind::remove ? "old org deleted, to be replaced"
                                                  : "replaced by a new org";
      }
      if (o.recovered) what += " (found after an unknown outcome)";
      return who + Palette{color}.green(what) + (o.id.empty() ? "" : " " + o.id) + " in " +
             duration_text(o.took.count() / 1000.0);
    }
    case Outcome::Status::failed:
      return who + Palette{color}.red("failed") + ": " + o.message;
    case Outcome::Status::skipped:
      return who + Palette{color}.yellow(o.message);
    case Outcome::Status::not_started:
      return who + "not started (interrupted)";
  }
  return who;
}

Progress::Progress(std::FILE* out, bool live, bool color, const api::ClientStats* stats)
    : out_(out), live_(live), color_(color), stats_(stats) {}

Progress::~Progress() {
  stop();
}

void Progress::started(std::size_t total) {
  std::lock_guard lock(mu_);
  total_ = total;
  start_ = std::chrono::steady_clock::now();
  // Live: redraw the status line. Otherwise: flush the lines printed meanwhile, so that a log
  // follows the run closely without a write() per action (thousands a second at full speed).
  ticker_ = std::jthread([this](std::stop_token st) {
    std::unique_lock lock(mu_);
    while (!st.stop_requested()) {
      if (live_) {
        draw();
      } else {
        announce_wait();
        std::fflush(out_);
      }
      // Wakes at once when stopped: the end of a run does not wait for the next tick.
      tick_.wait_for(lock, st, std::chrono::milliseconds(200), [] { return false; });
    }
  });
}

std::string Progress::status_line() {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? finished_ / elapsed : 0;
  std::ostringstream s;
  s << "[" << finished_ << "/" << total_ << "] ";
  s.precision(1);
  s << std::fixed << rate << "/s";
  if (stats_) {
    s << "  in flight " << stats_->in_flight.load() << "  retries " << stats_->retries.load();
    if (stats_->rate_limited.load()) s << "  429s " << stats_->rate_limited.load();
    if (stats_->young_retries.load()) s << "  new-org 403s " << stats_->young_retries.load();
    if (long left = wait_left_ms(); left > 0) {
      s << "  waiting " << duration_text(left / 1000.0) << " for the API's rate limit";
    }
  }
  if (failed_) s << "  failed " << failed_;
  if (rate > 0 && finished_ < total_) {
    s << "  ETA " << duration_text((total_ - finished_) / rate);
  }
  return s.str();
}

long Progress::wait_left_ms() const {
  if (!stats_) return 0;
  std::int64_t until = stats_->waiting_until_ms.load();
  if (until == 0) return 0;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
  return until > now ? static_cast<long>(until - now) : 0;
}

// Without a live line, a wait for the server is told once, when it starts.
void Progress::announce_wait() {
  if (!stats_) return;
  std::int64_t until = stats_->waiting_until_ms.load();
  long left = wait_left_ms();
  if (left <= 0 || until == announced_wait_) return;
  announced_wait_ = until;
  std::fprintf(out_,
               "Waiting %s for the API's rate limit (the server's Retry-After or its "
               "Ratelimit header); nothing is sent meanwhile.\n",
               duration_text(left / 1000.0).c_str());
}

void Progress::draw() {
  std::fprintf(out_, "\r\x1b[K%s", status_line().c_str());
  std::fflush(out_);
}

void Progress::finished(const Outcome& o) {
  std::lock_guard lock(mu_);
  ++finished_;
  if (o.status != Outcome::Status::done) ++failed_;
  if (live_) {
    // Each org's line scrolls above the live one, as the README's tour shows.
    std::fprintf(out_, "\r\x1b[K%s\n", outcome_line(o, color_).c_str());
    draw();
    return;
  }
  std::fprintf(out_, "%s\n", outcome_line(o, color_).c_str());  // the ticker flushes it
}

void Progress::stop() {
  if (stopping_.exchange(true)) return;
  if (ticker_.joinable()) {
    ticker_.request_stop();
    ticker_.join();
  }
  std::lock_guard lock(mu_);
  if (live_ && total_ > 0) {
    draw();
    std::fprintf(out_, "\n");
  }
  std::fflush(out_);
}

void JsonEvents::emit(const nlohmann::json& event) {
  std::string line = event.dump() + "\n";
  std::lock_guard lock(mu_);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void JsonEvents::action_started(const plan::Action& a) {
  emit({{"type", "started"},
        {"key", a.key},
        {"action", plan::to_string(a.kind)},
        {"replace", a.replace},
        {"id", a.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.id)}});
}

void JsonEvents::finished(const Outcome& o) {
  const char* type = "finished";
  switch (o.status) {
    case Outcome::Status::done:
      break;
    case Outcome::Status::failed:
      type = "failed";
      break;
    case Outcome::Status::skipped:
      type = "skipped";
      break;
    case Outcome::Status::not_started:
      type = "not_started";
      break;
  }
  bool done = o.status == Outcome::Status::done;
  emit({{"type", type},
        {"key", o.key},
        {"action", plan::to_string(o.kind)},
        {"replace", o.replace},
        {"id", o.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.id)},
        {"error", done ? nlohmann::json(nullptr) : nlohmann::json(o.message)},
        {"recovered", o.recovered},
        {"ms", o.took.count()}});
}

nlohmann::json summary_event(const Report& r, std::uint64_t requests, std::uint64_t serial) {
  return {{"type", "summary"},
          {"ok", r.ok()},
          {"created", r.created},
          {"updated", r.updated},
          {"deleted", r.deleted},
          {"adopted", r.adopted},
          {"replaced", r.replaced},
          {"members_added", r.members_added},
          {"members_removed", r.members_removed},
          {"accounts_moved", r.accounts_moved},
          {"failed", r.failed},
          {"skipped", r.skipped},
          {"not_started", r.not_started},
          {"seconds", static_cast<double>(r.elapsed.count()) / 1e6},
          {"requests", requests},
          {"serial", serial}};
}

std::string summary_text(const Report& r, bool color) {
  std::ostringstream s;
  bool clean = r.ok();
  s << Palette{color}.paint(clean ? "32" : "31", clean ? "Apply complete: " : "Apply incomplete: ")
    << r.created << " created, " << r.updated << " updated, " << r.deleted << " deleted, "
    << r.adopted << " adopted, ";
  if (r.replaced) s << r.replaced << " replaced, ";
  if (r.members_added || r.members_removed) {
    s << r.members_added << " member" << (r.members_added == 1 ? "" : "s") << " added, "
      << r.members_removed << " removed, ";
  }
  if (r.accounts_moved) {
    s << r.accounts_moved << " account" << (r.accounts_moved == 1 ? "" : "s") << " moved, ";
  }
  s << "in " << elapsed_text(r.elapsed) << ".";
  if (!clean) {
    s << " " << r.failed << " failed, " << r.skipped << " skipped, " << r.not_started
      << " not started.\n";
    for (const Outcome& o : r.outcomes) {
      if (o.status != Outcome::Status::done) s << "  " << outcome_line(o, color) << '\n';
    }
    return s.str();
  }
  s << '\n';
  return s.str();
}

}  // namespace cforg::apply
