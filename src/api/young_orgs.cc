// The young-org gate (see young_orgs.h).
#include "young_orgs.h"

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
  mark(id, clock_->now() + timeout_);
}

void YoungOrgs::seen(const Organization& org) {
  if (org.create_time.empty()) return;
  auto created = parse_rfc3339(org.create_time);
  if (!created) return;
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->wall_now() - *created);
  // A create_time ahead of our clock is young for no longer than a fresh create.
  age = std::max(age, 0ms);
  if (age < timeout_) mark(org.id, clock_->now() + (timeout_ - age));
}

std::optional<Clock::time_point> YoungOrgs::young_until(const std::string& id) {
  if (id.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = until_.find(id);
  if (it == until_.end() || it->second <= clock_->now()) return std::nullopt;
  return it->second;
}

void YoungOrgs::wait_turn(const std::string& id) {
  if (id.empty()) return;
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = gates_.find(id);
    if (it == gates_.end()) return;  // never refused, or taken since
    Gate& g = it->second;
    auto now = clock_->now();
    auto young = until_.find(id);
    if (young == until_.end() || young->second <= now) return;  // old now: no more waiting
    if (!g.probing && now >= g.next_probe) {
      g.probing = true;
      return;
    }
    // A copy: wait_until reads its deadline again after waking, and by then another worker
    // may have erased the gate or rehashed the registry these entries live in.
    const Clock::time_point deadline =
        g.probing ? young->second : std::min(g.next_probe, young->second);
    clock_->wait_until(cv_, lock, deadline);
  }
}

void YoungOrgs::refused(const std::string& id) {
  std::lock_guard lock(mu_);
  auto young = until_.find(id);
  if (young == until_.end()) return;
  auto now = clock_->now();
  auto created = young->second - timeout_;
  auto age = std::max(now - created, Clock::duration::zero());
  auto step = std::clamp<Clock::duration>(age / 4, 200ms, 2s);
  Gate& g = gates_[id];
  g.probing = false;
  g.next_probe = std::max(g.next_probe, now + step);
  cv_.notify_all();
}

void YoungOrgs::answered(const std::string& id) {
  if (id.empty()) return;
  std::lock_guard lock(mu_);
  if (gates_.erase(id)) cv_.notify_all();
}

void YoungOrgs::mark(const std::string& id, Clock::time_point until) {
  std::lock_guard lock(mu_);
  auto& at = until_[id];
  at = std::max(at, until);
  // Expired entries go now and then, so a long run's registry stays small.
  if (until_.size() >= prune_at_) {
    auto now = clock_->now();
    std::erase_if(until_, [now](const auto& kv) { return kv.second <= now; });
    prune_at_ = std::max<std::size_t>(1024, until_.size() * 2);
  }
}

}  // namespace cforg::api
