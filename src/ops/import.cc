#include "boundary.h"
#include "cforg/ops/operations.h"
#include "session.h"

namespace cforg::ops {
namespace {

ImportResult run_import(const ImportRequest& r) {
  if (std::string problem = org_id_problem(r.id); !problem.empty()) {
    throw Error("ORG_ID \"" + r.id + "\" is not an organization id: it " + problem +
                "; copy the id from the dashboard or from GET /organizations");
  }
  Session s = open_session(config_paths(r.config_paths), r.backend, "import");
  const config::DesiredOrg* desired = s.config.find(r.key);
  if (!desired) {
    throw Error("\"" + r.key + "\" is not an organization key in the config: declare it " +
                "there first (key: defaults to the name), then import it");
  }
  if (auto it = s.state.orgs.find(r.key); it != s.state.orgs.end() && !it->second.pending_create) {
    throw Error("org \"" + r.key + "\" is already in state as " + it->second.id +
                "; to import another organization under this key, first run: cforg state rm " +
                plan::shell_word(r.key));
  }
  if (const std::string* other = s.state.key_of(r.id)) {
    throw Error(r.id + " is already in state as org \"" + *other + "\"");
  }
  api::HttpClient& client = s.api(r.net);
  // Read as a plan reads it, through the list: GET /organizations/{id} answers 403 for a while
  // after a create, the list does not, and its create_time tells the client the org is young.
  api::ListQuery query;
  query.ids = {r.id};
  api::Result<std::vector<Organization>> listed = client.list(query);
  if (!listed) throw Error("reading organization " + r.id + ": " + listed.error().str());
  if (listed.value().empty()) {
    throw Error("no organization " + r.id +
                " for these credentials: check the id, and that the credentials are for the "
                "account that holds it");
  }
  ImportResult out;
  out.org = std::move(listed.value().front());
  if (desired->spec.profile && !out.org.profile_known) {
    api::Result<std::optional<Profile>> profile = client.get_profile(r.id);
    if (!profile) throw Error("reading the profile of " + r.id + ": " + profile.error().str());
    out.org.spec.profile = std::move(profile.value());
    out.org.profile_known = true;
  }
  state::OrgState imported = state::from_remote(out.org);
  imported.spec.prevent_destroy = desired->spec.prevent_destroy;
  // What the config manages inside the org is recorded as it is, so that the next plan
  // compares the config with it; what it does not manage is neither read nor recorded.
  if (desired->members) {
    api::Result<std::vector<Member>> members = client.list_members(r.id);
    if (!members) throw Error("listing the members of " + r.id + ": " + members.error().str());
    imported.members.emplace();
    for (Member& m : members.value()) {
      std::string email = canonical_email(m.email);
      (*imported.members)[email] = std::move(m);
    }
    out.members = imported.members->size();
  }
  if (desired->accounts) {
    api::Result<std::vector<Account>> accounts = client.list_accounts(r.id);
    if (!accounts) throw Error("listing the accounts of " + r.id + ": " + accounts.error().str());
    imported.accounts.emplace();
    for (Account& a : accounts.value()) {
      // It sits here now: a record of it under another key is out of date.
      for (auto& [key, other] : s.state.orgs) {
        if (other.accounts) other.accounts->erase(a.id);
      }
      std::string id = a.id;
      (*imported.accounts)[id] = std::move(a);
    }
    out.accounts = imported.accounts->size();
  }
  s.state.orgs[r.key] = std::move(imported);
  s.tx->commit(s.state);
  out.serial = s.state.serial;
  return out;
}

}  // namespace

ImportResult import_org(const ImportRequest& r) {
  return translating_stage_errors([&] { return run_import(r); });
}

}  // namespace cforg::ops
