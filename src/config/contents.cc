#include "contents.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "cforg/model/membership.h"
#include "suggest.h"
#include "text.h"

namespace cforg::config::detail {

namespace {

constexpr std::string_view kMemberFields[] = {"email", "status"};
constexpr std::string_view kAccountFields[] = {"id", "name"};
constexpr std::string_view kStatuses[] = {"active", "canceled"};
// RFC 5321's limit on an address in a mail path.
constexpr std::size_t kMaxEmailChars = 254;

bool is_space(char32_t cp) {
  return cp == ' ' || cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A);
}

// Why `s` cannot be a member's email, or "". Only the shape is checked: one '@' with text on
// both sides, one line of visible text without spaces, at most 254 characters. Whether the
// address exists is for the API (and the person) to say.
std::string email_problem(std::string_view s) {
  if (s.empty()) return "is empty; write the member's email address";
  if (std::string p = text_problem(s, std::string_view::npos, "email address", true); !p.empty()) {
    return excerpt(s) + " " + p;
  }
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++chars) {
    char32_t cp = 0;
    i += std::max<std::size_t>(1, decode_utf8(s, i, cp));
    if (is_space(cp)) {
      return excerpt(s) + " contains a space at character " + std::to_string(chars + 1) +
             "; an email address has none";
    }
  }
  if (chars > kMaxEmailChars) {
    return excerpt(s) + " is " + std::to_string(chars) +
           " characters long; an email address has at most " + std::to_string(kMaxEmailChars);
  }
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos) {
    return excerpt(s) + " has no '@'; write a whole address such as alice@example.com";
  }
  if (s.find('@', at + 1) != std::string_view::npos) {
    return excerpt(s) + " has more than one '@'; write one address per item";
  }
  if (at == 0) return excerpt(s) + " has nothing before the '@'";
  if (at + 1 == s.size()) return excerpt(s) + " has nothing after the '@'";
  return "";
}

// Whether `f` holds a list; reports what it holds otherwise.
bool is_list(Reader& r, const Field& f, std::string_view items) {
  const Node& v = f.value;
  if (v.is_sequence()) return true;
  const std::string name = f.name();
  if (v.is_null() && r.null_literal(v).empty()) {
    r.error(r.at(f.key), name + ": has no value; list the " + std::string(items) + " (`" + name +
                             ": []` for none), or remove the key to leave them unmanaged");
  } else {
    r.error(r.at(v), name + ": expected a list of " + std::string(items) + ", got " +
                         std::string(describe(value_type(v))));
  }
  return false;
}

// How many items of the list in `f` to read: all of them, or `limit` (the first one past it is
// reported, naming the limit).
std::size_t items_within(Reader& r, const Field& f, std::size_t limit, std::string_view whose) {
  const Node& list = f.value;
  if (list.size() <= limit) return list.size();
  const std::string name = f.name();
  r.error(r.at(list.item(limit)),
          name + ": more than " + std::to_string(limit) + " " + name + " in one organization, " +
              std::string(whose) + "; this one and the " + std::to_string(list.size() - limit - 1) +
              " after it are not read");
  return limit;
}

// An item written as a single value (`- alice@example.com`): its text, or nullopt (reported).
std::optional<std::string> item_string(Reader& r, const Field& list, const Node& item,
                                       std::string_view expected) {
  const std::string name = list.name();
  if (item.is_null() && r.null_literal(item).empty()) {
    r.error(r.empty_at(item),
            name + ": an empty item; write " + std::string(expected) + ", or remove the `-`");
    return std::nullopt;
  }
  if (item.is_sequence()) {
    r.error(r.at(item), name + ": expected " + std::string(expected) + ", got a list");
    return std::nullopt;
  }
  // Messages about the value's type name the list: "members: expected a string, got ...".
  return r.string(Field{list.key, item, true});
}

// The email as read, or nullopt (reported at `where`).
std::optional<std::string> checked_email(Reader& r, std::optional<std::string> email,
                                         const Location& where) {
  if (!email) return email;
  if (std::string problem = email_problem(*email); !problem.empty()) {
    r.error(where, "member email: " + problem);
    return std::nullopt;
  }
  return email;
}

std::optional<std::string> checked_account_id(Reader& r, std::optional<std::string> id,
                                              const Location& where) {
  if (!id) return id;
  if (std::string problem = account_id_problem(*id); !problem.empty()) {
    r.error(where, "account id: " + (id->empty() ? problem : excerpt(*id) + " " + problem));
    return std::nullopt;
  }
  return id;
}

std::optional<MemberStatus> read_status(Reader& r, const Field& f) {
  std::optional<std::string> s = r.string(f);
  if (!s) return std::nullopt;
  if (std::optional<MemberStatus> status = member_status_from(*s)) return status;
  std::string message = "status: " + excerpt(*s) + " is not a member status";
  if (std::string near = s->size() <= kQuotedChars ? nearest(*s, kStatuses) : ""; !near.empty()) {
    message += "; did you mean '" + near + "'?";
  } else {
    message += "; valid statuses are active (the default) and canceled";
  }
  r.error(r.at(f.value), std::move(message));
  return std::nullopt;
}

std::optional<MemberSpec> read_member(Reader& r, const Field& list, const Node& item) {
  MemberSpec m;
  if (!item.is_mapping()) {
    std::optional<std::string> email = checked_email(
        r, item_string(r, list, item, "an email, or {email: ..., status: ...}"), r.at(item));
    if (!email) return std::nullopt;
    m.email = std::move(*email);
    return m;
  }
  const std::vector<Field> f = r.fields(item, kMemberFields, "a member");
  bool ok = true;
  if (!f[0].present) {
    r.error(r.at(item), "missing 'email'; every member needs one");
    ok = false;
  } else if (std::optional<std::string> email =
                 checked_email(r, r.string(f[0]), r.value_at(f[0]))) {
    m.email = std::move(*email);
  } else {
    ok = false;
  }
  if (f[1].present) {
    if (std::optional<MemberStatus> status = read_status(r, f[1])) {
      m.status = *status;
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return m;
}

std::optional<AccountSpec> read_account(Reader& r, const Field& list, const Node& item,
                                        const Limits& limits) {
  AccountSpec a;
  if (!item.is_mapping()) {
    std::optional<std::string> id = checked_account_id(
        r, item_string(r, list, item, "an account id, or {id: ..., name: ...}"), r.at(item));
    if (!id) return std::nullopt;
    a.id = std::move(*id);
    return a;
  }
  const std::vector<Field> f = r.fields(item, kAccountFields, "an account");
  bool ok = true;
  if (!f[0].present) {
    r.error(r.at(item), "missing 'id'; every account needs its id");
    ok = false;
  } else if (std::optional<std::string> id =
                 checked_account_id(r, r.string(f[0]), r.value_at(f[0]))) {
    a.id = std::move(*id);
  } else {
    ok = false;
  }
  if (f[1].present) {
    // Only for people reading the config, but it is shown to them: held to a name's rules.
    if (std::optional<std::string> name = r.string(f[1])) {
      if (std::string problem = text_problem(*name, limits.max_name_chars, "name", true);
          !problem.empty()) {
        r.error(r.at(f[1].value), "name: " + excerpt(*name) + " " + problem);
        ok = false;
      } else {
        a.name = std::move(*name);
      }
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return a;
}

// Where each email (canonical) or account id was first listed: organization and item.
struct FirstSeen {
  std::size_t org;
  std::size_t item;
};

}  // namespace

void read_members(Reader& r, const Field& f, const Limits& limits, DesiredOrg& org) {
  if (!is_list(r, f, "members' emails")) return;
  const std::size_t n = items_within(r, f, limits.max_members_per_org, "cforg's limit");
  std::vector<MemberSpec> members;
  members.reserve(n);
  org.member_where.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Node item = f.value.item(i);
    if (std::optional<MemberSpec> m = read_member(r, f, item)) {
      members.push_back(std::move(*m));
      org.member_where.push_back(r.at(item));
    }
  }
  org.members = std::move(members);
}

void read_accounts(Reader& r, const Field& f, const Limits& limits, DesiredOrg& org) {
  if (!is_list(r, f, "account ids")) return;
  const std::size_t n =
      items_within(r, f, limits.max_accounts_per_org, "the API's limit");
  std::vector<AccountSpec> accounts;
  accounts.reserve(n);
  org.account_where.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Node item = f.value.item(i);
    if (std::optional<AccountSpec> a = read_account(r, f, item, limits)) {
      accounts.push_back(std::move(*a));
      org.account_where.push_back(r.at(item));
    }
  }
  org.accounts = std::move(accounts);
}

void check_contents(const Config& config, Diagnostics& out) {
  std::unordered_map<std::string, FirstSeen> emails, accounts;
  for (std::size_t o = 0; o < config.orgs.size(); ++o) {
    const DesiredOrg& org = config.orgs[o];
    for (std::size_t i = 0; org.members && i < org.members->size(); ++i) {
      const std::string& email = (*org.members)[i].email;
      auto [it, inserted] = emails.try_emplace(canonical_email(email), FirstSeen{o, i});
      if (inserted) continue;
      const DesiredOrg& first = config.orgs[it->second.org];
      const MemberSpec& earlier = (*first.members)[it->second.item];
      const std::string first_at = first.member_where[it->second.item].str();
      std::string message = "member email: " + excerpt(email);
      if (earlier.email != email) message += " (the same as " + excerpt(earlier.email) + ")";
      message +=
          it->second.org == o
              ? " is listed twice in this organization (also at " + first_at + "); remove one"
              : " is already a member of the organization " + label(first.key) + " (" + first_at +
                    "); an email is listed once in the whole config";
      out.push_back({org.member_where[i], std::move(message)});
    }
    for (std::size_t i = 0; org.accounts && i < org.accounts->size(); ++i) {
      const std::string& id = (*org.accounts)[i].id;
      auto [it, inserted] = accounts.try_emplace(id, FirstSeen{o, i});
      if (inserted) continue;
      const DesiredOrg& first = config.orgs[it->second.org];
      const std::string first_at = first.account_where[it->second.item].str();
      std::string message = "account id: " + excerpt(id);
      message +=
          it->second.org == o
              ? " is listed twice in this organization (also at " + first_at + "); remove one"
              : " is already in the organization " + label(first.key) + " (" + first_at +
                    "); an account sits in exactly one organization: remove one";
      out.push_back({org.account_where[i], std::move(message)});
    }
  }
}

}  // namespace cforg::config::detail
