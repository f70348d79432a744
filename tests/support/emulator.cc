#include "support/emulator.h"

#include <curl/curl.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <thread>

#include "support/binaries.h"
#include "support/curl_collect.h"

namespace cforg::testing {
namespace {

// Seconds of a Retry-After header, or `fallback`.
std::chrono::milliseconds retry_after(const HttpReply& r, std::chrono::milliseconds fallback) {
  auto it = r.headers.find("retry-after");
  if (it == r.headers.end()) return fallback;
  try {
    return std::chrono::seconds(std::stoi(it->second));
  } catch (const std::exception&) {
    return fallback;
  }
}

// The harness's own reads ride out what the emulator may be injecting: faults (5xx), rate
// limiting (429: wait Retry-After) and, with `retry_403`, the post-create 403 window. Gives up
// after `budget`, returning the last reply.
HttpReply patient(const Emulator& e, const std::string& path, const std::vector<std::string>& h,
                  bool retry_403, std::chrono::seconds budget = std::chrono::seconds(400),
                  const std::string& method = "GET", const std::string& body = "") {
  auto deadline = std::chrono::steady_clock::now() + budget;
  for (;;) {
    HttpReply r = e.request(method, path, body, h);
    bool again = r.status == 429 || r.status >= 500 || (retry_403 && r.status == 403);
    if (!again || std::chrono::steady_clock::now() >= deadline) return r;
    auto wait = r.status == 429 ? retry_after(r, std::chrono::milliseconds(200))
                                : std::chrono::milliseconds(r.status == 403 ? 50 : 5);
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace

HttpReply Emulator::as_dashboard(const std::string& method, const std::string& path,
                                 const std::string& body) const {
  return patient(*this, path, global_key_headers(), /*retry_403=*/true, std::chrono::seconds(60),
                 method, body);
}

Emulator::Emulator(const std::vector<std::string>& extra_args)
    : logs_(std::make_unique<TempDir>()) {
  std::vector<std::string> argv = {emulator_bin(), "--port",   "0",     "--token", kTestToken,
                                   "--email",      kTestEmail, "--key", kTestKey};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  child_ = std::make_unique<Child>(argv, RunOptions{}, *logs_ / "emulator");
  static const std::regex listening(R"(listening on (http://127\.0\.0\.1:(\d+)/client/v4))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = child_->out();
    auto eol = out.find('\n');
    std::smatch m;
    if (eol != std::string::npos) {
      std::string first = out.substr(0, eol);
      if (!std::regex_search(first, m, listening)) {
        throw std::runtime_error("emulator's first line is not 'listening on ...': " + first);
      }
      base_url_ = m[1];
      port_ = std::stoi(m[2]);
      return;
    }
    if (!child_->running()) {
      throw std::runtime_error("emulator exited early: " + child_->err());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("emulator did not start within 20s: " + child_->err());
}

Emulator::~Emulator() {
  child_->kill(SIGTERM);
  child_->wait();
}

HttpReply Emulator::request(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::vector<std::string>& headers) const {
  static std::once_flag curl_ready;  // curl_global_init is not thread-safe
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  std::string url = path.rfind("/__emulator", 0) == 0
                        ? "http://127.0.0.1:" + std::to_string(port_) + path
                        : base_url_ + path;
  std::string response;
  curl_slist* hdrs = nullptr;
  for (const auto& h : headers) hdrs = curl_slist_append(hdrs, h.c_str());
  if (!body.empty()) hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  // Always a body (maybe empty) for methods that carry one, so that Content-Length is sent.
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  HttpReply reply;
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    throw std::runtime_error(method + " " + url + " failed: " + curl_easy_strerror(rc));
  }
  reply.status = static_cast<int>(status);
  reply.body = nlohmann::json::parse(response, nullptr, /*allow_exceptions=*/false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

nlohmann::json Emulator::stats() const {
  return request("GET", "/__emulator/stats").body;
}

std::vector<nlohmann::json> Emulator::organizations(Profiles profiles) const {
  std::vector<nlohmann::json> all;
  std::string token;
  for (int pages = 0; pages < 100000; ++pages) {
    std::string path = "/organizations?page_size=1000";
    if (!token.empty()) path += "&page_token=" + token;
    HttpReply r = patient(*this, path, {bearer()}, /*retry_403=*/false);
    if (r.status != 200) {
      throw std::runtime_error("listing organizations: HTTP " + std::to_string(r.status) + " " +
                               r.body.dump());
    }
    for (const auto& o : r.body["result"]) all.push_back(o);
    // next_page_token is the published field (absent on the last page); cursor ("" on the last
    // page) the older reading.
    std::string next;
    const auto& info = r.body.value("result_info", nlohmann::json::object());
    if (info.contains("next_page_token") && info["next_page_token"].is_string()) {
      next = info["next_page_token"];
    }
    if (next.empty() && info.contains("cursor") && info["cursor"].is_string()) {
      next = info["cursor"];
    }
    if (next.empty() || next == token) break;
    token = next;
    if (pages == 99999) throw std::runtime_error("listing organizations did not end");
  }
  if (profiles == Profiles::kFetch) {
    for (auto& o : all) {
      if (o.contains("profile")) continue;  // the list carried it (object or null)
      auto profile = profile_of(o["id"].get<std::string>());
      o["profile"] = profile ? *profile : nlohmann::json(nullptr);
    }
  }
  return all;
}

std::optional<nlohmann::json> Emulator::profile_of(const std::string& id) const {
  HttpReply r = patient(*this, "/organizations/" + id + "/profile", global_key_headers(),
                        /*retry_403=*/true);
  if (r.status == 200 && r.body.is_object()) {
    const auto& result = r.body["result"];
    if (result.is_null()) return std::nullopt;  // --profile-missing null
    return result;
  }
  bool no_profile = r.status == 404 && r.body.is_object() && r.body["errors"].is_array() &&
                    !r.body["errors"].empty() && r.body["errors"][0].value("code", 0) == 1021;
  if (no_profile) return std::nullopt;
  throw std::runtime_error("reading the profile of " + id + ": HTTP " + std::to_string(r.status) +
                           " " + r.body.dump());
}

nlohmann::json Emulator::spend(uint64_t count, const std::vector<std::string>& headers) const {
  HttpReply r = request("POST", "/__emulator/spend?count=" + std::to_string(count), "", headers);
  if (r.status != 200) {
    throw std::runtime_error("spending " + std::to_string(count) + ": HTTP " +
                             std::to_string(r.status) + " " + r.body.dump());
  }
  return r.body;
}

std::map<std::string, std::string> Emulator::env() const {
  return {{"CLOUDFLARE_BASE_URL", base_url_}, {"CLOUDFLARE_API_TOKEN", kTestToken}};
}

std::map<std::string, std::string> Emulator::env_global_key() const {
  return {{"CLOUDFLARE_BASE_URL", base_url_},
          {"CLOUDFLARE_EMAIL", kTestEmail},
          {"CLOUDFLARE_API_KEY", kTestKey}};
}

std::map<std::string, std::string> Emulator::env_both() const {
  auto out = env_global_key();
  out["CLOUDFLARE_API_TOKEN"] = kTestToken;
  return out;
}

ProcessResult run_cforg(const std::vector<std::string>& args, const Emulator* emulator,
                        RunOptions opts) {
  std::vector<std::string> argv = {cforg_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (emulator) {
    for (const auto& [k, v] : emulator->env()) {
      bool unset =
          std::find(opts.unset_env.begin(), opts.unset_env.end(), k) != opts.unset_env.end();
      if (!unset) opts.env.emplace(k, v);
    }
  }
  // Tests must not depend on the developer's own settings.
  for (const char* name : {"CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY", "CFORG_LOG", "NO_COLOR"}) {
    if (!opts.env.count(name)) opts.unset_env.push_back(name);
  }
  if (!emulator && !opts.env.count("CLOUDFLARE_API_TOKEN")) {
    opts.unset_env.push_back("CLOUDFLARE_API_TOKEN");
  }
  return run(argv, opts);
}

}  // namespace cforg::testing
