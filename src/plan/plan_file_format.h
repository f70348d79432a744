// What the plan file's reader checks first (plan_file.cc): its format version and its digest.
#pragma once

#include <string>

#include "cforg/plan/plan_file.h"

namespace cforg::plan {

// Throws PlanFileError "<where>: not a valid cforg plan: <why>".
[[noreturn]] void invalid_plan(const std::string& where, const std::string& why);

// Refuses a plan document of another format_version, or whose digest does not match its
// contents (a hand edit), before any other member of it is believed. Throws PlanFileError
// naming `where`, or JsonFieldError for a missing or mistyped "format_version" or "digest".
void check_version_and_digest(const nlohmann::json& j, const std::string& where);

}  // namespace cforg::plan
