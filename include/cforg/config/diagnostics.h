// The config's diagnostics for machines: JSON (docs/validate.schema.json) and GitHub workflow
// annotations, so that errors show on the pull request's diff at their line.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "cforg/config/config.h"

namespace cforg::config {

// The version of `validate --format json`'s shape: changes when a field is removed or changes
// meaning (fields may be added within a version).
inline constexpr int kValidateFormatVersion = 1;

// {"format_version", "valid", "files", "organizations", "error_count", "diagnostics": [{file,
// line, column, severity, message}]}; line and column are null for a problem of a whole file.
nlohmann::json diagnostics_json(const LoadResult& result);

// One `::error file=F,line=L,col=C,title=...::message` line per diagnostic, escaped as
// GitHub's workflow commands require (%, CR and LF everywhere; also ',' and ':' in the
// properties), so that a message or a path cannot end the command early or forge another.
std::string github_annotations(std::span<const Diagnostic> diagnostics);
std::string github_escape_data(std::string_view s);
std::string github_escape_property(std::string_view s);

// The candidate closest to `word` when it is close enough to be a typo, else "" (the edit
// distance that suggests "did you mean 'name'?" for YAML keys; shared with the command line).
std::string nearest_word(std::string_view word, std::span<const std::string> candidates);

}  // namespace cforg::config
