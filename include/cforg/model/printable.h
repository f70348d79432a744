// Text from outside (a server's answer, a file's bytes) as a message may show it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cforg {

// `text` fit for one line of a terminal: control characters (C0, DEL and C1, escape
// sequences' introducers) become spaces, invalid UTF-8 becomes '?', and more than `max_bytes`
// is cut at a character boundary and marked with "…".
std::string printable(std::string_view text, std::size_t max_bytes = 300);

// "line:column" (both from 1) of the byte `byte` of `text`, counted from 1 as nlohmann's
// parse errors count it (one past the end for a document cut short).
std::string text_place(std::string_view text, std::size_t byte);

// ANSI colors for a terminal, or none (`on` false: the text unchanged), one place for the plan's
// renderer and apply's progress lines.
struct Palette {
  bool on = false;
  std::string paint(std::string_view sgr_code, std::string_view s) const {
    if (!on) return std::string(s);
    return "\x1b[" + std::string(sgr_code) + "m" + std::string(s) + "\x1b[0m";
  }
  std::string green(std::string_view s) const { return paint("32", s); }
  std::string yellow(std::string_view s) const { return paint("33", s); }
  std::string red(std::string_view s) const { return paint("31", s); }
  std::string cyan(std::string_view s) const { return paint("36", s); }
  std::string bold(std::string_view s) const { return paint("1", s); }
};

}  // namespace cforg
