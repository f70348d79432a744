#include "common.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "cforg/config/diagnostics.h"

namespace cforg::cli {

void add_common_options(CLI::App* cmd, CommonOptions& o, bool with_config) {
  if (with_config) {
    cmd->add_option("-c,--config", o.config_paths,
                    "Config file or folder (every *.yaml/*.yml in it); repeatable. "
                    "Default: cforg.yaml")
        ->type_name("PATH")
        ->envname("CFORG_CONFIG")
        // One path per -c: a vector option would otherwise take the positional arguments
        // after it too (apply -c orgs plan.json would read the plan as config).
        ->allow_extra_args(false);
  }
  cmd->add_option("--state", o.state_path, "State file")
      ->capture_default_str()
      ->type_name("FILE")
      ->envname("CFORG_STATE");
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
  cmd->add_option("--log-format", o.log_format,
                  "text, or json: one object a line ({\"time\",\"level\",\"message\"}), for a log "
                  "collector")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--color", o.color,
                  "auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always or never")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--no-color", o.no_color, "No colors: the same as --color never");
}

CLI::Option* add_lock_timeout_option(CLI::App* cmd, CommonOptions& o) {
  return cmd
      ->add_option("--lock-timeout", o.lock_timeout,
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

CLI::Option* add_default_on(CLI::App* cmd, const std::string& name, bool& value,
                            const std::string& help) {
  return cmd->add_option(name, value, help)
      ->capture_default_str()
      ->expected(0, 1)
      ->default_str("true");
}

void add_network_options(CLI::App* cmd, NetworkOptions& o, bool with_refresh) {
  if (with_refresh) {
    add_default_on(cmd, "--refresh", o.refresh,
                   "Read the remote side first (--refresh=false plans from state alone)");
    add_default_on(cmd, "--account-sources", o.account_sources,
                   "Look up where each account to place sits now, one request each, so that "
                   "the plan names where its move comes from (=false: the moves alone)");
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
  cmd->add_option("--target", o.targets,
                  "Plan only the org with this key and what it depends on (repeatable). For "
                  "exceptional use, like Terraform's -target: a partial plan leaves the rest of "
                  "the config unapplied")
      ->type_name("KEY");
}

namespace {

// %* in a pattern: the message as a JSON string (quoted and escaped; bytes that are not UTF-8
// replaced), so that --log-format json writes one valid object a line.
class JsonMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string s = nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessage>();
  }
};

}  // namespace

void setup_logging(const CommonOptions& o) {
  std::string level = o.log_level;
  if (level.empty()) {
    const char* env = std::getenv("CFORG_LOG");
    level = env && *env ? env : "warn";
  }
  bool plain = !use_color(o, stderr);
  auto logger = plain ? spdlog::stderr_logger_mt("cforg") : spdlog::stderr_color_mt("cforg");
  if (o.log_format == "json") {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<JsonMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":%*})");
    logger->set_formatter(std::move(f));
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  spdlog::set_default_logger(logger);
  static const std::vector<std::string> known = {"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(known.begin(), known.end(), level) == known.end()) {
    spdlog::warn("unknown log level \"{}\" in CFORG_LOG: using warn", level);
    level = "warn";
  }
  spdlog::set_level(spdlog::level::from_str(level));
}

bool can_redraw(std::FILE* stream) {
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(stream)) && !(term && std::string_view(term) == "dumb");
}

bool use_color(const CommonOptions& o, std::FILE* stream) {
  if (o.no_color || o.color == "never") return false;
  if (o.color == "always") return true;  // a flag outranks the environment (no-color.org)
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return can_redraw(stream);
}

std::string chdir_from_args(int argc, char** argv) {
  // Only before the command, as Terraform's -chdir: everything after it (a PLANFILE, -c,
  // --state) is then read relative to DIR, and CLI11's file checks run after this.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string dir;
    if (arg == "--chdir" || arg == "-C") {
      if (i + 1 >= argc) return "";  // CLI11 reports the missing value
      dir = argv[++i];
    } else if (arg.rfind("--chdir=", 0) == 0) {
      dir = arg.substr(8);
    } else if (!arg.empty() && arg.front() == '-') {
      continue;
    } else {
      return "";
    }
    if (::chdir(dir.c_str()) != 0) {
      return "--chdir " + dir + ": cannot enter that folder (" + std::strerror(errno) + ")";
    }
  }
  return "";
}

std::string suggestion_for(const CLI::App& app, const std::string& error) {
  // The deepest command given: its flags and subcommands are what was meant.
  const CLI::App* cmd = &app;
  for (;;) {
    std::vector<CLI::App*> given = cmd->get_subcommands();
    if (given.empty()) break;
    cmd = given.back();
  }
  std::vector<std::string> words;
  for (const CLI::App* sub : cmd->get_subcommands({})) words.push_back(sub->get_name());
  std::vector<std::string> flags;
  for (const CLI::Option* opt : cmd->get_options()) {
    for (const std::string& l : opt->get_lnames()) flags.push_back("--" + l);
  }
  // CLI11 names what it did not understand after the colon ("The following argument was not
  // expected: --refersh"): try each word there.
  std::string best, what;
  std::string word;
  auto consider = [&](std::string w) {
    while (!w.empty() && std::string_view(":,'\"").find(w.back()) != std::string_view::npos)
      w.pop_back();
    while (!w.empty() && std::string_view("'\"").find(w.front()) != std::string_view::npos)
      w.erase(w.begin());
    if (w.empty() || !what.empty()) return;
    std::string name = w.substr(0, w.find('='));
    bool is_flag = name.rfind("--", 0) == 0;
    const std::vector<std::string>& pool = is_flag ? flags : words;
    if (std::find(pool.begin(), pool.end(), name) != pool.end()) return;  // a valid one
    if (!is_flag && (name.empty() || name.front() == '-' || words.empty())) return;
    best = config::nearest_word(name, pool);
    what = name;
  };
  auto colon = error.find(": ");
  if (colon != std::string::npos) {
    for (char c : error.substr(colon + 2) + " ") {
      if (c == ' ' || c == '\n') {
        consider(word);
        word.clear();
      } else {
        word += c;
      }
    }
  }
  // "A subcommand is required" names nothing: the word it did not take is left over.
  for (const std::string& left : cmd->remaining()) consider(left);
  if (what.empty()) return "";
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p; p = p->get_parent())
    path = p->get_name() + " " + path;
  if (best.empty()) {
    // CLI11 named a flag itself; a command it only calls missing.
    if (what.front() == '-') return "";
    return what + " is not a command of " + path + " (" + path + " --help lists them)";
  }
  return "did you mean " + best + " instead of " + what + "? (" + path + " --help lists them)";
}

std::string unknown_command_error(const CLI::App& app) {
  // The deepest command given is the one that wanted a subcommand.
  const CLI::App* cmd = &app;
  for (;;) {
    std::vector<CLI::App*> given = cmd->get_subcommands();
    if (given.empty()) break;
    cmd = given.back();
  }
  std::vector<std::string> left = cmd->remaining();
  if (left.empty() || cmd->get_subcommands({}).empty()) return "";
  const std::string& word = left.front();
  if (word.empty() || word.front() == '-') return "";
  std::vector<std::string> names;
  for (const CLI::App* sub : cmd->get_subcommands({})) names.push_back(sub->get_name());
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p; p = p->get_parent())
    path = p->get_name() + " " + path;
  std::string near = config::nearest_word(word, names);
  return word + " is not a command of " + path +
         (near.empty() ? std::string() : ": did you mean " + near + "?") + " (" + path +
         " --help lists them)";
}

std::vector<std::string> config_paths(const CommonOptions& o) {
  return ops::config_paths(o.config_paths);
}

ops::BackendOptions backend_options(const CommonOptions& o) {
  ops::BackendOptions b;
  b.backend = o.backend;
  b.state_path = o.state_path;
  b.state_url = o.state_url;
  if (b.state_url.empty() && o.backend == "pg") {
    if (const char* env = std::getenv("CFORG_PG_URL")) b.state_url = env;
  }
  b.workspace = o.workspace;
  b.lock_timeout = std::chrono::milliseconds(static_cast<long long>(o.lock_timeout * 1000));
  b.on_lock_wait = [](const std::string& where, const state::LockInfo& h,
                      std::chrono::milliseconds limit) {
    std::string who =
        h.id.empty() ? std::string("another process (not named yet)") : h.holder_text();
    std::fprintf(stderr, "Waiting up to %s for the lock on %s, held by %s...\n",
                 state::duration_text(limit).c_str(), where.c_str(), who.c_str());
  };
  return b;
}

ops::NetworkOptions network_options(const NetworkOptions& o) {
  ops::NetworkOptions n = o;
  n.credentials = api::Credentials::from_env();
  if (const char* base = std::getenv("CLOUDFLARE_BASE_URL"); base && *base) n.base_url = base;
  // For bench/ only, to measure the old behaviour beside the new in one run: every young org's
  // 403 window probed on its own instead of learnt once (not a flag: nobody else needs it).
  if (const char* learn = std::getenv("CFORG_LEARN_403_WINDOW");
      learn && std::string(learn) == "0") {
    n.learn_403_window = false;
  }
  for (const char* env : {"CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    const char* file = std::getenv(env);
    if (n.ca_bundle.empty() && file && *file) n.ca_bundle = file;
  }
  return n;
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
}

}  // namespace cforg::cli
