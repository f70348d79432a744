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

  // The problem as a message shows it, after the place: nlohmann's syntax message without its
  // own "[json.exception.parse_error.101] parse error at line 1, column 2: " (the caller gives
  // the place as file:line:column), made printable (it quotes the bytes it stopped at).
  std::string message() const;
  // `where` and, for a syntax error, the "line:column" of the error in `text`: "s.json:3:15",
  // or "s.json". `offset`: where the parsed part starts in `text` (a journal line's first byte),
  // so that the line counts from the top of the file.
  std::string located(std::string_view where, std::string_view text, std::size_t offset = 0) const;
};

JsonParse parse_json_checked(std::string_view text, int max_depth = 64);

}  // namespace cforg
