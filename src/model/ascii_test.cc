#include "cforg/model/ascii.h"

#include <gtest/gtest.h>

namespace cforg {
namespace {

TEST(Ascii, LowersOnlyAsciiLettersAndLeavesOtherBytesAlone) {
  EXPECT_EQ(ascii_lower("Content-Length: 12"), "content-length: 12");
  // "É" in UTF-8 is 0xC3 0x89: a locale-aware tolower() could change either byte.
  EXPECT_EQ(ascii_lower("\xC3\x89TAT [@`{]"), "\xC3\x89tat [@`{]");
  EXPECT_EQ(ascii_lower('Z'), 'z');
  EXPECT_EQ(ascii_lower('['), '[');  // 'Z' + 1
  EXPECT_EQ(ascii_lower('@'), '@');  // 'A' - 1
}

TEST(Ascii, EqualsIgnoringCaseNeedsTheSameLength) {
  EXPECT_TRUE(ascii_iequals("TRUE", "true"));
  EXPECT_TRUE(ascii_iequals("tRuE", "TrUe"));
  EXPECT_FALSE(ascii_iequals("true", "truex"));
  EXPECT_FALSE(ascii_iequals("truex", "true"));
  EXPECT_FALSE(ascii_iequals("[", "{"));  // '[' + 32 == '{'
  EXPECT_TRUE(ascii_iequals("", ""));
}

}  // namespace
}  // namespace cforg
