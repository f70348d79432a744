#include <cstdio>
#include <memory>

#include "cforg/plan/plan.h"
#include "commands.h"
#include "session.h"

namespace cforg::cli {
namespace {

struct ImportOptions {
  CommonOptions common;
  NetworkOptions net;
  std::string key;
  std::string id;
};

int run_import(const ImportOptions& o) {
  setup_logging(o.common);
  if (std::string problem = org_id_problem(o.id); !problem.empty()) {
    throw Failure("ORG_ID \"" + o.id + "\" is not an organization id: it " + problem +
                  "; copy the id from the dashboard or from GET /organizations");
  }
  std::optional<Session> s = open_session(config_paths(o.common), o.common, "import");
  if (!s) return kExitError;
  const config::DesiredOrg* desired = s->config.find(o.key);
  if (!desired) {
    throw Failure("\"" + o.key + "\" is not an organization key in the config: declare it " +
                  "there first (key: defaults to the name), then import it");
  }
  if (auto it = s->state.orgs.find(o.key);
      it != s->state.orgs.end() && !it->second.pending_create) {
    throw Failure("org \"" + o.key + "\" is already in state as " + it->second.id +
                  "; to import another organization under this key, first run: cforg state rm " +
                  plan::shell_word(o.key));
  }
  if (const std::string* other = s->state.key_of(o.id)) {
    throw Failure(o.id + " is already in state as org \"" + *other + "\"");
  }
  s->client = make_client(o.net);
  // Read as a plan reads it, through the list: GET /organizations/{id} answers 403 for a while
  // after a create, the list does not, and its create_time tells the client the org is young.
  api::ListQuery query;
  query.ids = {o.id};
  api::Result<std::vector<Organization>> listed = s->client->list(query);
  if (!listed) throw Failure("reading organization " + o.id + ": " + listed.error().str());
  if (listed.value().empty()) {
    throw Failure("no organization " + o.id +
                  " for these credentials: check the id, and that the credentials are for the "
                  "account that holds it");
  }
  api::Result<Organization> org = std::move(listed.value().front());
  if (desired->spec.profile && !org.value().profile_known) {
    api::Result<std::optional<Profile>> profile = s->client->get_profile(o.id);
    if (!profile) throw Failure("reading the profile of " + o.id + ": " + profile.error().str());
    org.value().spec.profile = std::move(profile.value());
    org.value().profile_known = true;
  }
  state::OrgState imported = state::from_remote(org.value());
  imported.prevent_destroy = desired->spec.prevent_destroy;
  s->state.orgs[o.key] = std::move(imported);
  s->tx->commit(s->state);
  std::printf("Imported org \"%s\": %s (\"%s\"). Run cforg plan to compare it with the config.\n",
              o.key.c_str(), o.id.c_str(), org.value().spec.name.c_str());
  return kExitOk;
}

}  // namespace

void add_import_command(CLI::App& app, Runner& run) {
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Start managing an existing organization: record ORG_ID in state as KEY");
  cmd->add_option("KEY", o->key, "The organization's key in the config")->required();
  cmd->add_option("ORG_ID", o->id, "The organization's id, as the dashboard or the API shows it")
      ->required();
  add_common_options(cmd, o->common);
  add_lock_timeout_option(cmd, o->common);
  add_network_options(cmd, o->net, /*with_refresh=*/false);
  cmd->callback([o, &run] { run = [o] { return run_import(*o); }; });
}

}  // namespace cforg::cli
