// The shell completion scripts, one renderer per shell, and the text helpers they share.
#pragma once

#include <string>

#include "cli_reference.h"

namespace cforg::cli {

std::string bash_script(const CommandInfo& root);
std::string zsh_script(const CommandInfo& root);
std::string fish_script(const CommandInfo& root);

// The first sentence or clause of a description: what fits on a completion menu's line.
std::string summary(const std::string& description);
// Inside '...' in a shell script.
std::string single_quoted(const std::string& text);

}  // namespace cforg::cli
