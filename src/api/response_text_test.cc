// What a hostile or broken server can put in an answer: bounded parsing and printable text.
#include "response_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace cforg::api {
namespace {

using ::testing::HasSubstr;

TEST(ParseBody, ReadsAnEnvelope) {
  ParsedBody p = parse_body(R"({"success": true, "result": {"id": "x", "a": [1, {"b": 2}]}})");
  ASSERT_TRUE(p.ok()) << p.problem;
  EXPECT_EQ(p.value["result"]["a"][1]["b"], 2);
}

TEST(ParseBody, RefusesADuplicateKeyAtAnyDepth) {
  for (const char* body :
       {R"({"result": 1, "result": 2})", R"({"result": {"id": "a", "name": "n", "id": "b"}})",
        R"([{"k": 1}, {"j": 1, "k": 2, "k": 3}])"}) {
    ParsedBody p = parse_body(body);
    EXPECT_FALSE(p.ok()) << body;
    EXPECT_THAT(p.problem, HasSubstr("twice")) << body;
  }
  // The same key in sibling or nested objects is not a duplicate.
  EXPECT_TRUE(parse_body(R"([{"k": 1}, {"k": 2, "o": {"k": 3}}, {"k": 4}])").ok());
}

TEST(ParseBody, RefusesDeepNestingBeforeBuildingIt) {
  EXPECT_TRUE(parse_body(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')).ok());
  ParsedBody deep =
      parse_body(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'));
  EXPECT_FALSE(deep.ok());
  EXPECT_THAT(deep.problem, HasSubstr("nested deeper than 64 levels"));
  // 20 MB of '[' (which took 1.5 GB to refuse as "not JSON") stops at level 64, at once.
  auto start = std::chrono::steady_clock::now();
  ParsedBody bomb = parse_body(std::string(20u << 20, '['));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_THAT(bomb.problem, HasSubstr("nested deeper"));
}

TEST(ParseBody, SaysWhenItIsNotJson) {
  EXPECT_EQ(parse_body("<html>502</html>").problem, "not JSON");
  EXPECT_EQ(parse_body("").problem, "not JSON");
}

TEST(Printable, ControlCharactersAndEscapeSequencesBecomeSpaces) {
  EXPECT_EQ(printable("bad\x1b[31mred\x1b[0m\r\nnext\x7f"), "bad [31mred [0m  next ");
  EXPECT_EQ(printable("csi\xc2\x9b"
                      "2J"),
            "csi 2J");  // U+009B, the 8-bit CSI
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x86\x92 ok"), "caf\xc3\xa9 \xe2\x86\x92 ok");
  EXPECT_EQ(printable("bad \xff\xfe utf8 \xc3"), "bad ?? utf8 ?");
}

TEST(Printable, CapsAtACharacterBoundary) {
  EXPECT_EQ(printable(std::string(100000, 'x'), 10), std::string(10, 'x') + "…");
  // "é" is two bytes: it is not cut in half.
  EXPECT_EQ(printable("abcdefghi\xc3\xa9", 10), "abcdefghi…");
  EXPECT_EQ(printable("short", 10), "short");
}

}  // namespace
}  // namespace cforg::api
