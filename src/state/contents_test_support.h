// Members and accounts for the state stage's tests.
#pragma once

#include <string>

#include "cforg/model/membership.h"
#include "state_test_support.h"

namespace cforg::state::testing {

inline Member make_member(const std::string& email, const std::string& id,
                          MemberStatus status = MemberStatus::active) {
  Member m;
  m.id = id;
  m.email = email;
  m.status = status;
  m.create_time = id.empty() ? "" : "2026-12-01T09:30:00Z";
  return m;
}

inline Account make_account(const std::string& id, const std::string& name,
                            const std::string& type = "standard") {
  return Account{id, name, type};
}

// An org of `id` that manages the members and accounts given (by canonical email / id).
inline OrgState org_with(const std::string& id, const std::string& name,
                         std::initializer_list<Member> members,
                         std::initializer_list<Account> accounts) {
  OrgState o = make_org(id, name);
  o.members.emplace();
  for (const Member& m : members) (*o.members)[canonical_email(m.email)] = m;
  o.accounts.emplace();
  for (const Account& a : accounts) (*o.accounts)[a.id] = a;
  return o;
}

}  // namespace cforg::state::testing
