// printable(): text from outside, fit for one line of a terminal.
#include "cforg/model/printable.h"

#include <gtest/gtest.h>

namespace cforg {
namespace {

TEST(Printable, KeepsValidTextAndBlanksControlCharacters) {
  EXPECT_EQ(printable("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(printable("a\tb\x1b[31mc\x7F"), "a b [31mc ");
  EXPECT_EQ(printable("x\xC2\x9B"
                      "1m"),
            "x 1m");  // C1 CSI
}

// One '?' per byte that is not part of valid UTF-8 (model/utf8.h): what the config would
// refuse is never shown as if it were a character.
TEST(Printable, MarksEveryByteOfInvalidUtf8) {
  EXPECT_EQ(printable("a\xFF"
                      "b"),
            "a?b");
  EXPECT_EQ(printable("\xED\xA0\x80"), "???");       // a surrogate
  EXPECT_EQ(printable("\xF5\x80\x80\x80"), "????");  // an F5 lead byte
  EXPECT_EQ(printable("\xF4\x90\x80\x80"), "????");  // past U+10FFFF
  EXPECT_EQ(printable("\xE0\x80\xAF"), "???");       // an overlong '/'
  EXPECT_EQ(printable("\xE2\x82"), "??");            // cut short
}

TEST(Printable, CutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(printable("abcdef", 4), "abcd…");
  EXPECT_EQ(printable("ab\xE2\x82\xAC", 4), "ab…");
}

}  // namespace
}  // namespace cforg
