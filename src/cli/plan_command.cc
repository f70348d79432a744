#include <cstdio>
#include <memory>

#include "cforg/ops/operations.h"
#include "cforg/plan/plan_file.h"  // to_json(Plan)
#include "cforg/plan/render.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {
namespace {

struct PlanOptions {
  CommonOptions common;
  NetworkOptions net;
  std::string out;
  std::string format = "text";
  bool detailed_exitcode = false;
  PlanFlags flags;
};

int run_plan(const PlanOptions& o) {
  ops::PlanRequest r;
  r.config_paths = o.common.config_paths;
  r.backend = backend_options(o.common);
  r.net = network_options(o.net);
  r.flags = o.flags;
  r.out = o.out;
  plan::Plan p;
  try {
    p = ops::make_live_plan(r);
  } catch (const ops::ConfigError& e) {
    // A pull-request comment made from stdout must say why there is no plan.
    if (o.format == "markdown" && o.out != "-") {
      std::fputs(plan::render_config_errors_markdown(e.errors).c_str(), stdout);
    }
    throw;
  }

  // --out -: the plan file is standard output, so what people read goes to stderr.
  std::FILE* shown = o.out == "-" ? stderr : stdout;
  switch (*plan::parse_format(o.format)) {
    case plan::Format::text:
      std::fputs(plan::render_text(p, {use_color(o.common, shown)}).c_str(), shown);
      break;
    case plan::Format::json:
      std::fputs((plan::to_json(p).dump(2) + "\n").c_str(), shown);
      break;
    case plan::Format::markdown:
      std::fputs(plan::render_markdown(p).c_str(), shown);
      break;
  }
  std::fflush(shown);
  if (!p.errors.empty()) {
    if (!o.out.empty()) print_error("the plan has errors, so it was not saved to " + o.out);
    return kExitError;
  }
  if (!o.out.empty()) {
    ops::save_plan(p, o.out);
    // On stderr so that stdout stays the plan alone (it may be JSON).
    if (o.out != "-") {
      std::fprintf(stderr,
                   "Saved the plan to %s. To apply exactly this plan, run: cforg apply %s\n",
                   o.out.c_str(), plan::shell_word(o.out).c_str());
    }
  }
  return o.detailed_exitcode && p.has_changes() ? kExitChanges : kExitOk;
}

}  // namespace

void add_plan_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Show what apply would change: the config against the state and the remote side");
  add_common_options(cmd, o->common);
  add_lock_timeout_option(cmd, o->common);
  add_network_options(cmd, o->net);
  cmd->add_option("--out", o->out, "Also save the plan to FILE, to apply exactly it later")
      ->type_name("FILE");
  cmd->add_option("--format", o->format, "Output: text, json (versioned schema) or markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode,
                "Exit 0 when there is nothing to change, 2 when there is, 1 on error");
  add_plan_flags(cmd, o->flags);
  cmd->callback([o, &run] { run.set([o] { return run_plan(*o); }, &o->common); });
}

}  // namespace cforg::cli
