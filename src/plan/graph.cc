#include "cforg/plan/graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace cforg::plan {
namespace {

// What a node is, which decides its mark and its style.
enum class Mark { managed, create, remove, update, replace, adopt, context, external };

const char* class_name(Mark m) {
  switch (m) {
    case Mark::managed:
      return "managed";
    case Mark::create:
      return "create";
    case Mark::remove:
      return "delete";
    case Mark::update:
      return "update";
    case Mark::replace:
      return "replace";
    case Mark::adopt:
      return "adopt";
    case Mark::context:
      return "context";
    case Mark::external:
      return "external";
  }
  return "managed";
}

// Terraform's signs, so that the picture reads like the plan even without colors.
const char* sign(Mark m) {
  switch (m) {
    case Mark::create:
      return "+ ";
    case Mark::remove:
      return "- ";
    case Mark::update:
      return "~ ";
    case Mark::replace:
      return "-/+ ";
    case Mark::adopt:
      return "= ";
    default:
      return "";
  }
}

struct Node {
  std::string id;     // the diagram's node id: o0, o1, ... x0, ...
  std::string title;  // the org's name, or an external parent's id
  std::string key;    // "" for an external parent
  Mark mark = Mark::managed;
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<std::pair<std::size_t, std::size_t>> edges;  // parent, child (node indexes)
};

// Where an org hangs: a managed parent's key, or an outside parent's id.
struct Parent {
  std::string key, id;
};

// A managed parent by its key, another by its id.
Parent parent_of(const state::OrgState& o) {
  if (!o.parent_key.empty()) return {o.parent_key, ""};
  return {"", o.parent_id()};
}

// Nodes for `orgs` (key -> title, mark, parent), sorted by key, plus one node per parent that
// is not among them: `context` for a key (an org the picture leaves out), `external` for an id.
Graph build(const std::map<std::string, std::tuple<std::string, Mark, Parent>>& orgs) {
  Graph g;
  std::map<std::string, std::size_t> by_key;
  for (const auto& [key, org] : orgs) {
    by_key[key] = g.nodes.size();
    g.nodes.push_back(
        {"o" + std::to_string(g.nodes.size()), std::get<0>(org), key, std::get<1>(org)});
  }
  std::map<std::string, std::size_t> context, external;
  for (const auto& [key, org] : orgs) {
    const Parent& p = std::get<2>(org);
    std::size_t parent;
    if (!p.key.empty()) {
      if (auto it = by_key.find(p.key); it != by_key.end()) {
        parent = it->second;
      } else if (auto c = context.find(p.key); c != context.end()) {
        parent = c->second;
      } else {
        parent = context[p.key] = g.nodes.size();
        g.nodes.push_back({"c" + std::to_string(context.size() - 1), p.key, p.key, Mark::context});
      }
    } else if (!p.id.empty()) {
      if (auto x = external.find(p.id); x != external.end()) {
        parent = x->second;
      } else {
        parent = external[p.id] = g.nodes.size();
        g.nodes.push_back({"x" + std::to_string(external.size() - 1), p.id, "", Mark::external});
      }
    } else {
      continue;
    }
    g.edges.push_back({parent, by_key.at(key)});
  }
  std::sort(g.edges.begin(), g.edges.end());
  return g;
}

// Mermaid's label text: its entity codes for what would end the label or read as markup.
std::string mermaid_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '#':
        out += "#35;";
        break;
      case '"':
        out += "#quot;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      case '&':
        out += "#amp;";
        break;
      case '`':
        out += "#96;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string dot_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out;
}

std::string label(const Node& n, std::string_view line_break,
                  std::string (*text)(std::string_view)) {
  if (n.mark == Mark::external)
    return text(n.title) + std::string(line_break) + "(outside the config)";
  std::string l = sign(n.mark) + text(n.title);
  if (n.mark != Mark::context && n.key != n.title) l += std::string(line_break) + text(n.key);
  return l;
}

constexpr const char* kMermaidStyles =
    "  classDef managed fill:#eef2ff,stroke:#5566aa\n"
    "  classDef create fill:#ddf4dd,stroke:#2f8a2f\n"
    "  classDef update fill:#fff4d6,stroke:#b58900\n"
    "  classDef delete fill:#fde0e0,stroke:#c0392b,stroke-dasharray:4 2\n"
    "  classDef replace fill:#f3e0fd,stroke:#8e44ad\n"
    "  classDef adopt fill:#e0f4fd,stroke:#2980b9\n"
    "  classDef context fill:#ffffff,stroke:#999999\n"
    "  classDef external fill:#eeeeee,stroke:#999999,stroke-dasharray:2 2\n";

std::string mermaid(const Graph& g, std::string_view legend) {
  std::ostringstream out;
  out << "flowchart TD\n";
  if (!legend.empty()) out << "  %% " << legend << "\n";
  for (const Node& n : g.nodes) {
    bool round = n.mark == Mark::external || n.mark == Mark::context;
    out << "  " << n.id << (round ? "([\"" : "[\"") << label(n, "<br/>", mermaid_text)
        << (round ? "\"])" : "\"]") << ":::" << class_name(n.mark) << "\n";
  }
  for (const auto& [parent, child] : g.edges) {
    out << "  " << g.nodes[parent].id << " --> " << g.nodes[child].id << "\n";
  }
  out << kMermaidStyles;
  return out.str();
}

const char* dot_style(Mark m) {
  switch (m) {
    case Mark::managed:
      return R"(fillcolor="#eef2ff")";
    case Mark::create:
      return R"(fillcolor="#ddf4dd", color="#2f8a2f")";
    case Mark::remove:
      return R"(fillcolor="#fde0e0", color="#c0392b", style="rounded,filled,dashed")";
    case Mark::update:
      return R"(fillcolor="#fff4d6", color="#b58900")";
    case Mark::replace:
      return R"(fillcolor="#f3e0fd", color="#8e44ad")";
    case Mark::adopt:
      return R"(fillcolor="#e0f4fd", color="#2980b9")";
    case Mark::context:
      return R"(fillcolor="#ffffff", color="#999999")";
    case Mark::external:
      return R"(fillcolor="#eeeeee", color="#999999", style="rounded,filled,dashed")";
  }
  return "";
}

std::string dot(const Graph& g, std::string_view legend) {
  std::ostringstream out;
  out << "digraph cforg {\n";
  if (!legend.empty()) out << "  // " << legend << "\n";
  out << "  rankdir=TB;\n"
      << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n";
  for (const Node& n : g.nodes) {
    out << "  " << n.id << " [label=\"" << label(n, "\\n", dot_text) << "\", " << dot_style(n.mark)
        << "];\n";
  }
  for (const auto& [parent, child] : g.edges) {
    out << "  " << g.nodes[parent].id << " -> " << g.nodes[child].id << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace

std::optional<GraphFormat> parse_graph_format(std::string_view s) {
  if (s == "mermaid") return GraphFormat::mermaid;
  if (s == "dot") return GraphFormat::dot;
  return std::nullopt;
}

std::string render_graph(const config::Config& cfg, const state::State& st, GraphFormat format) {
  std::map<std::string, std::tuple<std::string, Mark, Parent>> orgs;
  for (const config::DesiredOrg& d : cfg.orgs) {
    Parent p;
    if (const std::string* key = d.spec.parent.key()) p.key = *key;
    if (const std::string* id = d.spec.parent.id()) p.id = *id;
    auto it = st.orgs.find(d.key);
    bool exists = it != st.orgs.end() && !it->second.pending_create;
    orgs[d.key] = {d.spec.name, exists ? Mark::managed : Mark::create, p};
  }
  for (const auto& [key, org] : st.orgs) {
    if (orgs.count(key)) continue;
    orgs[key] = {org.spec.name, Mark::remove, parent_of(org)};
  }
  Graph g = build(orgs);
  std::string_view legend =
      "boxes: in the config and in state; + only in the config (apply creates it); - only in "
      "state (apply deletes it); rounded: a parent outside the config";
  return format == GraphFormat::dot ? dot(g, legend) : mermaid(g, legend);
}

std::string change_tree_markdown(const Plan& plan, std::size_t max_nodes) {
  std::map<std::string, std::tuple<std::string, Mark, Parent>> orgs;
  for (const Action& a : plan.actions) {
    // What changes inside an org (members, accounts) is listed by the plan itself; the tree
    // shows organizations.
    if (is_content_action(a.kind)) continue;
    Mark mark = Mark::update;
    switch (a.kind) {
      case ActionKind::create:
        mark = a.replace ? Mark::replace : Mark::create;
        break;
      case ActionKind::update:
        mark = Mark::update;
        break;
      case ActionKind::remove:
        mark = a.replace ? Mark::replace : Mark::remove;
        break;
      case ActionKind::adopt:
        mark = Mark::adopt;
        break;
      default:
        break;
    }
    Parent p;
    std::string name;
    if (a.after) {
      if (const std::string* k = a.after->parent.key()) p = {*k, ""};
      if (const std::string* i = a.after->parent.id()) p = {"", *i};
      name = a.after->name;
    } else if (a.before) {
      p = parent_of(*a.before);
      name = a.before->spec.name;
    }
    auto it = orgs.find(a.key);
    if (it == orgs.end()) {
      orgs[a.key] = {name, mark, p};
    } else if (a.after) {  // a replacement's create: its new name and parent
      it->second = {name, Mark::replace, p};
    }
  }
  if (orgs.empty()) return "";
  std::size_t total = orgs.size();
  while (orgs.size() > max_nodes) orgs.erase(std::prev(orgs.end()));
  std::ostringstream out;
  out << (total > 10 ? "<details>" : "<details open>") << "<summary>The " << total
      << " organization" << (total == 1 ? "" : "s")
      << " that change, in the hierarchy</summary>\n\n```mermaid\n"
      << mermaid(build(orgs),
                 "+ create, ~ update, - delete, -/+ replace, = adopt; plain: a parent that "
                 "does not change")
      << "```\n";
  if (total > orgs.size()) {
    out << "\n" << total - orgs.size() << " more not drawn: see the actions below.\n";
  }
  out << "\n</details>\n\n";
  return out.str();
}

}  // namespace cforg::plan
