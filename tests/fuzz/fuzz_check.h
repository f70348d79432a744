// What the fuzz targets share: a check that reports a broken invariant as a crash (libFuzzer
// keeps the input; the replayer names it), and quiet loggers (a warning per input would cost
// more than the parse).
#pragma once

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace cforg::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n  %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// A message meant for a person: naming `where` when it is not empty, and, when `printable`,
// without control characters, so that no server can drive a terminal with escape sequences.
// (The file parsers' syntax errors quote the bytes before the error as nlohmann reports them;
// a file is the user's own, so they are not held to that.)
inline void check_message(std::string_view message, std::string_view where, const char* what,
                          bool printable = false) {
  for (unsigned char c : message) {
    if (printable && (c < 0x20 || c == 0x7f))
      fail(what, std::string("a control character in: ") + std::string(message));
  }
  if (!where.empty() && message.find(where) == std::string_view::npos)
    fail(what, std::string("does not name ") + std::string(where) + ": " + std::string(message));
}

inline void quiet_logs() {
  static const bool once = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)once;
}

}  // namespace cforg::fuzz

#define FUZZ_CHECK(cond, detail) ((cond) ? (void)0 : ::cforg::fuzz::fail(#cond, (detail)))
