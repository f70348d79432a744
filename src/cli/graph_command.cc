// cforg schema: the config's JSON Schema. cforg graph: the hierarchy as Mermaid or dot.
#include <cstdio>
#include <memory>

#include "cforg/config/schema.h"
#include "cforg/ops/operations.h"
#include "cforg/plan/graph.h"
#include "commands.h"
#include "common.h"

namespace cforg::cli {

void add_schema_command(CLI::App& app, Runner& run) {
  CLI::App* cmd = app.add_subcommand(
      "schema", "Print the config's JSON Schema (draft 2020-12), for editors and CI");
  cmd->callback([&run] {
    run.set([] {
      std::string_view schema = config::json_schema();
      std::fwrite(schema.data(), 1, schema.size(), stdout);
      return kExitOk;
    });
  });
}

void add_graph_command(CLI::App& app, Runner& run) {
  struct Options {
    CommonOptions common;
    std::string format = "mermaid";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "graph",
      "Draw the hierarchy of the config and the state (offline): what exists, what apply would "
      "create or delete");
  cmd->add_option("--format", o->format,
                  "mermaid (GitHub renders it in Markdown) or dot (Graphviz)")
      ->capture_default_str()
      ->check(CLI::IsMember({"mermaid", "dot"}));
  add_common_options(cmd, o->common);
  cmd->callback([o, &run] {
    run.set(
        [o] {
          config::Config cfg = ops::load_config(config_paths(o->common));
          // Read only: no lock, as `state list` (a journal left behind is folded in, not saved).
          state::State st = ops::read_state(backend_options(o->common));
          std::fputs(plan::render_graph(cfg, st, *plan::parse_graph_format(o->format)).c_str(),
                     stdout);
          return kExitOk;
        },
        &o->common);
  });
}

}  // namespace cforg::cli
