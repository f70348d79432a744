// Export: a config (and, with --import, state entries) for the organizations that exist, so
// that an estate made by hand or by another tool can be managed without recreating anything.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/config/config.h"
#include "cforg/state/state.h"

namespace cforg::plan {

// The estate cannot be exported as asked: a --parent that does not exist, siblings the config
// could not tell apart, an API error, a file that is there already. what() says what to do.
class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ExportOptions {
  // Non-empty: only the organizations below this one (it stays outside the export: its
  // children get `parent: {id: ...}`).
  std::string parent_id;
  // Non-empty: only organizations whose name starts with it (case-sensitive). An org kept whose
  // parent is not gets `parent: {id: ...}`.
  std::string name_prefix;
  // Read each org's profile (GET .../profile, one request per org when the list leaves
  // profiles out). false: the config manages no profile, and only list requests are sent.
  bool profiles = true;
  // List each org's members (GET .../members) and accounts (GET .../accounts): one paged
  // listing per org each. false: the config manages none (no `members:` / `accounts:`), and
  // the state records none.
  bool members = true;
  bool accounts = true;
  int parallelism = 10;
  // Called from worker threads after each read of one org (a profile, its members, its
  // accounts), with (done, total).
  std::function<void(std::size_t, std::size_t)> on_read;
};

struct ExportedOrg {
  // key, name, parent (a key, or the id of an org outside), profile, members, accounts
  config::DesiredOrg desired;
  Organization remote;  // as read
  // As listed; nullopt when not read (ExportOptions::members / accounts false).
  std::optional<std::vector<Member>> members;
  std::optional<std::vector<Account>> accounts;
};

struct Export {
  // Parents before children: depth first, siblings by (name, id). Each top-level tree (an org
  // whose parent is not exported, and everything below it) is one contiguous run.
  std::vector<ExportedOrg> orgs;
  std::vector<std::size_t> tree_starts;  // index of each top-level tree's first org
  std::size_t listed = 0;                // organizations the list returned, before filtering
  // What the export left out and why, for people (one sentence each): the members of orgs
  // that share an email, which a config lists in one org only.
  std::vector<std::string> warnings;
};

// The key an org gets from its name: ASCII lower-case; every run of other characters than
// [a-z0-9] becomes one "-"; no "-" at either end; "org" when nothing is left.
std::string key_from_name(std::string_view name);

// Reads every organization with one paged list (GET /organizations, the largest pages the
// server gives, inside the client's rate budget), filters, derives keys, then reads what
// `opts` asks of each exported org in parallel: its profile (unless the list carried it), its
// members and its accounts (one paged listing per org each). Members and accounts are written
// in a stable order (by email; by account name, then id); a member whose status is not
// active keeps it. The orgs whose members include an email another exported org lists too,
// or more than the config's limit, get no `members:` (not managed), with a warning.
// Keys: key_from_name; when several orgs get the same one, the earliest created (then the
// one nearer the top, then the smallest id) keeps it and each other gets "-" and the first 8
// characters of its id (more if that is taken too). Same estate, same Export. Throws ExportError.
Export export_orgs(api::Client& client, const ExportOptions& opts);

// The config text of orgs[begin, end): what load() reads back as exactly those orgs.
std::string export_yaml(const Export& e, std::size_t begin, std::size_t end);

// Writes the config: to `out` as one file, or, when `out` is a folder (it exists, or ends in
// "/"), one file per top-level tree named after its root's key (`<key>.yaml`). Refuses a file
// that exists, or a folder holding *.yaml/*.yml files, unless `force` (a folder's other config
// files are then removed: cforg would read them too). Each file is written atomically, and
// every text is checked by loading it back first. Returns the paths written.
std::vector<std::string> write_export(const Export& e, const std::string& out, bool force);
// What write_export refuses, checked before anything is read: throws ExportError.
void check_export_target(const std::string& out, bool force);

// Records every exported org in `st` under its key, as `cforg import` would each, with the
// members and accounts its config manages (an account recorded in another org of `st` is
// taken out of it: it sits here now). Throws
// ExportError, leaving `st` as it was, when a key or an id is tracked already.
void record_in_state(const Export& e, state::State& st);

}  // namespace cforg::plan
