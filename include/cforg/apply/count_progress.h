// A progress line for a long run of similar requests that are not plan actions (export's
// profile reads): the apply line's figures (done/total, rate, in flight, retries, the wait
// for the server, ETA), redrawn in place on a terminal, else one line every few seconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "cforg/api/client.h"

namespace cforg::apply {

class CountProgress {
 public:
  // `what` begins the line ("Reading profiles"). `log_every`: without a live line, how often
  // a line is printed.
  CountProgress(std::FILE* out, bool live, std::string what, const api::ClientStats* stats,
                std::chrono::milliseconds log_every = std::chrono::seconds(5));
  ~CountProgress();
  CountProgress(const CountProgress&) = delete;
  CountProgress& operator=(const CountProgress&) = delete;

  // `done` of `total` finished. Thread-safe; the first call starts the clock and the line.
  void update(std::size_t done, std::size_t total);
  // Prints the last line (once, if anything was counted) and stops.
  void stop();

  std::string line();  // the current line, without a newline

 private:
  std::string line_locked();  // with mu_ held
  std::FILE* out_;
  bool live_;
  std::string what_;
  const api::ClientStats* stats_;
  std::chrono::milliseconds log_every_;
  std::mutex mu_;
  std::condition_variable_any tick_;
  std::size_t done_ = 0, total_ = 0;
  bool started_ = false, stopped_ = false;
  std::chrono::steady_clock::time_point start_;
  std::jthread ticker_;
};

}  // namespace cforg::apply
