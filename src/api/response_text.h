// What a server's answer may contain before anyone believes it or prints it.
//
// The API is not trusted: a broken proxy, or a hostile endpoint given as the base URL, can
// answer anything. Bodies are parsed with a nesting limit and duplicate keys refused (a
// parser that keeps the last `result` of two could be told one thing and show another), and
// text from the server reaches a terminal only without control characters and within a length.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cforg/model/printable.h"

namespace cforg::api {

// JSON nesting allowed in an answer: the contract's envelopes need 5.
inline constexpr int kMaxJsonDepth = 64;

struct ParsedBody {
  nlohmann::json value;  // discarded when `problem` is set
  std::string problem;   // "not JSON", "nested deeper than 64 levels", "the key ... twice"
  bool ok() const { return problem.empty(); }
};

// Parses `body` as JSON, refusing nesting beyond kMaxJsonDepth (before building it: a body of
// 20 MB of '[' costs no memory) and an object with a key twice.
ParsedBody parse_body(std::string_view body);

using ::cforg::printable;  // model/printable.h: shared with the readers of files

}  // namespace cforg::api
