// Where config text comes from: paths expanded into files, files read, text screened.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cforg/config/config.h"
#include "diagnostics.h"

namespace cforg::config::detail {

// The files named by `path`: the file itself; for a directory, its *.yaml and *.yml entries
// sorted by name, not recursing, and skipping dotfiles as a shell glob would (editors leave
// lock and swap files there). Files already in `seen` are skipped, so that a file named
// twice is read once. Reports missing paths, directories without YAML files and directories
// with more than `max_files` of them (none of which are read then).
std::vector<std::string> expand_path(const std::string& path, std::unordered_set<std::string>& seen,
                                     std::size_t max_files, Diagnostics& out);

// The whole content of a file, or nullopt with a diagnostic. `bytes_read` is what earlier
// files took of `max_bytes`, the limit for all files together; it is updated. A file past the
// limit is not read at all when its size says so, and reading stops at the limit when it does
// not (a device such as /dev/zero, a pipe, a file that grows).
std::optional<std::string> read_file(const std::string& path, std::size_t max_bytes,
                                     std::size_t& bytes_read, Diagnostics& out);

// "is 100.0 MiB: more than cforg's limit for a config, 64.0 MiB in all files together ...";
// `before`: what the files read before took; `at_least`: reading stopped at the limit.
std::string too_large_message(std::size_t size, std::size_t max_bytes, std::size_t before = 0,
                              bool at_least = false);

// The first thing in `text` that YAML does not allow in a stream, such as control characters
// or bytes that are not UTF-8, which is what a binary file or a UTF-16 file looks like.
// Screening here gives a clear message and keeps such bytes away from the parser.
std::optional<Diagnostic> check_text(std::string_view text, const std::string& file);

}  // namespace cforg::config::detail
