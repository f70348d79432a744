// What a person watching an apply sees: a live line on a terminal, one line per finished
// action otherwise (CI logs), and a summary at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cforg/api/client.h"
#include "cforg/apply/executor.h"

namespace cforg::apply {

class Progress : public Observer {
 public:
  // `live`: redraw one status line in place (done/total, rate, in flight, retries, ETA) and
  // print only failures above it. Otherwise print a line per finished action.
  Progress(std::FILE* out, bool live, bool color, const api::ClientStats* stats);
  ~Progress() override;

  void started(std::size_t total) override;
  void finished(const Outcome& o) override;
  // Stops the live line (idempotent).
  void stop();

 private:
  void draw();  // with mu_ held
  std::string status_line();
  long wait_left_ms() const;  // how long every request still waits for the server
  void announce_wait();       // with mu_ held

  std::int64_t announced_wait_ = 0;
  std::FILE* out_;
  bool live_;
  bool color_;
  const api::ClientStats* stats_;
  std::mutex mu_;
  std::condition_variable_any tick_;
  std::size_t total_ = 0, finished_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::atomic<bool> stopping_{false};
  std::jthread ticker_;
};

// apply --format json: one JSON object per line (JSON Lines) as each action starts and ends,
// written and flushed at once, so that a consumer follows the run: {"type": "started" |
// "finished" | "failed" | "skipped" | "not_started", "key", "action", "id", "error", "ms"}.
// docs/apply-events.md describes every field.
class JsonEvents : public Observer {
 public:
  explicit JsonEvents(std::FILE* out) : out_(out) {}
  void action_started(const plan::Action& a) override;
  void finished(const Outcome& o) override;
  // Any other event (the plan's counts, the summary): one line, under the same lock.
  void emit(const nlohmann::json& event);

 private:
  std::FILE* out_;
  std::mutex mu_;
};

// The last event of apply --format json: {"type": "summary", "ok", counts, "seconds",
// "requests", "serial"}.
nlohmann::json summary_event(const Report& r, std::uint64_t requests, std::uint64_t serial);

// "Apply complete: 3 created, 1 updated, 0 deleted, 0 adopted." plus every failure, skip and
// action left undone with its reason.
std::string summary_text(const Report& r, bool color);

// "52 ms", "3.4 s", "7 min 12 s": a duration as progress lines show it.
std::string duration_text(double seconds);

// One line for a finished action: `org "root": created 0123… in 52 ms`.
std::string outcome_line(const Outcome& o, bool color);

}  // namespace cforg::apply
