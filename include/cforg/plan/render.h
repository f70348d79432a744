// Showing a plan to people: Terraform-like text, or a compact Markdown comment for pull
// requests. (JSON is plan_file.h.) Output is deterministic: same plan, same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cforg/plan/plan.h"

namespace cforg::plan {

enum class Format { text, json, markdown };
std::optional<Format> parse_format(std::string_view s);

struct RenderOptions {
  bool color = false;
};

std::string render_text(const Plan& plan, const RenderOptions& opts = {});
std::string render_markdown(const Plan& plan);
// "Plan: 2 to create, 1 to update, 0 to delete, 0 to adopt. 5 unchanged."
std::string summary_line(const Plan& plan);
// What applying costs: "412 requests, about 1 min 43 s at 1200/300 s", and how many creates
// wait for a parent created just before them.
std::string estimate_text(const Plan& plan);

// What `cforg refresh` found, in its own words: the orgs changed outside cforg (each change),
// those gone, those found after an interrupted create, and a count of each. The plan's
// actions are not shown: refresh changes nothing remotely.
std::string render_refresh_text(const Plan& plan, const RenderOptions& opts = {});

// A pull-request comment for a config that does not load: every problem with its place, so
// that a broken config is a readable comment rather than an empty one.
std::string render_config_errors_markdown(const std::vector<config::Diagnostic>& errors);

}  // namespace cforg::plan
