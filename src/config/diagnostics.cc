#include "cforg/config/diagnostics.h"

#include <vector>

#include "suggest.h"

namespace cforg::config {

nlohmann::json diagnostics_json(const LoadResult& result) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : result.errors) {
    bool placed = d.where.line > 0;
    list.push_back(
        {{"file", d.where.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.where.file)},
         {"line", placed ? nlohmann::json(d.where.line) : nlohmann::json(nullptr)},
         {"column", placed ? nlohmann::json(d.where.column) : nlohmann::json(nullptr)},
         // Every problem the loader finds makes the config unusable; the field is
         // there so that warnings can be added without a new format_version.
         {"severity", "error"},
         {"message", d.message}});
  }
  return {{"format_version", kValidateFormatVersion},
          {"valid", result.ok()},
          {"files", result.config.files},
          {"organizations", result.ok() ? result.config.orgs.size() : 0},
          {"error_count", result.errors.size()},
          {"diagnostics", list}};
}

namespace {

std::string escaped(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string github_escape_data(std::string_view s) {
  return escaped(s, false);
}
std::string github_escape_property(std::string_view s) {
  return escaped(s, true);
}

std::string github_annotations(std::span<const Diagnostic> diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    std::string props;
    if (!d.where.file.empty()) props = "file=" + github_escape_property(d.where.file);
    if (d.where.line > 0) {
      props += (props.empty() ? "" : ",") + std::string("line=") + std::to_string(d.where.line);
      if (d.where.column > 0) props += ",col=" + std::to_string(d.where.column);
    }
    props += (props.empty() ? "" : ",") + std::string("title=") +
             github_escape_property("cforg: invalid config");
    out += "::error " + props + "::" + github_escape_data(d.message) + "\n";
  }
  return out;
}

std::string nearest_word(std::string_view word, std::span<const std::string> candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return detail::nearest(word, views);
}

}  // namespace cforg::config
