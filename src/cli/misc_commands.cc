// The small commands: validate, force-unlock, version.
#include <cstdio>
#include <memory>

#include "cforg/config/diagnostics.h"
#include "cforg/ops/operations.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {

void add_validate_command(CLI::App& app, Runner& run) {
  struct Options {
    CommonOptions common;
    std::string format = "text";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("validate", "Check the config; change nothing");
  add_common_options(cmd, o->common);
  cmd->add_option("--format", o->format,
                  "Output: text, json (every diagnostic with its place; docs/validate.schema.json) "
                  "or github (workflow annotations on the pull request's diff)")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "github"}));
  cmd->callback([o, &run] {
    run.set(
        [o] {
          std::vector<std::string> paths = config_paths(o->common);
          if (o->format != "text") {
            config::LoadResult r = config::load(paths);
            if (o->format == "json") {
              std::printf("%s\n", config::diagnostics_json(r).dump(2).c_str());
            } else {
              std::fputs(config::github_annotations(r.errors).c_str(), stdout);
            }
            if (!r.ok()) {
              std::fprintf(stderr, "Error: the config has %zu error%s; nothing was done.\n",
                           r.errors.size(), r.errors.size() == 1 ? "" : "s");
              return kExitError;
            }
            if (o->format == "github") {
              std::printf("The config is valid: %zu organization%s in %zu file%s.\n",
                          r.config.orgs.size(), r.config.orgs.size() == 1 ? "" : "s",
                          r.config.files.size(), r.config.files.size() == 1 ? "" : "s");
            }
            return kExitOk;
          }
          config::Config cfg = ops::load_config(paths);
          std::printf("The config is valid: %zu organization%s in %zu file%s.\n", cfg.orgs.size(),
                      cfg.orgs.size() == 1 ? "" : "s", cfg.files.size(),
                      cfg.files.size() == 1 ? "" : "s");
          return kExitOk;
        },
        &o->common);
  });
}

void add_force_unlock_command(CLI::App& app, Runner& run) {
  struct Options {
    CommonOptions common;
    std::string lock_id;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "force-unlock", "Remove a state lock left by a process that is gone (give its lock id)");
  cmd->add_option("LOCK_ID", o->lock_id, "The id printed in the \"state is locked\" error")
      ->required();
  add_common_options(cmd, o->common, /*with_config=*/false);
  cmd->callback([o, &run] {
    run.set(
        [o] {
          ops::force_unlock(backend_options(o->common), o->lock_id);
          std::printf("Lock %s removed from %s.\n", o->lock_id.c_str(),
                      o->common.state_path.c_str());
          return kExitOk;
        },
        &o->common);
  });
}

void add_version_command(CLI::App& app, Runner& run) {
  CLI::App* cmd = app.add_subcommand("version", "Print cforg's version");
  cmd->callback([&run] {
    run.set([] {
      std::printf("cforg %s\n", CFORG_VERSION);
      return kExitOk;
    });
  });
}

}  // namespace cforg::cli
