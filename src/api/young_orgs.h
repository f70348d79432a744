// The young-org gate: organizations created moments ago, which the API may still refuse with
// 403 ("403 right after a create" in the contract), and the waits of the requests that name
// them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "cforg/api/client.h"
#include "cforg/api/wait_clock.h"

namespace cforg::api {

// An RFC 3339 date-time ("2019-12-27T18:11:19.117Z", "...+02:00") as a system_clock time;
// nullopt when it is not one.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// The ids this client created, and those whose create_time says they are young: young for
// `timeout` after their create.
//
// One gate per young org that answered 403: while it is closed, the requests naming that org
// wait, and one of them at a time probes whether the API takes them yet. Probes follow the
// org's age (a quarter more each time, at least 200 ms, at most 2 s apart), so that the wait
// overshoots the API's window by about a quarter, however long the window is, and a parent
// with 70 children costs a handful of refused requests, not 70 handfuls.
class YoungOrgs {
 public:
  YoungOrgs(std::chrono::milliseconds timeout, std::shared_ptr<WaitClock> clock)
      : timeout_(timeout), clock_(std::move(clock)) {}

  // This client created `id` just now.
  void created(const std::string& id);
  // An answer showed `org`: young when its create_time is less than the timeout ago.
  void seen(const Organization& org);
  // Until when `id` counts as young; nullopt when it does not (any more).
  std::optional<Clock::time_point> young_until(const std::string& id);

  // Blocks until the caller may send a request naming `id`.
  void wait_turn(const std::string& id);
  // The request naming `id` was refused with 403 while `id` was young.
  void refused(const std::string& id);
  // A request naming `id` got an answer other than that 403: the API knows the org now.
  void answered(const std::string& id);

 private:
  void mark(const std::string& id, Clock::time_point until);

  struct Gate {
    Clock::time_point next_probe{};
    bool probing = false;  // a request naming the org is out to find out
  };
  std::chrono::milliseconds timeout_;
  std::shared_ptr<WaitClock> clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Clock::time_point> until_;
  std::unordered_map<std::string, Gate> gates_;
  std::size_t prune_at_ = 1024;
};

}  // namespace cforg::api
