#include "cforg/model/printable.h"

#include <algorithm>

namespace cforg {
namespace {

// The length of the UTF-8 sequence starting at s[i], 0 when it is not a valid one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80           ? 1
                  : (b >> 5) == 0x6  ? 2
                  : (b >> 4) == 0xE  ? 3
                  : (b >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return 0;
  }
  if (n == 2 && b < 0xC2) return 0;  // overlong
  return n;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = utf8_length(text, i);
    if (out.size() + std::max<std::size_t>(n, 1) > max_bytes) {
      out += "…";
      return out;
    }
    auto b = static_cast<unsigned char>(text[i]);
    if (n == 0) {
      out += '?';
      ++i;
    } else if (n == 1) {
      out += (b < 0x20 || b == 0x7F) ? ' ' : text[i];
      ++i;
    } else if (n == 2 && b == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      out += ' ';  // C1 controls, U+0080..U+009F (CSI among them)
      i += 2;
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
