// Text from a config as it may appear in a message, and what an organization's strings may hold.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cforg/model/utf8.h"  // decode_utf8, which every function here reads text with

namespace cforg::config::detail {

// "U+001B", "U+202E".
std::string code_point_name(char32_t cp);

// `s` in single quotes for a message: control characters written as \n, \t or \xNN (a config
// must not move the reader's terminal cursor), and a long value shortened to its first
// `max_chars` characters and its length: `'AAAA…' (1048576 characters)`. A scalar of a
// megabyte is never echoed whole.
inline constexpr std::size_t kQuotedChars = 48;
std::string excerpt(std::string_view s, std::size_t max_chars = kQuotedChars);

// `s` as it is when it is short and plain (a key name in "naem: unknown key"), else excerpt().
std::string label(std::string_view s);

// Why `s` cannot be the value of a field named `what` (a name, a key, a profile field), or
// "" when it can: bytes that are not UTF-8 (YAML's \u escapes can make them), a control
// character, or more than `max_chars` characters. With `visible_only`, also the characters a
// reviewer of a plan cannot see (bidirectional overrides, zero-width spaces).
std::string text_problem(std::string_view s, std::size_t max_chars, std::string_view what,
                         bool visible_only);

// "starts" or "ends" when `s` (valid UTF-8) starts or ends with white space, else "".
std::string_view edge_space(std::string_view s);

// The number of characters (code points) of valid UTF-8 text.
std::size_t char_count(std::string_view s);

}  // namespace cforg::config::detail
