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
// wait, and one of them at a time probes whether the API takes them yet.
//
// Without learning (the old behaviour, ClientOptions::learn_young_window false), probes follow
// the org's age (a quarter more each time, at least 200 ms, at most 2 s apart), so that the
// wait overshoots the API's window by about a quarter, however long the window is; each young
// parent pays its own refusals.
//
// With learning, the run learns the window from the refusals it sees, since it is one API for
// every org: a 403 at age r says the window is longer than r, a success at age a after that
// says it is no longer than a (ages of the orgs this client created, on its own clock). Once a
// refusal has been seen, the first request naming any young org waits until the org's age
// passes what was learnt, as the gate's one probe, and the others wait for its answer: later
// children wait the window out instead of probing. Until a success bounds the window, one
// probe at a time for the whole run goes ahead, each past the age refused so far (at
// least a quarter more, 200 ms to 2 s, as each org probed before: the first children wait no
// longer than they did), and then, while the bounds are more than a sixteenth of the
// window apart, one probe at a time halves the gap; a refusal past what was learnt (latency
// moves ages a little) moves it a thirty-second later. Only changes teach.
//
// Before any refusal nothing sleeps. Only the run's first change naming a young org goes
// alone, and the others naming young orgs wait for its answer (one round trip, once per run),
// so that a window shows in one refusal rather than in as many as there are workers; an
// answer that is not a refusal ends that, and then nothing waits until a refusal comes. A
// window of 0 costs that one round trip. Every wait ends when the org is no longer young: never
// past the timeout.
class YoungOrgs {
 public:
  YoungOrgs(std::chrono::milliseconds timeout, std::shared_ptr<WaitClock> clock, bool learn)
      : timeout_(timeout), clock_(std::move(clock)), learn_(learn) {}

  // This client created `id` just now.
  void created(const std::string& id);
  // An answer showed `org`: young when its create_time is less than the timeout ago.
  void seen(const Organization& org);
  // Until when `id` counts as young; nullopt when it does not (any more).
  std::optional<Clock::time_point> young_until(const std::string& id);

  // `change`: the request is a change (a child's create, a profile), the kind the window is
  // known for; only changes teach, and a read's refusal or answer says nothing about them.
  //
  // Blocks until the caller may send a request naming `id`.
  // Returns at once, without a turn, once `stop` is true (the caller then sends nothing and
  // calls not_sent).
  void wait_turn(const std::string& id, bool change, const std::atomic<bool>* stop = nullptr);
  // The request naming `id`, sent at `sent_at`, was refused with 403 while `id` was young.
  void refused(const std::string& id, Clock::time_point sent_at, bool change);
  // A request naming `id` got an answer other than that 403: the API knows the org now.
  // `accepted`: a 2xx, which bounds the window.
  void answered(const std::string& id, bool change, bool accepted);
  // The request naming `id` was not sent after all (wait_turn let it go).
  void not_sent(const std::string& id, bool change);

 private:
  // What the run has learnt of the window.
  struct Window {
    bool refused = false;            // a young 403 was seen: the API has a window
    Clock::duration longer_than{0};  // the oldest age refused
    // When requests are taken: the youngest age one was, past longer_than (a little past a
    // refusal that contradicted it).
    std::optional<Clock::duration> at_most;
  };
  struct Young {
    Clock::time_point created{};
    Clock::time_point until{};  // created + timeout
    bool ours = false;          // created by this client: its age is on our clock, so it teaches
  };
  struct Gate {
    Clock::time_point next_probe{};  // without learning
    bool probing = false;            // a request naming the org is out to find out
    bool scout = false;              // that request is the run's one exploring probe
    Clock::time_point not_before{};  // with learning: after its last refusal, whatever was learnt
  };
  void mark(const std::string& id, Clock::time_point created, bool ours);
  // When requests naming an org created at `created` may go, from what was learnt: `safe`,
  // when they are expected to be taken (any number of orgs' probes at once); `explore`, an
  // earlier age that the run's one exploring probe at a time tries, to find the window (while
  // unbounded) or to narrow it. Neither while nothing was learnt (no refusal, or learning off).
  struct Probes {
    std::optional<Clock::time_point> safe, explore;
  };
  Probes probes(Clock::time_point created) const;
  bool is_young(const std::string& id, Clock::time_point now) const;
  // A change naming a young org was answered (or not sent): the first no longer holds others.
  void first_done(bool answered);

  std::chrono::milliseconds timeout_;
  std::shared_ptr<WaitClock> clock_;
  const bool learn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Young> young_;
  std::unordered_map<std::string, Gate> gates_;
  Window window_;
  bool scout_out_ = false;  // an exploring probe is in flight
  // The run's first change naming a young org goes alone, once (see the class comment).
  bool first_answered_ = false;
  bool first_out_ = false;
  std::size_t prune_at_ = 1024;
};

}  // namespace cforg::api
