// state list/show/rm/mv/push/pull and force-unlock: edits of the state alone, nothing remote.
#include "boundary.h"
#include "cforg/ops/operations.h"
#include "session.h"

namespace cforg::ops {
namespace {

const state::OrgState& find_org(const state::State& st, const std::string& key,
                                const state::Backend& backend) {
  auto it = st.orgs.find(key);
  if (it == st.orgs.end()) {
    throw Error("no org \"" + key + "\" in " + backend.describe() + " (see: cforg state list)");
  }
  return it->second;
}

// Copies the state from `src` to `dst`, both locked for it. The local file is locked first
// either way: a push and a pull at once then wait for each other (--lock-timeout) instead of
// each holding one lock until both time out.
TransferResult transfer(state::Backend& src, state::Backend& dst, bool force, const char* verb,
                        const BackendOptions& b, bool lock_dst_first) {
  std::unique_ptr<state::Lock> src_lock, dst_lock;
  if (lock_dst_first) dst_lock = lock_backend(dst, b, verb);
  src_lock = lock_backend(src, b, verb);
  if (!dst_lock) dst_lock = lock_backend(dst, b, verb);
  state::Snapshot from = src.load();
  state::Snapshot to = dst.load();
  if (from.state.lineage.empty() && from.state.orgs.empty()) {
    throw Error("nothing to " + std::string(verb) + ": " + src.describe() + " holds no state");
  }
  if (to.journal_pending() && !force) {
    // Ids an interrupted run created there, in neither state: replacing them would make the
    // next apply create those organizations again.
    throw Error(dst.describe() + " holds " + std::to_string(to.journal_records) +
                " changes an interrupted run journaled, which " + src.describe() +
                " lacks: run cforg refresh (or apply) on it first, or pass --force");
  }
  const state::State& had = to.state;
  state::State out = std::move(from.state);
  bool replaced_other = false;
  if (!had.lineage.empty() && had.lineage != out.lineage) {
    if (!force) {
      throw Error(dst.describe() + " holds another state (lineage " + had.lineage + ", serial " +
                  std::to_string(had.serial) + ") than " + src.describe() + " (lineage " +
                  (out.lineage.empty() ? std::string("none") : out.lineage) +
                  "): refusing to replace it. If that is what you want, pass --force");
    }
    replaced_other = true;
  } else if (!had.lineage.empty() && had.serial > out.serial) {
    if (!force) {
      throw Error(dst.describe() + " is newer (serial " + std::to_string(had.serial) + ") than " +
                  src.describe() + " (serial " + std::to_string(out.serial) +
                  "): refusing to overwrite it. Pull it first, or pass --force");
    }
    replaced_other = true;
  }
  // The destination's serial never goes back: a forced copy continues after it.
  if (replaced_other && out.serial <= had.serial) out.serial = had.serial + 1;
  std::unique_ptr<state::Transaction> tx = dst.begin(*dst_lock, to);
  tx->replace(out);
  return {out.orgs.size(), src.describe(), dst.describe(), out.serial, from.journal_pending()};
}

}  // namespace

state::State read_state(const BackendOptions& b) {
  return translating_stage_errors([&] { return open_backend(b)->load().state; });
}

state::OrgState read_state_entry(const BackendOptions& b, const std::string& key) {
  return translating_stage_errors([&] {
    std::unique_ptr<state::Backend> backend = open_backend(b);
    return find_org(backend->load().state, key, *backend);
  });
}

void state_rm(const BackendOptions& b, const std::vector<std::string>& keys) {
  translating_stage_errors([&] {
    Locked s = open_locked(b, "state rm");
    for (const std::string& key : keys) find_org(s.state, key, *s.backend);  // all or nothing
    for (const std::string& key : keys) s.state.orgs.erase(key);
    s.tx->commit(s.state);
  });
}

void state_mv(const BackendOptions& b, const std::string& from, const std::string& to) {
  translating_stage_errors([&] {
    Locked s = open_locked(b, "state mv");
    state::OrgState org = find_org(s.state, from, *s.backend);
    if (s.state.orgs.count(to)) {
      throw Error("org \"" + to + "\" is already in state; choose another key or remove it " +
                  "first with: cforg state rm " + plan::shell_word(to));
    }
    s.state.orgs.erase(from);
    s.state.orgs[to] = std::move(org);
    s.tx->commit(s.state);
  });
}

TransferResult state_push(const BackendOptions& b, const std::string& file, bool force) {
  return translating_stage_errors([&] {
    std::unique_ptr<state::Backend> dst = open_backend(b);
    std::unique_ptr<state::Backend> src = state::open_file_backend(file, /*create_folder=*/false);
    return transfer(*src, *dst, force, "state push", b, /*lock_dst_first=*/false);
  });
}

TransferResult state_pull(const BackendOptions& b, const std::string& file, bool force) {
  return translating_stage_errors([&] {
    std::unique_ptr<state::Backend> src = open_backend(b);
    std::unique_ptr<state::Backend> dst = state::open_file_backend(file, /*create_folder=*/false);
    return transfer(*src, *dst, force, "state pull", b, /*lock_dst_first=*/true);
  });
}

void force_unlock(const BackendOptions& b, const std::string& lock_id) {
  translating_stage_errors([&] { open_backend(b)->force_unlock(lock_id); });
}

}  // namespace cforg::ops

namespace cforg::ops {

std::unique_ptr<state::Lease> try_lead(const BackendOptions& b) {
  return translating_stage_errors([&] { return open_backend(b)->try_lead(); });
}

}  // namespace cforg::ops
