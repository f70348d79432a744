// What lives inside an organization: its members (people, by email) and its accounts.
//
// The API as published (docs/API.md): members are created and deleted, never updated, and have
// no role; accounts are never created here, only moved from one organization to another.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cforg {

enum class MemberStatus { active, canceled };
std::string_view to_string(MemberStatus s);  // "active", "canceled"
// nullopt for anything else (the API's spelling only: lowercase).
std::optional<MemberStatus> member_status_from(std::string_view s);

// Emails name members; the API treats them case-insensitively, so cforg compares them in one
// spelling: ASCII letters lowercased, everything else kept.
std::string canonical_email(std::string_view email);

// A member as the config asks for it.
struct MemberSpec {
  std::string email;  // as written; compare canonical_email()
  MemberStatus status = MemberStatus::active;

  bool operator==(const MemberSpec&) const = default;
};

// A member as the API returns it and the state records it.
struct Member {
  std::string id{};  // empty only while `pending` (in state)
  std::string email{};
  MemberStatus status = MemberStatus::active;
  std::string create_time{};  // RFC 3339, as the API said
  // State only: a create was sent and its outcome never recorded. The member may exist: look it
  // up by email before creating it again.
  bool pending = false;

  bool operator==(const Member&) const = default;
};

// An account as the config names it: its id, and a name that is only for people reading the
// config (never compared with the API's).
struct AccountSpec {
  std::string id;
  std::string name;

  bool operator==(const AccountSpec&) const = default;
};

// An account as the API lists it and the state records it.
struct Account {
  std::string id;
  std::string name;
  std::string type;  // "standard" | "enterprise" (kept as given)

  bool operator==(const Account&) const = default;
};

// What POST /accounts/{id}/move answers.
struct AccountMove {
  std::string account_id;
  std::string source_organization_id;  // "" when the account was in no organization
  std::string destination_organization_id;

  bool operator==(const AccountMove&) const = default;
};

// Account ids are opaque like org ids (visible ASCII, at most 128 characters): why `s` cannot be
// one, or "".
std::string account_id_problem(std::string_view s);

}  // namespace cforg
