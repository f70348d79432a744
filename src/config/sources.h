// Where config text comes from: paths expanded into files, files read, text screened.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cforg/config/config.h"

namespace cforg::config::detail {

// The files named by `path`: the file itself; for a directory, its *.yaml and *.yml entries
// sorted by name, not recursing, and skipping dotfiles as a shell glob would (editors leave
// lock and swap files there). Files already in `seen` are skipped, so that a file named
// twice is read once. Reports missing paths and directories without YAML files.
std::vector<std::string> expand_path(const std::string& path, std::unordered_set<std::string>& seen,
                                     std::vector<Diagnostic>& out);

// The whole content of a file, or nullopt with a diagnostic.
std::optional<std::string> read_file(const std::string& path, std::vector<Diagnostic>& out);

// The first thing in `text` that YAML does not allow in a stream, such as control characters
// or bytes that are not UTF-8, which is what a binary file or a UTF-16 file looks like.
// Screening here gives a clear message and keeps such bytes away from the parser.
std::optional<Diagnostic> check_text(std::string_view text, const std::string& file);

}  // namespace cforg::config::detail
