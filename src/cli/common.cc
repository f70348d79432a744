#include "common.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace cforg::cli {

void add_common_options(CLI::App* cmd, CommonOptions& o, bool with_config) {
  if (with_config) {
    cmd->add_option("-c,--config", o.config_paths,
                    "Config file or folder (every *.yaml/*.yml in it); repeatable. "
                    "Default: cforg.yaml")
        ->type_name("PATH")
        // One path per -c: a vector option would otherwise take the positional arguments
        // after it too (apply -c orgs plan.json would read the plan as config).
        ->allow_extra_args(false);
  }
  cmd->add_option("--state", o.state_path, "State file")->capture_default_str()->type_name("FILE");
  cmd->add_option("--backend", o.backend, "Where the state lives: local (the --state file) or pg")
      ->capture_default_str()
      ->check(CLI::IsMember({"local", "pg"}));
  cmd->add_option("--state-url", o.state_url,
                  "PostgreSQL URL for --backend pg (else CFORG_PG_URL, which keeps the password "
                  "out of the process list)")
      ->type_name("postgres://USER:PASSWORD@HOST:PORT/DB");
  cmd->add_option("--workspace", o.workspace, "State workspace in PostgreSQL (--backend pg)")
      ->capture_default_str()
      ->type_name("NAME");
  cmd->add_option("--log-level", o.log_level,
                  "trace|debug|info|warn|error (also CFORG_LOG). Logs go to stderr")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cmd->add_flag("--no-color", o.no_color, "No colors (also NO_COLOR)");
}

void add_lock_timeout_option(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--lock-timeout", o.lock_timeout,
                  "How long to wait for the state's lock while another run holds it, e.g. 30s, "
                  "5m (default 0s: fail at once, naming the holder)")
      ->type_name("DURATION")
      // A bare number is seconds; ms, s, m and h as units.
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, double>{{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}},
          CLI::AsNumberWithUnit::CASE_SENSITIVE))
      // After the transform the value is seconds; CLI::Range would print them as 604800.000000.
      ->check([](const std::string& seconds) -> std::string {
        double s = std::strtod(seconds.c_str(), nullptr);
        return s >= 0 && s <= 7 * 86400.0 ? "" : "must be from 0s to 168h (a week)";
      });
}

void add_network_options(CLI::App* cmd, NetworkOptions& o, bool with_refresh) {
  if (with_refresh) {
    cmd->add_option("--refresh", o.refresh,
                    "Read the remote side first (--refresh=false plans from state alone)")
        ->capture_default_str()
        ->expected(0, 1)
        ->default_str("true");
  }
  cmd->add_option("--parallelism", o.parallelism, "Requests in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--rate-limit", o.rate_limit,
                  "Request budget per credential, REQUESTS/SECONDS (0: none)")
      ->capture_default_str()
      ->type_name("N/SECONDS");
  cmd->add_option("--max-retries", o.max_retries, "Retries of a failed request")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  cmd->add_option("--request-timeout", o.request_timeout, "Seconds before a request times out")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--retry-base-delay", o.retry_base_delay,
                  "Seconds before the first retry; doubles with each retry")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--retry-max-delay", o.retry_max_delay, "Cap on the wait between retries")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--consistency-timeout", o.consistency_timeout,
                  "Seconds after a create during which the API's 403s on requests naming the "
                  "new org (its children, its profile) are waited out with backoff")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--max-wait", o.max_wait,
                  "Longest wait the server may ask for (Retry-After, a spent budget) before "
                  "cforg gives up; Cloudflare blocks for 300 s after a 429")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_option("--ca-bundle", o.ca_bundle,
                  "PEM file of the CAs to verify the API's certificate against (a corporate "
                  "proxy's); default: CURL_CA_BUNDLE, SSL_CERT_FILE, else the system's")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--allow-insecure-http", o.allow_insecure_http,
                "Allow a plain http:// CLOUDFLARE_BASE_URL to a host that is not this machine "
                "(the credentials then cross the network unencrypted)");
  if (with_refresh) add_mass_forget_flag(cmd, o);
}

void add_mass_forget_flag(CLI::App* cmd, NetworkOptions& o) {
  cmd->add_flag("--allow-mass-forget", o.allow_mass_forget,
                "Accept a remote side that lists none of most tracked orgs (more often a wrong "
                "account or credential than deletions): drop them from state");
}

bool confirmed(const char* question, const char* without_terminal) {
  if (!::isatty(STDIN_FILENO)) {
    throw Failure(std::string("stdin is not a terminal, so cforg cannot ask for confirmation. ") +
                  without_terminal);
  }
  std::printf("\n%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question);
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

void add_plan_flags(CLI::App* cmd, PlanFlags& o) {
  cmd->add_flag("--adopt", o.adopt,
                "Take over untracked remote organizations that match by name and parent");
  cmd->add_option("--replace", o.replace,
                  "Replace the org with this key: delete it, then create it anew (a new id). "
                  "The only way to give an org another parent, which the API cannot change; "
                  "repeatable")
      ->type_name("KEY");
}

void setup_logging(const CommonOptions& o) {
  std::string level = o.log_level;
  if (level.empty()) {
    const char* env = std::getenv("CFORG_LOG");
    level = env && *env ? env : "warn";
  }
  bool plain = o.no_color || std::getenv("NO_COLOR") || !::isatty(2);
  auto logger = plain ? spdlog::stderr_logger_mt("cforg") : spdlog::stderr_color_mt("cforg");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  static const std::vector<std::string> known = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(known.begin(), known.end(), level) == known.end()) {
    spdlog::warn("unknown log level \"{}\" in CFORG_LOG: using warn", level);
    level = "warn";
  }
  spdlog::set_level(spdlog::level::from_str(level));
}

bool use_color(const CommonOptions& o, std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (o.no_color || (no_color && *no_color)) return false;
  return ::isatty(::fileno(stream));
}

std::vector<std::string> config_paths(const CommonOptions& o) {
  if (!o.config_paths.empty()) return o.config_paths;
  if (!std::filesystem::exists("cforg.yaml")) {
    throw Failure("no config given and no cforg.yaml here: pass -c FILE or -c FOLDER");
  }
  return {"cforg.yaml"};
}

std::optional<config::Config> load_config(const std::vector<std::string>& paths) {
  config::LoadResult r = config::load(paths);
  if (r.ok()) return std::move(r.config);
  for (const config::Diagnostic& d : r.errors) std::fprintf(stderr, "%s\n", d.str().c_str());
  std::fprintf(stderr, "Error: the config has %zu error%s; nothing was done.\n", r.errors.size(),
               r.errors.size() == 1 ? "" : "s");
  return std::nullopt;
}

std::unique_ptr<state::Backend> open_state(const CommonOptions& o) {
  if (o.backend == "pg") {
    std::string url = o.state_url;
    if (url.empty()) {
      if (const char* env = std::getenv("CFORG_PG_URL")) url = env;
    }
    if (url.empty()) {
      throw Failure(
          "--backend pg needs the database: pass --state-url postgres://... or set "
          "CFORG_PG_URL");
    }
    return state::open_pg_backend(url, o.workspace);
  }
  return state::open_file_backend(o.state_path);
}

std::unique_ptr<state::Lock> lock_state(state::Backend& backend, const CommonOptions& o,
                                        const char* operation) {
  auto timeout = std::chrono::milliseconds(static_cast<long long>(o.lock_timeout * 1000));
  return state::lock_waiting(
      backend, operation, timeout,
      [&backend](const state::LockedError& held, std::chrono::milliseconds limit) {
        const state::LockInfo& h = held.holder;
        std::string who = h.id.empty() ? std::string("another process (not named yet)")
                                       : h.who + " (pid " + std::to_string(h.pid) + ") running \"" +
                                             h.operation + "\" since " + h.created;
        std::fprintf(stderr, "Waiting up to %s for the lock on %s, held by %s...\n",
                     state::duration_text(limit).c_str(), backend.describe().c_str(), who.c_str());
      });
}

std::unique_ptr<api::HttpClient> make_client(const NetworkOptions& o) {
  api::Credentials creds = api::Credentials::from_env();
  if (creds.empty()) {
    throw Failure(
        "no Cloudflare credentials: set CLOUDFLARE_API_TOKEN (an API token), or "
        "CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (a global API key). To plan from the state "
        "file alone, without reading the remote side, use --refresh=false");
  }
  api::ClientOptions opts;
  if (const char* base = std::getenv("CLOUDFLARE_BASE_URL"); base && *base) {
    opts.base_url = base;
    while (!opts.base_url.empty() && opts.base_url.back() == '/') opts.base_url.pop_back();
  }
  if (std::string why = api::base_url_problem(opts.base_url, o.allow_insecure_http); !why.empty()) {
    throw Failure("CLOUDFLARE_BASE_URL: " + why);
  }
  try {
    opts.rate_limit = api::RateLimit::parse(o.rate_limit);
  } catch (const std::invalid_argument& e) {
    throw Failure(std::string("--rate-limit: ") + e.what());
  }
  using std::chrono::milliseconds;
  opts.retry = retry_policy(o);
  opts.consistency_timeout = milliseconds(static_cast<long>(o.consistency_timeout * 1000));
  opts.max_wait = milliseconds(static_cast<long>(o.max_wait * 1000));
  api::TransportOptions transport;
  transport.timeout = milliseconds(static_cast<long>(o.request_timeout * 1000));
  transport.connect_timeout = std::min(transport.timeout, milliseconds(10000));
  transport.ca_bundle = o.ca_bundle;
  for (const char* env : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    const char* file = std::getenv(env);
    if (transport.ca_bundle.empty() && file && *file) transport.ca_bundle = file;
  }
  return std::make_unique<api::HttpClient>(api::make_curl_transport(std::move(creds), transport),
                                           std::move(opts));
}

api::RetryPolicy retry_policy(const NetworkOptions& o) {
  api::RetryPolicy r;
  r.max_retries = o.max_retries;
  r.base_delay = std::chrono::milliseconds(static_cast<long>(o.retry_base_delay * 1000));
  r.max_delay = std::chrono::milliseconds(static_cast<long>(o.retry_max_delay * 1000));
  return r;
}

plan::ReadOptions read_options(const NetworkOptions& o, const plan::Options& plan) {
  plan::ReadOptions r;
  r.parallelism = o.parallelism;
  r.replace = plan.replace;
  return r;
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
}

}  // namespace cforg::cli
