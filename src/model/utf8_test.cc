// The one UTF-8 decoder, against each class of sequence RFC 3629 allows and forbids.
#include "cforg/model/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace cforg {
namespace {

// The length decode_utf8 gives for the sequence at the start of `bytes`, with its code point.
struct Decoded {
  std::size_t length;
  std::uint32_t cp;  // gtest prints no char32_t
};

Decoded decode(std::string_view bytes) {
  char32_t cp = 0xFFFFFFFF;
  std::size_t length = decode_utf8(bytes, 0, cp);
  return {length, length ? cp : 0};
}

void expect_valid(std::string_view bytes, char32_t cp) {
  Decoded d = decode(bytes);
  EXPECT_EQ(d.length, bytes.size()) << "for U+" << std::hex << static_cast<std::uint32_t>(cp);
  EXPECT_EQ(d.cp, static_cast<std::uint32_t>(cp))
      << "for U+" << std::hex << static_cast<std::uint32_t>(cp);
}

void expect_invalid(std::string_view bytes, const char* why) {
  EXPECT_EQ(decode(bytes).length, 0u) << why;
}

TEST(Utf8, DecodesEachLengthUpToItsBoundaries) {
  expect_valid(std::string_view("\0", 1), 0x0);
  expect_valid("A", 0x41);
  expect_valid("\x7F", 0x7F);
  expect_valid("\xC2\x80", 0x80);
  expect_valid("\xC3\xA9", 0xE9);  // é
  expect_valid("\xDF\xBF", 0x7FF);
  expect_valid("\xE0\xA0\x80", 0x800);
  expect_valid("\xE2\x82\xAC", 0x20AC);  // €
  expect_valid("\xED\x9F\xBF", 0xD7FF);  // just below the surrogates
  expect_valid("\xEE\x80\x80", 0xE000);  // just above them
  expect_valid("\xEF\xBF\xBF", 0xFFFF);
  expect_valid("\xF0\x90\x80\x80", 0x10000);
  expect_valid("\xF0\x9F\x98\x80", 0x1F600);  // 😀
  expect_valid("\xF4\x8F\xBF\xBF", 0x10FFFF);
}

TEST(Utf8, DecodesAtAnOffsetAndOnlyTheSequenceThere) {
  const std::string_view s =
      "a\xE2\x82\xAC"
      "b";
  char32_t cp = 0;
  EXPECT_EQ(decode_utf8(s, 1, cp), 3u);
  EXPECT_EQ(static_cast<std::uint32_t>(cp), 0x20ACu);
  EXPECT_EQ(decode_utf8(s, 4, cp), 1u);
  EXPECT_EQ(static_cast<std::uint32_t>(cp), std::uint32_t{'b'});
  EXPECT_EQ(decode_utf8(s, 2, cp), 0u) << "a continuation byte in the middle";
}

TEST(Utf8, RefusesStrayContinuationBytes) {
  expect_invalid("\x80", "0x80 alone");
  expect_invalid("\xBF", "0xBF alone");
}

TEST(Utf8, RefusesOverlongForms) {
  expect_invalid("\xC0\x80", "U+0000 in two bytes (C0)");
  expect_invalid("\xC0\xAF", "'/' in two bytes (C0)");
  expect_invalid("\xC1\xBF", "U+007F in two bytes (C1)");
  expect_invalid("\xE0\x80\x80", "U+0000 in three bytes");
  expect_invalid("\xE0\x9F\xBF", "U+07FF in three bytes");
  expect_invalid("\xF0\x80\x80\x80", "U+0000 in four bytes");
  expect_invalid("\xF0\x8F\xBF\xBF", "U+FFFF in four bytes");
}

TEST(Utf8, RefusesSurrogates) {
  expect_invalid("\xED\xA0\x80", "U+D800, the first high surrogate");
  expect_invalid("\xED\xAF\xBF", "U+DBFF, the last high surrogate");
  expect_invalid("\xED\xB0\x80", "U+DC00, the first low surrogate");
  expect_invalid("\xED\xBF\xBF", "U+DFFF, the last low surrogate");
  // CESU-8's spelling of U+1F600: a surrogate pair, each half encoded on its own.
  expect_invalid("\xED\xA0\xBD\xED\xB8\x80", "a surrogate pair");
}

TEST(Utf8, RefusesCodePointsPastU10FFFF) {
  expect_invalid("\xF4\x90\x80\x80", "U+110000");
  expect_invalid("\xF5\x80\x80\x80", "an F5 lead byte");
  expect_invalid("\xF6\x80\x80\x80", "an F6 lead byte");
  expect_invalid("\xF7\xBF\xBF\xBF", "U+1FFFFF with an F7 lead byte");
}

TEST(Utf8, RefusesBytesNoSequenceStartsWith) {
  expect_invalid("\xF8\x88\x80\x80\x80", "a five-byte form (F8)");
  expect_invalid("\xFC\x84\x80\x80\x80\x80", "a six-byte form (FC)");
  expect_invalid("\xFE", "FE");
  expect_invalid("\xFF", "FF");
}

TEST(Utf8, RefusesSequencesCutShortOrInterrupted) {
  expect_invalid("\xC3", "a two-byte lead at the end");
  expect_invalid("\xE2\x82", "a three-byte sequence cut after two");
  expect_invalid("\xF0\x9F\x98", "a four-byte sequence cut after three");
  expect_invalid("\xC3(", "a two-byte lead followed by ASCII");
  expect_invalid("\xE2\x28\xA1", "a three-byte sequence interrupted");
  expect_invalid("\xF0\x9F\x98\xC3", "a four-byte sequence ending in a lead byte");
}

}  // namespace
}  // namespace cforg
