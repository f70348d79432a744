#include <cstdio>
#include <memory>
#include <string>

#include "cforg/ops/operations.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct ImportOptions {
  CommonOptions common;
  NetworkOptions net;
  std::string key;
  std::string id;
};

int run_import(const ImportOptions& o) {
  ops::ImportRequest r;
  r.config_paths = o.common.config_paths;
  r.backend = backend_options(o.common);
  r.net = network_options(o.net);
  r.key = o.key;
  r.id = o.id;
  ops::ImportResult res = ops::import_org(r);
  std::string contents;
  auto count = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  if (res.members) contents = count(*res.members, "member");
  if (res.accounts) contents += (contents.empty() ? "" : " and ") + count(*res.accounts, "account");
  if (!contents.empty()) contents = ", with its " + contents;
  std::printf("Imported org \"%s\": %s (\"%s\")%s. Run cforg plan to compare it with the config.\n",
              o.key.c_str(), o.id.c_str(), res.org.spec.name.c_str(), contents.c_str());
  return kExitOk;
}

}  // namespace

void add_import_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Start managing an existing organization: record ORG_ID in state as KEY");
  cmd->add_option("KEY", o->key, "The organization's key in the config")->required();
  cmd->add_option("ORG_ID", o->id, "The organization's id, as the dashboard or the API shows it")
      ->required();
  add_common_options(cmd, o->common);
  add_lock_timeout_option(cmd, o->common);
  add_network_options(cmd, o->net, /*with_refresh=*/false);
  cmd->callback([o, &run] { run.set([o] { return run_import(*o); }, &o->common); });
}

}  // namespace cforg::cli
