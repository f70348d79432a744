// The plan as a JSON document: what `plan --out` saves, `apply PLANFILE` reads and
// `plan --format json` prints. The schema is docs/plan.schema.json; format_version changes
// whenever a field changes meaning.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "cforg/plan/plan.h"

namespace cforg::plan {

class PlanFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const Plan& plan);
// Throws PlanFileError saying what is wrong; `where` names the source.
Plan plan_from_json(const nlohmann::json& j, const std::string& where);

// Written atomically (a temporary file beside it, fsynced, renamed into place), through a
// symlink to its target; a path that is a folder, a device or a pipe is refused. "-" writes to
// standard output. Every error gives the OS's reason.
void write_plan_file(const Plan& plan, const std::string& path);
Plan read_plan_file(const std::string& path);
// What read_plan_file does with the file's text (the fuzz target's seam); `where` names it.
Plan plan_from_text(std::string_view text, const std::string& where);

}  // namespace cforg::plan
