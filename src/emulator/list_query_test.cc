// The list's query string: filters and page parameters parsed, page tokens round-tripped.
#include "list_query.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store_test_support.h"

namespace cforg::emulator::store_test {
namespace {

TEST(EmulatorListQuery, ParsesAndRejects) {
  ListQuery q = query({{"id", "b"},
                       {"id", "a"},
                       {"id", "b"},
                       {"name.contains", "AbC"},
                       {"parent.id", "null"},
                       {"page_size", "25"}});
  EXPECT_EQ(q.ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q.name_contains, std::vector<std::string>{"abc"});
  EXPECT_EQ(q.parent_ids, std::vector<std::string>{""});
  EXPECT_EQ(q.page_size, 25u);
  EXPECT_EQ(query({}).page_size, 10u);
  EXPECT_EQ(query({{"page_token", ""}}).after, std::nullopt);

  for (const char* bad : {"0", "-1", "abc", "10x", "", "1001x"}) {
    ApiError e = query_error({{"page_size", bad}});
    EXPECT_EQ(e.code, code::kPageSizeInvalid) << bad;
    EXPECT_EQ(e.status, 400);
  }
  // Over the maximum: its own code and a message that names the maximum, so that a client can
  // step down; or, clamped, silently the maximum.
  for (const char* big : {"1001", "99999999999999999999999"}) {
    ApiError e = query_error({{"page_size", big}});
    EXPECT_EQ(e.code, code::kPageSizeTooLarge) << big;
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(e.message.find("1000"), std::string::npos) << e.message;
  }
  EXPECT_EQ(query_error({{"page_size", "6"}}, 5).code, code::kPageSizeTooLarge);
  auto clamped = parse_list_query({{"page_size", "5000"}}, 1000, /*clamp_over_max=*/true);
  ASSERT_TRUE(std::holds_alternative<ListQuery>(clamped));
  EXPECT_EQ(std::get<ListQuery>(clamped).page_size, 1000u);
  auto clamped_bad = parse_list_query({{"page_size", "0"}}, 1000, true);
  ASSERT_TRUE(std::holds_alternative<ApiError>(clamped_bad));
  EXPECT_EQ(std::get<ApiError>(clamped_bad).code, code::kPageSizeInvalid);
  for (const char* bad :
       {"x", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "00000000000000010000000100000000"}) {
    EXPECT_EQ(query_error({{"page_token", bad}}).code, code::kPageTokenMalformed) << bad;
  }
  EXPECT_EQ(query_error({{"parent.id", ""}}).code, code::kFilterInvalid);
  EXPECT_EQ(query_error({{"id", ""}}).code, code::kFilterInvalid);
}

TEST(EmulatorListQuery, TokensRoundTripAndRejectTampering) {
  PageToken t{12345, 3, 0xdeadbeef};
  std::string text = encode_page_token(t);
  EXPECT_EQ(text.size(), 40u);
  auto back = decode_page_token(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->after_seq, 12345u);
  EXPECT_EQ(back->page, 3u);
  EXPECT_EQ(back->query_digest, 0xdeadbeefu);
  std::string tampered = text;
  tampered[15] = tampered[15] == '9' ? '8' : '9';
  EXPECT_FALSE(decode_page_token(tampered));
  std::string upper = text;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  if (upper != text) {
    EXPECT_FALSE(decode_page_token(upper));
  }
}

}  // namespace
}  // namespace cforg::emulator::store_test
