// The operations of cforg, after Terraform's command -> backend split: each takes a request,
// opens the backend, locks, loads, plans or edits, journals and saves, and returns what
// happened for the caller to render. Nothing here reads a terminal, the environment or
// prints: questions and reports are callbacks of the request. Every operation throws one
// error type, Error (ConfigError for an invalid config): what the stages below throw for
// people (a state, lock, journal or plan file problem) arrives as Error with its message.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/apply/executor.h"
#include "cforg/ops/options.h"
#include "cforg/plan/export.h"
#include "cforg/plan/plan.h"

namespace cforg::ops {

// --- plan --------------------------------------------------------------------------------

struct PlanRequest {
  std::vector<std::string> config_paths;  // empty: cforg.yaml
  BackendOptions backend;
  NetworkOptions net;
  PlanFlags flags;
  // Where the plan will be saved ("" when it is not; "-" for standard output): refused when it
  // is one of the config's own files, which the plan would replace.
  std::string out;
};

// The plan of the config against the live state, read under the state's lock (released on
// return). Reads the remote side first unless net.refresh is false (the client is made then,
// so a missing credential fails before any request). Throws ConfigError, or Error (--replace
// or --target naming a key neither side has, a bad --rate-limit, the remote side unreadable,
// `out` naming a config file, the state unreadable or locked).
plan::Plan make_live_plan(const PlanRequest& r);

// --- apply -------------------------------------------------------------------------------

struct ApplyRequest {
  std::vector<std::string> config_paths;  // empty: cforg.yaml, or for a saved plan its own
  BackendOptions backend;
  NetworkOptions net;
  PlanFlags flags;        // live apply only
  std::string plan_file;  // non-empty: apply exactly this saved plan (after verifying it)
  int max_create_attempts = 11;
  const std::atomic<bool>* stop = nullptr;  // once true, nothing new starts

  // The plan about to be applied, before anything is sent (to render it).
  std::function<void(const plan::Plan&)> show;
  // A live plan with changes is applied only when this returns true; empty: approved.
  std::function<bool(const plan::Plan&)> confirm;
  // Just before the first action, with the client ready: returns the run's observer (may
  // return null; empty: none).
  std::function<apply::Observer*(const api::HttpClient&)> starting;
  // Once the run is over, also when it throws, and before the client goes: the observer may
  // read the client's counters (the progress line does, from its own thread) and must stop.
  std::function<void()> finished;
};

struct ApplyResult {
  enum class Kind {
    nothing_to_do,  // no change, nothing journaled: nothing written
    plan_errors,    // the live plan has errors (plan.errors): nothing written
    cancelled,      // confirm said no: nothing written
    state_only,     // no action, but the state changed (refresh findings, a journal folded in)
    applied,        // actions were run (report)
  };
  Kind kind = Kind::nothing_to_do;
  plan::Plan plan;  // what was applied, or would have been
  apply::Report report;
  bool journal_pending = false;  // the state held what an interrupted run had journaled
  std::uint64_t serial = 0;      // of the state, as saved (as loaded when nothing was)
  std::string saved_to;          // the backend, for messages
  std::uint64_t requests = 0;    // sent, reads of the remote side included
  // The final save failed after the actions ran: the report is still what happened (and the
  // journal holds it for the next run); throw this after rendering it.
  std::optional<Error> save_error;
};

// Plans (or reads and verifies the saved plan), asks, runs the actions and saves: the actions
// journal their results, and this operation commits the state once they are over. Throws what
// make_live_plan throws, and Error for a saved plan that does not verify, missing credentials,
// or a failed save when no action ran; a failed save after actions is `save_error`.
ApplyResult apply(const ApplyRequest& r);

// --- plan files --------------------------------------------------------------------------

// Saves `p` to `out` (plan --out; "-": standard output) atomically. Throws Error.
void save_plan(const plan::Plan& p, const std::string& out);
// A plan file read and parsed strictly, its digest checked (show): not verified against any
// config or state, which apply does. Throws Error.
plan::Plan read_saved_plan(const std::string& path);

// --- refresh -----------------------------------------------------------------------------

struct RefreshRequest {
  std::vector<std::string> config_paths;
  BackendOptions backend;
  NetworkOptions net;  // refresh is always on
  // What the remote side changed, before asking (to render it: plan::render_refresh_text).
  std::function<void(const plan::Plan&)> show;
  // The state is saved only when this returns true; empty: approved.
  std::function<bool(const plan::Plan&)> confirm;
};

struct RefreshResult {
  enum class Kind { unchanged, cancelled, saved };
  Kind kind = Kind::unchanged;
  plan::Plan changes;    // only what the remote side says: no actions, no config flags
  std::size_t read = 0;  // organizations tracked, all read
  std::uint64_t serial = 0;
  std::string saved_to;
};

// Updates the state from the remote side and changes nothing remotely, like terraform apply
// -refresh-only. Throws Error "not refreshing: ..." (before asking, nothing saved) when the
// remote side lists none of most tracked orgs, unless net.allow_mass_forget.
RefreshResult refresh(const RefreshRequest& r);

// --- import ------------------------------------------------------------------------------

struct ImportRequest {
  std::vector<std::string> config_paths;
  BackendOptions backend;
  NetworkOptions net;
  std::string key;  // declared in the config
  std::string id;   // the organization's id
};

struct ImportResult {
  Organization org;  // as read
  // Recorded in state: only when the config of the key manages them (`members:`, `accounts:`).
  std::optional<std::size_t> members, accounts;
  std::uint64_t serial = 0;
};

// Records organization `id` in state as `key`. Refuses (Error), before anything is sent or
// written: an id of the wrong shape, a key the config does not declare, a key already tracked
// (but a create an interrupted run left pending), an id tracked under another key; and, after
// reading, an id these credentials do not see. The org is read through the list (a fresh org's
// GET answers 403), its profile too when the config manages one, its members and accounts
// (one paged listing each) when the config has `members:` / `accounts:` for the key, and
// only then recorded; prevent_destroy comes from the config.
ImportResult import_org(const ImportRequest& r);

// --- state edits -------------------------------------------------------------------------

// The state as the backend holds it, a journal left behind folded in (read only: no lock).
state::State read_state(const BackendOptions& b);
// One org's entry; Error naming the backend when it is not there.
state::OrgState read_state_entry(const BackendOptions& b, const std::string& key);

// Forgets `keys` (all or none: Error for a key not in state) and saves; nothing remote.
void state_rm(const BackendOptions& b, const std::vector<std::string>& keys);
// Moves the entry of `from` to `to` and saves; Error when `from` is missing or `to` is taken.
void state_mv(const BackendOptions& b, const std::string& from, const std::string& to);

struct TransferResult {
  std::size_t orgs = 0;
  std::string from, to;         // described
  std::uint64_t serial = 0;     // written
  bool journal_folded = false;  // the source held what an interrupted run had journaled
};
// Copies the local state file `file` into the backend (push), or the backend's state into it
// (pull), both locked. Refuses (Error) an empty source, a destination with a pending journal,
// of another lineage or with a newer serial, unless `force`; a forced copy's serial continues
// after the destination's.
TransferResult state_push(const BackendOptions& b, const std::string& file, bool force);
TransferResult state_pull(const BackendOptions& b, const std::string& file, bool force);

// The controller's lease on the backend's state (state::Backend::try_lead): held while it
// lives, nullptr while another process holds it. Throws Error when the backend cannot be reached.
std::unique_ptr<state::Lease> try_lead(const BackendOptions& b);

// Removes the backend's lock whose id is `lock_id`.
void force_unlock(const BackendOptions& b, const std::string& lock_id);

// --- export ------------------------------------------------------------------------------

struct ExportRequest {
  BackendOptions backend;  // with `import` only
  NetworkOptions net;
  plan::ExportOptions what;
  std::string out;  // "" or "-": standard output
  bool import = false;
  bool force = false;
  // With the client ready, before the first request (to show progress from its stats);
  // what.on_read is then called after each read of one org, and `read` once reading is done (also
  // when it throws: before the client goes).
  std::function<void(const api::HttpClient&)> starting;
  std::function<void()> read;
};

struct ExportResult {
  plan::Export exported;
  std::vector<std::string> files;  // written (none for standard output)
  std::uint64_t requests = 0;
  std::uint64_t serial = 0;  // with import: the state saved
};

// Reads the estate, writes its config (and with `import` records every org in state, locked
// before reading). `written`, when given, is called once the files are written, before the
// state is saved. Throws Error (plan::ExportError's message included).
ExportResult export_estate(const ExportRequest& r,
                           const std::function<void(const ExportResult&)>& written = {});

}  // namespace cforg::ops
