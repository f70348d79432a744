#include "session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "cforg/config/diagnostics.h"
#include "cforg/plan/refresh.h"

namespace cforg::ops {

std::vector<std::string> config_paths(const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  if (!std::filesystem::exists("cforg.yaml")) {
    throw Error("no config given and no cforg.yaml here: pass -c FILE or -c FOLDER");
  }
  return {"cforg.yaml"};
}

config::Config load_config(const std::vector<std::string>& paths) {
  config::LoadResult r = config::load(paths);
  if (!r.ok()) {
    std::string report = config::error_report(r);  // before the errors are moved out of r
    throw ConfigError(std::move(report), std::move(r.errors));
  }
  return std::move(r.config);
}

std::unique_ptr<state::Backend> open_backend(const BackendOptions& b) {
  if (b.backend == "pg") {
    if (b.state_url.empty()) {
      throw Error(
          "--backend pg needs the database: pass --state-url postgres://... or set "
          "CFORG_PG_URL");
    }
    return state::open_pg_backend(b.state_url, b.workspace);
  }
  return state::open_file_backend(b.state_path, b.state_path == BackendOptions::kDefaultStatePath);
}

std::unique_ptr<state::Lock> lock_backend(state::Backend& backend, const BackendOptions& b,
                                          const char* operation) {
  return state::lock_waiting(backend, operation, b.lock_timeout,
                             [&](const state::LockedError& held, std::chrono::milliseconds limit) {
                               if (b.on_lock_wait)
                                 b.on_lock_wait(backend.describe(), held.holder, limit);
                             });
}

Locked open_locked(const BackendOptions& b, const char* operation) {
  Locked s;
  s.backend = open_backend(b);
  s.lock = lock_backend(*s.backend, b, operation);
  state::Snapshot loaded = s.backend->load();
  s.tx = s.backend->begin(*s.lock, loaded);
  s.journal_pending = loaded.journal_pending();
  s.state = std::move(loaded.state);
  return s;
}

Session open_session(const std::vector<std::string>& paths, const BackendOptions& b,
                     const char* operation) {
  // The config first: a config error needs no lock and must not wait for one.
  config::Config cfg = load_config(paths);
  Session s;
  static_cast<Locked&>(s) = open_locked(b, operation);
  s.config = std::move(cfg);
  return s;
}

std::unique_ptr<api::HttpClient> make_client(const NetworkOptions& o) {
  if (o.credentials.empty()) {
    throw Error(
        "no Cloudflare credentials: set CLOUDFLARE_API_TOKEN (an API token), or "
        "CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (a global API key). To plan from the state "
        "file alone, without reading the remote side, use --refresh=false");
  }
  api::ClientOptions opts;
  if (!o.base_url.empty()) {
    opts.base_url = o.base_url;
    while (!opts.base_url.empty() && opts.base_url.back() == '/') opts.base_url.pop_back();
  }
  if (std::string why = api::base_url_problem(opts.base_url, o.allow_insecure_http); !why.empty()) {
    throw Error("CLOUDFLARE_BASE_URL: " + why);
  }
  try {
    opts.rate_limit = api::RateLimit::parse(o.rate_limit);
  } catch (const std::invalid_argument& e) {
    throw Error(std::string("--rate-limit: ") + e.what());
  }
  using std::chrono::milliseconds;
  opts.retry = retry_policy(o);
  opts.consistency_timeout = milliseconds(static_cast<long>(o.consistency_timeout * 1000));
  opts.learn_young_window = o.learn_403_window;
  opts.max_wait = milliseconds(static_cast<long>(o.max_wait * 1000));
  api::TransportOptions transport;
  transport.timeout = milliseconds(static_cast<long>(o.request_timeout * 1000));
  transport.connect_timeout = std::min(transport.timeout, milliseconds(10000));
  transport.ca_bundle = o.ca_bundle;
  opts.budget = o.budget;
  opts.stop = o.stop;
  std::unique_ptr<api::Transport> t = api::make_curl_transport(o.credentials, transport);
  if (o.wrap_transport) t = o.wrap_transport(std::move(t));
  return std::make_unique<api::HttpClient>(std::move(t), std::move(opts));
}

api::RetryPolicy retry_policy(const NetworkOptions& o) {
  api::RetryPolicy r;
  r.max_retries = o.max_retries;
  r.base_delay = std::chrono::milliseconds(static_cast<long>(o.retry_base_delay * 1000));
  r.max_delay = std::chrono::milliseconds(static_cast<long>(o.retry_max_delay * 1000));
  return r;
}

plan::Plan plan_live(Session& s, const NetworkOptions& net, const PlanFlags& flags) {
  plan::Options opts;
  opts.adopt = flags.adopt;
  for (const std::string& key : flags.replace) {
    if (!s.config.find(key)) {
      throw Error("--replace " + key + ": the config declares no organization with the key \"" +
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
    throw Error("--target " + key +
                ": neither the config nor the state has an organization "
                "with the key \"" +
                key + "\"" + (near.empty() ? "" : "; did you mean \"" + near + "\"?"));
  }
  try {
    api::RateLimit budget = api::RateLimit::parse(net.rate_limit);
    opts.budget = {budget.requests, static_cast<std::uint64_t>(budget.window.count())};
  } catch (const std::invalid_argument& e) {
    throw Error(std::string("--rate-limit: ") + e.what());
  }
  if (!net.refresh) return plan::make_plan(s.config, s.state, nullptr, opts);
  api::HttpClient& client = s.api(net);
  plan::ReadOptions read;
  read.parallelism = net.parallelism;
  read.replace = opts.replace;
  read.account_sources = net.account_sources;
  api::Result<plan::Remote> remote = plan::read_remote(s.config, s.state, client, read);
  if (!remote) {
    throw Error("reading the remote side: " + remote.error().str() +
                ". Check the credentials and CLOUDFLARE_BASE_URL, or plan from state alone "
                "with --refresh=false");
  }
  spdlog::info("read {} organizations with {} requests", remote.value().orgs.size(),
               client.stats().requests.load());
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

}  // namespace cforg::ops
