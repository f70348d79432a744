// UTF-8 as RFC 3629 defines it: the one decoder behind the config's text checks and the
// printable() of messages, so that what one accepts the other does too.
#pragma once

#include <cstddef>
#include <string_view>

namespace cforg {

// The UTF-8 sequence at s[i] (i < s.size()): its length (1 to 4), with its code point in `cp`;
// 0 when it is not valid UTF-8, and then `cp` is unspecified: a stray continuation byte, a byte
// no sequence starts with (C0, C1, F5 to FF), a lead byte not followed by enough continuation
// bytes (cut short, or interrupted), an overlong form (a code point spelled with more bytes
// than it needs), a surrogate (U+D800 to U+DFFF) or a code point past U+10FFFF.
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);

}  // namespace cforg
