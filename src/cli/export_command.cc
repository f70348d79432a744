// cforg export: a config for the organizations that exist; with --import, state entries too.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "cforg/apply/count_progress.h"
#include "cforg/ops/operations.h"
#include "cforg/plan/export.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct ExportOptions {
  CommonOptions common;
  NetworkOptions net;
  plan::ExportOptions what;
  std::string out;
  bool import = false;
  bool force = false;
};

int run_export(const ExportOptions& o) {
  bool to_stdout = o.out.empty() || o.out == "-";
  ops::ExportRequest r;
  r.backend = backend_options(o.common);
  r.net = network_options(o.net);
  r.what = o.what;
  r.out = o.out;
  r.import = o.import;
  r.force = o.force;
  std::optional<apply::CountProgress> progress;
  std::vector<std::string> reads;
  if (o.what.profiles) reads.push_back("profiles");
  if (o.what.members) reads.push_back("members");
  if (o.what.accounts) reads.push_back("accounts");
  std::string what = "Reading";
  for (std::size_t i = 0; i < reads.size(); ++i) {
    what += (i == 0 ? " " : i + 1 == reads.size() ? " and " : ", ") + reads[i];
  }
  r.starting = [&](const api::HttpClient& client) {
    progress.emplace(stderr, ::isatty(STDERR_FILENO), what, &client.stats());
  };
  r.what.on_read = [&](std::size_t done, std::size_t total) { progress->update(done, total); };
  r.read = [&] {
    if (progress) progress->stop();
  };
  // What people read goes to stderr when the config goes to stdout.
  std::FILE* told = to_stdout ? stderr : stdout;
  ops::ExportResult res = ops::export_estate(r, [&](const ops::ExportResult& w) {
    const plan::Export& e = w.exported;
    for (const std::string& warning : e.warnings)
      std::fprintf(stderr, "Warning: %s.\n", warning.c_str());
    std::fprintf(
        told,
        "Exported %zu of the %zu organizations listed (%zu top-level tree%s) to %s, "
        "with %llu request%s.\n",
        e.orgs.size(), e.listed, e.tree_starts.size(), e.tree_starts.size() == 1 ? "" : "s",
        to_stdout             ? "standard output"
        : w.files.size() == 1 ? w.files.front().c_str()
                              : (std::to_string(w.files.size()) + " files in " + o.out).c_str(),
        static_cast<unsigned long long>(w.requests), w.requests == 1 ? "" : "s");
  });
  if (o.import) {
    std::fprintf(told,
                 "Recorded them in state (serial %llu): cforg plan -c %s should show no "
                 "changes.\n",
                 static_cast<unsigned long long>(res.serial), o.out.c_str());
  } else if (!to_stdout) {
    std::fprintf(told,
                 "To manage them, record them in state: run again with --import, or "
                 "cforg import KEY ID for each.\n");
  }
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a config for the organizations that exist (--import: and track them)");
  cmd->add_option("--parent", o->what.parent_id,
                  "Only the organizations below this one (its id; it stays outside the config)")
      ->type_name("ID");
  cmd->add_option("--name-prefix", o->what.name_prefix,
                  "Only organizations whose name starts with this (case-sensitive)")
      ->type_name("P");
  cmd->add_option("-o,--out", o->out,
                  "Write to FILE, or to DIR (an existing folder, or ending in /): one file per "
                  "top-level tree. Default: standard output")
      ->type_name("FILE|DIR");
  cmd->add_flag("--import", o->import,
                "Also record every exported organization in state, so that the next plan shows "
                "no changes (needs -o)");
  cmd->add_flag("--force", o->force,
                "Replace an existing file, or the config files of an existing folder");
  add_default_on(cmd, "--profiles", o->what.profiles,
                 "Read each org's profile (one request per org when the list leaves profiles "
                 "out); --profiles=false: manage no profile, send only list requests");
  add_default_on(cmd, "--members", o->what.members,
                 "List each org's members (one paged listing per org); --members=false: manage "
                 "no member (no members: in the config, none in state)");
  add_default_on(cmd, "--accounts", o->what.accounts,
                 "List each org's accounts (one paged listing per org); --accounts=false: "
                 "manage no account (no accounts: in the config, none in state)");
  add_common_options(cmd, o->common, /*with_config=*/false);
  add_network_options(cmd, o->net, /*with_refresh=*/false);
  cmd->callback([o, &run] { run.set([o] { return run_export(*o); }, &o->common); });
}

}  // namespace cforg::cli
