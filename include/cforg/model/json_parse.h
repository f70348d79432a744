// JSON from outside (an API answer, a state or plan file someone may have edited) parsed as a
// strict reader would: no key twice in an object (nlohmann keeps the last of two, so a file
// could show one value and mean another), nesting within a limit (checked before anything is
// built: 20 MB of '[' costs no memory), numbers within range. Every stage that reads JSON it
// did not just write goes through here.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace cforg {

struct JsonParse {
  nlohmann::json value;  // discarded unless ok()
  // Empty, or what is wrong: "an object has the key \"id\" twice (at organizations.acme)",
  // "nested deeper than 64 levels", or nlohmann's syntax message.
  std::string problem;
  bool syntax_error = false;   // problem is nlohmann's: `error_byte` says where
  std::size_t error_byte = 0;  // from 1, as nlohmann counts
  bool ok() const { return problem.empty(); }
};

JsonParse parse_json_checked(std::string_view text, int max_depth = 64);

}  // namespace cforg
