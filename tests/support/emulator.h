// The real emulator as a child process on a free loopback port, for tests.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"

namespace cforg::testing {

inline constexpr const char* kTestToken = "test-token-0123456789";
inline constexpr const char* kTestEmail = "ops@example.com";
inline constexpr const char* kTestKey = "test-global-key-abcdef";

struct HttpReply {
  int status = 0;
  nlohmann::json body;                         // null when the body is not JSON (or empty: 204)
  std::map<std::string, std::string> headers;  // response headers, names lowercased
};

// What organizations() does about profiles when the list leaves them out (the emulator's
// default, --read-profile omit).
enum class Profiles {
  kAsListed,  // as the list gave them: the `profile` key may be absent ("not told")
  kFetch,     // every organization gets a `profile` key: the object, or null when it has none;
              // read through GET .../profile with the global key when the list did not carry it
};

class Emulator {
 public:
  // Starts `cforg-emulator --port 0 --token kTestToken --email kTestEmail --key kTestKey` plus
  // `extra_args`, and waits for its "listening on" line.
  explicit Emulator(const std::vector<std::string>& extra_args = {});
  ~Emulator();

  const std::string& base_url() const { return base_url_; }  // http://127.0.0.1:PORT/client/v4
  int port() const { return port_; }

  // GET /__emulator/stats
  nlohmann::json stats() const;
  // Every organization, read with the test token through the list endpoint (all pages, by
  // result_info.next_page_token or, in --pagination cursor, result_info.cursor). The test's own
  // reads ride out faults, 429s (waiting Retry-After) and, for profiles, the post-create 403.
  std::vector<nlohmann::json> organizations() const { return organizations(Profiles::kAsListed); }
  std::vector<nlohmann::json> organizations(Profiles profiles) const;
  // GET /organizations/{id}/profile with the global key: the profile, or nullopt when the
  // organization has none (404 under --profile-missing 404, null result under null). Throws when
  // the organization does not exist or the emulator keeps refusing.
  std::optional<nlohmann::json> profile_of(const std::string& id) const;

  // POST /__emulator/spend?count=N with `headers`' credential: N requests of that credential's
  // rate-limit budget are spent at once, as by another client. Returns the hook's answer
  // ({"spent": N, "rate_limit": {"limit", "remaining", "reset"}}, rate_limit null when off).
  nlohmann::json spend(uint64_t count, const std::vector<std::string>& headers = {bearer()}) const;

  // A raw request against base_url() + path, with the given headers ("Name: value").
  HttpReply request(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::vector<std::string>& headers = {bearer()}) const;
  // Built with append: `std::string(literal) + kTestToken` draws a false -Warray-bounds from
  // g++ 12 at -O1.
  static std::string bearer() {
    std::string header = "Authorization: Bearer ";
    header.append(kTestToken);
    return header;
  }
  // A change made outside cforg, as in the dashboard: with the global key, waiting out the
  // post-create window's 403s, 429s and 5xx (up to a minute).
  HttpReply as_dashboard(const std::string& method, const std::string& path,
                         const std::string& body = "") const;
  // The legacy global-key pair, which --auth strict requires everywhere but on the list.
  static std::vector<std::string> global_key_headers() {
    return {std::string("X-Auth-Email: ") + kTestEmail, std::string("X-Auth-Key: ") + kTestKey};
  }

  // The environment for cforg to talk to this emulator with the test token.
  std::map<std::string, std::string> env() const;
  // ... with the global key only (CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), or with both schemes.
  std::map<std::string, std::string> env_global_key() const;
  std::map<std::string, std::string> env_both() const;

  Child& process() { return *child_; }

 private:
  std::unique_ptr<TempDir> logs_;
  std::unique_ptr<Child> child_;
  std::string base_url_;
  int port_ = 0;
};

// Runs the built cforg with `args`, in `cwd`, with the emulator's environment.
ProcessResult run_cforg(const std::vector<std::string>& args, const Emulator* emulator,
                        RunOptions opts = {});

}  // namespace cforg::testing
