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

// The JSON of the plan's parts, which to_json(Plan) and plan_from_json compose: nlohmann's
// writers (found by ADL: `json j = plan.options`) and the checked readers of
// model/json_fields.h (`JsonObject::required<Options>`), which throw JsonFieldError naming the
// member. Members they do not know are ignored: the digest seals a plan.
void to_json(nlohmann::json& j, const Budget& b);  // as options.budget: window_ms
void read_json(const JsonAt& at, Budget& b);
void to_json(nlohmann::json& j, const Options& o);
void read_json(const JsonAt& at, Options& o);
void to_json(nlohmann::json& j, const Remote& r);
void read_json(const JsonAt& at, Remote& r);
void to_json(nlohmann::json& j, const Change& c);
void read_json(const JsonAt& at, Change& c);
void to_json(nlohmann::json& j, const Action& a);  // and its `requests`, written only
void read_json(const JsonAt& at, Action& a);
void to_json(nlohmann::json& j, const Drift& d);
void read_json(const JsonAt& at, Drift& d);
void to_json(nlohmann::json& j, const Problem& p);
void read_json(const JsonAt& at, Problem& p);
void to_json(nlohmann::json& j, const Summary& s);   // written only
void to_json(nlohmann::json& j, const Estimate& e);  // written only

// Written atomically (state::write_file_atomically: a temporary file beside it, fsynced, renamed
// into place, the folder fsynced), through a symlink to its target; a path that is a folder, a
// device or a pipe is refused. "-" writes to standard output. Every error gives the OS's reason.
void write_plan_file(const Plan& plan, const std::string& path);
// The digest a plan document carries: SHA-256 (hex) of it without "digest", dumped compactly.
std::string plan_digest(const nlohmann::json& doc);
// Reads and parses a plan file strictly; a file whose digest does not match its contents (a
// hand edit) is refused before any field of it is believed.
Plan read_plan_file(const std::string& path);
// What write_plan_file does, for any text: `what` names it in errors ("cannot write <what> to
// <path>: <why>"), thrown as PlanFileError.
void write_file_atomically(const std::string& path, std::string_view text, const std::string& what);

// A saved plan names the config files it was made from; apply reads them when no -c is given.
// They are checked before anything reads them: each must be a regular file (after symlinks)
// named *.yaml or *.yml, as the config loader would pick from a folder, so that a plan cannot
// point apply at a device, a pipe or any other file. Throws PlanFileError saying which and what
// to do. `plan_path` names the plan in messages.
std::vector<std::string> saved_config_paths(const Plan& saved, const std::string& plan_path);

// Apply trusts nothing in a saved plan that it cannot verify. Throws PlanFileError, before any
// request, unless:
//  - it was made from this state (lineage, serial) and this config (digest), without errors;
//  - its actions hold together: no empty key, no key acted on twice (but the delete and create
//    of one replacement), no delete of an org the config declares (but a replacement's),
//    dependencies that name actions of the plan and have no cycle, ids of the published shape;
//  - it is exactly what make_plan gives for `cfg`, `st` and the inputs the plan recorded (its
//    options and what it read of the remote side): a hand edit that recomputed the digest
//    (an org renamed, a create duplicated, a delete injected) is refused.
// Returns the plan, verified. The recorded remote side cannot be checked without reading it
// again: what a forged one can do is what a hostile API could have answered at plan time.
Plan verify_saved_plan(Plan saved, const config::Config& cfg, const state::State& st,
                       const std::string& path);
// What read_plan_file does with the file's text (the fuzz target's seam); `where` names it.
Plan plan_from_text(std::string_view text, const std::string& where);

}  // namespace cforg::plan
