#include <cstdio>
#include <memory>

#include "cforg/ops/operations.h"
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

int run_list(const StateOptions& o) {
  const state::State st = ops::read_state(backend_options(o.common));
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
                org.pending_create ? "(create pending)" : org.id.c_str(), org.spec.name.c_str(),
                org.spec.prevent_destroy ? "  [prevent_destroy]" : "");
  }
  return kExitOk;
}

int run_show(const StateOptions& o) {
  state::OrgState org = ops::read_state_entry(backend_options(o.common), o.keys.front());
  std::printf("%s\n", state::org_to_json(org).dump(2).c_str());
  return kExitOk;
}

int run_rm(const StateOptions& o) {
  ops::state_rm(backend_options(o.common), o.keys);
  for (const std::string& key : o.keys) {
    std::printf("Removed org \"%s\" from state; it still exists remotely.\n", key.c_str());
  }
  return kExitOk;
}

int run_mv(const StateOptions& o) {
  ops::state_mv(backend_options(o.common), o.from, o.to);
  std::printf("Moved org \"%s\" to \"%s\".\n", o.from.c_str(), o.to.c_str());
  return kExitOk;
}

int print_transfer(const ops::TransferResult& t) {
  std::printf("Copied %zu organizations from %s to %s (serial %llu)%s.\n", t.orgs, t.from.c_str(),
              t.to.c_str(), static_cast<unsigned long long>(t.serial),
              t.journal_folded ? ", with the changes an interrupted run had journaled" : "");
  return kExitOk;
}

int run_push(const StateOptions& o) {
  return print_transfer(ops::state_push(backend_options(o.common), o.file, o.force));
}

int run_pull(const StateOptions& o) {
  return print_transfer(ops::state_pull(backend_options(o.common), o.file, o.force));
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
  cmd->callback([list, &run] { run.set([list] { return run_list(*list); }, &list->common); });

  auto show = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("show", "One org's state entry, as JSON");
  cmd->add_option("KEY", show->keys, "The org's key")->required()->expected(1);
  add_common_options(cmd, show->common, false);
  cmd->add_option("--format", show->format,
                  "Output: the entry as the state file holds it (json; text is the same)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([show, &run] { run.set([show] { return run_show(*show); }, &show->common); });

  auto rm = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("rm", "Forget orgs: stop managing them, delete nothing remotely");
  cmd->add_option("KEY", rm->keys, "Org keys")->required();
  add_common_options(cmd, rm->common, false);
  add_lock_timeout_option(cmd, rm->common);
  cmd->callback([rm, &run] { run.set([rm] { return run_rm(*rm); }, &rm->common); });

  auto mv = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("mv", "Rename an org's key in state (after renaming it in config)");
  cmd->add_option("OLD", mv->from, "Current key")->required();
  cmd->add_option("NEW", mv->to, "New key")->required();
  add_common_options(cmd, mv->common, false);
  add_lock_timeout_option(cmd, mv->common);
  cmd->callback([mv, &run] { run.set([mv] { return run_mv(*mv); }, &mv->common); });

  auto push = std::make_shared<StateOptions>();
  cmd = state->add_subcommand(
      "push", "Copy a local state file to the backend (--backend pg: its --workspace)");
  cmd->add_option("FILE", push->file, "The local state file")->required();
  cmd->add_flag("--force", push->force,
                "Replace a state of another lineage, or a newer serial, in the backend");
  add_common_options(cmd, push->common, false);
  add_lock_timeout_option(cmd, push->common);
  cmd->callback([push, &run] { run.set([push] { return run_push(*push); }, &push->common); });

  auto pull = std::make_shared<StateOptions>();
  cmd = state->add_subcommand("pull", "Copy the backend's state into a local state file");
  cmd->add_option("FILE", pull->file, "The local state file to write")->required();
  cmd->add_flag("--force", pull->force,
                "Replace a state of another lineage, or a newer serial, in FILE");
  add_common_options(cmd, pull->common, false);
  add_lock_timeout_option(cmd, pull->common);
  cmd->callback([pull, &run] { run.set([pull] { return run_pull(*pull); }, &pull->common); });
}

}  // namespace cforg::cli
