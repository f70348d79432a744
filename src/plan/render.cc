#include "cforg/plan/render.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "cforg/model/printable.h"
#include "cforg/plan/graph.h"
#include "render_contents.h"

namespace cforg::plan {
namespace {

using nlohmann::json;

std::string json_quoted(const std::string& s) {
  return json(s).dump();
}

std::string parent_text(const ParentValue& p) {
  if (!p.key.empty())
    return json_quoted(p.key) + (p.id.empty() ? " (id known after apply)" : " (" + p.id + ")");
  return "{id = " + json_quoted(p.id) + "}";
}

// A change's value as one line: strings quoted, a parent as its key or id, a profile as its
// JSON, none as "(none)".
std::string value_text(const Change::Value& v) {
  struct Text {
    std::string operator()(std::monostate) const { return "(none)"; }
    std::string operator()(const std::string& s) const { return json_quoted(s); }
    std::string operator()(const ParentValue& p) const { return parent_text(p); }
    std::string operator()(const Profile& p) const { return profile_to_json(p).dump(); }
  };
  return std::visit(Text{}, v);
}

// The parent an org should have, as the config says it.
std::string parent_text(const OrgSpec& t) {
  if (const std::string* k = t.parent.key()) return json_quoted(*k);
  if (const std::string* i = t.parent.id()) return "{id = " + json_quoted(*i) + "}";
  return "(none)";
}

std::size_t width_of(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t w = 0;
  for (const auto& [k, v] : rows) w = std::max(w, k.size());
  return w;
}

void rows_out(std::ostream& out, const std::string& indent, const std::string& sign,
              const std::vector<std::pair<std::string, std::string>>& rows) {
  std::size_t w = width_of(rows);
  for (const auto& [k, v] : rows) {
    out << indent << sign << k << std::string(w - k.size(), ' ') << " = " << v << '\n';
  }
}

void profile_out(std::ostream& out, const std::string& sign, const Profile& p) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (std::string_view f : kProfileFields) rows.emplace_back(f, json_quoted(profile_field(p, f)));
  rows_out(out, "          ", sign, rows);
}

void changes_out(std::ostream& out, const std::vector<Change>& changes, const Palette& c) {
  std::size_t w = 0;
  for (const Change& ch : changes) w = std::max(w, ch.path().size());
  for (const Change& ch : changes) {
    const std::string path = ch.path();
    out << "      " << c.yellow("~") << ' ' << path << std::string(w - path.size(), ' ') << " = "
        << value_text(ch.before) << " → " << value_text(ch.after) << '\n';
  }
}

// "PUT name and PUT profile": the requests an update sends, as the API takes them.
std::string update_requests(const Action& a) {
  std::string out;
  if (a.renames()) out = "PUT name";
  if (a.sets_profile()) out += std::string(out.empty() ? "" : " and ") + "PUT profile";
  return out;
}

void action_out(std::ostream& out, const Action& a, const Palette& c) {
  std::string name = "org " + json_quoted(a.key);
  switch (a.kind) {
    case ActionKind::create: {
      if (a.replace) {
        out << "  # " << c.bold(name)
            << " will be replaced: then a new org is created (a new id; the API cannot move an "
               "organization)\n";
        out << "  " << c.red("-") << "/" << c.green("+") << ' ' << name << " {\n";
        if (a.before) {
          out << "      " << c.red("-") << " id     = " << json_quoted(a.before->id) << '\n';
          if (a.after->parent.key() || a.before->spec.parent != a.after->parent) {
            std::string old_parent =
                a.before->spec.parent.is_root() ? "(none)" : json_quoted(a.before->parent_id());
            if (!a.before->parent_key.empty()) old_parent = json_quoted(a.before->parent_key);
            out << "      " << c.yellow("~") << " parent = " << old_parent << " → "
                << parent_text(*a.after) << '\n';
          }
        }
      } else {
        out << "  # " << c.bold(name) << " will be created"
            << (a.recover ? " (after checking that an interrupted earlier create did not)" : "")
            << '\n';
        out << "  " << c.green("+") << ' ' << name << " {\n";
      }
      std::vector<std::pair<std::string, std::string>> rows = {{"name", json_quoted(a.after->name)},
                                                               {"parent", parent_text(*a.after)}};
      if (a.after->prevent_destroy) rows.emplace_back("prevent_destroy", "true");
      if (a.after->profile) rows.emplace_back("profile", "{");
      std::size_t w = width_of(rows);
      for (const auto& [k, v] : rows) {
        out << "      " << c.green("+") << ' ' << k << std::string(w - k.size(), ' ') << " = " << v
            << '\n';
      }
      if (a.after->profile) {
        profile_out(out, c.green("+") + " ", *a.after->profile);
        out << "        }\n";
      }
      out << "    }\n";
      break;
    }
    case ActionKind::update:
      out << "  # " << c.bold(name) << " will be updated in place"
          << (a.drift ? " (restoring what was changed outside cforg)" : "") << ": "
          << update_requests(a) << '\n';
      out << "  " << c.yellow("~") << ' ' << name << " {\n";
      out << "        id = " << json_quoted(a.id) << '\n';
      changes_out(out, a.changes, c);
      out << "    }\n";
      break;
    case ActionKind::remove:
      out << "  # " << c.bold(name)
          << (a.replace ? " will be replaced: first its old org is deleted" : " will be deleted")
          << '\n';
      out << "  " << c.red("-") << ' ' << name << (a.replace ? " (old)" : "") << " {\n";
      rows_out(
          out, "      ", c.red("-") + " ",
          {{"id", json_quoted(a.id)}, {"name", json_quoted(a.before ? a.before->spec.name : "")}});
      out << "    }\n";
      break;
    case ActionKind::adopt:
      out << "  # " << c.bold(name) << " exists remotely (" << a.id
          << ") and will be adopted into state"
          << (a.changes.empty() ? "" : ", then updated: " + update_requests(a)) << '\n';
      out << "  " << c.cyan("<=") << ' ' << name << " {\n";
      out << "        id = " << json_quoted(a.id) << '\n';
      changes_out(out, a.changes, c);
      out << "    }\n";
      break;
    case ActionKind::add_member:
    case ActionKind::remove_member:
    case ActionKind::move_account:
      break;  // render_contents.cc: shown as one block per org
  }
}

// "1 min 43 s", "25 s", "2 h 5 min"; "under 1 s".
std::string rough_duration(double seconds) {
  if (seconds < 1) return "under 1 s";
  auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 60) return std::to_string(whole) + " s";
  if (whole < 3600) {
    return std::to_string(whole / 60) + " min" +
           (whole % 60 ? " " + std::to_string(whole % 60) + " s" : "");
  }
  long long minutes = (whole + 30) / 60;
  return std::to_string(minutes / 60) + " h" +
         (minutes % 60 ? " " + std::to_string(minutes % 60) + " min" : "");
}

// Markdown inline code that holds any text: a backtick inside gets a longer fence.
std::string md_code(const std::string& s) {
  std::string fence = "`";
  while (s.find(fence) != std::string::npos) fence += '`';
  std::string pad = !s.empty() && (s.front() == '`' || s.back() == '`') ? " " : "";
  return fence + pad + s + pad + fence;
}

// Text as itself in Markdown: the characters GitHub would take as markup (or HTML) escaped.
std::string md_text(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::string_view("\\`*_[]<>|#~&").find(ch) != std::string_view::npos) out += '\\';
    out += ch == '\n' || ch == '\r' ? ' ' : ch;
  }
  return out;
}

}  // namespace

std::string estimate_text(const Plan& plan) {
  Estimate e = plan.estimate();
  std::ostringstream out;
  out << e.requests << " request" << (e.requests == 1 ? "" : "s");
  if (e.budget.unlimited()) {
    out << " (no request budget)";
  } else {
    out << (e.seconds < 1 ? ", " : ", about ") << rough_duration(e.seconds) << " at "
        << e.budget.str();
  }
  if (std::size_t adds = plan.summary().members_added; adds > 1) {
    out << "; the " << adds
        << " member creates are counted one request each: where the API has "
           "members:batchCreate they go up to 100 at a time";
  }
  if (e.young_parent_creates) {
    out << "; " << e.young_parent_creates << " create" << (e.young_parent_creates == 1 ? "" : "s")
        << " also wait" << (e.young_parent_creates == 1 ? "s" : "")
        << " for a parent created just before (the API refuses requests naming a new org for a "
           "while)";
  }
  return out.str();
}

std::string render_refresh_text(const Plan& plan, const RenderOptions& opts) {
  Palette c{opts.color};
  std::ostringstream out;
  std::set<std::string> drifted;
  for (const Drift& d : plan.drift) drifted.insert(d.key);
  std::set<std::string> gone(plan.forget.begin(), plan.forget.end());
  std::vector<std::string> found;
  for (const auto& [key, org] : plan.observed) {
    if (!drifted.count(key) && !gone.count(key) && !plan.contents_learned.count(key))
      found.push_back(key);
  }
  if (!plan.drift.empty()) {
    out << c.bold("Changed outside cforg")
        << " (the state will record what the remote side has):\n\n";
    for (const Drift& d : plan.drift) {
      out << "  # org " << json_quoted(d.key) << " (" << d.id << ")\n";
      changes_out(out, d.changes, c);
      content_drift_text(out, d, c);
      out << '\n';
    }
  }
  if (!plan.forget.empty()) {
    out << c.bold("Gone") << " (deleted outside cforg: the state will forget them):\n\n";
    for (const std::string& key : plan.forget)
      out << "  " << c.red("-") << " org " << json_quoted(key) << '\n';
    out << '\n';
  }
  if (!found.empty()) {
    out << c.bold("Found")
        << " (made by a create that was interrupted: the state will record them):\n\n";
    for (const std::string& key : found) {
      out << "  " << c.green("+") << " org " << json_quoted(key) << " (" << plan.observed.at(key).id
          << ")\n";
    }
    out << '\n';
  }
  out << c.bold("Refresh: " + std::to_string(plan.drift.size()) + " changed outside cforg, " +
                std::to_string(plan.forget.size()) + " gone, " + std::to_string(found.size()) +
                " found after an interrupted create.")
      << " Nothing remote is changed.\n";
  return out.str();
}

std::string render_config_errors_markdown(const std::vector<config::Diagnostic>& errors) {
  std::ostringstream out;
  out << "### cforg plan: ❌ the config has " << errors.size() << " error"
      << (errors.size() == 1 ? "" : "s")
      << "\n\nNothing was planned. Fix these and push again:\n\n";
  for (const config::Diagnostic& d : errors) {
    // The message may quote YAML (a name, a key): escaped, it cannot break the comment.
    out << "- " << md_code(d.where.str()) << ": " << md_text(d.message) << '\n';
  }
  return out.str();
}

std::optional<Format> parse_format(std::string_view s) {
  if (s == "text") return Format::text;
  if (s == "json") return Format::json;
  if (s == "markdown" || s == "md") return Format::markdown;
  return std::nullopt;
}

std::string summary_line(const Plan& plan) {
  Summary s = plan.summary();
  std::ostringstream out;
  out << "Plan: " << s.create << " to create, " << s.update << " to update, ";
  if (s.replace) out << s.replace << " to replace, ";
  out << s.remove << " to delete, " << s.adopt << " to adopt. " << s.unchanged << " unchanged.";
  out << content_summary(s);
  if (s.requests) {
    out << " Apply sends " << s.requests << " request" << (s.requests == 1 ? "" : "s");
    if (s.renames || s.profile_updates) {
      out << " (" << s.renames << " rename" << (s.renames == 1 ? "" : "s") << ", "
          << s.profile_updates << " profile update" << (s.profile_updates == 1 ? "" : "s") << ")";
    }
    out << '.';
  }
  return out.str();
}

std::string render_text(const Plan& plan, const RenderOptions& opts) {
  Palette c{opts.color};
  std::ostringstream out;
  if (!plan.drift.empty()) {
    out << c.bold("Changed outside cforg") << " (state is refreshed from the remote side):\n\n";
    for (const Drift& d : plan.drift) {
      out << "  # org " << json_quoted(d.key) << " (" << d.id << ")\n";
      changes_out(out, d.changes, c);
      content_drift_text(out, d, c);
      out << '\n';
    }
  }
  for (const std::string& w : plan.warnings) out << c.yellow("Warning: ") << w << "\n";
  if (!plan.warnings.empty()) out << '\n';

  if (!plan.actions.empty()) {
    out << "cforg will perform the following actions:\n\n";
    // What changes inside an org is shown as one block, where its first action comes.
    std::map<std::string, std::vector<const Action*>> inside;
    for (const Action& a : plan.actions) {
      if (is_content_action(a.kind)) inside[a.key].push_back(&a);
    }
    for (const Action& a : plan.actions) {
      if (is_content_action(a.kind)) {
        auto it = inside.find(a.key);
        if (it == inside.end()) continue;  // shown already
        content_block_text(out, a.key, it->second, c);
        inside.erase(it);
      } else {
        action_out(out, a, c);
      }
      out << '\n';
    }
  }
  for (const auto& [key, flag] : plan.protection) {
    out << "  # org " << json_quoted(key) << ": prevent_destroy "
        << (flag ? "false → true" : "true → false") << " (state only)\n";
  }
  if (!plan.protection.empty()) out << '\n';

  if (!plan.errors.empty()) {
    for (const Problem& p : plan.errors) {
      out << c.red("Error: ") << (p.where.empty() ? "" : p.where + ": ") << "org "
          << json_quoted(p.key) << ": " << p.message << '\n';
    }
    out << '\n' << "This plan cannot be applied: fix the errors above.\n";
    return out.str();
  }
  if (!plan.has_changes()) {
    out << "No changes. " << plan.unchanged << " organization" << (plan.unchanged == 1 ? "" : "s")
        << " up to date.\n";
    return out.str();
  }
  out << c.bold(summary_line(plan)) << '\n';
  out << "Cost: " << estimate_text(plan) << ".\n";
  return out.str();
}

std::string render_markdown(const Plan& plan) {
  Summary s = plan.summary();
  std::ostringstream out;
  if (!plan.errors.empty()) {
    out << "### cforg plan: ❌ " << plan.errors.size() << " error"
        << (plan.errors.size() == 1 ? "" : "s") << "\n\n";
    for (const Problem& p : plan.errors) {
      out << "- **" << p.key << "**" << (p.where.empty() ? "" : " (`" + p.where + "`)") << ": "
          << p.message << '\n';
    }
    out << '\n';
  } else if (!plan.has_changes()) {
    out << "### cforg plan: no changes\n\n" << plan.unchanged << " organizations up to date.\n";
    return out.str();
  } else {
    out << "### cforg plan: " << s.create << " to create, " << s.update << " to update, "
        << (s.replace ? std::to_string(s.replace) + " to replace, " : "") << s.remove
        << " to delete, " << s.adopt << " to adopt\n\n";
  }
  if (std::string inside = content_summary(s); !inside.empty()) {
    out << "**Inside organizations:**" << inside << "\n\n";
  }
  out << "| create | update | replace | delete | adopt | unchanged | requests |\n"
      << "|---:|---:|---:|---:|---:|---:|---:|\n";
  out << "| " << s.create << " | " << s.update << " | " << s.replace << " | " << s.remove << " | "
      << s.adopt << " | " << s.unchanged << " | " << s.requests << " |\n\n";
  if (plan.has_changes()) out << "**Cost:** " << estimate_text(plan) << ".\n\n";
  // What follows the summary and comes before the details: the place for a picture of what
  // changes, which a reviewer sees without unfolding anything.
  for (const std::string& w : plan.warnings) out << "> ⚠️ " << w << "\n";
  if (!plan.warnings.empty()) out << '\n';
  if (!plan.drift.empty()) {
    out << "**Changed outside cforg:** ";
    for (std::size_t i = 0; i < plan.drift.size(); ++i) {
      out << (i ? ", " : "") << '`' << plan.drift[i].key << '`';
    }
    out << "\n\n";
  }
  if (plan.actions.empty() && plan.protection.empty()) return out.str();
  out << change_tree_markdown(plan);  // graph.h: the changed orgs as a Mermaid tree
  out << "<details><summary>" << plan.actions.size() << " action"
      << (plan.actions.size() == 1 ? "" : "s") << "</summary>\n\n```diff\n";
  for (const Action& a : plan.actions) {
    switch (a.kind) {
      case ActionKind::create:
        out << (a.replace ? "+ " + a.key + ": replace with a new " : "+ " + a.key + ": create ")
            << json_quoted(a.after->name);
        if (!a.after->parent.is_root()) {
          out << " under " << parent_text(*a.after);
        }
        out << '\n';
        break;
      case ActionKind::update:
      case ActionKind::adopt:
        out << (a.kind == ActionKind::update ? "! " : "+ ") << a.key << ": "
            << (a.kind == ActionKind::update ? "update" : "adopt " + a.id)
            << (a.drift ? " (drift)" : "");
        for (const Change& ch : a.changes) {
          out << "; " << ch.path() << ' ' << value_text(ch.before) << " → " << value_text(ch.after);
        }
        out << '\n';
        break;
      case ActionKind::remove:
        out << "- " << a.key << ": delete " << a.id << (a.replace ? " (to replace it)" : "")
            << '\n';
        break;
      case ActionKind::add_member:
      case ActionKind::remove_member:
      case ActionKind::move_account:
        out << content_action_markdown(a);
        break;
    }
  }
  for (const auto& [key, flag] : plan.protection) {
    out << "! " << key << ": prevent_destroy " << (flag ? "on" : "off") << " (state only)\n";
  }
  out << "```\n\n</details>\n";
  return out.str();
}

}  // namespace cforg::plan
