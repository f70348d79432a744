#include "completions.h"

#include <stdexcept>

namespace cforg::cli {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

}  // namespace

std::string summary(const std::string& description) {
  std::string line = description.substr(0, description.find('\n'));
  for (const char* stop : {". ", "; "}) {
    if (auto at = line.find(stop); at != std::string::npos && at > 0) line = line.substr(0, at);
  }
  // A long clause loses its parenthesis first.
  if (auto at = line.find(" ("); line.size() > 70 && at != std::string::npos && at > 0) {
    line = line.substr(0, at);
  }
  return line;
}

std::string single_quoted(const std::string& text) {
  return "'" + replace_all(text, "'", "'\\''") + "'";
}

std::string completion_script(CLI::App& app, const std::string& shell) {
  CommandInfo root = describe(app);
  if (shell == "bash") return bash_script(root);
  if (shell == "zsh") return zsh_script(root);
  if (shell == "fish") return fish_script(root);
  throw std::invalid_argument("no completion for the shell '" + shell + "'");
}

}  // namespace cforg::cli
