#include <cstdio>
#include <memory>

#include "cforg/plan/plan.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct StateOptions {
  CommonOptions common;
  std::vector<std::string> keys;  // show, rm
  std::string from, to;           // mv
  std::string file;               // push, pull: the local state file
  bool force = false;             // push, pull
  std::string format = "text";    // list, show
};

const state::OrgState& find_org(const state::State& st, const std::string& key,
                                const state::Backend& backend) {
  auto it = st.orgs.find(key);
  if (it == st.orgs.end()) {
    throw Failure("no org \"" + key + "\" in " + backend.describe() + " (see: cforg state list)");
  }
  return it->second;
}

// The state, loaded; locked first when `operation` will change it.
struct Opened {
  std::unique_ptr<state::Backend> backend;
  std::unique_ptr<state::Lock> lock;
  std::unique_ptr<state::Transaction> tx;  // when locked
  state::State st;
};

Opened open(const StateOptions& o, const char* operation = nullptr) {
  setup_logging(o.common);
  Opened s;
  s.backend = open_state(o.common);
  if (operation) s.lock = lock_state(*s.backend, o.common, operation);
  state::Snapshot loaded = s.backend->load();
  if (s.lock) s.tx = s.backend->begin(*s.lock, loaded);
  s.st = std::move(loaded.state);
  return s;
}

int run_list(const StateOptions& o) {
  const state::State st = open(o).st;
  if (o.format == "json") {
    // Each entry as the state file holds it, with its key: what state show prints, in a list.
    nlohmann::json orgs = nlohmann::json::array();
    for (const auto& [key, org] : st.orgs) {
      nlohmann::json entry = state::org_to_json(org);
      entry["key"] = key;
      orgs.push_back(std::move(entry));
    }
    nlohmann::json out = {{"lineage", st.lineage}, {"serial", st.serial}, {"organizations", orgs}};
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::size_t width = 3;
  for (const auto& [key, org] : st.orgs) width = std::max(width, key.size());
  for (const auto& [key, org] : st.orgs) {
    std::printf("%-*s  %-32s  %s%s\n", static_cast<int>(width), key.c_str(),
                org.pending_create ? "(create pending)" : org.id.c_str(), org.name.c_str(),
                org.prevent_destroy ? "  [prevent_destroy]" : "");
  }
  return kExitOk;
}

int run_show(const StateOptions& o) {
  Opened s = open(o);
  const state::OrgState& org = find_org(s.st, o.keys.front(), *s.backend);
  std::printf("%s\n", state::org_to_json(org).dump(2).c_str());
  return kExitOk;
}

int run_rm(const StateOptions& o) {
  Opened s = open(o, "state rm");
  for (const std::string& key : o.keys) find_org(s.st, key, *s.backend);  // all or nothing
  for (const std::string& key : o.keys) s.st.orgs.erase(key);
  s.tx->commit(s.st);
  for (const std::string& key : o.keys) {
    std::printf("Removed org \"%s\" from state; it still exists remotely.\n", key.c_str());
  }
  return kExitOk;
}

int run_mv(const StateOptions& o) {
  Opened s = open(o, "state mv");
  state::OrgState org = find_org(s.st, o.from, *s.backend);
  if (s.st.orgs.count(o.to)) {
    throw Failure("org \"" + o.to + "\" is already in state; choose another key or remove it " +
                  "first with: cforg state rm " + plan::shell_word(o.to));
  }
  s.st.orgs.erase(o.from);
  s.st.orgs[o.to] = std::move(org);
  s.tx->commit(s.st);
  std::printf("Moved org \"%s\" to \"%s\".\n", o.from.c_str(), o.to.c_str());
  return kExitOk;
}

// Copies the state from `src` to `dst`, both locked for it: refuses to replace a state of
// another lineage, or a newer serial of the same one, unless `force`.
// The local file is locked first either way: a push and a pull at once then wait for each other
// (--lock-timeout) instead of each holding one lock until both time out.
int transfer(state::Backend& src, state::Backend& dst, bool force, const char* verb,
             const CommonOptions& common, bool lock_dst_first) {
  std::unique_ptr<state::Lock> src_lock, dst_lock;
  if (lock_dst_first) dst_lock = lock_state(dst, common, verb);
  src_lock = lock_state(src, common, verb);
  if (!dst_lock) dst_lock = lock_state(dst, common, verb);
  state::Snapshot from = src.load();
  state::Snapshot to = dst.load();
  if (from.state.lineage.empty() && from.state.orgs.empty()) {
    throw Failure("nothing to " + std::string(verb) + ": " + src.describe() + " holds no state");
  }
  if (to.journal_pending() && !force) {
    // Ids an interrupted run created there, in neither state: replacing them would make the
    // next apply create those organizations again.
    throw Failure(dst.describe() + " holds " + std::to_string(to.journal_records) +
                  " changes an interrupted run journaled, which " + src.describe() +
                  " lacks: run cforg refresh (or apply) on it first, or pass --force");
  }
  const state::State& had = to.state;
  state::State out = std::move(from.state);
  bool replaced_other = false;
  if (!had.lineage.empty() && had.lineage != out.lineage) {
    if (!force) {
      throw Failure(dst.describe() + " holds another state (lineage " + had.lineage + ", serial " +
                    std::to_string(had.serial) + ") than " + src.describe() + " (lineage " +
                    (out.lineage.empty() ? std::string("none") : out.lineage) +
                    "): refusing to replace it. If that is what you want, pass --force");
    }
    replaced_other = true;
  } else if (!had.lineage.empty() && had.serial > out.serial) {
    if (!force) {
      throw Failure(dst.describe() + " is newer (serial " + std::to_string(had.serial) + ") than " +
                    src.describe() + " (serial " + std::to_string(out.serial) +
                    "): refusing to overwrite it. Pull it first, or pass --force");
    }
    replaced_other = true;
  }
  // The destination's serial never goes back: a forced copy continues after it.
  if (replaced_other && out.serial <= had.serial) out.serial = had.serial + 1;
  std::unique_ptr<state::Transaction> tx = dst.begin(*dst_lock, to);
  tx->replace(out);
  std::printf("Copied %zu organizations from %s to %s (serial %llu)%s.\n", out.orgs.size(),
              src.describe().c_str(), dst.describe().c_str(),
              static_cast<unsigned long long>(out.serial),
              from.journal_pending() ? ", with the changes an interrupted run had journaled" : "");
  return kExitOk;
}

int run_push(const StateOptions& o) {
  setup_logging(o.common);
  std::unique_ptr<state::Backend> dst = open_state(o.common);
  std::unique_ptr<state::Backend> src = state::open_file_backend(o.file, /*create_folder=*/false);
  return transfer(*src, *dst, o.force, "state push", o.common, /*lock_dst_first=*/false);
}

int run_pull(const StateOptions& o) {
  setup_logging(o.common);
  std::unique_ptr<state::Backend> src = open_state(o.common);
  std::unique_ptr<state::Backend> dst = state::open_file_backend(o.file, /*create_folder=*/false);
  return transfer(*src, *dst, o.force, "state pull", o.common, /*lock_dst_first=*/true);
}

}  // namespace

void add_state_command(CLI::App& app, Runner& run) {
  CLI::App* state = app.add_subcommand("state", "Inspect and edit the state (nothing remote)");
  state->require_subcommand(1);

  auto list = std::make_shared<StateOptions>();
  CLI::App* cmd = state->add_subcommand("list", "Every org in state: key, id, name");
  add_common_options(cmd, list->common, /*with_config=*/false);
  cmd->add_option("--format", list->format,
                  "Output: text (a table) or json (every entry as the state file holds it, with "
                  "its key)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([list, &run] { run = [list] { return run_list(*list); }; });

  auto show = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("show", "One org's state entry, as JSON");
  cmd->add_option("KEY", show->keys, "The org's key")->required()->expected(1);
  add_common_options(cmd, show->common, false);
  cmd->add_option("--format", show->format,
                  "Output: the entry as the state file holds it (json; text is the same)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([show, &run] { run = [show] { return run_show(*show); }; });

  auto rm = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("rm", "Forget orgs: stop managing them, delete nothing remotely");
  cmd->add_option("KEY", rm->keys, "Org keys")->required();
  add_common_options(cmd, rm->common, false);
  add_lock_timeout_option(cmd, rm->common);
  cmd->callback([rm, &run] { run = [rm] { return run_rm(*rm); }; });

  auto mv = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("mv", "Rename an org's key in state (after renaming it in config)");
  cmd->add_option("OLD", mv->from, "Current key")->required();
  cmd->add_option("NEW", mv->to, "New key")->required();
  add_common_options(cmd, mv->common, false);
  add_lock_timeout_option(cmd, mv->common);
  cmd->callback([mv, &run] { run = [mv] { return run_mv(*mv); }; });

  auto push = std::make_shared<StateOptions>();
  cmd = state->add_subcommand(
      "push", "Copy a local state file to the backend (--backend pg: its --workspace)");
  cmd->add_option("FILE", push->file, "The local state file")->required();
  cmd->add_flag("--force", push->force,
                "Replace a state of another lineage, or a newer serial, in the backend");
  add_common_options(cmd, push->common, false);
  add_lock_timeout_option(cmd, push->common);
  cmd->callback([push, &run] { run = [push] { return run_push(*push); }; });

  auto pull = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("pull", "Copy the backend's state into a local state file");
  cmd->add_option("FILE", pull->file, "The local state file to write")->required();
  cmd->add_flag("--force", pull->force,
                "Replace a state of another lineage, or a newer serial, in FILE");
  add_common_options(cmd, pull->common, false);
  add_lock_timeout_option(cmd, pull->common);
  cmd->callback([pull, &run] { run = [pull] { return run_pull(*pull); }; });
}

}  // namespace cforg::cli
