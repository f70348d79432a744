#include "consistency.h"

#include <algorithm>

namespace cforg::emulator {

void ConsistencyWindow::created(const std::string& id, Clock::time_point now) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  if (created_.size() >= sweep_at_) {  // amortised: the map holds only young ids for long
    for (auto it = created_.begin(); it != created_.end();) {
      it = it->second <= now ? created_.erase(it) : std::next(it);
    }
    sweep_at_ = std::max<size_t>(1024, created_.size() * 2);
  }
  created_[id] = now + window_;
}

bool ConsistencyWindow::young(std::string_view id, Clock::time_point now) {
  if (!enabled()) return false;
  std::lock_guard lock(mutex_);
  auto it = created_.find(std::string(id));
  return it != created_.end() && now < it->second;
}

}  // namespace cforg::emulator
