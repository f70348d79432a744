// The state lock as a local file: flock(2) on `path.lock`, with the holder described inside.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "cforg/state/backend.h"

namespace cforg::state {

// Takes the lock on `lock_path` at once, or throws LockedError naming the holder and how to
// get rid of a stale lock; `state_where` names the state in messages.
std::unique_ptr<Lock> acquire_file_lock(const std::string& lock_path,
                                        const std::string& state_where, std::string_view operation);

// The controller's lease on a local state: flock(2) on `lease_path` (`path.leader`), or
// nullptr while another process holds it. Throws StateError when the file cannot be opened.
std::unique_ptr<Lease> try_file_lease(const std::string& lease_path);

// Removes the lock file when it holds `lock_id`; throws StateError otherwise.
void force_unlock_file(const std::string& lock_path, const std::string& state_where,
                       std::string_view lock_id);

}  // namespace cforg::state
