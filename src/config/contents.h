// What lives inside an organization: its `members:` and `accounts:` lists, read item by item,
// and the checks across the config (an email, or an account id, in one place only).
#pragma once

#include "cforg/config/config.h"
#include "diagnostics.h"
#include "yaml_reader.h"

namespace cforg::config::detail {

// Reads the `members:` field into org.members and org.member_where. An item is an email, or a
// mapping {email, status}. A value that is not a list is reported and leaves members unmanaged
// (nullopt); an item in error is reported and left out. Reads at most
// limits.max_members_per_org items.
void read_members(Reader& r, const Field& f, const Limits& limits, DesiredOrg& org);

// Reads the `accounts:` field into org.accounts and org.account_where, the same way. An item is
// an account id, or a mapping {id, name}. Reads at most limits.max_accounts_per_org items.
void read_accounts(Reader& r, const Field& f, const Limits& limits, DesiredOrg& org);

// Reports every email listed twice (compared as canonical_email) and every account id listed
// twice, in one organization or in two, at the later place and naming the first.
void check_contents(const Config& config, Diagnostics& out);

}  // namespace cforg::config::detail
