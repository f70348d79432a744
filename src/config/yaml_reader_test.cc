// The building blocks: core-schema resolution of plain scalars, and nearest-match suggestions.
#include "yaml_reader.h"

#include <gtest/gtest.h>

#include "suggest.h"

namespace cforg::config::detail {
namespace {

TEST(ResolvePlain, FollowsTheYaml12CoreSchema) {
  for (std::string_view s : {"", "~", "null", "Null", "NULL"}) {
    EXPECT_EQ(resolve_plain(s), ValueType::null) << s;
  }
  for (std::string_view s : {"true", "false", "True", "FALSE", "tRuE"}) {
    EXPECT_EQ(resolve_plain(s), ValueType::boolean) << s;
  }
  for (std::string_view s : {"0", "15550100", "+15550100", "-1", "0x1F", "0xff", "0o17"}) {
    EXPECT_EQ(resolve_plain(s), ValueType::integer) << s;
  }
  for (std::string_view s : {"1.5", "-1.5", "+.5", "1.", "1e3", "1E-3", "2.5e+10", ".inf", "-.INF",
                             "+.Inf", ".nan", ".NaN", ".NAN"}) {
    EXPECT_EQ(resolve_plain(s), ValueType::floating) << s;
  }
  for (std::string_view s : {"+1-555-0100", "1.2.3", "0x",    "0o",    "0o8",   "0xG",      "1e",
                             "1e+",         "e3",    ".",     "+",     "-",     "yes",      "no",
                             "on",          "off",   "nul",   "nulll", "~x",    "true1",    "inf",
                             ".infinity",   "NaN",   "0b101", "1_000", "12:30", "Acme Root"}) {
    EXPECT_EQ(resolve_plain(s), ValueType::string) << s;
  }
}

TEST(EditDistance, CountsSwappedLettersOnce) {
  EXPECT_EQ(edit_distance("name", "name"), 0u);
  EXPECT_EQ(edit_distance("naem", "name"), 1u);
  EXPECT_EQ(edit_distance("nme", "name"), 1u);
  EXPECT_EQ(edit_distance("names", "name"), 1u);
  EXPECT_EQ(edit_distance("", "key"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(Nearest, SuggestsOnlyPlausibleTypos) {
  constexpr std::string_view names[] = {"name", "key", "parent", "profile", "prevent_destroy"};
  EXPECT_EQ(nearest("naem", names), "name");
  EXPECT_EQ(nearest("Name", names), "name");
  EXPECT_EQ(nearest("prnt", names), "parent");
  EXPECT_EQ(nearest("profiles", names), "profile");
  EXPECT_EQ(nearest("prevent-destroy", names), "prevent_destroy");
  EXPECT_EQ(nearest("keys", names), "key");
  EXPECT_EQ(nearest("colour", names), "");
  EXPECT_EQ(nearest("id", names), "");
  EXPECT_EQ(nearest("x", names), "");
}

}  // namespace
}  // namespace cforg::config::detail
