#include "cforg/model/printable.h"

#include <algorithm>

#include "cforg/model/utf8.h"

namespace cforg {

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(text, i, cp);
    if (out.size() + std::max<std::size_t>(n, 1) > max_bytes) {
      out += "…";
      return out;
    }
    if (n == 0) {
      out += '?';
      ++i;
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      out += ' ';  // C0, DEL and C1 (CSI among them)
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string text_place(std::string_view text, std::size_t byte) {
  std::size_t offset = std::min(byte == 0 ? 0 : byte - 1, text.size());
  std::string_view before = text.substr(0, offset);
  std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  std::size_t last_newline = before.rfind('\n');
  std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace cforg
