// The real emulator as a child process on a free loopback port, for tests.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/process.h"

namespace cforg::testing {

inline constexpr const char* kTestToken = "test-token-0123456789";
inline constexpr const char* kTestEmail = "ops@example.com";
inline constexpr const char* kTestKey = "test-global-key-abcdef";

struct HttpReply {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
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
  // Every organization, read with the test token through the list endpoint (all pages).
  std::vector<nlohmann::json> organizations() const;

  // A raw request against base_url() + path, with the given headers ("Name: value").
  HttpReply request(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::vector<std::string>& headers = {bearer()}) const;
  static std::string bearer() { return std::string("Authorization: Bearer ") + kTestToken; }

  // The environment for cforg to talk to this emulator with the test token.
  std::map<std::string, std::string> env() const;

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
