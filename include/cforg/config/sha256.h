// SHA-256 in lowercase hex: the one implementation behind the config's digest and the plan
// file's seal (OpenSSL stays private to the config stage).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cforg::config {

// SHA-256 fed in pieces. Throws std::runtime_error when OpenSSL cannot compute it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // The digest of everything updated so far, 64 lowercase hex digits; ends the computation
  // (update or hex again afterwards is a bug: std::logic_error).
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
  bool finished_ = false;
};

// SHA-256 of `data` in lowercase hex.
std::string sha256_hex(std::string_view data);

}  // namespace cforg::config
