#include "list_query.h"

#include <algorithm>
#include <charconv>

#include "hashing.h"

namespace cforg::emulator {
namespace {

constexpr uint64_t kTokenSalt = 0x70616765746f6b6eULL;  // "pagetokn"
constexpr size_t kTokenLength = 16 + 8 + 8 + 8;

std::string hex32(uint32_t value) {
  return hex64(value).substr(8);
}

uint32_t token_checksum(uint64_t seq, uint32_t page, uint32_t digest) {
  return static_cast<uint32_t>(Hasher(kTokenSalt).add(seq).add(page).add(digest).value());
}

template <typename T>
bool parse_hex(std::string_view text, T& out) {
  if (!std::all_of(text.begin(), text.end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc() && end == text.data() + text.size();
}

ApiError invalid_filter(const std::string& key, const std::string& why) {
  return {400, code::kFilterInvalid, "invalid filter " + key + ": " + why, ""};
}

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// The digest binds a token to its filters, so that a client that forgets to repeat the filters
// with `page_token` (the contract says it must) gets a 400 instead of silently wrong pages.
uint32_t digest_of(const ListQuery& q) {
  Hasher h(0x66696c7465727321ULL);  // "filters!"
  auto add_all = [&h](std::string_view tag, std::vector<std::string> values) {
    sort_unique(values);
    h.add(tag).add(static_cast<uint64_t>(values.size()));
    for (const auto& v : values) h.add(v);
  };
  h.add(static_cast<uint64_t>(q.has_id_filter));
  add_all("id", q.ids);
  add_all("name", q.names);
  add_all("contains", q.name_contains);
  add_all("starts", q.name_starts_with);
  add_all("ends", q.name_ends_with);
  add_all("parent", q.parent_ids);
  add_all("containing.organization", q.containing_organizations);
  add_all("containing.account", q.containing_accounts);
  h.add(static_cast<uint64_t>(q.containing_user));
  return static_cast<uint32_t>(h.value());
}

}  // namespace

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string encode_page_token(const PageToken& t) {
  return hex64(t.after_seq) + hex32(t.page) + hex32(t.query_digest) +
         hex32(token_checksum(t.after_seq, t.page, t.query_digest));
}

std::optional<PageToken> decode_page_token(std::string_view text) {
  if (text.size() != kTokenLength) return std::nullopt;
  PageToken t;
  uint32_t checksum = 0;
  if (!parse_hex(text.substr(0, 16), t.after_seq) || !parse_hex(text.substr(16, 8), t.page) ||
      !parse_hex(text.substr(24, 8), t.query_digest) || !parse_hex(text.substr(32, 8), checksum)) {
    return std::nullopt;
  }
  if (checksum != token_checksum(t.after_seq, t.page, t.query_digest) || t.page == 0) {
    return std::nullopt;
  }
  return t;
}

size_t ListQuery::filter_count() const {
  return (has_id_filter ? 1 : 0) + names.size() + name_contains.size() + name_starts_with.size() +
         name_ends_with.size() + parent_ids.size() + containing_organizations.size() +
         containing_accounts.size() + (containing_user ? 1 : 0);
}

std::optional<ApiError> parse_page_size(const std::string& value, size_t max_page_size,
                                        bool clamp_over_max, size_t& size) {
  size_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  bool too_large =
      ec == std::errc::result_out_of_range || (ec == std::errc() && parsed > max_page_size);
  if (too_large && end == value.data() + value.size()) {
    if (!clamp_over_max) {
      return ApiError{
          400, code::kPageSizeTooLarge,
          "page_size " + value + " is over the maximum of " + std::to_string(max_page_size), ""};
    }
    parsed = max_page_size;
  } else if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
             parsed < 1) {
    return ApiError{400, code::kPageSizeInvalid,
                    "page_size must be an integer from 1 to " + std::to_string(max_page_size) +
                        ", got '" + value + "'",
                    ""};
  }
  size = parsed;
  return std::nullopt;
}

std::optional<ApiError> parse_page_token(const std::string& text, uint32_t digest,
                                         std::optional<PageToken>& after) {
  // An empty page_token is what a naive client sends for "first page": accept it as such.
  if (text.empty()) return std::nullopt;
  auto token = decode_page_token(text);
  if (!token) {
    return ApiError{400, code::kPageTokenMalformed,
                    "page_token is malformed: pass back the token of the previous page as is", ""};
  }
  if (token->query_digest != digest) {
    return ApiError{400, code::kPageTokenMismatch,
                    "page_token belongs to a different query: repeat the same filters with it", ""};
  }
  after = token;
  return std::nullopt;
}

std::variant<ListQuery, ApiError> parse_list_query(
    const std::multimap<std::string, std::string>& params, size_t max_page_size,
    bool clamp_over_max) {
  ListQuery q;
  std::optional<std::string> token_text;
  for (const auto& [key, value] : params) {
    if (key == "id") {
      if (value.empty()) return invalid_filter(key, "an organization id is required");
      q.has_id_filter = true;
      q.ids.push_back(value);
    } else if (key == "name") {
      q.names.push_back(value);
    } else if (key == "name.contains") {
      q.name_contains.push_back(ascii_lower(value));
    } else if (key == "name.startsWith") {
      q.name_starts_with.push_back(ascii_lower(value));
    } else if (key == "name.endsWith") {
      q.name_ends_with.push_back(ascii_lower(value));
    } else if (key == "parent.id") {
      if (value.empty()) return invalid_filter(key, "expected an organization id or null");
      q.parent_ids.push_back(value == "null" ? "" : value);
    } else if (key == "containing.organization") {
      if (value.empty()) return invalid_filter(key, "an organization id is required");
      q.containing_organizations.push_back(value);
    } else if (key == "containing.account") {
      if (value.empty()) return invalid_filter(key, "an account id is required");
      q.containing_accounts.push_back(value);
    } else if (key == "containing.user") {
      if (value.empty()) return invalid_filter(key, "an id is required");
      q.containing_user = true;
    } else if (key == "page_size") {
      if (auto error = parse_page_size(value, max_page_size, clamp_over_max, q.page_size)) {
        return *error;
      }
    } else if (key == "page_token") {
      token_text = value;
    }
  }
  sort_unique(q.ids);
  q.digest = digest_of(q);
  if (token_text) {
    if (auto error = parse_page_token(*token_text, q.digest, q.after)) return *error;
  }
  return q;
}

}  // namespace cforg::emulator
