// Pictures of the hierarchy: Mermaid (GitHub renders it in Markdown) and Graphviz dot.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cforg/config/config.h"
#include "cforg/plan/plan.h"
#include "cforg/state/state.h"

namespace cforg::plan {

enum class GraphFormat { mermaid, dot };
std::optional<GraphFormat> parse_graph_format(std::string_view s);

// The hierarchy the config and the state describe together, offline: every org of either,
// marked by where it is (in both: managed; only in the config: not created yet; only in the
// state: apply would delete it), and each parent outside the config as a node of its id.
// Children under their parents, in key order. Same input, same bytes.
std::string render_graph(const config::Config& cfg, const state::State& st, GraphFormat format);

// For the Markdown plan: a ```mermaid block of the orgs the plan changes, each marked (create,
// update, delete, replace), under the parents they hang from; "" when nothing changes. At most
// `max_nodes` orgs are drawn (GitHub refuses large diagrams); a line says how many were not.
std::string change_tree_markdown(const Plan& plan, std::size_t max_nodes = 100);

}  // namespace cforg::plan
