// The LockInfo of this process, which every backend writes into its lock.
#pragma once

#include <string>
#include <string_view>

#include "cforg/state/backend.h"

namespace cforg::state {

// A new lock id, `operation`, user_at_host(), this pid, now.
LockInfo this_process_lock_info(std::string_view operation);

// "user@host" of this process, for LockInfo::who.
std::string user_at_host();

}  // namespace cforg::state
