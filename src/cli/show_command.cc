// cforg show PLANFILE: a saved plan, rendered as plan renders it. It reads the file alone: no
// config, no state lock, no request, so a reviewer or a CI step can look at any plan.
#include <cstdio>
#include <memory>

#include "cforg/ops/operations.h"
#include "cforg/plan/plan_file.h"  // to_json(Plan)
#include "cforg/plan/render.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {

void add_show_command(CLI::App& app, Runner& run) {
  struct Options {
    CommonOptions common;
    std::string plan_file;
    std::string format = "text";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      app.add_subcommand("show", "Render a plan saved by `cforg plan --out` (no request, no lock)");
  cmd->add_option("PLANFILE", o->plan_file, "The saved plan")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", o->format, "Output: text, json (versioned schema) or markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  cmd->add_option("--color", o->common.color, "auto, always or never")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--no-color", o->common.no_color, "No colors: the same as --color never");
  cmd->callback([o, &run] {
    run.set(
        [o] {
          plan::Plan p = ops::read_saved_plan(o->plan_file);
          switch (*plan::parse_format(o->format)) {
            case plan::Format::text:
              std::fputs(plan::render_text(p, {use_color(o->common, stdout)}).c_str(), stdout);
              break;
            case plan::Format::json:
              std::fputs((plan::to_json(p).dump(2) + "\n").c_str(), stdout);
              break;
            case plan::Format::markdown:
              std::fputs(plan::render_markdown(p).c_str(), stdout);
              break;
          }
          return kExitOk;
        },
        &o->common);
  });
}

}  // namespace cforg::cli
