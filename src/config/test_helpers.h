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

// A scratch directory, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "cforg-config-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path write(const std::string& name, std::string_view text) const {
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace cforg::config::testing

namespace cforg::config {
// Found by gtest through argument-dependent lookup: failures show "file:line:column: message".
inline void PrintTo(const Diagnostic& d, std::ostream* os) {
  *os << d.str();
}
}  // namespace cforg::config
