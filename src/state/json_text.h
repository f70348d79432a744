// Parsing JSON text with error locations a person can jump to ("file:line:column").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cforg {
class JsonFieldError;
}

namespace cforg::state {

// The JsonRaise (model/json_fields.h) of every state document's reader: the field's error as a
// StateError, with the same message.
[[noreturn]] void raise_state_error(const JsonFieldError& e);

// Parses `text`; a syntax error throws StateError "where:line:column: invalid JSON: ...", at the
// last character the parser read (the end of the offending token, as nlohmann and jq report).
nlohmann::json parse_json_text(std::string_view text, const std::string& where);

// The top-level scalars of a state file, read without building the document (a state of
// 100,000 orgs is tens of megabytes): enough to tell whether the file is the one a caller
// loaded. Throws StateError on a syntax error, with its location.
struct StateHeader {
  std::optional<std::int64_t> format_version;
  std::optional<std::string> lineage;
  std::optional<std::uint64_t> serial;
};
StateHeader scan_state_header(std::string_view text, const std::string& where);

}  // namespace cforg::state
