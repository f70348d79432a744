// What the operations share: the backend opened, locked and loaded, with its transaction; the
// config; the client once one is needed.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/ops/operations.h"
#include "cforg/state/backend.h"

namespace cforg::ops {

// The backend for b.backend: the file at b.state_path, or the PostgreSQL workspace.
std::unique_ptr<state::Backend> open_backend(const BackendOptions& b);
// `backend`'s lock for `operation`, waiting up to b.lock_timeout (reported through
// b.on_lock_wait) while another process holds it.
std::unique_ptr<state::Lock> lock_backend(state::Backend& backend, const BackendOptions& b,
                                          const char* operation);

// The client for `o`. Throws Error when there are no credentials (before any request), for a
// base URL that is refused (plain http:// off this machine) and a bad --rate-limit.
std::unique_ptr<api::HttpClient> make_client(const NetworkOptions& o);

// A backend locked and loaded, with the transaction of this run.
struct Locked {
  std::unique_ptr<state::Backend> backend;
  std::unique_ptr<state::Lock> lock;
  std::unique_ptr<state::Transaction> tx;  // from the snapshot `state` was loaded as
  state::State state;
  bool journal_pending = false;  // `state` holds records of an interrupted run's journal
};
Locked open_locked(const BackendOptions& b, const char* operation);

struct Session : Locked {
  config::Config config;
  std::unique_ptr<api::HttpClient> client;  // only once the operation talks to the API

  api::HttpClient& api(const NetworkOptions& net) {
    if (!client) client = make_client(net);
    return *client;
  }
  std::uint64_t requests() const { return client ? client->stats().requests.load() : 0; }
};
// Loads the config at `paths` (ConfigError), then locks and loads the state for `operation`.
Session open_session(const std::vector<std::string>& paths, const BackendOptions& b,
                     const char* operation);

// Calls `f` (when set) on leaving the scope, also by an exception: for a caller's observer that
// reads the client's counters and must stop before the client is destroyed.
class ScopeExit {
 public:
  explicit ScopeExit(std::function<void()> f) : f_(std::move(f)) {}
  ~ScopeExit() {
    if (f_) f_();
  }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  std::function<void()> f_;
};

// --max-retries, --retry-base-delay and --retry-max-delay as a policy.
api::RetryPolicy retry_policy(const NetworkOptions& o);

// Plans against the session's state: reads the remote side first unless net.refresh is false.
// Throws Error when --replace names a key the config does not declare, or --target one that
// neither the config nor the state has.
plan::Plan plan_live(Session& s, const NetworkOptions& net, const PlanFlags& flags);

}  // namespace cforg::ops
