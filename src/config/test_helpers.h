// Shared by the config tests: compact ways to state an expected diagnostic, a scratch directory.
#pragma once

#include <gmock/gmock.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cforg/config/config.h"
#include "support/process.h"

namespace cforg::config::testing {

// Matches a diagnostic at file:line:column whose message contains `reason`.
MATCHER_P4(DiagnosticAt, file, line, column, reason,
           std::string("is ") + file + ":" + std::to_string(line) + ":" + std::to_string(column) +
               ": ..." + reason + "...") {
  return arg.where.file == file && arg.where.line == line && arg.where.column == column &&
         arg.message.find(reason) != std::string::npos;
}

// The diagnostics for one file named "c.yaml", printed in full on failure.
inline std::vector<Diagnostic> errors_in(std::string_view yaml) {
  return load_text(yaml, "c.yaml").errors;
}

using cforg::testing::TempDir;

}  // namespace cforg::config::testing

namespace cforg::config {
// Found by gtest through argument-dependent lookup: failures show "file:line:column: message".
inline void PrintTo(const Diagnostic& d, std::ostream* os) {
  *os << d.str();
}
}  // namespace cforg::config
