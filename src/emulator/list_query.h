// The query of `GET /organizations`: filters, page size, and the page token that continues a
// previous page. Parsing is strict (a bad page_size or a forged token is a 400) because the
// emulator exists to catch client mistakes, not to paper over them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "error_codes.h"

namespace cforg::emulator {

// What a page token carries. Tokens are opaque to clients: 40 lowercase hex digits.
struct PageToken {
  uint64_t after_seq = 0;     // continue after the organization created with this sequence number
  uint32_t page = 1;          // the page number the token's page had (result_info.page)
  uint32_t query_digest = 0;  // which filters the token belongs to
};

std::string encode_page_token(const PageToken& token);
// nullopt when the text is not a token this emulator issued (length, digits, checksum).
std::optional<PageToken> decode_page_token(std::string_view text);

struct ListQuery {
  // `id=` (repeatable): any of these ids. Sorted, unique.
  std::vector<std::string> ids;
  bool has_id_filter = false;
  // `name=`: exact and case-sensitive. Given twice, both must hold.
  std::vector<std::string> names;
  // `name.contains=` / `name.startsWith=` / `name.endsWith=`, already ASCII-lowercased.
  // A key given twice must hold twice (AND), like every other combination of filters.
  std::vector<std::string> name_contains, name_starts_with, name_ends_with;
  // `parent.id=`: each entry must hold; "" stands for `parent.id=null` (root organizations).
  std::vector<std::string> parent_ids;
  // `containing.organization=`: strict ancestors of each of these.
  std::vector<std::string> containing_organizations;
  // `containing.account=`: the organization each of these accounts sits in (not its ancestors).
  std::vector<std::string> containing_accounts;
  // `containing.user=`: the emulator has no users beside members, so nothing matches.
  bool containing_user = false;

  size_t page_size = 10;
  std::optional<PageToken> after;  // from `page_token=`
  uint32_t digest = 0;             // of the filters above (not of page_size or the token)

  // How many filters (each repeated key counts; all the `id=` together count as one).
  size_t filter_count() const;
};

inline constexpr size_t kDefaultPageSize = 10;

// Parses the (percent-decoded) query parameters; keys may repeat. Unknown keys are ignored, as
// Cloudflare's API does. A page_size over `max_page_size` is a 400 (code 1019), or with
// `clamp_over_max` silently served as `max_page_size`.
std::variant<ListQuery, ApiError> parse_list_query(
    const std::multimap<std::string, std::string>& params, size_t max_page_size,
    bool clamp_over_max = false);

std::string ascii_lower(std::string_view text);
// The name filters' tests (on text already folded when the filter is case-insensitive).
inline bool text_contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}
inline bool text_starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
inline bool text_ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The page parameters every list shares (organizations, members, accounts), parsed alike.
// `value` of page_size -> `size` (codes 1013, 1019; see parse_list_query for `clamp_over_max`).
std::optional<ApiError> parse_page_size(const std::string& value, size_t max_page_size,
                                        bool clamp_over_max, size_t& size);
// The text of page_token, checked against the digest of the query it comes with (codes 1014,
// 1015). Empty text: the first page (`after` stays empty).
std::optional<ApiError> parse_page_token(const std::string& text, uint32_t digest,
                                         std::optional<PageToken>& after);

}  // namespace cforg::emulator
