// The queries of the sub-resources' lists: GET /organizations/{id}/members and
// GET /organizations/{id}/accounts. Page size and token are parsed as the organizations' list
// parses them (list_query.h), so the same client code pages all three; each query's token is
// bound to its own filters *and* its organization, so a token of one list continues no other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "error_codes.h"
#include "list_query.h"

namespace cforg::emulator {

struct MemberQuery {
  // `status[]=` (repeatable, `status=` too): any of these. Empty: every status.
  std::vector<std::string> statuses;
  // `user.email=`: the email ends with each of these, ASCII case folded (the contract describes
  // the filter as "ends with").
  std::vector<std::string> email_suffixes;
  size_t page_size = kDefaultPageSize;
  std::optional<PageToken> after;
  uint32_t digest = 0;
};

struct AccountQuery {
  std::vector<std::string> names;  // `name=`: exact and case-sensitive, as the org list's
  // `name.contains=` / `.startsWith=` / `.endsWith=`, already ASCII-lowercased.
  std::vector<std::string> name_contains, name_starts_with, name_ends_with;
  size_t page_size = kDefaultPageSize;
  std::optional<PageToken> after;
  uint32_t digest = 0;
};

// Unknown keys are ignored, as on the organizations' list. A status other than active/canceled
// is a 400 (1016): a misspelt status would otherwise silently match nothing.
std::variant<MemberQuery, ApiError> parse_member_query(
    const std::multimap<std::string, std::string>& params, const std::string& organization_id,
    size_t max_page_size, bool clamp_over_max = false);
// `account_pubname` and its variants are accepted and ignored: an Account here has no pubname.
std::variant<AccountQuery, ApiError> parse_account_query(
    const std::multimap<std::string, std::string>& params, const std::string& organization_id,
    size_t max_page_size, bool clamp_over_max = false);

}  // namespace cforg::emulator
