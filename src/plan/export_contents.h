// What cforg export reads of each organization beyond the list, and what its config then
// manages of it (export_contents.cc).
#pragma once

#include <string>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/plan/export.h"

namespace cforg::plan {

// Reads, in parallel inside the client's budget, what `opts` asks of every org: its profile
// when the list left it out, its members, its accounts (one paged listing per org each).
// Throws ExportError naming the first read that failed (in the orgs' order) and the flag that
// leaves that kind of read out.
void read_org_contents(api::Client& client, const ExportOptions& opts,
                       std::vector<ExportedOrg>& orgs);

// Sets each org's desired profile, members and accounts from what was read. The members of an
// org that lists an email another exported org lists too (a config lists an email once), or
// more members than the config's limit, are left out (not managed): a warning says which.
// Accounts likewise, should a listing show one account in two orgs.
void desire_contents(const ExportOptions& opts, std::vector<ExportedOrg>& orgs,
                     std::vector<std::string>& warnings);

}  // namespace cforg::plan
