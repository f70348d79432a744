#include "text.h"

#include <cstdio>

namespace cforg::config::detail {

std::string code_point_name(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

namespace {

bool is_control(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Characters that change how text around them is shown, or show as nothing: a name holding
// one can read as another name in a plan under review ("Trojan Source", CVE-2021-42574).
// Zero-width joiners (U+200C, U+200D) are left alone: Persian, Indic scripts and emoji need
// them.
const char* invisible(char32_t cp) {
  if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
      (cp >= 0x2066 && cp <= 0x2069)) {
    return "a bidirectional control character";
  }
  if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF) return "a zero-width space";
  if (cp == 0x2028 || cp == 0x2029) return "a line separator";
  if (cp == 0x00AD) return "a soft hyphen";
  return nullptr;
}

bool is_space(char32_t cp) {
  return cp == ' ' || cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A);
}

}  // namespace

std::string_view edge_space(std::string_view s) {
  if (s.empty()) return {};
  char32_t first = 0, last = 0;
  decode_utf8(s, 0, first);
  std::size_t j = s.size() - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  decode_utf8(s, j, last);
  if (is_space(first)) return "starts";
  if (is_space(last)) return "ends";
  return {};
}

std::string excerpt(std::string_view s, std::size_t max_chars) {
  std::string out = "'";
  std::size_t chars = 0, i = 0;
  for (; i < s.size() && chars < max_chars; ++chars) {
    char32_t cp = 0;
    std::size_t len = decode_utf8(s, i, cp);
    if (len == 0) {  // not UTF-8: show the byte
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i]));
      out += buf;
      ++i;
      continue;
    }
    if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (is_control(cp) || invisible(cp)) {
      out += "\\u{" + code_point_name(cp).substr(2) + "}";
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  if (i < s.size()) {
    out += "…' (" + std::to_string(char_count(s)) + " characters)";
  } else {
    out += "'";
  }
  return out;
}

std::string label(std::string_view s) {
  if (s.empty() || s.size() > kQuotedChars) return excerpt(s);
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(s, i, cp);
    if (len == 0 || is_control(cp) || invisible(cp) || cp == '\'') return excerpt(s);
    i += len;
  }
  return std::string(s);
}

std::string text_problem(std::string_view s, std::size_t max_chars, std::string_view what,
                         bool visible_only) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(s, i, cp);
    if (len == 1 && cp >= 0x20 && cp < 0x7F) {  // printable ASCII: the common case
      ++i;
      continue;
    }
    // Built only for an error: a string per character would make loading twice as slow.
    auto at = [&] { return " at character " + std::to_string(chars + 1); };
    if (len == 0) {
      return "is not valid UTF-8" + at() + " (a \\u escape of a surrogate?); the API takes text";
    }
    if (is_control(cp)) {
      return "contains the control character " + code_point_name(cp) + at() + "; a " +
             std::string(what) + " is one line of visible text";
    }
    if (visible_only) {
      if (const char* kind = invisible(cp)) {
        return "contains " + std::string(kind) + " (" + code_point_name(cp) + ")" + at() +
               ", which a reviewer of the plan cannot see; remove it";
      }
    }
    i += len;
  }
  if (chars > max_chars) {
    return "is " + std::to_string(chars) + " characters long; cforg's limit for a " +
           std::string(what) + " is " + std::to_string(max_chars) + " characters";
  }
  return "";
}

}  // namespace cforg::config::detail
