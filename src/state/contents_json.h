// What an org of the state holds inside it, members and accounts, as JSON: in the state file
// (lists, sorted by canonical email and by id) and in journal records (one at a time).
//
// In memory they are maps by canonical_email(email) and by account id; the file holds lists,
// and the key is derived from each entry when it is read.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "cforg/model/json_fields.h"
#include "cforg/state/state.h"
#include "json_writer.h"

namespace cforg::state::detail {

using Members = std::map<std::string, Member>;
using Accounts = std::map<std::string, Account>;

// What a member entry must hold, and which of its fields are written and read.
enum class MemberRule {
  state,   // a state's entry: an id unless pending
  begin,   // begin_member: no id yet
  put,     // put_member: an id, not pending
  remove,  // remove_member: only the email counts
};

// The lists of an org: `[{...}, ...]`, as nlohmann's dump() writes them.
void write_members(JsonWriter& w, const Members& members);
void write_accounts(JsonWriter& w, const Accounts& accounts);
nlohmann::json members_to_json(const Members& members);
nlohmann::json accounts_to_json(const Accounts& accounts);

// Reads the lists at `at` (an org's `members` / `accounts`), checking every entry and that no
// email (compared canonically) or account id is listed twice. Messages name the entry's index.
Members parse_members(const JsonAt& at);
Accounts parse_accounts(const JsonAt& at);

// The checks of parse_members / parse_accounts that a well-typed map can still fail, plus the
// map's own rule (each key is canonical_email(email), or the account id): messages name
// "path[i]" with i the entry's place in the file (the map's order).
void check_members(const Members& members, const std::string& where, const std::string& path);
void check_accounts(const Accounts& accounts, const std::string& where, const std::string& path);

// Across the orgs of a state: an account sits in one org. The second org holding an account
// is named with the first.
void check_account_owners(const State& s, const std::string& where);

// One member or account as a journal record carries it. A remove_* record carries only the
// email / the id.
void write_member(JsonWriter& w, const Member& m, MemberRule rule);
void write_account(JsonWriter& w, const Account& a, bool id_only);
nlohmann::json member_to_json(const Member& m, MemberRule rule);
nlohmann::json account_to_json(const Account& a, bool id_only);
Member parse_member(const JsonAt& at, MemberRule rule);
Account parse_account(const JsonAt& at, bool id_only);
void check_member(const Member& m, const std::string& where, const std::string& path,
                  MemberRule rule);
void check_account(const Account& a, const std::string& where, const std::string& path);

}  // namespace cforg::state::detail
