// The young-org gate (see young_orgs.h).
#include "young_orgs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace cforg::api {

using namespace std::chrono_literals;

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) rest = strptime(text.c_str(), "%Y-%m-%dt%H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (*rest == '.') {
    ++rest;
    std::int64_t scale = 100000000;
    if (*rest < '0' || *rest > '9') return std::nullopt;
    for (; *rest >= '0' && *rest <= '9'; ++rest) {
      fraction += std::chrono::nanoseconds((*rest - '0') * scale);
      scale /= 10;
    }
  }
  std::chrono::seconds offset{0};
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    // ±hh:mm, exactly.
    auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
    if (!digit(rest[1]) || !digit(rest[2]) || rest[3] != ':' || !digit(rest[4]) ||
        !digit(rest[5])) {
      return std::nullopt;
    }
    int h = (rest[1] - '0') * 10 + (rest[2] - '0');
    int m = (rest[4] - '0') * 10 + (rest[5] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    offset = std::chrono::seconds((*rest == '-' ? -1 : 1) * (h * 3600 + m * 60));
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  // system_clock counts nanoseconds in 64 bits: a year past 2262 (or before 1677) does not
  // fit, and converting it would overflow (undefined behaviour; found by tests/fuzz). No
  // organization was created then: not a create_time.
  constexpr std::time_t kLimit =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max())
          .count() -
      2 * 86400;  // the offset and the fraction still fit
  if (t > kLimit || t < -kLimit) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

void YoungOrgs::created(const std::string& id) {
  mark(id, clock_->now(), /*ours=*/true);
}

void YoungOrgs::seen(const Organization& org) {
  if (org.create_time.empty()) return;
  auto created = parse_rfc3339(org.create_time);
  if (!created) return;
  const auto now = clock_->wall_now();
  // Old enough to be past the timeout: decided before subtracting, since a create_time centuries
  // back (the clock's range is about 292 years each way) would overflow the difference.
  if (*created <= now - timeout_) return;
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - *created);
  // A create_time ahead of our clock is young for no longer than a fresh create.
  age = std::max(age, 0ms);
  if (age < timeout_) mark(org.id, clock_->now() - age, /*ours=*/false);
}

std::optional<Clock::time_point> YoungOrgs::young_until(const std::string& id) {
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = young_.find(id);
  if (it == young_.end() || it->second.until <= clock_->now()) return std::nullopt;
  return it->second.until;
}

YoungOrgs::Probes YoungOrgs::probes(Clock::time_point created) const {
  Probes p;
  if (!learn_ || !window_.refused) return p;
  if (!window_.at_most) {
    // Unbounded yet: a quarter past the age refused so far (200 ms to 2 s), so that the first
    // children overshoot the window by no more than each org's own probes did.
    p.explore = created + window_.longer_than +
                std::clamp<Clock::duration>(window_.longer_than / 4, 200ms, 2s);
    return p;
  }
  p.safe = created + *window_.at_most;
  // Bounded, but loosely (by up to a quarter): halve the gap, one probe at a time, until it is
  // a sixteenth of the window.
  auto gap = *window_.at_most - window_.longer_than;
  if (gap > std::max<Clock::duration>(*window_.at_most / 16, 20ms)) {
    p.explore = created + window_.longer_than + gap / 2;
  }
  return p;
}

bool YoungOrgs::is_young(const std::string& id, Clock::time_point now) const {
  auto it = young_.find(id);
  return it != young_.end() && it->second.until > now;
}

void YoungOrgs::first_done(bool answered) {
  first_out_ = false;
  first_answered_ = first_answered_ || answered;
  cv_.notify_all();
}

void YoungOrgs::wait_turn(const std::string& id, bool change, const std::atomic<bool>* stop) {
  if (id.empty()) return;
  std::unique_lock lock(mu_);
  // With a stop flag, no wait is longer than 100 ms: a signal cannot wake a condition variable.
  auto until = [&](Clock::time_point t) {
    return stop ? std::min(t, clock_->now() + std::chrono::milliseconds(100)) : t;
  };
  for (;;) {
    if (stop && stop->load()) return;
    auto now = clock_->now();
    auto young = young_.find(id);
    if (young == young_.end() || young->second.until <= now) return;  // old now: no waiting
    auto it = gates_.find(id);
    if (it == gates_.end()) {
      // Never refused, or taken since.
      if (learn_ && change && !window_.refused && !first_answered_) {
        // The run's first change naming a young org goes alone: a window shows in one refusal.
        if (!first_out_) {
          first_out_ = true;
          return;
        }
        clock_->wait_until(cv_, lock, until(young->second.until));
        continue;
      }
      // Once the run has seen the window, an org younger than what was learnt gets a gate
      // anyway: its first request waits, the rest wait for that.
      Probes p = probes(young->second.created);
      if (!p.safe && !p.explore) return;
      if (p.safe && now >= *p.safe) return;
      it = gates_.emplace(id, Gate{}).first;
    }
    Gate& g = it->second;
    // A copy: wait_until reads its deadline again after waking, and by then another worker
    // may have erased the gate or rehashed the registry these entries live in.
    Clock::time_point deadline = young->second.until;
    if (!g.probing && !learn_) {
      if (now >= g.next_probe) {
        g.probing = true;
        return;
      }
      deadline = std::min(deadline, g.next_probe);
    } else if (!g.probing) {
      // Recomputed every time: what any org taught since moves this one's probes.
      Probes p = probes(young->second.created);
      if (!p.safe && !p.explore) {
        // Nothing learnt (only reads, or orgs of another run, were refused): its own schedule.
        if (now >= g.not_before) {
          g.probing = true;
          return;
        }
        deadline = std::min(deadline, g.not_before);
      }
      if (p.safe) {
        auto at = std::max(*p.safe, g.not_before);
        if (now >= at) {
          g.probing = true;
          return;
        }
        deadline = std::min(deadline, at);
      }
      if (p.explore && !scout_out_) {
        auto at = std::max(*p.explore, g.not_before);
        if (now >= at) {
          g.probing = g.scout = scout_out_ = true;
          return;
        }
        deadline = std::min(deadline, at);
      }
    }
    clock_->wait_until(cv_, lock, until(deadline));
  }
}

void YoungOrgs::refused(const std::string& id, Clock::time_point sent_at, bool change) {
  std::lock_guard lock(mu_);
  if (learn_ && change && first_out_) first_done(true);
  auto young = young_.find(id);
  if (young == young_.end()) {
    // Gone from the registry meanwhile: only the run's probe, if this was it, is over.
    if (auto it = gates_.find(id); it != gates_.end() && it->second.scout) {
      it->second.scout = scout_out_ = false;
      cv_.notify_all();
    }
    return;
  }
  Gate& g = gates_[id];
  g.probing = false;
  if (g.scout) g.scout = scout_out_ = false;
  cv_.notify_all();
  auto now = clock_->now();
  const Clock::time_point created = young->second.created;
  auto age_step = std::clamp<Clock::duration>((now - created) / 4, 200ms, 2s);
  if (!learn_) {
    g.next_probe = std::max(g.next_probe, now + age_step);
    return;
  }
  if (young->second.ours && change) {
    // It arrived no earlier than it was sent: the window is longer than the age at the send.
    window_.refused = true;
    window_.longer_than = std::max(window_.longer_than, sent_at - created);
    if (window_.at_most && *window_.at_most <= window_.longer_than) {
      // Taken once at that age, refused now: latency moves ages a little. Expect it a little
      // later, rather than finding the window again from scratch.
      window_.at_most =
          window_.longer_than + std::clamp<Clock::duration>(window_.longer_than / 32, 10ms, 2s);
    }
    g.not_before = now;
  } else {
    // A read's refusal, or an age from a create_time (another clock), teaches nothing, and what
    // was learnt may not fit it: it waits by its own age too, so that it is never sent again
    // at once.
    g.not_before = now + age_step;
  }
}

void YoungOrgs::not_sent(const std::string& id, bool change) {
  if (id.empty()) return;
  std::lock_guard lock(mu_);
  if (learn_ && change && first_out_ && is_young(id, clock_->now())) first_done(false);
  auto gate = gates_.find(id);
  if (gate == gates_.end()) return;
  if (gate->second.scout) scout_out_ = false;
  gates_.erase(gate);
  cv_.notify_all();
}

void YoungOrgs::answered(const std::string& id, bool change, bool accepted) {
  if (id.empty()) return;
  std::lock_guard lock(mu_);
  if (learn_ && change && is_young(id, clock_->now())) first_done(true);
  if (learn_ && change && accepted) {
    auto young = young_.find(id);
    auto now = clock_->now();
    // Taken no later than answered: the window is no longer than the age now.
    if (young != young_.end() && young->second.ours && now < young->second.until) {
      auto age = now - young->second.created;
      if (age > window_.longer_than && (!window_.at_most || age < *window_.at_most)) {
        if (window_.refused && !window_.at_most) {
          spdlog::debug(
              "the API took a request naming an organization {} ms after its create, "
              "after refusing one at {} ms: later ones wait that long",
              std::chrono::duration_cast<std::chrono::milliseconds>(age).count(),
              std::chrono::duration_cast<std::chrono::milliseconds>(window_.longer_than).count());
        }
        window_.at_most = age;
      }
    }
  }
  auto gate = gates_.find(id);
  if (gate == gates_.end()) return;
  if (gate->second.scout) scout_out_ = false;
  gates_.erase(gate);
  cv_.notify_all();
}

void YoungOrgs::mark(const std::string& id, Clock::time_point created, bool ours) {
  std::lock_guard lock(mu_);
  Young& y = young_[id];
  Clock::time_point until = created + timeout_;
  if (until > y.until) y = Young{created, until, ours || y.ours};
  // Expired entries go now and then, so a long run's registry stays small.
  if (young_.size() >= prune_at_) {
    auto now = clock_->now();
    std::erase_if(young_, [now](const auto& kv) { return kv.second.until <= now; });
    prune_at_ = std::max<std::size_t>(1024, young_.size() * 2);
  }
}

}  // namespace cforg::api
