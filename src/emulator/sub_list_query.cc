#include "sub_list_query.h"

#include <algorithm>

#include "hashing.h"

namespace cforg::emulator {
namespace {

// The filters of one list, sorted so that their order in the query string does not matter.
void add_sorted(Hasher& h, std::string_view tag, std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  h.add(tag).add(static_cast<uint64_t>(values.size()));
  for (const auto& v : values) h.add(v);
}

}  // namespace

std::variant<MemberQuery, ApiError> parse_member_query(
    const std::multimap<std::string, std::string>& params, const std::string& organization_id,
    size_t max_page_size, bool clamp_over_max) {
  MemberQuery q;
  std::optional<std::string> token_text;
  for (const auto& [key, value] : params) {
    if (key == "status[]" || key == "status") {
      if (value != "active" && value != "canceled") {
        return ApiError{
            400, code::kFilterInvalid,
            "invalid filter " + key + ": expected active or canceled, got '" + value + "'", ""};
      }
      q.statuses.push_back(value);
    } else if (key == "user.email") {
      q.email_suffixes.push_back(ascii_lower(value));
    } else if (key == "page_size") {
      if (auto error = parse_page_size(value, max_page_size, clamp_over_max, q.page_size)) {
        return *error;
      }
    } else if (key == "page_token") {
      token_text = value;
    }
  }
  Hasher h(0x6d656d6265727321ULL);  // "members!"
  h.add(organization_id);
  add_sorted(h, "status", q.statuses);
  add_sorted(h, "user.email", q.email_suffixes);
  q.digest = static_cast<uint32_t>(h.value());
  if (token_text) {
    if (auto error = parse_page_token(*token_text, q.digest, q.after)) return *error;
  }
  return q;
}

std::variant<AccountQuery, ApiError> parse_account_query(
    const std::multimap<std::string, std::string>& params, const std::string& organization_id,
    size_t max_page_size, bool clamp_over_max) {
  AccountQuery q;
  std::optional<std::string> token_text;
  for (const auto& [key, value] : params) {
    if (key == "name") {
      q.names.push_back(value);
    } else if (key == "name.contains") {
      q.name_contains.push_back(ascii_lower(value));
    } else if (key == "name.startsWith") {
      q.name_starts_with.push_back(ascii_lower(value));
    } else if (key == "name.endsWith") {
      q.name_ends_with.push_back(ascii_lower(value));
    } else if (key == "page_size") {
      if (auto error = parse_page_size(value, max_page_size, clamp_over_max, q.page_size)) {
        return *error;
      }
    } else if (key == "page_token") {
      token_text = value;
    }
  }
  Hasher h(0x6163636f756e7473ULL);  // "accounts"
  h.add(organization_id);
  add_sorted(h, "name", q.names);
  add_sorted(h, "contains", q.name_contains);
  add_sorted(h, "starts", q.name_starts_with);
  add_sorted(h, "ends", q.name_ends_with);
  q.digest = static_cast<uint32_t>(h.value());
  if (token_text) {
    if (auto error = parse_page_token(*token_text, q.digest, q.after)) return *error;
  }
  return q;
}

}  // namespace cforg::emulator
