// Showing a plan to people: Terraform-like text, or a compact Markdown comment for pull
// requests. (JSON is plan_file.h.) Output is deterministic: same plan, same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

}  // namespace cforg::plan
