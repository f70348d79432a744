// A folder with a config and a state file, and the emulator cforg talks to: the setting of
// every end-to-end test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/binaries.h"
#include "support/emulator.h"

namespace cforg::testing {

// For runs that test something other than pacing: no request budget, retries in milliseconds.
inline const std::vector<std::string> kFast = {
    "--rate-limit", "0", "--retry-base-delay", "0.01", "--retry-max-delay", "0.05"};

// `args` followed by `more`: ws.cforg(with({"apply", "--auto-approve"}, kFast)).
inline std::vector<std::string> with(std::vector<std::string> args,
                                     const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

class Workspace {
 public:
  explicit Workspace(const Emulator* emulator) : emulator_(emulator) {}

  // Writes cforg.yaml (or `name`) in the folder.
  void config(const std::string& yaml, const std::string& name = "cforg.yaml") {
    dir_.write(name, yaml);
  }
  // Runs cforg in the folder with the emulator's environment. The state is state/cforg.state.json.
  ProcessResult cforg(const std::vector<std::string>& args, RunOptions opts = {}) const {
    opts.cwd = dir_.path();
    return run_cforg(args, emulator_, std::move(opts));
  }
  // Starts cforg in the background, like cforg() does; its output goes to files `log_name`.*.
  std::unique_ptr<Child> start(const std::vector<std::string>& args,
                               const std::string& log_name) const {
    std::vector<std::string> argv = {cforg_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions opts;
    opts.cwd = dir_.path();
    if (emulator_) opts.env = emulator_->env();
    return std::make_unique<Child>(argv, opts, dir_ / log_name);
  }
  std::string state_path() const { return dir_ / "state/cforg.state.json"; }
  nlohmann::json state() const { return nlohmann::json::parse(read_file(state_path())); }
  // key -> id of every org in state.
  std::map<std::string, std::string> state_ids() const {
    std::map<std::string, std::string> out;
    nlohmann::json st = state();  // items() must not outlive it
    for (const auto& [key, org] : st["organizations"].items()) out[key] = org["id"];
    return out;
  }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  const Emulator* emulator_;
};

// A config of `n` root organizations named "<prefix> 0", "<prefix> 1", ...
inline std::string flat_config(const std::string& prefix, int n) {
  std::string yaml = "organizations:\n";
  for (int i = 0; i < n; ++i) yaml += "  - {name: " + prefix + " " + std::to_string(i) + "}\n";
  return yaml;
}

// Counts of API requests by method, from the emulator's stats: the requests the API acted on
// or refused for a reason of its own, not those refused by the post-create window (a client
// that waits the window out sends the same request again; post_create_403 counts those).
inline int requests(const Emulator& e, const std::string& method) {
  nlohmann::json s = e.stats();
  return s["requests_by_method"].value(method, 0) - s["post_create_403_by_method"].value(method, 0);
}
inline int mutations(const Emulator& e) {
  return requests(e, "POST") + requests(e, "PUT") + requests(e, "DELETE");
}

// Remote orgs by name (several when duplicated), each with its profile (null for none).
inline std::multimap<std::string, nlohmann::json> remote_by_name(const Emulator& e) {
  std::multimap<std::string, nlohmann::json> out;
  for (const auto& o : e.organizations(Profiles::kFetch)) {
    out.emplace(o["name"].get<std::string>(), o);
  }
  return out;
}

// A human-readable dump of a process result, for assertion messages.
inline std::string dump(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "\n--- stderr\n" +
         r.err;
}

// A run converged: every org exists exactly once remotely and nothing else does, `state` (a
// state file's document, or a workspace pulled into one) records exactly those ids with no
// create pending, and `plan`, a `plan --detailed-exitcode` run afterwards, found nothing to do.
inline void expect_converged(const Emulator& emu, const nlohmann::json& state, int expected,
                             const ProcessResult& plan) {
  auto remote = remote_by_name(emu);
  EXPECT_EQ(remote.size(), static_cast<std::size_t>(expected));
  std::set<std::string> names, remote_ids, state_ids;
  for (const auto& [name, org] : remote) {
    names.insert(name);
    remote_ids.insert(org["id"]);
  }
  EXPECT_EQ(names.size(), remote.size()) << "duplicates remotely";
  for (const auto& [key, org] : state["organizations"].items()) {
    EXPECT_FALSE(org.value("pending_create", false)) << key;
    state_ids.insert(org["id"]);
  }
  EXPECT_EQ(state_ids, remote_ids);
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

// Checks `doc` against docs/plan.schema.json with python's jsonschema, in a file `name` of the
// workspace: the exit code and output of python ("valid\n" when it is).
inline ProcessResult validate_plan(const Workspace& ws, const nlohmann::json& doc,
                                   const std::string& name) {
  std::string file = ws.dir().write(name, doc.dump());
  std::string schema = std::string(CFORG_SOURCE_DIR) + "/docs/plan.schema.json";
  return run({"/usr/bin/python3", "-c",
              "import json, sys, jsonschema\n"
              "schema = json.load(open(sys.argv[1]))\n"
              "jsonschema.Draft202012Validator.check_schema(schema)\n"
              "jsonschema.validate(json.load(open(sys.argv[2])), schema,"
              " cls=jsonschema.Draft202012Validator)\nprint('valid')",
              schema, file});
}

}  // namespace cforg::testing
