#include "cforg/apply/count_progress.h"

#include <sstream>

#include "cforg/apply/progress.h"

namespace cforg::apply {

CountProgress::CountProgress(std::FILE* out, bool live, std::string what,
                             const api::ClientStats* stats, std::chrono::milliseconds log_every)
    : out_(out), live_(live), what_(std::move(what)), stats_(stats), log_every_(log_every) {}

CountProgress::~CountProgress() {
  stop();
}

void CountProgress::update(std::size_t done, std::size_t total) {
  std::lock_guard lock(mu_);
  done_ = done;
  total_ = total;
  if (started_ || stopped_) return;
  started_ = true;
  start_ = std::chrono::steady_clock::now();
  // A ticker, so that the line moves (and tells of a wait for the server) also while no
  // request finishes.
  ticker_ = std::jthread([this](std::stop_token st) {
    std::unique_lock lock(mu_);
    auto period = live_ ? std::chrono::milliseconds(200) : log_every_;
    while (!st.stop_requested()) {
      tick_.wait_for(lock, st, period, [] { return false; });
      if (st.stop_requested()) break;
      std::fprintf(out_, live_ ? "\r\x1b[K%s" : "%s\n", line_locked().c_str());
      std::fflush(out_);
    }
  });
}

std::string CountProgress::line() {
  std::lock_guard lock(mu_);
  return line_locked();
}

std::string CountProgress::line_locked() {
  double elapsed =
      started_ ? std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()
               : 0;
  double rate = elapsed > 0 ? done_ / elapsed : 0;
  std::ostringstream s;
  s << what_ << " [" << done_ << "/" << total_ << "] ";
  s.precision(1);
  s << std::fixed << rate << "/s";
  if (stats_) {
    s << "  in flight " << stats_->in_flight.load() << "  retries " << stats_->retries.load();
    if (stats_->rate_limited.load()) s << "  429s " << stats_->rate_limited.load();
    std::int64_t until = stats_->waiting_until_ms.load();
    std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
    if (until > now) {
      s << "  waiting " << duration_text((until - now) / 1000.0) << " for the API's rate limit";
    }
  }
  if (rate > 0 && done_ < total_) s << "  ETA " << duration_text((total_ - done_) / rate);
  return s.str();
}

void CountProgress::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (ticker_.joinable()) {
    ticker_.request_stop();
    ticker_.join();
  }
  std::lock_guard lock(mu_);
  if (started_) {
    std::fprintf(out_, live_ ? "\r\x1b[K%s\n" : "%s\n", line_locked().c_str());
    std::fflush(out_);
  }
}

}  // namespace cforg::apply
