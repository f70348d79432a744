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
