#include "cforg/config/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace cforg::config {

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

namespace {
[[noreturn]] void unavailable() {
  throw std::runtime_error("SHA-256 is not available (OpenSSL's EVP_sha256 failed)");
}
}  // namespace

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) {
    unavailable();
  }
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  if (finished_) throw std::logic_error("Sha256::update after hex()");
  if (EVP_DigestUpdate(context_->ctx, data.data(), data.size()) != 1) unavailable();
}

std::string Sha256::hex() {
  if (finished_) throw std::logic_error("Sha256::hex called twice");
  finished_ = true;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(context_->ctx, md, &n) != 1) unavailable();
  std::string out;
  out.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) {
    out += "0123456789abcdef"[md[i] >> 4];
    out += "0123456789abcdef"[md[i] & 0xF];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

}  // namespace cforg::config
