#include "session.h"

#include <spdlog/spdlog.h>

#include "cforg/config/diagnostics.h"
#include "cforg/plan/refresh.h"

namespace cforg::cli {

std::optional<Session> open_session(const std::vector<std::string>& config_paths,
                                    const CommonOptions& common, const char* operation,
                                    std::vector<config::Diagnostic>* config_errors) {
  std::optional<config::Config> cfg = load_config(config_paths, config_errors);
  if (!cfg) return std::nullopt;
  Session s;
  s.config = std::move(*cfg);
  s.backend = open_state(common);
  s.lock = lock_state(*s.backend, common, operation);
  state::Snapshot loaded = s.backend->load();
  s.tx = s.backend->begin(*s.lock, loaded);
  s.journal_pending = loaded.journal_pending();
  s.state = std::move(loaded.state);
  return s;
}

plan::Plan plan_live(Session& s, const NetworkOptions& net, const PlanFlags& flags) {
  plan::Options opts;
  opts.adopt = flags.adopt;
  for (const std::string& key : flags.replace) {
    if (!s.config.find(key)) {
      throw Failure("--replace " + key + ": the config declares no organization with the key \"" +
                    key + "\"");
    }
    opts.replace.insert(key);
  }
  for (const std::string& key : flags.targets) {
    if (s.config.find(key) || s.state.orgs.count(key)) {
      opts.targets.insert(key);
      continue;
    }
    std::vector<std::string> keys;
    for (const config::DesiredOrg& d : s.config.orgs) keys.push_back(d.key);
    for (const auto& [k, org] : s.state.orgs) keys.push_back(k);
    std::string near = config::nearest_word(key, keys);
    throw Failure("--target " + key +
                  ": neither the config nor the state has an organization "
                  "with the key \"" +
                  key + "\"" + (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
  }
  try {
    api::RateLimit budget = api::RateLimit::parse(net.rate_limit);
    opts.budget = {budget.requests, static_cast<std::uint64_t>(budget.window.count())};
  } catch (const std::invalid_argument& e) {
    throw Failure(std::string("--rate-limit: ") + e.what());
  }
  if (!net.refresh) return plan::make_plan(s.config, s.state, nullptr, opts);
  if (!s.client) s.client = make_client(net);
  api::Result<plan::Remote> remote =
      plan::read_remote(s.config, s.state, *s.client, read_options(net, opts));
  if (!remote) {
    throw Failure("reading the remote side: " + remote.error().str() +
                  ". Check the credentials and CLOUDFLARE_BASE_URL, or plan from state alone "
                  "with --refresh=false");
  }
  spdlog::info("read {} organizations with {} requests", remote.value().orgs.size(),
               s.client->stats().requests.load());
  plan::Plan p = plan::make_plan(s.config, s.state, &remote.value(), opts);
  if (!net.allow_mass_forget) {
    if (std::string why = plan::mass_forget_problem(p, s.state); !why.empty()) {
      p.errors.push_back({"", std::move(why), ""});
    }
  }
  // Saved with the plan: apply of a saved plan re-derives its actions from it.
  p.remote = std::move(remote.value());
  return p;
}

}  // namespace cforg::cli
